"""The catalogue's diagnosis-evidence script run by the simulated PowerShell, and read back by parse_evidence: the
event log steps and the free space, on the crashed and the clean disk of ``build --signed-evidence``.
(The whole module runs over WinRM in tests/e2e/test_diagnosis.py; this checks the script's own steps quickly.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_diagnosis as cd
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import parse_output
from tests.simulator.powershell import run_powershell
from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine
from tests.unit.plugins.hive_text import DATA

SIGNING = DATA / "signing"
pytestmark = pytest.mark.skipif(not (SIGNING / "pciide.sys").exists(), reason=f"real signed samples not at {SIGNING}")
PATHS = cd.EvidencePaths("F:\\Windows")


def _evidence(machine_dir: Path, scenario: str) -> cd.Evidence:
    build_machine(machine_dir, scenario=scenario, signed_evidence_dir=SIGNING)
    script = cd.evidence_script(PATHS, [])
    result = run_powershell(script.render(), Machine.load(machine_dir))
    assert result.stderr == b""        # the NoMatchingEventsFound of an empty query would show here
    return cd.parse_evidence(parse_output(script, result.stdout.decode("utf-8")), PATHS, [])


def test_the_crashed_disk_s_event_entries_and_free_space_are_read(tmp_path: Path) -> None:
    evidence = _evidence(tmp_path / "m", "critical-service-failed")
    assert evidence.logs_present == {"system": True, "code-integrity": True}
    ids = sorted((event.log, event.event_id) for event in evidence.events)
    assert ids == [("code-integrity", 3004), ("code-integrity", 3004), ("code-integrity", 3077),
                   ("system", 6005), ("system", 6005), ("system", 7000), ("system", 7000), ("system", 7000),
                   ("system", 7026)]          # 7036 is not asked for
    assert evidence.free_bytes is not None and evidence.free_bytes > 0


def test_a_missing_log_is_absent_and_a_log_without_matching_entries_prints_no_error(tmp_path: Path) -> None:
    machine_dir = tmp_path / "m"
    build_machine(machine_dir, scenario="clean", signed_evidence_dir=SIGNING)
    logs = machine_dir / "F" / "Windows" / "System32" / "winevt" / "Logs"
    (logs / "System.evtx").unlink()
    from tests.simulator.windows.eventlogs import write_log
    write_log(logs / "Microsoft-Windows-CodeIntegrity%4Operational.evtx", [])
    script = cd.evidence_script(PATHS, [])
    result = run_powershell(script.render(), Machine.load(machine_dir))
    assert result.stderr == b""
    evidence = cd.parse_evidence(parse_output(script, result.stdout.decode("utf-8")), PATHS, [])
    assert evidence.logs_present == {"system": False, "code-integrity": True}
    assert evidence.events == []
