"""Every option of every action plugin gets hostile values: each run ends in a result (failed with a message, or a
success), never an exception; a value no target can store and read back is refused, naming the option, before any
remote command."""

from __future__ import annotations

import copy
import re
import typing as t

import pytest

from ansible_collections.vmrescue.windows.tests.unit.plugins.action._repair_fake import gen2_machine, make_plugin

from ansible_collections.vmrescue.windows.plugins.action.bcd import ActionModule as Bcd
from ansible_collections.vmrescue.windows.plugins.action.bcd_info import ActionModule as BcdInfo
from ansible_collections.vmrescue.windows.plugins.action.driver_file import ActionModule as DriverFile
from ansible_collections.vmrescue.windows.plugins.action.offline_backup import ActionModule as Backup
from ansible_collections.vmrescue.windows.plugins.action.offline_disk_info import ActionModule as DiskInfo
from ansible_collections.vmrescue.windows.plugins.action.offline_disk_release import ActionModule as DiskRelease
from ansible_collections.vmrescue.windows.plugins.action.offline_registry import ActionModule as Registry
from ansible_collections.vmrescue.windows.plugins.action.offline_registry_info import ActionModule as RegistryInfo
from ansible_collections.vmrescue.windows.tests.hostile_values import HOSTILE
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import unsendable_reason
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import STDIN_BOOTSTRAP


STORE = "Z:\\EFI\\Microsoft\\Boot\\BCD"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
# (plugin, baseline arguments, the option paths a hostile value is put in; ("set", None) means the key of the dict)
CASES: list[tuple[type, dict[str, t.Any], list[tuple[t.Any, ...]]]] = [
    (Bcd, {"store": STORE, "journal": "F:\\vmrescue\\journal.json",
           "objects": [{"id": "{default}", "set": {"description": "x", "bootstatuspolicy": "IgnoreAllFailures"},
                        "remove": ["bootlog"]}]},
     [("store",), ("journal",), ("objects", 0, "id"), ("objects", 0, "set", "description"),
      ("objects", 0, "set", "bootstatuspolicy"), ("objects", 0, "remove", 0), ("objects", 0, "set", None)]),
    (BcdInfo, {"store": STORE}, [("store",)]),
    (Registry, {"hive": HIVE, "journal": "F:\\vmrescue\\journal.json",
                "values": [{"key": "CurrentControlSet\\Control\\CrashControl", "name": "AutoReboot", "type": "string",
                            "data": "x"},
                           {"key": "CurrentControlSet\\Control\\x", "name": "m", "type": "multi_string",
                            "data": ["a", "b"]}],
                "keys": [{"key": "CurrentControlSet\\Services\\y"}]},
     [("hive",), ("journal",), ("control_sets",), ("values", 0, "key"), ("values", 0, "name"), ("values", 0, "type"),
      ("values", 0, "data"), ("values", 1, "data", 1), ("keys", 0, "key")]),
    (RegistryInfo, {"hive": HIVE, "keys": ["Select"]}, [("hive",), ("keys", 0), ("control_sets",)]),
    (Backup, {"windows_drive": "F:", "bcd_store": STORE, "hives": ["SYSTEM"]},
     [("windows_drive",), ("bcd_store",), ("hives", 0), ("backup_dir",), ("run_id",)]),
    (DriverFile, {"name": "filecrypt.sys", "windows_drive": "F:",
                  "src": "C:\\Windows\\System32\\drivers\\filecrypt.sys"},
     [("name",), ("windows_drive",), ("src",), ("backup_dir",), ("expected_sha256",), ("expected_version",)]),
    (DriverFile, {"dest": "F:\\Windows\\System32\\drivers\\x.sys", "src_controller": "/tmp/x.sys"},
     [("dest",), ("src_controller",)]),
    (DiskInfo, {"windows_drive": "F:", "bcd_store": STORE}, [("windows_drive",), ("bcd_store",)]),
    (DiskRelease, {"temporary_letters": [{"drive": "S:", "disk_number": 1, "partition_number": 1}]},
     [("temporary_letters", 0, "drive")]),
]


