"""vmrescue.windows.bcd and bcd_info with a scripted recovery VM."""

from __future__ import annotations

import json

from ansible_collections.vmrescue.windows.tests.unit.plugins.action.action_harness import run_action
from ansible_collections.vmrescue.windows.tests.unit.plugins.scripted_host import CMDLET_ERROR, STOP
from ansible_collections.vmrescue.windows.tests.unit.plugins.action.windows_model import (
    BOOTMGR, LOADER, STORE_KEY, Windows, steps_of, store_objects,
)

from ansible_collections.vmrescue.windows.plugins.action.bcd import ActionModule as Bcd
from ansible_collections.vmrescue.windows.plugins.action.bcd_info import ActionModule as BcdInfo
from ansible_collections.vmrescue.windows.plugins.module_utils import _journal_location
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import mount_name

STORE = "E:\\boot\\BCD"
MOUNT = mount_name(STORE)
DEFAULT = ("REG_SZ", LOADER)
BEFORE = store_objects(MOUNT, {"23000003": DEFAULT, "25000004": ("REG_BINARY", "1E00000000000000")},
                       {"16000048": ("REG_BINARY", "01"), "250000e0": ("REG_BINARY", "0000000000000000")})
AFTER = store_objects(MOUNT, {"23000003": DEFAULT, "25000004": ("REG_BINARY", "0A00000000000000"),
                              "26000020": ("REG_BINARY", "01")},
                      {"250000e0": ("REG_BINARY", "0100000000000000")})
TASK = {"store": STORE, "objects": [
    {"id": "{bootmgr}", "set": {"timeout": 10, "displaybootmenu": True}},
    {"id": "{default}", "set": {"bootstatuspolicy": "IgnoreAllFailures"}, "remove": ["nointegritychecks"]},
]}


def test_info_reads_once_and_decodes():
    result, recorder = run_action(BcdInfo, {"store": STORE}, [Windows({"query": (BEFORE, 0)})])
    assert not result.get("failed"), result
    assert len(recorder.scripts) == 1
    assert result["default"] == LOADER.lower() and result["bootmgr"] == BOOTMGR
    bootmgr = next(o for o in result["objects"] if o["alias"] == "{bootmgr}")
    assert bootmgr["elements"] == {"default": LOADER, "timeout": 30}
    assert result["remote_commands"][0]["name"] == "bcd-read"


def test_apply_writes_once_with_quoted_guids_and_verifies():
    result, recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)}), Windows({"verify-query": (AFTER, 0)})],
                                  diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and len(recorder.scripts) == 2
    write = recorder.scripts[1]
    assert f"bcdedit.exe '/store' '{STORE}' '/set' '{BOOTMGR}' 'timeout' '10'" in write
    assert f"'/deletevalue' '{LOADER.lower()}' 'nointegritychecks'" in write
    assert steps_of(write)[:4] == ["change.1", "change.2", "change.3", "change.4"]
    assert result["objects"][0]["after"] == {"timeout": 10, "displaybootmenu": True}
    assert result["objects"][1]["before"] == {"bootstatuspolicy": "DisplayAllFailures", "nointegritychecks": True}
    assert result["diff"]["after"]["{default}"] == {"bootstatuspolicy": "IgnoreAllFailures", "nointegritychecks": None}
    assert len(result["bcdedit_commands"]) == 4


def test_check_mode_reads_only():
    result, recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)})], check_mode=True)
    assert result["changed"] is True and len(recorder.scripts) == 1
    assert result["objects"][0]["after"]["timeout"] == 10


def test_unchanged_is_exactly_one_command():
    result, recorder = run_action(Bcd, TASK, [Windows({"query": (AFTER, 0)})])
    assert result["changed"] is False and len(recorder.scripts) == 1 and not result.get("failed")


def test_verification_mismatch_fails():
    result, _recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)}), Windows({"verify-query": (BEFORE, 0)})])
    assert result["failed"] and "does not show the planned values" in result["msg"]
    assert "timeout of {bootmgr}" in result["msg"]


def test_bcdedit_failure_names_the_command_and_stops():
    windows = Windows({"change.2": (["An error occurred (translated)."], 1), "verify-query": (BEFORE, 0)})
    result, recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)}), windows])
    assert result["failed"] and "exit code 1" in result["msg"] and "displaybootmenu" in result["msg"]
    ran = [step for step, _line in windows.seen]
    assert "change.3" not in ran and "verify-load" in ran and "verify-unload" in ran


