"""The four playbooks end to end: real ansible-playbook against a simulated recovery VM, Gen1 and Gen2, every
simulator language. Each playbook runs twice (the second run must report changed=0) and the machine's host files
are read back with regipy/hivex afterwards.

Cost: ten playbook runs per machine; Gen2 runs in every language, Gen1 in en-US and de-DE.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.simulator.fixture import build, running_simulator

from test_playbooks_support import (
    BOOTMGR, EMSSETTINGS, LANGUAGES, assert_ok, bcd_bool, bcd_int, bcd_values, broken_disk, control_sets,
    default_loader, known_good_driver, raw_snapshot, registry_values, require_collection_modules, run_playbook,
    write_inventory,
)

HOST = "rescue01"
MODULES = ("offline_disk_info", "offline_disk_release", "offline_backup", "offline_registry_info",
           "offline_registry", "bcd", "driver_file")
CASES = [(2, language) for language in LANGUAGES] + [(1, "en-US"), (1, "de-DE")]
DRIVER = "filecrypt.sys"
# Codes (bcd-and-registry.md section 2) read back independently of the collection's element catalogue.
DISPLAYBOOTMENU, TIMEOUT, BOOTEMS, EMS = "26000020", "25000004", "16000020", "260000b0"
EMSPORT, EMSBAUDRATE, SAFEBOOT, BOOTLOG = "15000022", "15000023", "25000080", "26000090"
BOOTSTATUSPOLICY, NOINTEGRITYCHECKS, TESTSIGNING = "250000e0", "16000048", "16000049"
RECOVERYENABLED, INTEGRITYSERVICES = "16000009", "1500004b"
CRASH_CONTROL = "Control\\CrashControl"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _letters(machine_dir: Path) -> list[tuple[int, int, str | None]]:
    machine = json.loads((machine_dir / "machine.json").read_text(encoding="utf-8"))
    return [(d["number"], p["number"], p["letter"]) for d in machine["disks"] for p in d["partitions"]]


def _twice(playbook: str, inventory: Path, extra_vars: dict) -> None:
    """First run changes something, the second reports changed=0."""
    assert_ok(run_playbook(playbook, inventory, extra_vars), HOST, changed=True)
    assert_ok(run_playbook(playbook, inventory, extra_vars), HOST, changed=False)


def _assert_backup_before_any_hive_load(commands: list[dict]) -> None:
    """reg load can replay a hive's logs into it, so no store or hive is loaded before the first verified backup."""
    names = [c["name"] for c in commands if c["kind"] == "catalogue"]
    first_backup = names.index("backup-manifest")
    loads = [i for i, name in enumerate(names) if name.split("-")[0] in ("registry", "bcd")]
    assert loads and min(loads) > first_backup, names


def _assert_dump_enabled(disk, debug_boot: bool) -> None:
    objects = bcd_values(disk.bcd)
    loader = default_loader(objects)
    assert bcd_bool(objects, BOOTMGR, DISPLAYBOOTMENU) is True
    assert bcd_int(objects, BOOTMGR, TIMEOUT) == 10
    assert bcd_bool(objects, BOOTMGR, BOOTEMS) is True
    assert bcd_bool(objects, loader, EMS) is True
    assert bcd_int(objects, EMSSETTINGS, EMSPORT) == 1
    assert bcd_int(objects, EMSSETTINGS, EMSBAUDRATE) == 115200
    if debug_boot:
        assert bcd_bool(objects, BOOTMGR, NOINTEGRITYCHECKS) is True
        assert bcd_int(objects, BOOTMGR, INTEGRITYSERVICES) == 2          # Disable
        assert bcd_bool(objects, loader, BOOTLOG) is True
        assert bcd_int(objects, loader, BOOTSTATUSPOLICY) == 0            # DisplayAllFailures
        assert bcd_bool(objects, loader, NOINTEGRITYCHECKS) is True
        assert bcd_bool(objects, loader, TESTSIGNING) is False
        assert bcd_bool(objects, loader, RECOVERYENABLED) is False
        assert bcd_int(objects, loader, INTEGRITYSERVICES) == 2
    else:
        assert bcd_bool(objects, BOOTMGR, NOINTEGRITYCHECKS) is None
        assert bcd_bool(objects, loader, BOOTLOG) is None
    sets = control_sets(disk.system)
    assert len(sets) >= 2, sets
    for control_set in sets:   # every control set, not only Select\Current
        values = registry_values(disk.system, f"\\{control_set}\\{CRASH_CONTROL}")
        assert values["CrashDumpEnabled"] == ("REG_DWORD", 2), control_set
        assert values["DumpFile"] == ("REG_EXPAND_SZ", "%SystemRoot%\\MEMORY.DMP"), control_set
        assert values["NMICrashDump"] == ("REG_DWORD", 1), control_set
        assert values["AutoReboot"] == ("REG_DWORD", 0), control_set


