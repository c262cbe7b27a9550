"""Issue 12's fault matrix: a fault at every command of the enable_dump and safeboot+swap runs of
playbooks/critical_service_repair.yml (kill after each top-level statement, and a dropped connection) leaves no hive
loaded, and a fault-free re-run converges to the fault-free end state (tests/e2e/fault_matrix_support.py: the broken
disk's files, the journal, the backup records, the ACL model, disk identities and letters, the recovery VM's record of
temporary changes; no run lock, no temporary letter).

How the matrix stays affordable, honestly: a fault-free reference run records, through the simulator's
``--fingerprint-log`` hook, the machine's whole state after every statement of every catalogue command (files, hives
loaded by reg load and their pending content). Kill points of one command whose states are equal leave the machine
the same, so the first of each run of equal states stands for the others. The client's view of those points differs
in the partial output it receives, so the premise is checked: sampled non-representative points are run too and must
reach the same end state. Every ``drop@N`` is a case of its own.

Each case is two playbook runs against one simulator process (the re-run must meet what the faulted run left,
loaded hives included): the faulted run, which may fail, and a fault-free re-run, which must succeed and leave no hive
loaded.

A command cut off while it holds the broken disk's SYSTEM, SOFTWARE or BCD mounted leaves that mount in place
(Windows keeps a reg load'ed hive after the loading process dies); the failed run's always section unloads it when it
releases the run lock (offline_lock unload_hives), so the test asserts that no hive is loaded after the faulted run
either. A dropped connection makes the host unreachable, so no always section runs; the dropped command goes on and
unloads its own mounts. A backup cut off while copying leaves only a ``.partial`` folder, which the re-run's backup
removes: the test asserts that none is left.

Cost: each case takes about 40 s of one worker on a 2-core machine. The default runs Gen2 with a deterministic, evenly
spread subset (5 cases and 2 equal-state samples per run: about 5 minutes of wall time with ``-n 2``).
``VMRESCUE_FAULT_MATRIX=full`` runs every case of the reduced matrix, Gen2 and Gen1, in 8 shards per run that xdist
spreads over its workers; ``VMRESCUE_FAULT_MATRIX_GENERATIONS=1`` (or ``2,1``) chooses the generations in either mode.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from tests.simulator.fingerprint import read_fingerprints
from tests.simulator.fixture import build, running_simulator
from tests.simulator.powershell.host import KILLED_EXIT_CODE

from fault_matrix_support import (
    Case, Plan, differences, end_state, incomplete_backups, plan_cases, stride_sample,
)
from test_playbooks_support import PlaybookRun, assert_ok, known_good_driver, run_playbook, write_inventory

pytestmark = pytest.mark.slow
HOST = "rescue01"
DRIVER = "filecrypt.sys"
PLAYBOOK = "critical_service_repair.yml"
# Every run of a case is the same job: the re-run continues the killed run under its run id, which takes back the
# run lock a killed run left (plugins/modules/offline_lock.py: "The same value takes the lock again without
# waiting"); a new id would wait for the lock's expiry (7200 s) by design. No other run exists here, so waiting for
# the lock at all is a failure (vmrescue_lock_wait 0).
SAME_JOB = {"vmrescue_run_id": "fault-matrix", "vmrescue_lock_wait": 0}
RUNS = {
    "enable_dump": {"vmrescue_phases": "discover,backup,enable_dump", "enable_dump_debug_boot": True, **SAME_JOB},
    "safeboot_swap": {"vmrescue_phases": "discover,backup,safeboot,swap", "safeboot_driver_swap_drivers": [DRIVER],
                      "safeboot_driver_swap_source_dir": "C:\\known-good", **SAME_JOB},
}
RUN_TIMEOUT_S = 300
SETTLE_TIMEOUT_S = 120
FULL = os.environ.get("VMRESCUE_FAULT_MATRIX", "").lower() == "full"
# VMRESCUE_FAULT_MATRIX_GENERATIONS=1 (or 2,1) runs Gen1 too, in either mode.
GENERATIONS = tuple(int(generation) for generation in
                    os.environ.get("VMRESCUE_FAULT_MATRIX_GENERATIONS", "2,1" if FULL else "2").split(","))
SHARDS = 8 if FULL else 1
DEFAULT_CASES_PER_RUN = 5
PREMISE_SAMPLES = 8 if FULL else 2


@dataclass
class CaseResult:
    case: Case
    problems: list[str] = field(default_factory=list)
    left_loaded: list[dict] = field(default_factory=list)   # hives mounted after the faulted run


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all xdist workers of this session share (each worker's basetemp is a child of the session's)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _catalogue(simulator) -> list[dict]:
    return [c for c in simulator.commands() if c["kind"] == "catalogue"]


def _settled_catalogue(simulator, at_least: int) -> list[dict]:
    """The catalogue commands once the faulted one has finished: a dropped command goes on running after the client
    gave up (its effects happen, its result is lost), and the log records a command when it ends."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while len(commands := _catalogue(simulator)) < at_least and time.monotonic() < deadline:
        time.sleep(0.2)
    return commands


def _loaded_hives_now(fingerprint_log: Path) -> list[dict]:
    """The hives reg load left mounted, from the simulator's registry model: its state after the last statement any
    catalogue command ran (only catalogue commands run reg.exe)."""
    records = read_fingerprints(fingerprint_log)
    return records[-1]["loaded_hives"] if records else []


