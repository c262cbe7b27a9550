"""vmrescue.windows.offline_registry and offline_registry_info with a scripted recovery VM."""

from __future__ import annotations

import json

from ansible_collections.vmrescue.windows.tests.unit.plugins.action.action_harness import run_action
from ansible_collections.vmrescue.windows.tests.unit.plugins.scripted_host import reg_query_text
from ansible_collections.vmrescue.windows.tests.unit.plugins.action.windows_model import SYSTEM_KEY, Windows, steps_of

from ansible_collections.vmrescue.windows.plugins.action.offline_registry import ActionModule as Registry
from ansible_collections.vmrescue.windows.plugins.action.offline_registry_info import ActionModule as RegistryInfo
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import mount_name

HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
ROOT = f"HKEY_LOCAL_MACHINE\\{mount_name(HIVE)}"
MISSING = (["ERROR: (translated) not found"], 1)


def select(current: int = 1) -> tuple[list[str], int]:
    return reg_query_text({f"{ROOT}\\Select": {"Current": ("REG_DWORD", f"0x{current:x}"),
                                               "Default": ("REG_DWORD", "0x1")}}), 0


def root(*sets: str) -> tuple[list[str], int]:
    return ["", ROOT] + [f"{ROOT}\\{name}" for name in ("Select",) + sets] + [""], 0


def crash(cs: str, dump: int) -> tuple[list[str], int]:
    return reg_query_text({f"{ROOT}\\{cs}\\Control\\CrashControl": {"CrashDumpEnabled": ("REG_DWORD", f"0x{dump:x}")}}), 0


TASK = {"hive": HIVE, "control_sets": "all",
        "values": [{"key": "CurrentControlSet\\Control\\CrashControl", "name": "CrashDumpEnabled", "type": "dword",
                    "data": 2}]}


def read(dump: int, *sets: str) -> Windows:
    outputs = {"select": select(), "root": root(*sets)}
    for number in (1, 2, 3):
        cs = f"ControlSet{number:03d}"
        outputs[rf"key\.{number}"] = crash(cs, dump) if cs in sets else MISSING
    return Windows(outputs)


def test_apply_all_control_sets_then_verify():
    after = Windows({r"verify\.1": crash("ControlSet001", 2), r"verify\.2": crash("ControlSet002", 2)})
    result, recorder = run_action(Registry, TASK, [read(7, "ControlSet001", "ControlSet002"), after], diff=True)
    assert not result.get("failed"), result
    assert result["changed"] and len(recorder.scripts) == 2
    assert result["control_sets"] == ["ControlSet001", "ControlSet002"]
    write = recorder.scripts[1]
    assert steps_of(write) == ["probe", "stale-unload", "load", "change.1", "change.2", "verify.1", "verify.2",
                               "unload", "unload.2", "unload.3"]
    assert f"'add' '{'HKLM' + ROOT[len('HKEY_LOCAL_MACHINE'):]}\\ControlSet001\\Control\\CrashControl' '/v' " \
           "'CrashDumpEnabled' '/t' 'REG_DWORD' '/d' '0x2' '/f'" in write
    assert result["values"][0]["before"] == {"type": "REG_DWORD", "data": 7}
    assert result["values"][1]["after"] == {"type": "REG_DWORD", "data": 2}
    assert "ControlSet002\\Control\\CrashControl\\CrashDumpEnabled" in result["diff"]["after"]


def test_unchanged_is_one_command_and_check_mode_writes_nothing():
    result, recorder = run_action(Registry, TASK, [read(2, "ControlSet001", "ControlSet002")])
    assert result["changed"] is False and len(recorder.scripts) == 1
    result, recorder = run_action(Registry, TASK, [read(7, "ControlSet001", "ControlSet002")], check_mode=True)
    assert result["changed"] is True and len(recorder.scripts) == 1
    assert result["values"][0]["after"] == {"type": "REG_DWORD", "data": 2}


def test_current_control_set_from_select_with_a_second_read_when_not_queried():
    first = Windows({"select": select(4), "root": root("ControlSet001", "ControlSet004"),
                     r"key\.1": crash("ControlSet001", 7), r"key\.[23]": MISSING})
    second = Windows({"select": select(4), "root": root("ControlSet001", "ControlSet004"),
                      r"key\.1": crash("ControlSet004", 2)})
    result, recorder = run_action(Registry, dict(TASK, control_sets="current"), [first, second])
    assert not result.get("failed"), result
    assert result["control_sets"] == ["ControlSet004"] and result["changed"] is False
    assert len(recorder.scripts) == 2 and "ControlSet004" in recorder.scripts[1]


def test_failed_add_stops_the_chain_and_still_unloads():
    writer = Windows({"change.1": (["ERROR: Access is denied. (translated)"], 1),
                      r"verify\.1": crash("ControlSet001", 7), r"verify\.2": crash("ControlSet002", 7)})
    result, recorder = run_action(Registry, TASK, [read(7, "ControlSet001", "ControlSet002"), writer])
    assert result["failed"] and "reg.exe failed (exit code 1)" in result["msg"]
    assert "Nothing of it had been written" in result["msg"] and len(recorder.scripts) == 2
    ran = [step for step, _line in writer.seen]
    assert "change.2" not in ran and "unload" in ran