def test_bad_input_sends_no_write():
    for objects, message in (([{"id": "{current}", "set": {"bootlog": True}}], "{default}"),
                             ([{"id": "{default}", "set": {"bootlg": True}}], "Did you mean: bootlog")):
        result, recorder = run_action(Bcd, {"store": STORE, "objects": objects}, [Windows({"query": (BEFORE, 0)})])
        assert result["failed"] and message in result["msg"] and len(recorder.scripts) == 1


def test_store_on_the_recovery_vms_own_disk_is_refused():
    result, recorder = run_action(Bcd, dict(TASK, store="C:\\boot\\BCD"), [Windows({"query": (BEFORE, 0)})])
    assert result["failed"] and "own running system" in result["msg"] and len(recorder.scripts) == 1


def test_missing_store_and_non_hive():
    result, _recorder = run_action(BcdInfo, {"store": STORE}, [Windows({}, exists=False)])
    assert result["failed"] and "does not exist" in result["msg"]
    result, _recorder = run_action(BcdInfo, {"store": STORE}, [Windows({"load": (["ERROR: (translated)"], 1)})])
    assert result["failed"] and "could not be loaded" in result["msg"]


def test_stale_mount_is_unloaded_first_and_reported():
    windows = Windows({"probe": ([f"HKEY_LOCAL_MACHINE\\{MOUNT}"], 0), "query": (AFTER, 0)})
    result, _recorder = run_action(Bcd, TASK, [windows])
    assert [s for s, _line in windows.seen][3:6] == ["probe", "stale-unload", "load"]
    assert any("interrupted run" in w for w in result["warnings"])


def test_unload_is_retried():
    windows = Windows({"query": (AFTER, 0), r"unload(\.2)?": (["ERROR: Access is denied."], 1)})
    result, _recorder = run_action(BcdInfo, {"store": STORE}, [windows])
    assert [s for s, _line in windows.seen][-3:] == ["unload", "unload.2", "unload.3"] and not result.get("failed")
    windows = Windows({"query": (AFTER, 0), r"unload(\.\d)?": (["ERROR: Access is denied."], 1)})
    result, _recorder = run_action(BcdInfo, {"store": STORE}, [windows])
    assert any("could not be unloaded" in w for w in result["warnings"])


def test_a_cut_off_command_fails_without_guessing():
    result, _recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)}), Windows({})], cut_after_step="change.2")
    assert result["failed"] and "did not finish" in result["msg"]


def test_journal_is_written_before_the_first_change_and_keeps_first_records():
    old = json.dumps({"format": 1, "registry": {}, "bcd": {STORE.lower(): {BOOTMGR: {
        "25000004": {"present": True, "type": "REG_BINARY", "data": "0500000000000000"}}}}})
    args = dict(TASK, journal="F:\\vmrescue\\journal.json")
    result, recorder = run_action(Bcd, args, [Windows({"query": (BEFORE, 0)}, journal=old),
                                              Windows({"verify-query": (AFTER, 0)})])
    assert not result.get("failed"), result
    write = recorder.scripts[1]
    assert steps_of(write)[:4] == ["journal-guard", "journal-dir", "journal-write", "change.1"]
    written = json.loads(write.split("-Value '", 1)[1].split("' -Encoding", 1)[0])
    assert written["format"] == 2 and list(written["bcd"]) == [STORE_KEY] and "format1" not in written
    records = written["bcd"][STORE_KEY]
    assert records[BOOTMGR]["25000004"]["data"] == "0500000000000000"        # first record wins
    assert records[BOOTMGR]["26000020"] == {"present": False, "type": None, "data": None}
    assert records[LOADER.lower()]["16000048"] == {"present": True, "type": "REG_BINARY", "data": "01"}


def test_a_journal_that_cannot_be_written_stops_before_any_change():
    args = dict(TASK, journal="F:\\vmrescue\\journal.json")
    writer = Windows({"journal-write": (["Set-Content : Access to the path is denied."], CMDLET_ERROR)})
    result, recorder = run_action(Bcd, args, [Windows({"query": (BEFORE, 0)}), writer])
    assert result["failed"] and "journal" in result["msg"] and "nothing was changed" in result["msg"]
    assert [step for step, _line in writer.seen] == ["journal-guard", "journal-dir", "journal-write"]   # no bcdedit
    assert "if (-not $?)" in recorder.scripts[1]


