"""Nothing is changed when the journal cannot be written: the write command stops before its first change."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_modules_core import _host_file, _machine
from tests.simulator.fixture import running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO_ROOT / "tests" / "e2e" / "playbooks" / "journal_guard.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

pytestmark = pytest.mark.slow


def _run(tmp_path, journal: str) -> tuple[dict, list[dict]]:
    """The task's result and the catalogue commands; the store is unchanged in every case."""
    machine, store = _machine(tmp_path, 1, scenario="clean")
    store_file = _host_file(machine, store)
    before = hashlib.sha256(store_file.read_bytes()).hexdigest()
    out = tmp_path / "result.json"
    extra = {"bcd_store": store, "journal": journal, "out_file": str(out)}
    with running_simulator(machine, log_path=tmp_path / "commands.jsonl") as sim:
        done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(sim.inventory_path), str(PLAYBOOK),
                               "-e", json.dumps(extra)], cwd=REPO_ROOT, capture_output=True, text=True,
                              env={**os.environ, "ANSIBLE_NOCOLOR": "1"}, timeout=600, check=False)
        commands = [c for c in sim.commands() if c["kind"] == "catalogue"]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert hashlib.sha256(store_file.read_bytes()).hexdigest() == before
    return json.loads(out.read_text()), commands


def test_unwritable_journal_changes_nothing(tmp_path):
    # on the broken disk, but below a file: the journal's folder cannot be created
    result, commands = _run(tmp_path, "F:\\Windows\\System32\\config\\SYSTEM\\journal.json")
    assert result["failed"] and "journal" in result["msg"] and "nothing was changed" in result["msg"]
    assert [c["name"] for c in commands] == ["bcd-read", "bcd-write"]
    assert "bcdedit.exe" in commands[1]["text"]            # the change was planned and sent, and never ran


def test_a_journal_off_the_broken_disk_is_refused_before_any_write(tmp_path):
    result, commands = _run(tmp_path, "Q:\\vmrescue\\journal.json")
    assert result["failed"] and "journal" in result["msg"] and "drive Q:" in result["msg"], result
    assert [c["name"] for c in commands] == ["bcd-read"]
