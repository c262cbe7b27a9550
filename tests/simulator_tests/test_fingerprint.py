"""The --fingerprint-log hook: one record per completed top-level statement, the machine's whole state in it (files,
hives mounted by reg load, their pending changes), and a kill leaves the state recorded after its statement."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.simulator.faults import FaultPlan
from tests.simulator.fingerprint import FingerprintLog, machine_fingerprint, read_fingerprints
from tests.simulator.powershell import run_powershell
from tests.simulator.windows.machine import Machine

BROKEN_SYSTEM = "F:\\Windows\\System32\\config\\SYSTEM"
SCRIPT = (f"# vmrescue.windows t\nWrite-Output 'one'\nreg load HKLM\\VMR_T '{BROKEN_SYSTEM}'\n"
          "reg add HKLM\\VMR_T\\Probe /v V /t REG_DWORD /d 1 /f\nWrite-Output 'two'\nreg unload HKLM\\VMR_T\n")


def _run(machine: Machine, log: Path, **kwargs) -> list[dict]:
    hook = FingerprintLog(log).after_statement(machine, 1, "t")
    run_powershell(SCRIPT, machine, command_index=1, after_statement=hook, **kwargs)
    return read_fingerprints(log)


def test_each_statement_is_recorded_with_loaded_hives_and_their_pending_changes(
        machine: Machine, tmp_path: Path) -> None:
    before, _hives = machine_fingerprint(machine)
    records = _run(machine, tmp_path / "fp.jsonl")
    assert [r["statement"] for r in records] == [1, 2, 3, 4, 5]
    states = [r["fingerprint"] for r in records]
    # Output alone does not change the state; loading, changing (still pending, the file is unchanged) and
    # unloading (the change committed to the file) each do.
    assert states[0] == before and states[3] == states[2]
    assert len({states[0], states[1], states[2], states[4]}) == 4
    assert records[1]["loaded_hives"] == [{"root": "HKLM", "name": "VMR_T", "writable": True, "modified": False,
                                           "file": "F/Windows/System32/config/SYSTEM"}]
    assert records[2]["loaded_hives"][0]["modified"] and "pending" in records[2]["loaded_hives"][0]
    assert records[4]["loaded_hives"] == [] and records[3]["output"] != records[2]["output"]


def test_a_kill_leaves_the_state_recorded_after_its_statement(machine: Machine, tmp_path: Path) -> None:
    shutil.copytree(machine.dir, tmp_path / "copy")
    killed_machine = Machine.load(tmp_path / "copy")
    reference = _run(machine, tmp_path / "reference.jsonl")
    records = _run(killed_machine, tmp_path / "killed.jsonl", faults=FaultPlan.from_specs(["kill@1:3"]))
    assert [r["statement"] for r in records] == [1, 2, 3]
    # Same statements on an identical machine give identical states, and the killed one stops at statement 3's.
    assert [r["fingerprint"] for r in records] == [r["fingerprint"] for r in reference[:3]]
    assert machine_fingerprint(killed_machine)[0] == reference[2]["fingerprint"]
    assert machine_fingerprint(killed_machine)[1][0]["modified"]


def test_the_hook_is_off_by_default(machine: Machine, tmp_path: Path) -> None:
    result = run_powershell(SCRIPT, machine, command_index=1)
    assert result.exit_code == 0 and not list(tmp_path.glob("*.jsonl"))
