"""Every input is checked, type included, before the first write; a host pattern that matches nothing fails.

Inputs that need no facts from the disk fail before the recovery VM is contacted. A journal path off the broken
disk fails after discovery but before the backup. Control sets absent from the hive can only be known once the hive
is read (after the backup, because reg load can replay its logs), so they fail then, before any BCD or registry
write: every file except the verified backup is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulator.fixture import build, running_simulator

from test_playbooks_support import host_counts, require_collection_modules, run_playbook, tree_hashes, write_inventory

HOST = "rescue01"
MODULES = ("offline_disk_info", "offline_disk_release", "offline_backup", "offline_registry_info",
           "offline_registry", "bcd", "offline_lock")


def _run_failing(tmp_path: Path, extra_vars: dict, generation: int = 1):
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=generation)
    before = tree_hashes(machine_dir)
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = run_playbook("critical_service_repair.yml", inventory, extra_vars)
        commands = [c["name"] for c in simulator.commands() if c["kind"] == "catalogue"]
    assert run.rc != 0 and host_counts(run, HOST)["failed"] == 1, run.explain()
    return run, commands, before, tree_hashes(machine_dir)


@pytest.mark.parametrize("phases", [{"restore": False}, 5, True, ["discover", 5], [["backup"]]],
                         ids=["dict", "int", "bool", "list-with-int", "nested-list"])
def test_phases_of_the_wrong_type_fail_before_any_remote_command(tmp_path: Path, phases) -> None:
    run, commands, before, after = _run_failing(tmp_path, {"vmrescue_phases": phases})
    assert "vmrescue_phases must be a list of phase names or a comma-separated string" in run.output, run.explain()
    assert commands == [] and after == before


@pytest.mark.parametrize(("extra_vars", "named"), [
    ({"enable_dump_control_sets": {"ControlSet001": True}}, "enable_dump_control_sets"),
    ({"enable_dump_control_sets": 5}, "enable_dump_control_sets"),
    ({"enable_dump_control_sets": ["ControlSet001", True]}, "enable_dump_control_sets"),
    ({"enable_dump_control_sets": ["CurrentControlSet"]}, "enable_dump_control_sets"),
    ({"discover_control_sets": [1]}, "discover_control_sets"),
    ({"discover_control_sets": ["ControlSet1"]}, "discover_control_sets"),
    ({"discover_journal": "\\\\fileserver\\share\\journal.json"}, "discover_journal"),
    ({"enable_dump_journal": "vmrescue\\journal.json"}, "enable_dump_journal"),
    ({"discover_journal": "F:\\vmrescue\\..\\..\\journal.json"}, "discover_journal"),
], ids=["control-sets-dict", "control-sets-int", "control-sets-bool-item", "control-sets-not-a-set",
        "discover-sets-int", "discover-sets-short-name", "journal-share", "journal-relative", "journal-dotdot"])
def test_bad_shapes_fail_before_any_remote_command(tmp_path: Path, extra_vars: dict, named: str) -> None:
    run, commands, before, after = _run_failing(tmp_path, extra_vars)
    assert named in run.output, run.explain()
    assert commands == [], f"the recovery VM was contacted: {commands}"
    assert after == before


def test_a_journal_off_the_broken_disk_fails_before_the_backup(tmp_path: Path) -> None:
    require_collection_modules(*MODULES)
    run, commands, before, after = _run_failing(tmp_path, {"discover_journal": "C:\\vmrescue\\journal.json"})
    assert "is not a usable journal path" in run.output and "C:\\\\vmrescue" in run.output, run.explain()
    assert commands == ["disk-discovery"], commands
    assert after == before


@pytest.mark.parametrize(("extra_vars", "message"), [
    ({"discover_control_sets": ["ControlSet009"]}, "discover_control_sets names ControlSet009, which the SYSTEM hive"),
    ({"enable_dump_control_sets": ["ControlSet001", "controlset009"]},
     "control set number(s) 9, which the SYSTEM hive"),
], ids=["discover", "enable_dump"])
def test_control_sets_absent_from_the_hive_fail_before_any_bcd_or_registry_write(
        tmp_path: Path, extra_vars: dict, message: str) -> None:
    require_collection_modules(*MODULES)
    run, commands, before, after = _run_failing(tmp_path, {"vmrescue_phases": ["enable_dump"], **extra_vars})
    assert message in run.output, run.explain()
    assert not [name for name in commands if name.endswith("-write")], commands
    backup = [name for name in after if "vmrescue-backup" in Path(name).parts]
    assert backup, "the backup comes first"
    changed = {name for name in set(before) | set(after)
               if before.get(name) != after.get(name) and name not in backup}
    assert changed == set(), f"written before the check: {sorted(changed)}"


def test_a_host_pattern_that_matches_nothing_fails(tmp_path: Path) -> None:
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=1)
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = run_playbook("critical_service_repair.yml", inventory, {"vmrescue_hosts": "no_such_group"})
        commands = simulator.commands()
    assert run.rc != 0, run.explain()
    assert "vmrescue_hosts 'no_such_group' matches no host" in run.output, run.explain()
    assert commands == []


@pytest.mark.parametrize("drivers", [[5], [{"src": "C:\\known-good\\filecrypt.sys"}], [{"name": ["x.sys"]}]],
                         ids=["int", "dict-without-name", "name-not-a-string"])
def test_driver_entries_of_the_wrong_shape_fail_before_any_remote_command(tmp_path: Path, drivers) -> None:
    run, commands, before, after = _run_failing(tmp_path, {"vmrescue_phases": ["swap"],
                                                           "safeboot_driver_swap_drivers": drivers})
    assert "safeboot_driver_swap_drivers must be a list of driver file names" in run.output, run.explain()
    assert commands == [] and after == before
