"""Hostile user values go through YAML, PowerShell literals, PowerShell 5.1's native argument passing and
CommandLineToArgvW on the simulated recovery VM, and land byte-exact in the hive and store (read back with regipy)."""

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
PLAYBOOK = REPO_ROOT / "tests" / "e2e" / "playbooks" / "hostile_values.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"

KEY = "CurrentControlSet\\Services\\vmrescue 'it''s' $(calc) {x}"
HOSTILE_NAME = "'; Remove-Item C:\\ -Recurse;'"
HOSTILE_TEXT = 'say "hi" there `$(calc)` ${env:windir} {default} \u2019; calc; \u2018 \u00e5\u00e4\u00f6 \u65e5\u672c\u8a9e C:\\dir\\'
# Windows PowerShell 5.1 counts every double quote, so it would wrap this one and split it: refused before any command.
SPLIT_BY_PS51 = 'say "hi there"'
HOSTILE_MULTI = ["first \"item\" with spaces\\", "$(Get-Process)", "back`tick", "\u00e9t\u00e9"]
HOSTILE_EXPAND = "%SystemRoot%\\My Dumps\\\"quoted\"\\MEMORY.DMP"
# Ideographic space and a trailing backslash: once stored as "Windows<U+3000>Server\"" (a stray quote).
DESCRIPTION = "Windows 'Server' \"2022\" `n $(x) {default} ; & | \u00e5\u00e4\u00f6 Windows\u3000Server\\"

pytestmark = pytest.mark.slow


def _values() -> list[dict]:
    return [
        {"key": KEY, "name": HOSTILE_NAME, "type": "string", "data": HOSTILE_TEXT},
        {"key": KEY, "name": "multi", "type": "multi_string", "data": HOSTILE_MULTI},
        {"key": KEY, "name": "expand", "type": "expand_string", "data": HOSTILE_EXPAND},
        {"key": KEY, "name": "empty", "type": "string", "data": ""},
    ]


def _play(sim, store: str, out: Path) -> dict:
    extra = {"hive": HIVE, "bcd_store": store, "journal": "F:\\vmrescue it's here\\journal.json",
             "hostile_registry_values": _values(), "hostile_description": DESCRIPTION, "split_by_ps51": SPLIT_BY_PS51,
             "out_file": str(out)}
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(sim.inventory_path), str(PLAYBOOK), "-e", json.dumps(extra)],
                          cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, "ANSIBLE_NOCOLOR": "1"},
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    return json.loads(out.read_text())


def _value(hive: RegistryHive, key: str, name: str):
    return next(v for v in hive.get_key(key).iter_values() if v.name == name)


def test_hostile_values_land_byte_exact_and_converge(tmp_path):
    machine, store = _machine(tmp_path, 2, scenario="clean")
    with running_simulator(machine, log_path=tmp_path / "commands.jsonl") as sim:
        first = _play(sim, store, tmp_path / "first.json")
        commands_after_first = len([c for c in sim.commands() if c["kind"] == "catalogue"])
        second = _play(sim, store, tmp_path / "second.json")
        commands = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"][commands_after_first:]

    assert first["registry"]["changed"] and first["bcd"]["changed"]
    assert not second["registry"]["changed"] and not second["bcd"]["changed"]
    assert commands == ["registry-read", "bcd-read"]            # the refused newline task sent nothing
    assert second["newline"]["failed"] and "control characters" in second["newline"]["msg"], second["newline"]
    assert second["split"]["failed"] and "values[0].data" in second["split"]["msg"], second["split"]
    assert "PowerShell 5.1" in second["split"]["msg"], second["split"]

    system = RegistryHive(str(_host_file(machine, HIVE)))
    for control_set in ("ControlSet001", "ControlSet002"):
        key = "\\" + KEY.replace("CurrentControlSet", control_set)
        text = _value(system, key, HOSTILE_NAME)
        assert (text.value_type, text.value) == ("REG_SZ", HOSTILE_TEXT)
        multi = _value(system, key, "multi")
        assert multi.value_type == "REG_MULTI_SZ" and [item for item in multi.value if item] == HOSTILE_MULTI
        expand = _value(system, key, "expand")
        assert (expand.value_type, expand.value) == ("REG_EXPAND_SZ", HOSTILE_EXPAND)
        assert _value(system, key, "empty").value in ("", None)

    loader = first["bcd"]["objects"][0]["guid"]
    bcd = RegistryHive(str(_host_file(machine, store)))
    element = _value(bcd, f"\\Objects\\{loader}\\Elements\\12000004", "Element")
    assert (element.value_type, element.value) == ("REG_SZ", DESCRIPTION)
    journal = _host_file(machine, "F:\\vmrescue it's here\\journal.json")
    assert json.loads(journal.read_text(encoding="utf-8-sig"))["format"] == 2
