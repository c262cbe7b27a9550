"""BCD codecs, user values, and the store model built from real stores' registry view."""

from __future__ import annotations

import pytest
from ansible_collections.vmrescue.windows.tests.unit.plugins.hive_text import real_store, reg_query_s

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_values import (
    bcdedit_arguments, decode, display, parse_value, resolve_element,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import parse

LOADER, BOOTMGR, GLOBAL = 0x10200003, 0x10100002, 0x20100000


def _no_objects(text):
    raise AssertionError("no object reference expected")


@pytest.mark.parametrize("raw,expected", [(b"\x01", True), (b"\x00", False), (b"\x01\x00\x00\x00", True),
                                          (b"", False), (b"\x02", True)])
def test_boolean_reading_is_tolerant(raw, expected):
    assert decode(0x16000020, "REG_BINARY", raw) is expected


def test_integers_are_little_endian_and_short_ones_zero_extended():
    assert decode(0x25000004, "REG_BINARY", bytes.fromhex("1e00000000000000")) == 30
    assert decode(0x15000023, "REG_BINARY", bytes.fromhex("00c2010000000000")) == 115200
    assert decode(0x25000004, "REG_BINARY", b"\x05") == 5
    assert decode(0x1700000A, "REG_BINARY", bytes(8) + (7).to_bytes(8, "little")) == [0, 7]


def test_objects_compare_lower_case():
    assert decode(0x23000003, "REG_SZ", "{ABC00000-0000-0000-0000-000000000000}") == \
        "{abc00000-0000-0000-0000-000000000000}"


@pytest.mark.parametrize("given", [True, "yes", "On", "TRUE", 1, "1"])
def test_boolean_spellings(given):
    ref = resolve_element(BOOTMGR, "displaybootmenu", "{bootmgr}")
    assert parse_value(ref, given, "x", _no_objects) is True
    assert bcdedit_arguments(ref, True) == ["Yes"]


@pytest.mark.parametrize("given", ["maybe", 2, None, [True]])
def test_bad_booleans(given):
    ref = resolve_element(BOOTMGR, "displaybootmenu", "{bootmgr}")
    with pytest.raises(VmrescueError, match="takes a boolean"):
        parse_value(ref, given, "displaybootmenu", _no_objects)


@pytest.mark.parametrize("element,given,number,arg", [
    ("safeboot", "minimal", 0, "Minimal"), ("safeboot", "NETWORK", 1, "Network"), ("safeboot", "DsRepair", 2, "DsRepair"),
    ("bootstatuspolicy", "ignoreallfailures", 1, "IgnoreAllFailures"),
    ("integrityservices", "Disable", 2, "Disable"), ("nx", "optout", 1, "OptOut"),
    ("bootmenupolicy", "legacy", 0, "Legacy"), ("hypervisorlaunchtype", "auto", 1, "Auto"),
    ("debugtype", "serial", 0, "Serial"), ("safeboot", 1, 1, "Network"),
])
def test_enums_by_name_any_case(element, given, number, arg):
    ref = resolve_element(LOADER, element, "{default}")
    value = parse_value(ref, given, element, _no_objects)
    assert value == number
    assert bcdedit_arguments(ref, value) == [arg]
    assert display(ref, value) == arg


def test_enum_typo_suggests_the_nearest_names():
    ref = resolve_element(LOADER, "safeboot", "{default}")
    with pytest.raises(VmrescueError, match="Did you mean: Minimal") as caught:
        parse_value(ref, "minimla", "safeboot", _no_objects)
    assert caught.value.details["suggestions"] == ["Minimal"]


def test_integers():
    ref = resolve_element(BOOTMGR, "timeout", "{bootmgr}")
    assert parse_value(ref, "0x1E", "timeout", _no_objects) == 30
    assert bcdedit_arguments(ref, 30) == ["30"]
    for bad in (-1, "ten", 1 << 64, True):
        with pytest.raises(VmrescueError):
            parse_value(ref, bad, "timeout", _no_objects)


def test_element_names_any_case_custom_and_suggestions():
    assert resolve_element(BOOTMGR, "DisplayBootMenu", "x").code == 0x26000020
    assert resolve_element(LOADER, "custom:250000C2", "x").bcdedit_name == "bootmenupolicy"
    assert resolve_element(LOADER, "custom:1600007e", "x").bcdedit_name == "custom:1600007e"
    with pytest.raises(VmrescueError, match="Did you mean: displaybootmenu") as caught:
        resolve_element(BOOTMGR, "displaybootmnu", "{bootmgr}")
    assert "{bootmgr}" in caught.value.msg
    with pytest.raises(VmrescueError, match="does not apply"):
        resolve_element(GLOBAL, "custom:26000020", "{globalsettings}")
    with pytest.raises(VmrescueError, match="unknown element 'timeout'"):
        resolve_element(LOADER, "timeout", "{default}")     # a boot manager element, not a loader one


def test_strings_refuse_line_breaks_and_devices_are_not_written():
    ref = resolve_element(LOADER, "description", "x")
    assert parse_value(ref, "Windows 'Server' $(x)", "description", _no_objects) == "Windows 'Server' $(x)"
    with pytest.raises(VmrescueError, match="control characters"):
        parse_value(ref, "a\nb", "description", _no_objects)
    with pytest.raises(VmrescueError, match="does not write device"):
        parse_value(resolve_element(LOADER, "osdevice", "x"), "partition=C:", "osdevice", _no_objects)


def _store(name: str) -> BcdStore:
    text = reg_query_s(real_store(name), "vmrescue_test", "Objects")
    return BcdStore.from_query(parse(text), r"HKLM\vmrescue_test\Objects")


@pytest.mark.parametrize("name,default", [
    ("regipy-uefi-BCD", "{733b62e5-f608-11eb-825c-c112f60133ab}"),
    ("windeploy-bios-BCD", "{1b67bffd-e290-11eb-8ffa-f459a0d9b879}"),
    ("windeploy-efi-BCD", "{d65367c7-3fb7-11ec-8288-eab76d76405a}"),
    ("winefi-esp/EFI/Microsoft/Boot/BCD", "{347518e1-f3cc-11ea-911e-c7eaa7d84b6c}"),
])
def test_real_stores_resolve_default_through_bootmgr(name, default):
    store = _store(name)
    assert store.default_guid() == default
    loader = store.resolve("{DEFAULT}")
    assert loader.guid == default and loader.type == LOADER
    assert store.resolve("{bootmgr}").value(0x25000004) == 30
    with pytest.raises(VmrescueError, match=r"\{current\}.*Use \{default\}"):
        store.resolve("{current}")


def test_real_store_describe_and_errors():
    store = _store("regipy-uefi-BCD")
    described = store.describe(store.resolve("{default}"))
    assert described["type"] == "10200003" and described["type_name"] == "Windows Boot Loader"
    assert described["elements"]["bootmenupolicy"] == "Standard"
    assert described["elements"]["resumeobject"] == "{733b62e4-f608-11eb-825c-c112f60133ab}"
    assert described["raw"]["250000c2"] == {"type": "REG_BINARY", "data": "0100000000000000"}
    assert store.describe(store.resolve("{emssettings}"))["elements"] == {"bootems": False}
    with pytest.raises(VmrescueError, match="Did you mean: {bootmgr}"):
        store.resolve("{bootmanager}")
    with pytest.raises(VmrescueError, match="no object"):
        store.resolve("{00000000-0000-0000-0000-000000000000}")
    efi_only = _store("windeploy-efi-BCD")
    with pytest.raises(VmrescueError, match="no {emssettings} object"):
        efi_only.resolve("{emssettings}")
