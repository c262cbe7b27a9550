"""The run lock on the broken disk: two playbook runs of different phases against one recovery VM never overlap.

Both runs go to one simulator (one machine directory). The simulator's command log carries every script's text, so
the order of the lock commands (which name their run id) shows who held the disk when; the final state is read back
from the machine's files with regipy.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import time
from pathlib import Path

from tests.simulator.fixture import build, running_simulator

from test_playbooks_support import (
    BOOTMGR, assert_ok, bcd_int, bcd_values, broken_disk, default_loader, host_counts, registry_values,
    require_collection_modules, run_playbook, tree_hashes, write_inventory,
)

HOST = "rescue01"
MODULES = ("offline_disk_info", "offline_disk_release", "offline_backup", "offline_registry_info",
           "offline_registry", "bcd", "offline_lock")
SAFEBOOT = "25000080"
LATENCY_MS = 150          # slows every command, so the first run is still working when the second one starts
START_TIMEOUT_S = 300


def _lock_commands(commands: list[dict]) -> list[tuple[str, str]]:
    """(command name, run id it names or '') of every lock command, in the order the simulator ran them."""
    found = []
    for command in commands:
        if (command.get("name") or "").startswith("lock-") and command["name"] != "lock-read":
            run = next((r for r in ("run-A", "run-B") if f'"run_id": "{r}"' in command["text"]), "")
            found.append((command["name"], run))
    return found


def _wait_for_lock(simulator, run_id: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if ("lock-create", run_id) in _lock_commands(simulator.commands()):
            return
        time.sleep(0.2)
    raise AssertionError(f"{run_id} never took the lock")


def _letters(machine_dir: Path) -> list[str | None]:
    machine = json.loads((machine_dir / "machine.json").read_text(encoding="utf-8"))
    return [p["letter"] for d in machine["disks"] for p in d["partitions"]]


def _start_two_runs(tmp_path: Path, second_vars: dict, generation: int):
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=generation)
    letters_before = _letters(machine_dir)
    first_vars = {"vmrescue_phases": ["enable_dump"], "vmrescue_run_id": "run-A"}
    with running_simulator(machine_dir, latency_ms=LATENCY_MS) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            first = pool.submit(run_playbook, "critical_service_repair.yml", inventory, first_vars)
            _wait_for_lock(simulator, "run-A")
            second = pool.submit(run_playbook, "critical_service_repair.yml", inventory,
                                 {"vmrescue_run_id": "run-B", **second_vars})
            runs = first.result(), second.result()
        commands = simulator.commands()
    return machine_dir, letters_before, runs, commands


def test_a_second_run_waits_for_the_first(tmp_path: Path) -> None:
    """Gen2: the first run gives the EFI partition a temporary letter the second run's discovery sees, and takes it
    back while the second run waits; the second run discovers again once it holds the lock."""
    require_collection_modules(*MODULES)
    machine_dir, letters_before, (first, second), commands = _start_two_runs(
        tmp_path, {"vmrescue_phases": ["safeboot"], "vmrescue_lock_wait": 600, "vmrescue_lock_poll_interval": 1},
        generation=2)
    assert_ok(first, HOST, changed=True)
    assert_ok(second, HOST, changed=True)
    # run-B took the lock only after run-A released it, and released its own.
    assert _lock_commands(commands) == [("lock-create", "run-A"), ("lock-release", ""), ("lock-create", "run-B"),
                                        ("lock-release", "")], _lock_commands(commands)
    names = [c.get("name") or "" for c in commands]
    a_start, a_end = names.index("lock-create"), names.index("lock-release")
    writes_inside_a = [n for n in names[a_start:a_end] if n.endswith("-write")]
    b_start = len(names) - 1 - names[::-1].index("lock-create")
    assert not any(n.endswith("-write") for n in names[a_end:b_start]), "run-B wrote before it held the lock"
    assert writes_inside_a, names
    assert names.count("disk-discovery") == 3, "run-B did not discover again once it held the lock"
    # Both runs' changes are on the disk, and the lock is gone.
    disk = broken_disk(machine_dir)
    objects = bcd_values(disk.bcd)
    assert bcd_int(objects, default_loader(objects), SAFEBOOT) == 0                   # safeboot minimal
    values = registry_values(disk.system, "\\ControlSet001\\Control\\CrashControl")
    assert values["CrashDumpEnabled"] == ("REG_DWORD", 2)
    assert not (disk.windows_dir / "vmrescue" / "lock.json").exists()
    assert _letters(machine_dir) == letters_before, "a temporary letter was left behind"


def test_a_second_run_told_not_to_wait_fails_naming_the_owner(tmp_path: Path) -> None:
    require_collection_modules(*MODULES)
    machine_dir, _letters_before, (first, second), _commands = _start_two_runs(
        tmp_path, {"vmrescue_phases": ["safeboot"], "vmrescue_lock_wait": 0}, generation=1)
    assert_ok(first, HOST, changed=True)
    assert second.rc != 0 and host_counts(second, HOST)["failed"] == 1, second.explain()
    assert "locked by another run" in second.output and "run run-A" in second.output, second.explain()
    objects = bcd_values(broken_disk(machine_dir).bcd)
    assert SAFEBOOT not in objects[default_loader(objects)], "the refused run changed the store"
    assert not (broken_disk(machine_dir).windows_dir / "vmrescue" / "lock.json").exists()


def _place_lock(machine_dir: Path, run_id: str, expires: dt.datetime) -> Path:
    lock_file = broken_disk(machine_dir).windows_dir / "vmrescue" / "lock.json"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock_file.write_text(json.dumps({
        "format": 1, "controller": "old-controller", "run_id": run_id, "purpose": "swap",
        "started": (expires - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}), encoding="utf-8")
    return lock_file


def test_check_mode_reports_a_held_lock_and_writes_nothing(tmp_path: Path) -> None:
    require_collection_modules(*MODULES)
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=1)
    _place_lock(machine_dir, "busy-run", dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))
    before = tree_hashes(machine_dir)
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = run_playbook("critical_service_repair.yml", inventory, {"vmrescue_phases": ["enable_dump"]},
                           check=True)
    assert_ok(run, HOST, changed=None)
    assert "locked by another run" in run.output and "run busy-run" in run.output, run.explain()
    assert tree_hashes(machine_dir) == before


def test_an_expired_lock_is_taken_over(tmp_path: Path) -> None:
    require_collection_modules(*MODULES)
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=1)
    lock_file = _place_lock(machine_dir, "killed-run", dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = run_playbook("critical_service_repair.yml", inventory, {"vmrescue_phases": ["discover"]})
    assert_ok(run, HOST, changed=None)
    assert "took over the expired run lock" in run.output and "killed-run" in run.output, run.explain()
    assert not lock_file.exists()
    assert list(lock_file.parent.glob("lock.json.takeover-*")), "the takeover marker is missing"
    assert BOOTMGR in bcd_values(broken_disk(machine_dir).bcd)
