"""restore_journal of vmrescue.windows.bcd and offline_registry with a scripted recovery VM."""

from __future__ import annotations

import json

from ansible_collections.vmrescue.windows.plugins.action.bcd import ActionModule as Bcd
from ansible_collections.vmrescue.windows.plugins.action.offline_registry import ActionModule as Registry
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import mount_name
from ansible_collections.vmrescue.windows.tests.unit.plugins.action.action_harness import run_action
from ansible_collections.vmrescue.windows.tests.unit.plugins.action.windows_model import (
    BOOTMGR, LOADER, Windows, steps_of, store_objects,
)
from ansible_collections.vmrescue.windows.tests.unit.plugins.scripted_host import reg_query_text

STORE = "E:\\boot\\BCD"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
JOURNAL_PATH = "F:\\vmrescue\\journal.json"
MOUNT = mount_name(STORE)
ROOT = f"HKEY_LOCAL_MACHINE\\{mount_name(HIVE)}"
DEFAULT = ("REG_SZ", LOADER)
BCD_JOURNAL = json.dumps({"format": 1, "registry": {}, "bcd": {STORE.lower(): {
    BOOTMGR: {"25000004": {"present": True, "type": "REG_BINARY", "data": "1e000000"},
              "26000020": {"present": False, "type": None, "data": None}},
    LOADER.lower(): {"250000e0": {"present": True, "type": "REG_BINARY", "data": "0000000000000000"}}}}})
CHANGED = store_objects(MOUNT, {"23000003": DEFAULT, "25000004": ("REG_BINARY", "0A000000"),
                                "26000020": ("REG_BINARY", "01")}, {"250000e0": ("REG_BINARY", "0100000000000000")})
ORIGINAL = store_objects(MOUNT, {"23000003": DEFAULT, "25000004": ("REG_BINARY", "1E000000")},
                         {"250000e0": ("REG_BINARY", "0000000000000000")})
BCD_TASK = {"store": STORE, "journal": JOURNAL_PATH, "restore_journal": True}


def test_bcd_restore_uses_bcdedit_where_exact_and_a_raw_write_otherwise():
    result, recorder = run_action(Bcd, BCD_TASK, [Windows({"query": (CHANGED, 0)}, journal=BCD_JOURNAL),
                                                  Windows({"verify-query": (ORIGINAL, 0)})], diff=True)
    assert not result.get("failed"), result
    assert result["changed"] and len(recorder.scripts) == 2
    write = recorder.scripts[1]
    assert steps_of(write) == ["change.1", "change.2", "raw-load", "raw-change.1", "raw-unload", "raw-unload.2",
                               "raw-unload.3", "verify-probe", "verify-stale-unload", "verify-load", "verify-query",
                               "verify-unload", "verify-unload.2", "verify-unload.3"]
    assert f"'/deletevalue' '{BOOTMGR}' 'displaybootmenu'" in write
    assert f"'/set' '{LOADER.lower()}' 'bootstatuspolicy' 'DisplayAllFailures'" in write
    assert (f"'add' 'HKLM\\{MOUNT}\\Objects\\{BOOTMGR}\\Elements\\25000004' '/v' 'Element' '/t' 'REG_BINARY' "
            "'/d' '1e000000' '/f'") in write
    assert "journal-write" not in steps_of(write)
    restored = {r["element"]: r for r in result["restored"]}
    assert restored["25000004"]["method"] == "reg" and restored["25000004"]["after"]["data"] == "1e000000"
    assert restored["26000020"]["after"] is None
    assert restored["26000020"]["before"] == {"type": "REG_BINARY", "data": "01"}
    assert len(result["bcdedit_commands"]) == 2 and len(result["reg_commands"]) == 1
    assert result["diff"]["after"][f"{BOOTMGR}\\25000004"] == {"type": "REG_BINARY", "data": "1e000000"}


def test_bcd_restore_is_one_command_when_done_and_in_check_mode():
    result, recorder = run_action(Bcd, BCD_TASK, [Windows({"query": (ORIGINAL, 0)}, journal=BCD_JOURNAL)])
    assert not result.get("failed") and result["changed"] is False and len(recorder.scripts) == 1
    result, recorder = run_action(Bcd, BCD_TASK, [Windows({"query": (CHANGED, 0)}, journal=BCD_JOURNAL)],
                                  check_mode=True)
    assert result["changed"] is True and len(recorder.scripts) == 1


def test_bcd_restore_verifies_type_and_bytes():
    not_quite = store_objects(MOUNT, {"23000003": DEFAULT, "25000004": ("REG_BINARY", "1E00000000000000")},
                              {"250000e0": ("REG_BINARY", "0000000000000000")})      # same number, other bytes
    result, _recorder = run_action(Bcd, BCD_TASK, [Windows({"query": (CHANGED, 0)}, journal=BCD_JOURNAL),
                                                   Windows({"verify-query": (not_quite, 0)})])
    assert result["failed"] and "could not be restored" in result["msg"] and "timeout (25000004)" in result["msg"]
    statuses = {r["record"].split(" ")[0]: r["status"] for r in result["records"]}
    assert statuses == {"timeout": "could not", "displaybootmenu": "restored", "bootstatuspolicy": "restored"}


