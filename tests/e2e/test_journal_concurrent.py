"""Issue 12: two runs of different phases against one recovery VM at the same time lose no journal record.

Each task reads the journal, plans, and writes it back before its first change. A write whose journal changed since
its read stops before any change (journal-guard) and the task reads and plans again, so neither run's records are
overwritten by the other's (before, the last writer won). Five rounds, each on a fresh machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_modules_core import _host_file, _machine
from tests.simulator.fixture import running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO_ROOT / "tests" / "e2e" / "playbooks" / "journal_concurrent.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
ROUNDS = 5
TASKS_PER_RUN = 8
JOURNAL = "F:\\vmrescue\\journal.json"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"

pytestmark = pytest.mark.slow


def _start(inventory: Path, part: str, store: str) -> subprocess.Popen:
    extra = {"part": part, "bcd_store": store, "hive": HIVE, "journal": JOURNAL}
    return subprocess.Popen([str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(PLAYBOOK), "-e", json.dumps(extra)],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "ANSIBLE_NOCOLOR": "1"})


def test_two_concurrent_runs_lose_no_journal_record(tmp_path: Path) -> None:
    guarded_writes = 0
    for round_number in range(1, ROUNDS + 1):
        machine, store = _machine(tmp_path / f"round{round_number}", 1, scenario="clean")
        with running_simulator(machine) as sim:
            runs = [_start(sim.inventory_path, part, store) for part in ("bcd", "registry")]
            outputs = [run.communicate(timeout=900)[0] for run in runs]
            names = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
        for run, output in zip(runs, outputs):
            assert run.returncode == 0, output[-6000:]
        journal = json.loads(_host_file(machine, JOURNAL).read_text(encoding="utf-8-sig"))
        (store_records,) = journal["bcd"].values()
        elements = [code for guid_records in store_records.values() for code in guid_records]
        assert len(elements) == TASKS_PER_RUN, (round_number, store_records)
        (hive_records,) = journal["registry"].values()
        (values,) = hive_records["values"].values()
        assert sorted(record["name"] for record in values.values()) == [f"V{n}" for n in range(1, 9)], round_number
        assert [record["present"] for record in hive_records["keys"].values()] == [False]   # the key was created
        # every write that journaled was guarded; a stopped one was read and written again
        writes = [n for n in names if n.endswith("-write")]
        assert len(writes) >= 2 * TASKS_PER_RUN
        guarded_writes += len(writes) - 2 * TASKS_PER_RUN
    print(f"writes stopped by the journal guard and made again over {ROUNDS} rounds: {guarded_writes}")
