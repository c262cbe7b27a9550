"""Planning a journal restore: which element goes back through bcdedit, which needs a raw write, what is refused."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_restore import bcdedit_values, element_key, plan
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdObject, BcdStore, RawElement
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_values import ElementRef
from ansible_collections.vmrescue.windows.plugins.module_utils._elements import element_for_code
from ansible_collections.vmrescue.windows.plugins.module_utils._registry_restore import targets
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import raw_bytes, restorable_data

LOADER_TYPE = 0x10200003
GUID = "{11111111-2222-3333-4444-55555555abcd}"
STORE = "E:\\boot\\BCD"


def ref(code: int) -> ElementRef:
    return ElementRef(code, element_for_code(LOADER_TYPE, code))


@pytest.mark.parametrize("code,wanted,before,expected", [
    (0x25000004, ("REG_BINARY", bytes.fromhex("0a00000000000000")), None, ("10",)),                  # timeout
    (0x25000004, ("REG_BINARY", bytes.fromhex("0a000000")), None, None),                              # 4-byte integer
    (0x25000004, ("REG_BINARY", bytes.fromhex("0a00000000000000")), ("REG_BINARY", b"\x01\0\0\0"), None),
    (0x250000e0, ("REG_BINARY", bytes.fromhex("0100000000000000")), None, ("IgnoreAllFailures",)),
    (0x250000e0, ("REG_BINARY", bytes.fromhex("6300000000000000")), None, None),                      # no enum name
    (0x16000048, ("REG_BINARY", b"\x01"), ("REG_BINARY", b"\x00"), ("Yes",)),
    (0x16000048, ("REG_BINARY", bytes.fromhex("010000000400000001000000")), None, None),              # 12-byte bool
    (0x16000048, ("REG_BINARY", b"\x02"), None, None),                                                # not 0/1
    (0x12000004, ("REG_SZ", "Windows 10\0".encode("utf-16-le")), None, ("Windows 10",)),
    (0x12000004, ("REG_SZ", "\0".encode("utf-16-le")), None, None),                                   # empty string
    (0x23000003, ("REG_SZ", (GUID + "\0").encode("utf-16-le")), None, (GUID,)),
    (0x23000003, ("REG_SZ", (GUID.upper() + "\0").encode("utf-16-le")), None, None),                  # bcdedit lowers
    (0x11000001, ("REG_BINARY", bytes(88)), None, None),                                              # device
])
def test_bcdedit_only_when_its_encoding_gives_the_recorded_bytes(code, wanted, before, expected):
    assert bcdedit_values(ref(code), wanted, before) == expected


def _store(elements: dict[int, RawElement]) -> BcdStore:
    return BcdStore({GUID: BcdObject(GUID, LOADER_TYPE, elements)})


def test_plan_chooses_per_element_and_skips_what_is_already_as_recorded():
    journal = _journal.empty()
    _journal.record_bcd(journal, STORE, GUID, 0x25000004, True, "REG_BINARY", "1e000000")
    _journal.record_bcd(journal, STORE, GUID, 0x16000048, False, None, None)
    _journal.record_bcd(journal, STORE, GUID, 0x250000e0, True, "REG_BINARY", "0000000000000000")
    _journal.record_bcd(journal, STORE, GUID, 0x12000004, True, "REG_SZ", "41000000")
    store = _store({0x25000004: RawElement(0x25000004, "REG_BINARY", bytes.fromhex("0a000000")),
                    0x16000048: RawElement(0x16000048, "REG_BINARY", b"\x01"),
                    0x250000e0: RawElement(0x250000e0, "REG_BINARY", bytes.fromhex("0100000000000000")),
                    0x12000004: RawElement(0x12000004, "REG_SZ", "A")})
    by_code = {item.code: item for item in plan(_journal.bcd_store_records(journal, STORE.upper()), store)}
    assert by_code[0x25000004].method == "reg"
    raw = by_code[0x25000004].reg()
    assert (raw.key, raw.name, raw.reg_type, raw.data) == (element_key(GUID, 0x25000004), "Element", "REG_BINARY",
                                                           "1e000000")
    assert by_code[0x16000048].method == "bcdedit" and by_code[0x16000048].bcdedit().action == "deletevalue"
    assert by_code[0x250000e0].bcdedit().values == ("DisplayAllFailures",)
    assert by_code[0x12000004].method is None and by_code[0x12000004].report()["status"] == "already original"
    assert by_code[0x25000004].report()["status"] == "restored"           # as planned


def test_a_gone_object_or_an_unwritable_value_is_reported_and_not_written():
    journal = _journal.empty()
    gone = "{99999999-2222-3333-4444-555555555555}"
    _journal.record_bcd(journal, STORE, gone, 0x25000004, True, "REG_BINARY", "1e00000000000000")
    _journal.record_bcd(journal, STORE, gone, 0x26000020, False, None, None)
    _journal.record_bcd(journal, STORE, GUID, 0x12000004, True, "REG_SZ", "4100")      # no terminator
    store = _store({0x12000004: RawElement(0x12000004, "REG_SZ", "B")})
    items = plan(_journal.bcd_store_records(journal, STORE), store)
    reports = {item.code: item.report() for item in items}
    assert all(item.method is None for item in items)
    assert reports[0x25000004]["status"] == "could not" and "no longer in the store" in reports[0x25000004]["reason"]
    assert reports[0x12000004]["status"] == "could not" and "cannot write back" in reports[0x12000004]["reason"]
    assert reports[0x26000020]["status"] == "already original"          # absent then, absent with its object now


@pytest.mark.parametrize("reg_type,raw,restorable", [
    ("REG_SZ", "abc\0".encode("utf-16-le"), True),
    ("REG_SZ", "abc".encode("utf-16-le"), False),              # no terminator: reg add always writes one
    ("REG_MULTI_SZ", "a\0b\0\0".encode("utf-16-le"), True),
    ("REG_MULTI_SZ", "a\0\0b\0\0".encode("utf-16-le"), False),  # an empty item
    ("REG_DWORD", b"\x01\0\0\0", True),
    ("REG_DWORD", b"\x01", False),
    ("REG_NONE", "x\0".encode("utf-16-le"), True),
    ("REG_NONE", b"\x01\x02\x03", False),
    ("REG_RESOURCE_LIST", b"\x01", False),
])
def test_registry_data_restorable_exactly_or_not(reg_type, raw, restorable):
    data = restorable_data(reg_type, raw)
    assert (data is not None) == restorable
    if restorable:
        assert raw_bytes(reg_type, data) == raw


def test_registry_targets_keep_spelling_and_let_a_created_key_take_its_values_with_it():
    journal = _journal.empty()
    hive = "F:\\Windows\\System32\\config\\SYSTEM"
    _journal.record_registry_value(journal, hive, "ControlSet001\\Control\\CrashControl", "AutoReboot", True,
                                   "REG_DWORD", "01000000")
    _journal.record_registry_key(journal, hive, "ControlSet001\\Services\\New", False)
    _journal.record_registry_value(journal, hive, "ControlSet001\\Services\\New", "Start", False, None, None)
    values, keys, could_not = targets(_journal.registry_hive_records(journal, hive))
    assert could_not == [] and [(v.key, v.name, v.state, v.type, v.data) for v in values] == [
        ("ControlSet001\\Control\\CrashControl", "AutoReboot", "present", "REG_DWORD", 1)]
    assert [(k.key, k.state) for k in keys] == [("ControlSet001\\Services\\New", "absent")]
    _journal.record_registry_value(journal, hive, "X", "Odd", True, "REG_NONE", "0102")
    values, _keys, could_not = targets(_journal.registry_hive_records(journal, hive))
    assert "X\\Odd" not in [f"{v.key}\\{v.name}" for v in values]
    assert [(c["record"], c["status"]) for c in could_not] == [("X\\Odd", "could not")]
    assert "cannot write back exactly" in could_not[0]["reason"]
