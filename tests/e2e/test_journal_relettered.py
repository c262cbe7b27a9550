"""Issue 12, done-when 1: a journal restore after the broken disk came back under other letters gives back every BCD
element and every registry value byte for byte (regipy, against a snapshot taken before the first run), Gen1 and Gen2.

enable_dump with the debug settings plus safe mode, then the disk is detached and attached again: its OS volume (and
Gen1's boot partition) get other letters, and Gen2's EFI partition gets another temporary letter because its first
one (Z) now belongs to the OS volume. Then restore_defaults_mode=journal, twice: the second changes nothing.
The format-1 case rewrites the journal as the collection wrote it before format 2 (keyed by the first run's
drive-letter paths) before the disk comes back: its records are mapped by their path below the drive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.simulator.fixture import build, running_simulator
from tests.simulator.windows.reattach import reattach

from test_playbooks_support import assert_ok, broken_disk, host_counts, run_playbook, write_inventory

HOST = "rescue01"
REPAIR = {"vmrescue_phases": "discover,backup,enable_dump,safeboot", "enable_dump_debug_boot": True}
RESTORE = {"vmrescue_phases": "restore", "restore_defaults_mode": "journal"}

pytestmark = pytest.mark.slow


def regipy_snapshot(hive_file: Path, root: str = "") -> dict[str, list[tuple[str, str, str]]]:
    """Every key below ``root`` with every value's name, type and data as regipy reads them."""
    hive = RegistryHive(str(hive_file))
    out: dict[str, list[tuple[str, str, str]]] = {}

    def walk(key, path: str) -> None:
        out[path.lower()] = sorted((value.name, str(value.value_type), repr(value.value))
                                   for value in key.iter_values())
        for sub in key.iter_subkeys():
            walk(sub, f"{path}\\{sub.name}")

    walk(hive.get_key(root or "\\"), root)
    return out


def _letters(machine_dir: Path) -> dict[tuple[int, int], str | None]:
    data = json.loads((machine_dir / "machine.json").read_text(encoding="utf-8"))
    return {(d["number"], p["number"]): p["letter"] for d in data["disks"] for p in d["partitions"]}


def _new_letters(machine_dir: Path, generation: int) -> tuple[int, dict[int, str | None]]:
    """The broken disk's number and the letters it gets when attached again."""
    data = json.loads((machine_dir / "machine.json").read_text(encoding="utf-8"))
    disk = next(d for d in data["disks"] if not d["is_system"])
    letters: dict[int, str | None] = {}
    for part in disk["partitions"]:
        if part["role"] == "os":
            letters[part["number"]] = "Z"      # the first temporary letter the collection gives an EFI partition
        elif part["role"] == "system-reserved":
            letters[part["number"]] = "Q"
        else:
            letters[part["number"]] = None     # an EFI partition has no letter after attaching
    return disk["number"], letters


def _check_unmappable_record_fails_the_host(journal_file: Path, inventory: Path) -> None:
    """A record of a disk that is not attached: the restore names it, counts it as could not and fails the host."""
    journal = json.loads(journal_file.read_text(encoding="utf-8-sig"))
    gone = "gpt:{0badd15c-0000-0000-0000-000000000000}:{0badd15c-0000-0000-0000-000000000001}|efi\\microsoft\\boot\\bcd"
    journal["bcd"][gone] = {"{9dea862c-5cdd-4e70-acc1-f32b344d4795}": {"25000004": {"present": False}}}
    journal_file.write_text(json.dumps(journal), encoding="utf-8")
    failed = run_playbook("critical_service_repair.yml", inventory, RESTORE)
    assert failed.rc != 0 and host_counts(failed, HOST)["failed"] == 1, failed.explain()
    assert re.search(r"Journal records: 0 restored, \d+ already original, 1 could not", failed.output), failed.explain()
    assert "The journal restore is not complete" in failed.output and "0badd15c" in failed.output, failed.explain()
    # The summary must not claim the host is "already as asked".
    assert "Changed before the failure: " in failed.output and "already as asked" not in failed.output, failed.explain()


def _as_format1(journal_file: Path, paths: dict[str, str]) -> None:
    """Rewrite a format-2 journal as format 1: each file key becomes the drive-letter path it had ({key: path})."""
    journal = json.loads(journal_file.read_text(encoding="utf-8-sig"))
    old = {"format": 1, **{section: {paths[key].lower(): records for key, records in journal[section].items()}
                           for section in ("bcd", "registry")}}
    journal_file.write_text(json.dumps(old), encoding="utf-8")


@pytest.mark.parametrize(("generation", "journal_format"), [(1, 2), (2, 2), (2, 1)])
def test_journal_restore_after_new_letters_is_byte_exact(tmp_path: Path, generation: int, journal_format: int) -> None:
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=generation)
    disk = broken_disk(machine_dir)
    original_bcd = regipy_snapshot(disk.bcd, "\\Objects")
    original_system = regipy_snapshot(disk.system)

    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        repair = run_playbook("critical_service_repair.yml", inventory, REPAIR)
        first_store = {re.search(r"'/store' '([^']+)'", c["text"]).group(1) for c in simulator.commands()
                       if c["kind"] == "catalogue" and c["name"] == "bcd-write"}
    assert_ok(repair, HOST, changed=True)
    assert regipy_snapshot(disk.bcd, "\\Objects") != original_bcd
    assert regipy_snapshot(disk.system) != original_system
    journal = json.loads((disk.windows_dir / "vmrescue" / "journal.json").read_text(encoding="utf-8-sig"))
    style = "mbr:" if generation == 1 else "gpt:"
    assert journal["format"] == 2 and journal["bcd"] and journal["registry"]
    assert all(key.startswith(style) for key in (*journal["bcd"], *journal["registry"])), journal.keys()
    if journal_format == 1:
        (store_path,) = first_store
        (bcd_key,), (system_key,) = journal["bcd"], journal["registry"]
        _as_format1(disk.windows_dir / "vmrescue" / "journal.json",
                    {bcd_key: store_path, system_key: "F:\\Windows\\System32\\config\\SYSTEM"})

    number, letters = _new_letters(machine_dir, generation)
    before = reattach(machine_dir, number, letters)
    assert before != letters
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        restore = run_playbook("critical_service_repair.yml", inventory, RESTORE)
        again = run_playbook("critical_service_repair.yml", inventory, RESTORE)
        store_used = [c["text"] for c in simulator.commands() if c["kind"] == "catalogue" and c["name"] == "bcd-write"]
        if journal_format == 2 and generation == 2:
            _check_unmappable_record_fails_the_host(disk.windows_dir / "vmrescue" / "journal.json", inventory)
    assert_ok(restore, HOST, changed=True)
    assert "0 could not" in restore.output and " restored, " in restore.output, restore.explain()
    assert regipy_snapshot(disk.bcd, "\\Objects") == original_bcd
    assert regipy_snapshot(disk.system) == original_system
    assert_ok(again, HOST, changed=False)
    assert "Journal records: 0 restored" in again.output, again.explain()
    expected_store = "Y:\\EFI\\Microsoft\\Boot\\BCD" if generation == 2 else "Q:\\boot\\BCD"
    assert store_used and all(expected_store in text for text in store_used), store_used
    assert {key: letter for key, letter in _letters(machine_dir).items() if key[0] == number} == \
        {(number, part): letter for part, letter in letters.items()}, "a temporary letter was not released"