def test_a_write_that_fails_half_way_is_undone_in_the_same_run():
    writer = Windows({"change.2": (["ERROR: Access is denied. (translated)"], 1),
                      r"verify\.1": crash("ControlSet001", 2), r"verify\.2": crash("ControlSet002", 7)})
    undo = Windows({r"verify\.1": crash("ControlSet001", 7), r"verify\.2": crash("ControlSet002", 7)})
    result, recorder = run_action(Registry, TASK, [read(7, "ControlSet001", "ControlSet002"), writer, undo])
    assert result["failed"] and "reg.exe failed" in result["msg"]
    assert "original values were put back and verified" in result["msg"]
    changes = [line for step, line in undo.seen if step.startswith("change.")]
    assert len(changes) == 1 and "ControlSet001" in changes[0] and "'/d' '0x7'" in changes[0]
    assert "journal-write" not in steps_of(recorder.scripts[2])


def test_an_undo_that_does_not_verify_says_so():
    writer = Windows({r"verify\.1": crash("ControlSet001", 3), r"verify\.2": crash("ControlSet002", 2)})
    undo = Windows({r"verify\.1": crash("ControlSet001", 3), r"verify\.2": crash("ControlSet002", 7)})
    result, _recorder = run_action(Registry, TASK, [read(7, "ControlSet001", "ControlSet002"), writer, undo])
    assert result["failed"] and "does not show the planned values" in result["msg"]
    assert "did not verify either" in result["msg"] and "restore_journal" in result["msg"]


def test_unload_failure_after_a_write_is_a_failure():
    writer = Windows({r"verify\.1": crash("ControlSet001", 2), r"verify\.2": crash("ControlSet002", 2),
                      r"unload(\.\d)?": (["ERROR: Access is denied."], 1)})
    result, _recorder = run_action(Registry, TASK, [read(7, "ControlSet001", "ControlSet002"), writer])
    assert result["failed"] and "could not be unloaded" in result["msg"]


def test_control_set_not_present_and_bad_data_send_no_write():
    result, recorder = run_action(Registry, dict(TASK, control_sets=["ControlSet003"]),
                                  [read(7, "ControlSet001", "ControlSet002")])
    assert result["failed"] and "ControlSet003 not present" in result["msg"] and len(recorder.scripts) == 1
    bad = dict(TASK, values=[dict(TASK["values"][0], data="lots")])
    result, recorder = run_action(Registry, bad, [])
    assert result["failed"] and "32-bit" in result["msg"] and recorder.scripts == []


def test_journal_records_originals_and_absent_values():
    writer = Windows({})
    args = dict(TASK, journal="F:\\vmrescue\\journal.json",
                values=TASK["values"] + [{"key": "CurrentControlSet\\Control\\CrashControl", "name": "AutoReboot",
                                          "type": "dword", "data": 0}])
    writer.outputs[r"verify\.\d"] = (reg_query_text({f"{ROOT}\\ControlSet001\\Control\\CrashControl": {
        "CrashDumpEnabled": ("REG_DWORD", "0x2"), "AutoReboot": ("REG_DWORD", "0x0")}}), 0)
    result, recorder = run_action(Registry, dict(args, control_sets=["ControlSet001"]),
                                  [read(7, "ControlSet001"), writer])
    assert not result.get("failed"), result
    written = json.loads(recorder.scripts[1].split("-Value '", 1)[1].split("' -Encoding", 1)[0])
    assert written["format"] == 2 and list(written["registry"]) == [SYSTEM_KEY]
    values = written["registry"][SYSTEM_KEY]["values"]["controlset001\\control\\crashcontrol"]
    assert values["crashdumpenabled"] == {"name": "CrashDumpEnabled", "key": "ControlSet001\\Control\\CrashControl",
                                          "present": True, "type": "REG_DWORD", "data": "07000000"}
    assert values["autoreboot"]["present"] is False


def test_info_recurse_and_absent_keys():
    outputs = {"select": select(), "root": root("ControlSet001"),
               r"key\.1": (reg_query_text({
                   f"{ROOT}\\ControlSet001\\Services\\x": {"Start": ("REG_DWORD", "0x3")},
                   f"{ROOT}\\ControlSet001\\Services\\x\\Parameters": {"Path": ("REG_SZ", "a b")}}), 0),
               r"key\.[234]": MISSING}
    result, recorder = run_action(RegistryInfo, {"hive": HIVE, "keys": ["CurrentControlSet\\Services\\x", "Nope"],
                                                 "recurse": True}, [Windows(outputs)])
    assert not result.get("failed"), result
    assert "'/s'" in recorder.scripts[0]
    keys = result["keys"]
    assert keys["ControlSet001\\Services\\x"]["values"] == {"Start": {"type": "REG_DWORD", "data": 3}}
    assert keys["ControlSet001\\Services\\x"]["subkeys"] == ["Parameters"]
    assert keys["ControlSet001\\Services\\x\\Parameters"]["values"]["Path"]["data"] == "a b"
    assert keys["Nope"] == {"exists": False, "values": {}, "subkeys": []}
    assert result["select"]["Current"] == 1 and result["control_sets"] == ["ControlSet001"]