def test_bcd_restore_options():
    result, recorder = run_action(Bcd, {"store": STORE, "restore_journal": True}, [])
    assert result["failed"] and "journal" in result["msg"] and recorder.scripts == []
    result, recorder = run_action(Bcd, dict(BCD_TASK, objects=[{"id": "{bootmgr}"}]), [])
    assert result["failed"] and "mutually exclusive" in result["msg"] and recorder.scripts == []


REG_JOURNAL = json.dumps({"format": 1, "bcd": {}, "registry": {HIVE.lower(): {
    "values": {"controlset001\\control\\crashcontrol": {
        "autoreboot": {"name": "AutoReboot", "key": "ControlSet001\\Control\\CrashControl", "present": True,
                       "type": "REG_DWORD", "data": "01000000"},
        "dumpfile": {"name": "DumpFile", "key": "ControlSet001\\Control\\CrashControl", "present": False,
                     "type": None, "data": None}}},
    "keys": {"controlset001\\services\\new": {"present": False, "key": "ControlSet001\\Services\\New"}}}}})


def _crash(auto_reboot: int, dump_file: bool) -> tuple[list[str], int]:
    values = {"AutoReboot": ("REG_DWORD", f"0x{auto_reboot:x}")}
    if dump_file:
        values["DumpFile"] = ("REG_EXPAND_SZ", "%SystemRoot%\\MEMORY.DMP")
    return reg_query_text({f"{ROOT}\\ControlSet001\\Control\\CrashControl": values}), 0


NEW_KEY = (reg_query_text({f"{ROOT}\\ControlSet001\\Services\\New": {"Start": ("REG_DWORD", "0x3")}}), 0)
MISSING = (["ERROR: (translated) not found"], 1)
REG_TASK = {"hive": HIVE, "journal": JOURNAL_PATH, "restore_journal": True}


def test_registry_restore_reads_the_journal_then_the_recorded_keys_then_writes_once():
    journal = Windows({}, journal=REG_JOURNAL)
    read = Windows({"select": MISSING, "root": ([], 0), r"key\.1": _crash(0, True), r"key\.2": NEW_KEY})
    write = Windows({r"verify\.1": _crash(1, False), r"verify\.2": MISSING})
    result, recorder = run_action(Registry, REG_TASK, [journal, read, write], diff=True)
    assert not result.get("failed"), result
    assert result["changed"] and len(recorder.scripts) == 3
    assert recorder.scripts[0].startswith("# vmrescue.windows registry-journal")
    changes = [line for step, line in write.seen if step.startswith("change.")]
    assert len(changes) == 3
    assert "'AutoReboot' '/t' 'REG_DWORD' '/d' '0x1' '/f'" in changes[0]
    assert "'delete'" in changes[1] and "'DumpFile'" in changes[1]
    assert changes[2].endswith("\\ControlSet001\\Services\\New' '/f'") and "'delete'" in changes[2]
    assert result["values"][0]["after"] == {"type": "REG_DWORD", "data": 1}
    assert [(r["record"], r["status"]) for r in result["records"]] == [
        ("ControlSet001\\Control\\CrashControl\\AutoReboot", "restored"),
        ("ControlSet001\\Control\\CrashControl\\DumpFile", "restored"),
        ("key ControlSet001\\Services\\New", "restored")]


def test_registry_restore_when_done_and_without_journal_entries():
    read = Windows({"select": MISSING, "root": ([], 0), r"key\.1": _crash(1, False), r"key\.2": MISSING})
    result, recorder = run_action(Registry, REG_TASK, [Windows({}, journal=REG_JOURNAL), read])
    assert not result.get("failed") and result["changed"] is False and len(recorder.scripts) == 2
    assert {r["status"] for r in result["records"]} == {"already original"}
    result, recorder = run_action(Registry, REG_TASK, [Windows({}, journal=json.dumps({"format": 2}))])
    assert not result.get("failed") and result["changed"] is False and result["records"] == []


def test_a_restore_from_a_journal_that_does_not_exist_fails():
    for action, task in ((Registry, REG_TASK), (Bcd, BCD_TASK)):
        result, recorder = run_action(action, task, [Windows({"query": (ORIGINAL, 0)}, journal=None)])
        assert result["failed"] and "does not exist" in result["msg"] and len(recorder.scripts) == 1


def test_registry_restore_takes_no_values_and_needs_the_journal():
    result, recorder = run_action(Registry, dict(REG_TASK, keys=[{"key": "X"}]), [])
    assert result["failed"] and "no values or keys" in result["msg"] and recorder.scripts == []
    result, recorder = run_action(Registry, {"hive": HIVE, "restore_journal": True}, [])
    assert result["failed"] and "journal" in result["msg"] and recorder.scripts == []