JOURNAL_TASK = dict(TASK, journal="F:\\vmrescue\\journal.json")


def test_a_journal_changed_by_another_run_is_read_again_before_any_change(monkeypatch):
    monkeypatch.setattr(_journal_location.time, "sleep", lambda _seconds: None)
    other = json.dumps({"format": 2, "bcd": {}, "registry": {"x|y": {"keys": {"k": {"present": False, "key": "K"}}}}})
    guarded = Windows({"journal-guard": ([], STOP)})
    result, recorder = run_action(Bcd, JOURNAL_TASK, [Windows({"query": (BEFORE, 0)}), guarded,
                                                      Windows({"query": (BEFORE, 0)}, journal=other),
                                                      Windows({"verify-query": (AFTER, 0)})])
    assert not result.get("failed"), result
    assert [step for step, _line in guarded.seen] == ["journal-guard"]       # stopped before any change
    assert [s.splitlines()[0] for s in recorder.scripts] == \
        ["# vmrescue.windows bcd-read", "# vmrescue.windows bcd-write"] * 2
    written = json.loads(recorder.scripts[3].split("-Value '", 1)[1].split("' -Encoding", 1)[0])
    assert written["registry"] == {"x|y": {"keys": {"k": {"present": False, "key": "K"}}}}    # the other run's record
    assert "if ((Get-FileHash -Algorithm SHA256 -LiteralPath 'F:\\vmrescue\\journal.json').Hash -cne '" \
        in recorder.scripts[3]
    assert "if ((Test-Path -LiteralPath 'F:\\vmrescue\\journal.json')) {" in recorder.scripts[1]   # was absent


def test_a_journal_that_keeps_changing_gives_up_after_eight_attempts(monkeypatch):
    pauses = []
    monkeypatch.setattr(_journal_location.time, "sleep", pauses.append)
    responders = [Windows({"query": (BEFORE, 0)}), Windows({"journal-guard": ([], STOP)})] * 8
    result, recorder = run_action(Bcd, JOURNAL_TASK, responders)
    assert result["failed"] and "8 times in a row" in result["msg"] and len(recorder.scripts) == 16
    # one random pause per retry, growing with the attempt number
    assert len(pauses) == 7 and all(0.2 * n <= pause <= 1.0 * n for n, pause in enumerate(pauses, 1))


def test_a_journal_off_the_broken_disk_is_refused_before_any_write():
    for journal in ("C:\\vmrescue\\journal.json", "G:\\journal.json"):
        result, recorder = run_action(Bcd, dict(TASK, journal=journal), [Windows({"query": (BEFORE, 0)})])
        assert result["failed"] and len(recorder.scripts) == 1, result
        assert "journal" in result["msg"] and ("not on the disk" in result["msg"] or "G:" in result["msg"])


def test_a_store_that_stays_loaded_fails_the_task():
    stuck = {r"verify-unload(\.\d)?": (["ERROR: Access is denied."], 1), "verify-query": (AFTER, 0)}
    result, _recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)}), Windows(stuck)])
    assert result["failed"] and "could not be unloaded" in result["msg"] and "still loaded" in result["msg"]
    stuck_read = {"query": (BEFORE, 0), r"unload(\.\d)?": (["ERROR: Access is denied."], 1)}
    result, recorder = run_action(Bcd, TASK, [Windows(stuck_read)])
    assert result["failed"] and "still loaded" in result["msg"] and len(recorder.scripts) == 1   # no write


def test_a_write_that_verifies_wrong_is_undone_in_the_same_run():
    half = store_objects(MOUNT, {"23000003": DEFAULT, "25000004": ("REG_BINARY", "0A00000000000000")},
                         {"16000048": ("REG_BINARY", "01"), "250000e0": ("REG_BINARY", "0000000000000000")})
    undo = Windows({"verify-query": (BEFORE, 0)})
    result, recorder = run_action(Bcd, TASK, [Windows({"query": (BEFORE, 0)}), Windows({"verify-query": (half, 0)}),
                                              undo])
    assert result["failed"] and "does not show the planned values" in result["msg"]
    assert "original values were put back and verified" in result["msg"] and len(recorder.scripts) == 3
    assert f"'/store' '{STORE}' '/set' '{BOOTMGR}' 'timeout' '30'" in recorder.scripts[2]
    assert [step for step, _line in undo.seen if step.startswith("change.")] == ["change.1"]
