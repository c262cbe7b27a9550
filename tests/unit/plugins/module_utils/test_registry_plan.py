"""Control sets, key paths, value data and the plan of offline_registry."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _registry_plan as rp
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import KeyQuery
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import parse
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import add_data, parse_data, raw_bytes

SELECT = parse("\n".join(["", r"HKEY_LOCAL_MACHINE\m\Select", "    Current    REG_DWORD    0x2",
                          "    Default    REG_DWORD    0x1", "    LastKnownGood    REG_DWORD    0x3", ""])).key(r"HKLM\m\Select")
EXISTING = ["ControlSet001", "ControlSet002"]


def test_control_set_resolution():
    assert rp.resolve_control_sets("current", SELECT, EXISTING) == ["ControlSet002"]
    assert rp.resolve_control_sets("default", SELECT, EXISTING) == ["ControlSet001"]
    assert rp.resolve_control_sets("all", SELECT, EXISTING) == EXISTING
    assert rp.resolve_control_sets(rp.normalize_option(["controlset001", 2]), SELECT, EXISTING) == EXISTING
    with pytest.raises(VmrescueError, match="ControlSet003 not present"):
        rp.resolve_control_sets(["ControlSet003"], SELECT, EXISTING)
    no_current = parse("\n".join(["", r"HKEY_LOCAL_MACHINE\m\Select", "    Current    REG_DWORD    0x0",
                                  "    Default    REG_DWORD    0x1"])).key(r"HKLM\m\Select")
    assert rp.resolve_control_sets("current", no_current, EXISTING) == ["ControlSet001"]
    with pytest.raises(VmrescueError, match="Select"):
        rp.resolve_control_sets("current", None, EXISTING)
    with pytest.raises(VmrescueError, match="control_sets takes"):
        rp.normalize_option(["CurrentControlSet"])


def test_existing_control_sets_from_the_root_listing():
    assert rp.existing_control_sets(["Select", "controlset002", "ControlSet001", "Setup", "ControlSet1"]) == EXISTING


def test_keys_expand_only_when_relative_to_currentcontrolset():
    assert rp.expand_key(r"CurrentControlSet\Services\x", EXISTING) == \
        [r"ControlSet001\Services\x", r"ControlSet002\Services\x"]
    assert rp.expand_key(r"currentcontrolset", ["ControlSet002"]) == ["ControlSet002"]
    assert rp.expand_key(r"\Select\\"[:-1], EXISTING) == ["Select"]
    for bad in ("", "\\", r"HKLM\SYSTEM\Select", r"a\\b", None):
        with pytest.raises(VmrescueError):
            rp.split_key(bad)


@pytest.mark.parametrize("type_name,given,data,text", [
    ("REG_DWORD", 2, 2, "0x2"), ("REG_DWORD", "0xFFFFFFFF", 0xFFFFFFFF, "0xffffffff"),
    ("REG_QWORD", "18446744073709551615", (1 << 64) - 1, "0xffffffffffffffff"),
    ("REG_BINARY", "01 FF", b"\x01\xff", "01ff"), ("REG_BINARY", [0, 255], b"\x00\xff", "00ff"),
    ("REG_BINARY", "", b"", ""), ("REG_SZ", "", "", ""), ("REG_EXPAND_SZ", "%SystemRoot%\\x", "%SystemRoot%\\x",
                                                          "%SystemRoot%\\x"),
    ("REG_NONE", "ab", "ab\0".encode("utf-16-le"), "ab"),
])
def test_data_formats(type_name, given, data, text):
    assert parse_data(type_name, given, "x") == data
    assert add_data(type_name, data) == (text, None)


def test_multi_string_separator_avoids_the_items():
    assert add_data("REG_MULTI_SZ", ["a|b", "c"]) == ("a|b;c", ";")
    assert add_data("REG_MULTI_SZ", []) == ("", "|")
    with pytest.raises(VmrescueError, match="no separator"):
        add_data("REG_MULTI_SZ", ["|;,#~^!@*+=:"])
    with pytest.raises(VmrescueError, match="empty string"):
        parse_data("REG_MULTI_SZ", ["a", ""], "x")
    assert raw_bytes("REG_MULTI_SZ", ["a"]) == "a\0\0".encode("utf-16-le")


@pytest.mark.parametrize("type_name,given", [("REG_DWORD", 1 << 32), ("REG_DWORD", -1), ("REG_DWORD", "x"),
                                             ("REG_BINARY", "0g"), ("REG_SZ", "a\nb"), ("REG_DWORD", True)])
def test_bad_data(type_name, given):
    with pytest.raises(VmrescueError):
        parse_data(type_name, given, "x")


def _states(text: str, key: str, rc: int = 0, recurse: bool = False) -> dict[str, rp.KeyState]:
    return rp.key_state(KeyQuery("key.1", key, recurse), rc, text, "m", parse)


CRASH = "\n".join(["", r"HKEY_LOCAL_MACHINE\m\ControlSet001\Control\CrashControl",
                   "    CrashDumpEnabled    REG_DWORD    0x7", "    DumpFile    REG_EXPAND_SZ    %SystemRoot%\\MEMORY.DMP",
                   "    Old    REG_SZ    x", "", r"HKEY_LOCAL_MACHINE\m\ControlSet001\Control\CrashControl\Sub", ""])


def test_key_state_without_recursion_does_not_invent_subkey_values():
    states = _states(CRASH, r"ControlSet001\Control\CrashControl")
    assert list(states) == [r"controlset001\control\crashcontrol"]
    assert states[r"controlset001\control\crashcontrol"].subkeys == ["Sub"]
    assert _states("", r"ControlSet001\Nope", rc=1)[r"controlset001\nope"].exists is False


def test_plan_is_type_exact_and_idempotent():
    states = _states(CRASH, r"ControlSet001\Control\CrashControl")
    states.update(_states("", r"ControlSet001\Services\foo", rc=1))
    values, keys = rp.parse_requests([
        {"key": r"CurrentControlSet\Control\CrashControl", "name": "CrashDumpEnabled", "type": "dword", "data": 7},
        {"key": r"CurrentControlSet\Control\CrashControl", "name": "dumpfile", "type": "string",
         "data": "%SystemRoot%\\MEMORY.DMP"},
        {"key": r"CurrentControlSet\Control\CrashControl", "name": "Old", "state": "absent"},
        {"key": r"CurrentControlSet\Services\foo", "name": "Start", "state": "absent"},
    ], [{"key": r"CurrentControlSet\Services\foo", "state": "present"}], ["ControlSet001"])
    the_plan = rp.plan(values, keys, states)
    assert [(c.action, c.key, c.name, c.reg_type) for c in the_plan.changes] == [
        ("add-key", r"ControlSet001\Services\foo", None, None),
        ("add-value", r"ControlSet001\Control\CrashControl", "dumpfile", "REG_SZ"),    # REG_EXPAND_SZ != REG_SZ
        ("delete-value", r"ControlSet001\Control\CrashControl", "Old", None),
    ]
    assert rp.value_report(values[1], states, None)["before"] == {"type": "REG_EXPAND_SZ",
                                                                  "data": "%SystemRoot%\\MEMORY.DMP"}
    assert rp.journal_original(states, r"ControlSet001\Control\CrashControl", "CRASHDUMPENABLED") == \
        (True, "REG_DWORD", "07000000")
    problems = rp.mismatches(the_plan, states)
    assert len(problems) == 3 and "REG_EXPAND_SZ" in problems[0]


def test_conflicts_are_refused():
    with pytest.raises(VmrescueError, match="to be absent"):
        rp.parse_requests([{"key": r"Services\x", "name": "A", "type": "dword", "data": 1}],
                          [{"key": "Services", "state": "absent"}], [])
    with pytest.raises(VmrescueError, match="twice"):
        rp.parse_requests([{"key": "K", "name": "A", "type": "dword", "data": 1},
                           {"key": "k", "name": "a", "type": "dword", "data": 2}], [], [])
    with pytest.raises(VmrescueError, match="needs a type"):
        rp.parse_requests([{"key": "K", "name": "A", "data": 1}], [], [])


def test_multi_string_items_with_the_item_separator_text_are_refused():
    from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
    from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import parse_data
    import pytest
    assert parse_data("REG_MULTI_SZ", ["C:\\1day", "x"], "v") == ["C:\\1day", "x"]
    with pytest.raises(VmrescueError, match="cannot contain"):
        parse_data("REG_MULTI_SZ", ["C:\\0day", "x"], "v")
