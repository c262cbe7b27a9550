"""Bad input stops the repair with a clear message before anything is written.

Each case builds a machine, hashes every file of the machine directory, runs a playbook that must fail, and
compares the hashes afterwards: not one byte may differ (the simulator persists every change to those files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulator.fixture import build, running_simulator

from test_playbooks_support import (
    host_counts, known_good_driver, require_collection_modules, run_playbook, tree_hashes, write_inventory,
)

HOST = "rescue01"
DISCOVER_TASK = "Discover the broken disk's Windows volume and BCD store"
DRIVER_CHECK_TASK = "Fail naming each driver source that cannot be used and why"


def _run_failing(tmp_path: Path, machine_dir: Path, playbook: str, extra_vars: dict) -> str:
    before = tree_hashes(machine_dir)
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = run_playbook(playbook, inventory, extra_vars)
    assert run.rc != 0, run.explain()
    assert host_counts(run, HOST)["failed"] == 1, run.explain()
    assert tree_hashes(machine_dir) == before, "a failed run wrote to the machine"
    return run.output


@pytest.mark.parametrize("scenario", ["no-windows-disk", "two-windows-disks"])
def test_discovery_problem_stops_before_writing(tmp_path: Path, scenario: str) -> None:
    require_collection_modules("offline_disk_info", "offline_disk_release")
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=2, scenario=scenario)
    output = _run_failing(tmp_path, machine_dir, "critical_service_repair.yml", {})
    # The per-host summary names the failed step (a text written by the playbook, not by Windows).
    assert f"Failed in: {DISCOVER_TASK}" in output, output[-4000:]


def test_drive_letter_that_does_not_exist(tmp_path: Path) -> None:
    require_collection_modules("offline_disk_info", "offline_disk_release")
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=2)
    output = _run_failing(tmp_path, machine_dir, "critical_service_repair.yml", {"discover_windows_drive": "Q:"})
    assert f"Failed in: {DISCOVER_TASK}" in output, output[-4000:]


@pytest.mark.parametrize(("problem", "reason"), [
    ("missing", "does not exist on the recovery VM"), ("not-pe", "is not a PE image"),
    ("own-drivers-folder", "is the broken disk's own driver, not a known-good copy"),
])
def test_bad_driver_source_stops_before_writing(tmp_path: Path, problem: str, reason: str) -> None:
    """The failure names the driver and the reason (not the loop's "One or more items failed")."""
    require_collection_modules("offline_disk_info", "offline_disk_release", "driver_file", "bcd", "offline_backup")
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=1)
    source = machine_dir / "C" / "known-good"
    source_dir = "C:\\known-good"
    if problem == "not-pe":
        source.mkdir(parents=True)
        (source / "filecrypt.sys").write_text("this is not a driver\n", encoding="utf-8")
    elif problem == "missing":
        known_good_driver(source, "other.sys")   # the folder exists, the named driver does not
    else:
        source_dir = "F:\\Windows\\System32\\drivers"   # the broken disk's own folder: nothing would change
    output = _run_failing(tmp_path, machine_dir, "safeboot_driver_swap.yml",
                          {"safeboot_driver_swap_drivers": ["filecrypt.sys"],
                           "safeboot_driver_swap_source_dir": source_dir})
    assert f"Failed in: {DRIVER_CHECK_TASK}" in output, output[-4000:]
    assert "filecrypt.sys: " in output and reason in output and "One or more items failed" not in output, \
        output[-4000:]


@pytest.mark.parametrize("phases", ["discover,enable_dmp", ["backup", "reboot"], " , "])
def test_unknown_phase_fails_before_any_remote_command(tmp_path: Path, phases) -> None:
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=2)
    before = tree_hashes(machine_dir)
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = run_playbook("critical_service_repair.yml", inventory, {"vmrescue_phases": phases})
        commands = simulator.commands()
    assert run.rc != 0 and host_counts(run, HOST)["failed"] == 1, run.explain()
    assert "vmrescue_phases has unknown phase(s)" in run.output
    assert commands == [], f"the recovery VM was contacted: {commands}"
    assert tree_hashes(machine_dir) == before


@pytest.mark.parametrize(("extra_vars", "named"), [
    ({"enable_dump_crash_dump_enabled": 4}, "enable_dump_crash_dump_enabled"),
    ({"enable_dump_ems_baudrate": 38400}, "enable_dump_ems_baudrate"),
    ({"vmrescue_phases": "unsafeboot,restore", "restore_defaults_mode": "jurnal"}, "restore_defaults_mode"),
], ids=["crash-dump-4", "baudrate", "restore-mode-typo"])
def test_bad_role_variable_stops_before_discovery(tmp_path: Path, extra_vars: dict, named: str) -> None:
    """Role variables are checked before discover and backup: no backup folder, safe mode untouched."""
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=2)
    output = _run_failing(tmp_path, machine_dir, "critical_service_repair.yml", extra_vars)
    assert "Validation of arguments failed" in output and named in output, output[-4000:]
    assert f"Failed in: {DISCOVER_TASK}" not in output, "the check ran after discovery"