def _reference(generation: int, run: str, shared: Path) -> tuple[Path, Plan, dict]:
    """Build the template machine and make the fault-free reference run once per session (a lock serialises the
    workers: every shard must plan from the same run)."""
    folder = shared / f"fault-matrix-reference-gen{generation}-{run}"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / "reference.json"
        if not done.exists():
            template = folder / "template"
            build(template, generation=generation)
            known_good_driver(template / "C" / "known-good", DRIVER)
            machine = folder / "machine"
            shutil.copytree(template, machine, symlinks=True)
            fingerprints = folder / "fingerprints.jsonl"
            with running_simulator(machine, fingerprint_log=fingerprints) as simulator:
                inventory = write_inventory(folder / "inventory.ini", {HOST: simulator.inventory_path})
                assert_ok(run_playbook(PLAYBOOK, inventory, RUNS[run]), HOST, changed=True)
                names = [c["name"] for c in _catalogue(simulator)]
            assert _loaded_hives_now(fingerprints) == []
            plan = plan_cases(read_fingerprints(fingerprints), PREMISE_SAMPLES)
            assert plan.commands == names, "every catalogue command must have statement records"
            done.write_text(json.dumps({"end_state": end_state(machine), "plan": {
                "cases": [asdict(c) for c in plan.cases], "premise_samples": [asdict(c) for c in plan.premise_samples],
                "kill_points": plan.kill_points, "commands": plan.commands}}), encoding="utf-8")
        saved = json.loads(done.read_text(encoding="utf-8"))
    raw = saved["plan"]
    plan = Plan([Case(**c) for c in raw["cases"]], [Case(**c) for c in raw["premise_samples"]], raw["kill_points"],
                raw["commands"])
    return folder / "template", plan, saved["end_state"]


def _play(inventory: Path, extra_vars: dict) -> PlaybookRun:
    try:
        return run_playbook(PLAYBOOK, inventory, extra_vars, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired as error:
        return PlaybookRun(-1, f"timed out after {RUN_TIMEOUT_S} s: {str(error.stdout or '')[-2500:]}", {})


def _run_case(case: Case, template: Path, work: Path, plan: Plan, expected: dict, extra_vars: dict) -> CaseResult:
    """The faulted run then the re-run on one simulator."""
    machine = work / "machine"
    shutil.copytree(template, machine, symlinks=True)
    fingerprints = work / "fingerprints.jsonl"
    result = CaseResult(case)
    with running_simulator(machine, faults=[case.fault], fingerprint_log=fingerprints) as simulator:
        inventory = write_inventory(work / "inventory.ini", {HOST: simulator.inventory_path})
        faulted = _play(inventory, extra_vars)
        commands = _settled_catalogue(simulator, case.command)
        names = [c["name"] for c in commands]
        # Runs are deterministic up to the fault: the fault must hit the command it was planned for.
        if names[:case.command] != plan.commands[:case.command]:
            result.problems.append(f"the faulted run's commands {names} left the fault-free run's {plan.commands} "
                                   "before the fault")
            return result
        if case.fault.startswith("kill") and commands[case.command - 1]["exit_code"] != KILLED_EXIT_CODE:
            result.problems.append(f"command {case.command} was not killed "
                                   f"(exit code {commands[case.command - 1]['exit_code']})")
            return result
        result.left_loaded = _loaded_hives_now(fingerprints)
        if result.left_loaded:
            result.problems.append(f"the faulted run (rc {faulted.rc}) left hives loaded: {result.left_loaded}")
        rerun = _play(inventory, extra_vars)
        counts = rerun.recap.get(HOST, {})
        if rerun.rc != 0 or counts.get("failed") or counts.get("unreachable"):
            result.problems.append(f"the re-run failed: {rerun.explain()[-2500:]}")
        if _loaded_hives_now(fingerprints):
            result.problems.append(f"the re-run left hives loaded: {_loaded_hives_now(fingerprints)}")
    actual = end_state(machine)
    result.problems += [f"an interrupted backup was left: {folder}" for folder in incomplete_backups(actual)]
    result.problems += differences(expected, actual)
    if not result.problems:
        shutil.rmtree(work)
    return result


@pytest.mark.parametrize("shard", range(SHARDS), ids=lambda shard: f"shard{shard}")
@pytest.mark.parametrize("run", list(RUNS))
@pytest.mark.parametrize("generation", GENERATIONS, ids=lambda generation: f"gen{generation}")
def test_a_fault_at_any_statement_leaves_no_hive_loaded_and_the_re_run_converges(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, generation: int, run: str, shard: int) -> None:
    template, plan, expected = _reference(generation, run, _shared_dir(tmp_path_factory))
    cases = plan.cases if FULL else stride_sample(plan.cases, DEFAULT_CASES_PER_RUN)
    mine = (cases + plan.premise_samples)[shard::SHARDS]
    print(f"gen{generation} {run}: {plan.kill_points} kill points in {len(plan.commands)} commands, "
          f"{sum(c.fault.startswith('kill') for c in plan.cases)} kill representatives, "
          f"{sum(c.fault.startswith('drop') for c in plan.cases)} drops; shard {shard} runs {len(mine)} cases")
    results = []
    for position, case in enumerate(mine):
        try:
            results.append(_run_case(case, template, tmp_path / f"case-{position}", plan, expected, RUNS[run]))
        except Exception as error:      # one broken case must not hide the others' results
            results.append(CaseResult(case, problems=[f"{type(error).__name__}: {error}"]))
    print(f"cases run {len(results)}, kill points they stand for {sum(r.case.stands_for for r in results)}, "
          f"failed {sum(bool(r.problems) for r in results)}")
    failures = {r.case.id: r.problems for r in results if r.problems}
    assert not failures, json.dumps(failures, indent=1)[:20000]
