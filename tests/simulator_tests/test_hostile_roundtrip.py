"""The hostile-value sweep on the simulated recovery VM: every value either round trips exactly (read back from the
hive and the store with regipy) or is refused with every file of the machine unchanged (SHA-256 before and after).

The action plugins run in-process; their remote commands go straight to the simulator's PowerShell host (the same
interpreter, native-argument rules, reg.exe and bcdedit the WinRM server runs), so hundreds of values take seconds.
"""

from __future__ import annotations

import hashlib
import json
import typing as t
from pathlib import Path

import hivex
import pytest
from regipy.registry import RegistryHive

from ansible_collections.vmrescue.windows.tests.unit.plugins.action._repair_fake import make_plugin
from ansible_collections.vmrescue.windows.plugins.action.bcd import ActionModule as Bcd
from ansible_collections.vmrescue.windows.plugins.action.offline_registry import ActionModule as Registry
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import STDIN_BOOTSTRAP

from tests.hostile_values import HOSTILE
from tests.simulator.powershell import run_powershell
from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine

HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
STORE = "S:\\EFI\\Microsoft\\Boot\\BCD"
DESCRIPTION = "12000004"

pytestmark = pytest.mark.slow


class SimulatedVm:
    """A built Gen2 machine whose PowerShell host answers the action plugins' remote commands in-process."""

    def __init__(self, root: Path) -> None:
        build_machine(root, generation=2, scenario="clean")
        data = json.loads((root / "machine.json").read_text())
        esp = next(p for d in data["disks"] if not d["is_system"] for p in d["partitions"] if p["role"] == "esp")
        esp["letter"] = "S"          # as offline_disk_info would give it
        (root / "machine.json").write_text(json.dumps(data, indent=2))
        self.root = root
        self.data = data
        self.machine = Machine.load(root)
        self.commands = 0

    def execute(self, command: str, in_data: bytes | None = None, **_kwargs: t.Any) -> dict[str, t.Any]:
        assert command == STDIN_BOOTSTRAP and in_data
        self.commands += 1
        result = run_powershell(in_data.decode("utf-8"), self.machine, command_index=self.commands)
        return {"rc": result.exit_code, "stdout": result.stdout.decode("utf-8", "replace"),
                "stderr": result.stderr.decode("utf-8", "replace")}

    def run(self, action: type, args: dict[str, t.Any]) -> dict[str, t.Any]:
        plugin = make_plugin(action, None, args)
        plugin._low_level_execute_command = self.execute
        return plugin.run(task_vars={})

    def host_file(self, windows_path: str) -> Path:
        for disk in self.data["disks"]:
            for part in disk["partitions"]:
                if (part["letter"] or "").upper() == windows_path[0].upper():
                    return self.root / part["volume_dir"] / Path(*windows_path[3:].split("\\"))
        raise AssertionError(windows_path)

    def hashes(self) -> dict[str, str]:
        return {str(path.relative_to(self.root)): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in sorted(self.root.rglob("*")) if path.is_file()}


def _values(hive: RegistryHive, key: str) -> dict[str, t.Any]:
    return {value.name: (value.value_type, value.value) for value in hive.get_key(key).iter_values()}


# Registry values are read with hivex, byte for byte: regipy does not find keys whose names Windows stores as Latin-1
# ("compressed") when they hold characters such as U+00A0.
_RAW = {"REG_SZ": 1, "REG_DWORD": 4, "REG_MULTI_SZ": 7}


def _raw(reg_type: str, data: t.Any) -> tuple[int, bytes]:
    if reg_type == "REG_DWORD":
        return 4, data.to_bytes(4, "little")
    if reg_type == "REG_MULTI_SZ":
        return 7, ("".join(item + "\0" for item in data) + "\0").encode("utf-16-le", "surrogatepass")
    return 1, (data + "\0").encode("utf-16-le", "surrogatepass")


def _raw_value(hive_path: Path, key: str, name: str) -> tuple[int, bytes] | None:
    """(type, bytes) of ``key``\\``name`` below the hive's current control set, or None when absent."""
    hive = hivex.Hivex(str(hive_path))
    select = hive.node_get_child(hive.root(), "Select")
    current = int.from_bytes(hive.value_value(hive.node_get_value(select, "Current"))[1], "little")
    node = hive.node_get_child(hive.root(), f"ControlSet{current:03d}")
    for part in key.split("\\"):
        node = node and hive.node_get_child(node, part)
    value = node and hive.node_get_value(node, name)
    return hive.value_value(value) if value else None


