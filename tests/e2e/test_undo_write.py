"""Issue 12: a write that fails half way is undone in the same run, from the values its read found.

The simulator refuses the second reg add of the write command (write-denied: Access is denied, as on a key whose ACL
denies Administrators write access). The first change was made; the task puts it back, verifies that, and fails
saying so. The hive is then as before the run (regipy), and the journal holds the originals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.e2e.test_modules_core import _host_file, _machine
from tests.simulator.fixture import running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO_ROOT / "tests" / "e2e" / "playbooks" / "undo_write.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
JOURNAL = "F:\\vmrescue\\journal.json"

pytestmark = pytest.mark.slow


def _crash_control(system: Path) -> dict[str, list[tuple[str, str, str]]]:
    hive = RegistryHive(str(system))
    sets = [key.name for key in hive.get_key("\\").iter_subkeys() if key.name.lower().startswith("controlset")]
    return {cs: sorted((v.name, str(v.value_type), repr(v.value))
                       for v in hive.get_key(f"\\{cs}\\Control\\CrashControl").iter_values()) for cs in sets}


def test_a_write_refused_half_way_is_put_back_in_the_same_run(tmp_path: Path) -> None:
    machine, _store = _machine(tmp_path, 1, scenario="clean")
    system = _host_file(machine, HIVE)
    before = _crash_control(system)
    out = tmp_path / "result.json"
    extra = {"hive": HIVE, "journal": JOURNAL, "out_file": str(out)}
    # catalogue command 2 is the registry-write; its second reg add is refused
    with running_simulator(machine, faults=["write-denied@2:2"]) as sim:
        done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(sim.inventory_path), str(PLAYBOOK),
                               "-e", json.dumps(extra)], cwd=REPO_ROOT, capture_output=True, text=True,
                              env={**os.environ, "ANSIBLE_NOCOLOR": "1"}, timeout=600, check=False)
        names = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["failed"] and "reg.exe failed (exit code 1)" in result["msg"], result["msg"]
    assert "original values were put back and verified" in result["msg"], result["msg"]
    assert names == ["registry-read", "registry-write", "registry-write"]
    assert _crash_control(system) == before
    journal = json.loads(_host_file(machine, JOURNAL).read_text(encoding="utf-8-sig"))
    (records,) = journal["registry"].values()
    assert records["values"], journal
