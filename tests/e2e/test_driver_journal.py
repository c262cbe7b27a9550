"""Driver swaps in the journal, through real ansible-playbook against the simulator: the new file carries the
original's owner and DACL, a journal restore gives back the original file (SHA-256) with its owner and DACL (SDDL
compared in the simulator's ACL model, acls.json), and a backup killed after any statement is completed by the
re-run, records equal to a fault-free run's.

Cost: two machines for the playbook test (4 playbook runs each); one machine copied per kill point for the fault
test (one playbook run each, about 25 points for each of the two writing commands).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.simulator.fixture import build, running_simulator
from tests.simulator.windows.acl import AclStore

from test_playbooks_support import (
    assert_ok, broken_disk, known_good_driver, require_collection_modules, run_playbook, write_inventory,
)

pytestmark = pytest.mark.slow
HOST = "rescue01"
DRIVER = "filecrypt.sys"
REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sddl(machine_dir: Path, path: Path) -> str:
    """Owner, group and DACL of a host file as the simulator's ACL model holds them (not the collection's word)."""
    return AclStore(machine_dir).get(path).sddl()


def _journal(windows_dir: Path) -> dict:
    return json.loads((windows_dir / "vmrescue" / "journal.json").read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize("generation", [1, 2])
def test_swap_keeps_the_sddl_and_a_journal_restore_puts_the_original_back(tmp_path: Path, generation: int) -> None:
    require_collection_modules("driver_file", "bcd", "offline_registry", "offline_backup", "offline_disk_info")
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=generation)
    disk = broken_disk(machine_dir)
    driver = disk.windows_dir / "Windows" / "System32" / "drivers" / DRIVER
    original_sha, original_sddl = _sha256(driver), _sddl(machine_dir, driver)
    good = known_good_driver(machine_dir / "C" / "known-good", DRIVER)
    swap = {"vmrescue_phases": "discover,backup,safeboot,swap", "safeboot_driver_swap_drivers": [DRIVER],
            "safeboot_driver_swap_source_dir": "C:\\known-good"}
    restore = {"vmrescue_phases": "restore", "restore_defaults_mode": "journal"}

    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        assert_ok(run_playbook("critical_service_repair.yml", inventory, swap), HOST, changed=True)
        # The new driver, with exactly the original's owner and DACL (no full control left to Administrators).
        assert _sha256(driver) == _sha256(good) != original_sha
        assert _sddl(machine_dir, driver) == original_sddl
        record = next(iter(_journal(disk.windows_dir)["drivers"].values()))
        assert record["sha256"] == original_sha and record["path"] == f"windows\\system32\\drivers\\{DRIVER}"
        assert record["sddl"] == original_sddl

        checked = run_playbook("critical_service_repair.yml", inventory, restore, check=True, diff=True)
        assert_ok(checked, HOST, changed=True)
        # The diff names the driver and its SHA-256 before (the new file) and after (the original).
        assert f'-    "sha256": "{_sha256(good)}"' in checked.output, checked.explain()
        assert f'+    "sha256": "{original_sha}"' in checked.output, checked.explain()
        assert _sha256(driver) == _sha256(good), "check mode wrote the driver"

        restored = run_playbook("critical_service_repair.yml", inventory, restore)
        assert_ok(restored, HOST, changed=True)
        assert _sha256(driver) == original_sha and _sddl(machine_dir, driver) == original_sddl
        assert_ok(run_playbook("critical_service_repair.yml", inventory, restore), HOST, changed=False)
        assert _sha256(driver) == original_sha and _sddl(machine_dir, driver) == original_sddl


def _play(inventory: Path, playbook: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "False"}
    return subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook)], cwd=REPO_ROOT,
                          capture_output=True, text=True, env=env, timeout=600, check=False)


def _end_state(machine_dir: Path) -> dict:
    """What the swap leaves: files, ACL model entries and the journal's driver records."""
    disk = broken_disk(machine_dir)
    driver = disk.windows_dir / "Windows" / "System32" / "drivers" / DRIVER
    backup = disk.windows_dir / "vmrescue-backup" / "drivers" / DRIVER
    acl_file = backup.with_name(DRIVER + ".acl")
    return {"driver": _sha256(driver), "sddl": _sddl(machine_dir, driver), "backup": _sha256(backup),
            "acl file": acl_file.read_bytes() if acl_file.exists() else None,
            "journal": _journal(disk.windows_dir).get("drivers")}


@pytest.mark.parametrize("command", [2, 3], ids=["driver-backup", "driver-replace"])
def test_a_swap_killed_after_any_statement_is_completed_by_the_re_run(tmp_path: Path, command: int) -> None:
    """Command 2 is driver-backup, 3 driver-replace: kill it after statement 1, 2, … until it runs through; the same
    play then runs the swap again, which must leave the fault-free end state (journal record, .acl file, backup,
    driver and its SDDL)."""
    require_collection_modules("driver_file")
    template = tmp_path / "template"
    build(template, generation=2)
    known_good_driver(template / "C" / "known-good", DRIVER)
    task = f"""
    - vmrescue.windows.driver_file:
        name: {DRIVER}
        windows_drive: 'F:'
        src: 'C:\\known-good\\{DRIVER}'
        journal: 'F:\\vmrescue\\journal.json'"""
    playbook = tmp_path / "swap.yml"
    playbook.write_text(f"- hosts: all\n  gather_facts: false\n  tasks:{task}\n      ignore_errors: true{task}\n")

    reference = tmp_path / "reference"
    shutil.copytree(template, reference, symlinks=True)
    with running_simulator(reference) as simulator:
        assert _play(simulator.inventory_path, playbook).returncode == 0
    expected = _end_state(reference)
    assert expected["acl file"] and expected["journal"]

    killed_clean = None
    for statement in range(1, 60):
        machine_dir = tmp_path / f"kill-{statement}"
        shutil.copytree(template, machine_dir, symlinks=True)
        with running_simulator(machine_dir, faults=[f"kill@{command}:{statement}"]) as simulator:
            done = _play(simulator.inventory_path, playbook)
            names = [c["name"] for c in simulator.commands() if c["kind"] == "catalogue"]
        assert done.returncode == 0, done.stdout[-3000:]
        assert names[command - 1] == ("driver-backup", "driver-replace")[command - 2], names
        assert _end_state(machine_dir) == expected, f"kill after statement {statement}: {names}"
        shutil.rmtree(machine_dir)
        if "ignoring" not in done.stdout:     # the kill came after the last statement: the first task succeeded
            killed_clean = statement
            break
    assert killed_clean is not None and killed_clean > 10, killed_clean