# (label, offline_registry arguments for value number i, what must then be in the hive: key below the control set,
# value name, (type, data))
def _registry_slots(index: int, value: str) -> list[tuple[str, dict[str, t.Any], tuple[str, str, t.Any]]]:
    base = "CurrentControlSet\\Services\\vmrescue_sweep"
    key = f"{base}\\k{index}{value}"
    return [
        ("data", {"key": base, "name": f"d{index}", "type": "string", "data": value},
         ("Services\\vmrescue_sweep", f"d{index}", ("REG_SZ", value))),
        ("name", {"key": base, "name": value, "type": "dword", "data": index},
         ("Services\\vmrescue_sweep", value, ("REG_DWORD", index))),
        ("multi_string item", {"key": base, "name": f"m{index}", "type": "multi_string", "data": [value, "z"]},
         ("Services\\vmrescue_sweep", f"m{index}", ("REG_MULTI_SZ", [value, "z"]))),
        ("key", {"key": key, "name": "v", "type": "dword", "data": 1},
         (key.split("\\", 1)[1].rstrip("\\"), "v", ("REG_DWORD", 1))),
    ]


def _loader_description(store: Path, loader: str) -> t.Any:
    bcd = RegistryHive(str(store))
    return _values(bcd, f"\\Objects\\{loader}\\Elements\\{DESCRIPTION}")["Element"]


# The cases issue 12 names, and what must become of them now.
ISSUE_CASES = {
    ("bcd description", "Windows\u3000Server\\"): "round trip",          # was stored with a stray quote
    ("registry name", "name\u3000x\\"): "round trip",                    # was written under another name
    ("registry name", "CrashDumpEnabled\0"): "refused before any command",  # overwrote CrashDumpEnabled
    ("registry name", "\n"): "refused before any command",
    ("registry key", "trailing "): "refused before any command",            # a key with a trailing space
    ("registry data", '" x'): "refused before any command",                 # split by Windows PowerShell 5.1
    ("registry data", 'x " y'): "refused before any command",
    ("registry data", 'say "hi there"'): "refused before any command",
    ("bcd description", "\u2028"): "refused before any command",           # was a traceback
}


def test_every_hostile_value_round_trips_or_is_refused_with_nothing_changed(tmp_path):
    vm = SimulatedVm(tmp_path / "machine")
    tally = {"round trip": 0, "refused before any command": 0, "refused after reading": 0}
    outcomes: dict[tuple[str, str], str] = {}
    hive_path = vm.host_file(HIVE)
    for index, value in enumerate(HOSTILE):
        cases: list[tuple[str, type, dict[str, t.Any], t.Callable[[], bool]]] = []
        for label, spec, (key, name, expected) in _registry_slots(index, value):
            def landed(key=key, name=name, expected=expected) -> bool:
                return _raw_value(hive_path, key, name) == _raw(*expected)
            cases.append((f"registry {label}", Registry, {"hive": HIVE, "values": [spec]}, landed))
        cases.append(("bcd description", Bcd,
                      {"store": STORE, "objects": [{"id": "{default}", "set": {"description": value}}]},
                      lambda value=value: _loader_description(vm.host_file(STORE), loader) == ("REG_SZ", value)))
        loader = None
        for label, action, args, landed in cases:
            before, commands_before = vm.hashes(), vm.commands
            result = vm.run(action, args)          # an exception escaping here fails the sweep
            if action is Bcd and not result.get("failed"):
                loader = result["objects"][0]["guid"]
            if result.get("failed"):
                assert isinstance(result.get("msg"), str) and result["msg"], (label, value, result)
                assert vm.hashes() == before, (label, value, result["msg"])
                kind = "refused before any command" if vm.commands == commands_before else "refused after reading"
                tally[kind] += 1
            else:
                assert landed(), (label, value, result)
                kind = "round trip"
                tally[kind] += 1
            outcomes[(label, value)] = kind
    tried = sum(tally.values())
    assert tried == len(HOSTILE) * 5
    print(f"hostile round-trip sweep: {len(HOSTILE)} values x 5 options = {tried} tries: {tally}")
    assert tally["round trip"] > 0 and tally["refused before any command"] > 0
    assert tally["refused after reading"] == 0      # every refusal is made in planning
    assert {case: outcomes[case] for case in ISSUE_CASES} == ISSUE_CASES