def _assert_azure_defaults(disk) -> None:
    objects = bcd_values(disk.bcd)
    loader = default_loader(objects)
    assert bcd_bool(objects, BOOTMGR, NOINTEGRITYCHECKS) is None
    assert bcd_int(objects, BOOTMGR, INTEGRITYSERVICES) == 1              # Enable
    for code in (SAFEBOOT, BOOTLOG, NOINTEGRITYCHECKS, TESTSIGNING):
        assert code not in objects[loader], code
    assert bcd_int(objects, loader, BOOTSTATUSPOLICY) == 1                # IgnoreAllFailures
    assert bcd_bool(objects, loader, RECOVERYENABLED) is False
    assert bcd_int(objects, loader, INTEGRITYSERVICES) == 1
    assert bcd_bool(objects, loader, EMS) is True                         # the serial console stays


@pytest.mark.parametrize(("generation", "language"), CASES, ids=[f"gen{g}-{lang}" for g, lang in CASES])
def test_full_repair_sequence(tmp_path: Path, generation: int, language: str) -> None:
    require_collection_modules(*MODULES)
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=generation)
    disk = broken_disk(machine_dir)
    debug_boot = generation == 1 or language == "de-DE"
    sets = control_sets(disk.system)
    original_bcd = raw_snapshot(disk.bcd, ["Objects"])
    original_registry = raw_snapshot(disk.system, [f"{s}\\{CRASH_CONTROL}" for s in sets])
    letters_before = _letters(machine_dir)
    original_driver = _sha256(disk.windows_dir / "Windows" / "System32" / "drivers" / DRIVER)

    # A known-good driver copy: on the controller for Gen2, on the recovery VM's C: for Gen1.
    good = known_good_driver(tmp_path / "known-good", DRIVER)
    if generation == 2:
        source = {"safeboot_driver_swap_source_controller_dir": str(good.parent)}
    else:
        known_good_driver(machine_dir / "C" / "known-good", DRIVER)
        source = {"safeboot_driver_swap_source_dir": "C:\\known-good"}

    with running_simulator(machine_dir, language=language) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})

        if (generation, language) == (2, "en-US"):
            check = run_playbook("enable_dump.yml", inventory, check=True, diff=True)
            assert_ok(check, HOST, changed=True)
            # Check mode claims no backup and sends nobody to detach the disk.
            assert "would back up" in check.output and "nothing written" in check.output, check.explain()
            assert "Backup made" not in check.output and "Next: detach" not in check.output, check.explain()
            assert raw_snapshot(disk.bcd, ["Objects"]) == original_bcd, "check mode wrote the BCD store"
            assert raw_snapshot(disk.system, [f"{s}\\{CRASH_CONTROL}" for s in sets]) == original_registry

        seen = len(simulator.commands())
        _twice("enable_dump.yml", inventory, {"enable_dump_debug_boot": debug_boot})
        _assert_dump_enabled(disk, debug_boot)
        _assert_backup_before_any_hive_load(simulator.commands()[seen:])

        # Gen1 names the driver as an AWX text question gives it: one comma-separated string.
        drivers = f" {DRIVER} ," if generation == 1 else [DRIVER]
        _twice("safeboot_driver_swap.yml", inventory, {"safeboot_driver_swap_drivers": drivers, **source})
        objects = bcd_values(disk.bcd)
        assert bcd_int(objects, default_loader(objects), SAFEBOOT) == 0      # Minimal
        driver_after = _sha256(disk.windows_dir / "Windows" / "System32" / "drivers" / DRIVER)
        assert driver_after == _sha256(good) != original_driver
        backups = [p for p in disk.windows_dir.rglob(DRIVER) if "System32" not in p.parts]
        assert any(_sha256(p) == original_driver for p in backups), f"original driver not backed up: {backups}"

        _twice("critical_service_repair.yml", inventory, {"vmrescue_phases": "unsafeboot"})
        objects = bcd_values(disk.bcd)
        assert SAFEBOOT not in objects[default_loader(objects)]

        _twice("restore_defaults.yml", inventory, {})
        _assert_azure_defaults(disk)

        _twice("restore_defaults.yml", inventory, {"restore_defaults_mode": "journal"})
        assert raw_snapshot(disk.bcd, ["Objects"]) == original_bcd
        assert raw_snapshot(disk.system, [f"{s}\\{CRASH_CONTROL}" for s in sets]) == original_registry
    assert _letters(machine_dir) == letters_before, "a temporary drive letter was not released"
