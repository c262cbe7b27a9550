"""A fleet: ten recovery VMs in one inventory - nine simulator processes, one with an injected fault, and one host
whose port nothing listens on - repaired with ten forks. The other eight are repaired, the faulted one is reported as
failed and the unreachable one as unreachable without stopping them, and the fleet report (report.json, validated
against docs/report.schema.json, and report.html, parsed) has all ten. A second run, limited to the reachable nine,
repairs the faulted one and changes nothing on the eight."""

from __future__ import annotations

import contextlib
import re
import socket
from pathlib import Path

from tests.simulator.fixture import build, running_simulator

from tests.fleet_report_check import check_written_report
from test_playbooks_support import (
    assert_ok, host_counts, broken_disk, control_sets, host_line, registry_values, require_collection_modules,
    run_playbook, tree_hashes, write_inventory,
)

FLEET_SIZE = 10
FAULTY = "rescue07"
UNREACHABLE = "rescue10"
# The process of the 2nd catalogue command on that VM is killed after its 3rd statement: the task cannot know
# what happened, so it fails and the run goes on for the others.
FAULT = "kill@2:3"
MODULES = ("offline_disk_info", "offline_disk_release", "offline_backup", "offline_registry_info",
           "offline_registry", "bcd")


def _dump_enabled(machine_dir: Path) -> bool:
    disk = broken_disk(machine_dir)
    return all(registry_values(disk.system, f"\\{s}\\Control\\CrashControl").get("CrashDumpEnabled") == ("REG_DWORD", 2)
               for s in control_sets(disk.system))


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _add_unreachable_host(inventory: Path, simulator_inventory: Path, name: str) -> None:
    """A host like the simulated ones, but at a port nothing listens on."""
    port = _closed_port()
    line, replaced = re.subn(r"ansible_port='?\d+'?", f"ansible_port={port}", host_line(simulator_inventory))
    assert replaced == 1, line
    inventory.write_text(inventory.read_text(encoding="utf-8") + f"{name} {line}\n", encoding="utf-8")


def test_fleet_with_one_faulty_and_one_unreachable_host(tmp_path: Path, monkeypatch) -> None:
    require_collection_modules(*MODULES)
    monkeypatch.setenv("ANSIBLE_CALLBACKS_ENABLED", "vmrescue.windows.fleet_progress")
    hosts = [f"rescue{n:02d}" for n in range(1, FLEET_SIZE + 1)]
    names = [name for name in hosts if name != UNREACHABLE]
    machines = {}
    for index, name in enumerate(names):
        machines[name] = tmp_path / name
        build(machines[name], generation=1 if index % 3 == 2 else 2)

    with contextlib.ExitStack() as stack:
        simulators = {name: stack.enter_context(running_simulator(machines[name],
                                                                  faults=(FAULT,) if name == FAULTY else ()))
                      for name in names}
        inventory = write_inventory(tmp_path / "fleet.ini", {n: s.inventory_path for n, s in simulators.items()})
        _add_unreachable_host(inventory, simulators[names[0]].inventory_path, UNREACHABLE)

        first = run_playbook("vmrescue.windows.critical_service_repair", inventory,
                             {"vmrescue_report_dir": str(tmp_path / "first")}, forks=FLEET_SIZE)
        assert first.rc != 0, first.explain()
        assert host_counts(first, FAULTY)["failed"] == 1, first.explain()
        assert host_counts(first, UNREACHABLE)["unreachable"] == 1, first.explain()
        assert f"{FAULTY}: failed in phase " in first.output, first.output[-4000:]
        assert f"{UNREACHABLE}: unreachable" in first.output, first.output[-4000:]
        # The progress callback's line at each phase boundary, and at the end.
        assert "vmrescue progress: phase discover - 10 hosts: 0 done, 0 failed, 0 unreachable, 10 remaining" \
            in first.output, first.output[-4000:]
        assert "vmrescue progress: end of the run - 10 hosts: 8 done, 1 failed, 1 unreachable, 0 remaining" \
            in first.output, first.output[-4000:]
        report = check_written_report(tmp_path / "first", hosts)
        assert report["totals"] == {"hosts": 10, "done": 8, "failed": 1, "unreachable": 1}, report["totals"]
        assert report["by_status"]["failed"] == [FAULTY] and report["by_status"]["unreachable"] == [UNREACHABLE]
        records = {record["host"]: record for record in report["hosts"]}
        assert records[FAULTY]["failed_phase"] in ("lock", "backup", "discover"), records[FAULTY]
        for name in names:
            if name != FAULTY:
                record = records[name]
                assert {c["area"] for c in record["changes"] if c["changed"]} == {
                    "serial console (BCD)", "memory dump (SYSTEM hive)"}, record
                assert record["backup_path"] and record["journal_path"] and not record["check_mode"], record
                assert_ok_host = host_counts(first, name)
                assert assert_ok_host["failed"] == 0 and assert_ok_host["unreachable"] == 0, first.explain()
                assert f"{name}: done" in first.output, first.output[-4000:]
                assert _dump_enabled(machines[name]), name

        second = run_playbook("vmrescue.windows.critical_service_repair", inventory,
                              {"vmrescue_report_dir": str(tmp_path / "second")}, forks=FLEET_SIZE,
                              limit=f"all:!{UNREACHABLE}")
        assert second.rc == 0, second.explain()
        assert host_counts(second, FAULTY)["failed"] == 0, second.explain()
        assert _dump_enabled(machines[FAULTY])
        for name in names:
            if name != FAULTY:
                assert_ok(second, name, changed=False)
        again = check_written_report(tmp_path / "second", names)
        assert again["by_status"]["done"] == names, again["by_status"]
        assert not any(c["changed"] for r in again["hosts"] if r["host"] != FAULTY for c in r["changes"])


def test_fleet_summary_and_report_under_limit_in_check_mode(tmp_path: Path) -> None:
    """AWX asks for a limit: the fleet summary and report must still be made, for the limited hosts only. In check
    mode the report is still written (the controller's file) and says what would change; the disk is untouched."""
    require_collection_modules(*MODULES)
    names = ["rescue01", "rescue02"]
    machines = {name: tmp_path / name for name in names}
    for machine_dir in machines.values():
        build(machine_dir, generation=2)
    before = tree_hashes(machines["rescue02"])
    with contextlib.ExitStack() as stack:
        simulators = {name: stack.enter_context(running_simulator(machines[name])) for name in names}
        inventory = write_inventory(tmp_path / "fleet.ini", {n: s.inventory_path for n, s in simulators.items()})
        run = run_playbook("vmrescue.windows.critical_service_repair", inventory,
                           {"vmrescue_report_dir": str(tmp_path / "report")}, limit="rescue02", check=True)
    assert_ok(run, "rescue02", changed=None)
    assert tree_hashes(machines["rescue02"]) == before
    assert "rescue02: done; would change: " in run.output and "nothing written" in run.output, run.explain()
    assert "rescue01: " not in run.output, run.explain()
    report = check_written_report(tmp_path / "report", ["rescue02"])
    record = report["hosts"][0]
    assert report["check_mode"] and record["check_mode"], report
    assert {c["area"] for c in record["changes"] if c["changed"]} == {
        "serial console (BCD)", "memory dump (SYSTEM hive)"}, record
    assert record["backup_path"] and "without --check" in record["next_step"], record
