"""A fleet: ten simulated recovery VMs (ten simulator processes, one inventory), one with an injected fault,
repaired with five forks. The other nine are repaired, the faulted one is reported as failed without stopping
them, and a second run repairs it (and changes nothing on the nine)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from tests.simulator.fixture import build, running_simulator

from test_playbooks_support import (
    assert_ok, host_counts, broken_disk, control_sets, registry_values, require_collection_modules, run_playbook,
    write_inventory,
)

FLEET_SIZE = 10
FAULTY = "rescue07"
# The process of the 2nd catalogue command on that VM is killed after its 3rd statement: the task cannot know
# what happened, so it fails and the run goes on for the others.
FAULT = "kill@2:3"
MODULES = ("offline_disk_info", "offline_disk_release", "offline_backup", "offline_registry_info",
           "offline_registry", "bcd")


def _dump_enabled(machine_dir: Path) -> bool:
    disk = broken_disk(machine_dir)
    return all(registry_values(disk.system, f"\\{s}\\Control\\CrashControl").get("CrashDumpEnabled") == ("REG_DWORD", 2)
               for s in control_sets(disk.system))


def test_fleet_with_one_faulty_host(tmp_path: Path) -> None:
    require_collection_modules(*MODULES)
    names = [f"rescue{n:02d}" for n in range(1, FLEET_SIZE + 1)]
    machines = {}
    for index, name in enumerate(names):
        machines[name] = tmp_path / name
        build(machines[name], generation=1 if index % 3 == 2 else 2)

    with contextlib.ExitStack() as stack:
        simulators = {name: stack.enter_context(running_simulator(machines[name],
                                                                  faults=(FAULT,) if name == FAULTY else ()))
                      for name in names}
        inventory = write_inventory(tmp_path / "fleet.ini", {n: s.inventory_path for n, s in simulators.items()})

        first = run_playbook("vmrescue.windows.critical_service_repair", inventory, forks=5)
        assert first.rc != 0, first.explain()
        assert host_counts(first, FAULTY)["failed"] == 1, first.explain()
        assert f"{FAULTY}: failed in " in first.output, first.output[-4000:]
        for name in names:
            if name != FAULTY:
                assert_ok_host = host_counts(first, name)
                assert assert_ok_host["failed"] == 0 and assert_ok_host["unreachable"] == 0, first.explain()
                assert f"{name}: done" in first.output, first.output[-4000:]
                assert _dump_enabled(machines[name]), name

        second = run_playbook("vmrescue.windows.critical_service_repair", inventory, forks=5)
        assert second.rc == 0, second.explain()
        assert host_counts(second, FAULTY)["failed"] == 0, second.explain()
        assert _dump_enabled(machines[FAULTY])
        for name in names:
            if name != FAULTY:
                assert_ok(second, name, changed=False)


def test_fleet_summary_under_limit(tmp_path: Path) -> None:
    """AWX asks for a limit: the fleet summary must still be printed, for the limited hosts only."""
    require_collection_modules(*MODULES)
    names = ["rescue01", "rescue02"]
    machines = {name: tmp_path / name for name in names}
    for machine_dir in machines.values():
        build(machine_dir, generation=2)
    with contextlib.ExitStack() as stack:
        simulators = {name: stack.enter_context(running_simulator(machines[name])) for name in names}
        inventory = write_inventory(tmp_path / "fleet.ini", {n: s.inventory_path for n, s in simulators.items()})
        run = run_playbook("vmrescue.windows.critical_service_repair", inventory, {"vmrescue_phases": "discover"},
                           limit="rescue02")
    assert_ok(run, "rescue02", changed=None)
    assert "rescue02: done" in run.output, run.explain()
    assert "rescue01: " not in run.output, run.explain()