def _with_value(args: dict[str, t.Any], path: tuple[t.Any, ...], value: str) -> tuple[dict[str, t.Any], str]:
    """A copy of ``args`` with ``value`` at ``path``, and the option label the collection should name."""
    args = copy.deepcopy(args)
    *parents, last = path
    holder: t.Any = args
    for part in parents:
        holder = holder[part]
    if last is None:                      # the dict's key itself: an element name
        holder[value] = holder.pop(next(iter(holder)))
    else:
        holder[last] = value
    label = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p)
                    for i, p in enumerate(p for p in path if p is not None))
    return args, label


def _run(action: type, args: dict[str, t.Any]) -> tuple[dict[str, t.Any], list[str]]:
    windows = gen2_machine()
    plugin = make_plugin(action, windows, args)
    answer = plugin._low_level_execute_command

    def tolerant(cmd, in_data=None, **kwargs):
        if cmd != STDIN_BOOTSTRAP:        # ansible-core's own temporary folder for an upload (src_controller)
            return {"rc": 0, "stdout": "C:\\Users\\x\\AppData\\Local\\Temp\\ansible-tmp-1\r\n", "stderr": ""}
        try:
            return answer(cmd, in_data=in_data, **kwargs)
        except AssertionError:            # the fake does not know this command: answer as a dropped connection
            return {"rc": 1, "stdout": "", "stderr": "unanswered"}
    plugin._low_level_execute_command = tolerant
    return plugin.run(task_vars={}), windows.commands


def _sweep() -> t.Iterator[tuple[type, dict[str, t.Any], str, str]]:
    for action, baseline, paths in CASES:
        for path in paths:
            for value in HOSTILE:
                args, label = _with_value(baseline, path, value)
                yield action, args, label, value


def _never_sendable(value: str) -> bool:
    return unsendable_reason(value) is not None or any(ord(ch) < 0x20 for ch in value)


CASE_IDS = [f"{case[0].__module__.split('.')[-1]}-{number}" for number, case in enumerate(CASES)]


@pytest.mark.parametrize("action, baseline, paths", CASES, ids=CASE_IDS)
def test_every_hostile_value_ends_in_a_result_and_unsendable_ones_before_any_command(action, baseline, paths):
    tried = 0
    for path in paths:
        for value in HOSTILE:
            args, label = _with_value(baseline, path, value)
            result, commands = _run(action, args)      # an exception here is the failure this test looks for
            tried += 1
            assert isinstance(result, dict) and ("failed" not in result or isinstance(result["failed"], bool))
            if result.get("failed"):
                assert isinstance(result.get("msg"), str) and result["msg"], (label, value, result)
            if _never_sendable(value):
                assert result.get("failed"), (label, value, result)
                assert label.split(".", maxsplit=1)[0] in result["msg"] or "(the name)" in result["msg"], (label, result["msg"])
                assert commands == [], (label, value, commands)
    assert tried == len(paths) * len(HOSTILE)


def test_the_sweep_size():
    # The figure the report gives: values per option times options.
    assert len(HOSTILE) == len(set(HOSTILE)) == 177
    assert sum(1 for _case in _sweep()) == len(HOSTILE) * sum(len(paths) for _a, _b, paths in CASES)


@pytest.mark.parametrize(("answer", "said"), [
    ("@@vmr:{nonce}:begin:no-such-step\n", "unexpected step marker"),              # RemoteScriptError
    ("@@vmr:{nonce}:begin:disks\n@@vmr:{nonce}:rc:disks:x\n", "no exit code"),     # RemoteScriptError
    ("@@vmr:{nonce}:begin:disks\n{{not json\n@@vmr:{nonce}:end:disks\n@@vmr:{nonce}:done\n", "JSON"),
])
def test_output_the_collection_cannot_read_ends_in_a_failed_result(answer, said):
    plugin = make_plugin(BcdInfo, None, {"store": STORE})

    def garbled(cmd, in_data=None, **kwargs):
        nonce = re.search(r"@@vmr:([0-9a-f]{16}):", in_data.decode("utf-8")).group(1)
        return {"rc": 0, "stdout": answer.format(nonce=nonce), "stderr": ""}
    plugin._low_level_execute_command = garbled
    result = plugin.run(task_vars={})
    assert result["failed"] and said in result["msg"], result
