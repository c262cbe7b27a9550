"""The element catalogue is consistent: one fact in one place, and each fact agrees with the code's own bits."""

from __future__ import annotations

import collections

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _elements as el


@pytest.mark.parametrize("element", el.ALL_ELEMENTS, ids=lambda e: e.name)
def test_kind_comes_from_the_format_nibble(element):
    assert element.kind == el.KIND_BY_FORMAT[(element.code >> 24) & 0xF]
    assert el.REG_TYPE_BY_KIND[element.kind] in ("REG_SZ", "REG_MULTI_SZ", "REG_BINARY")


@pytest.mark.parametrize("element", el.ALL_ELEMENTS, ids=lambda e: e.name)
def test_class_matches_where_the_element_is_listed(element):
    if element in el.LIBRARY_ELEMENTS:
        assert element.element_class == el.CLASS_LIBRARY and element.group is None
    else:
        assert element.element_class == el.CLASS_APPLICATION and element.group is not None


def test_enums_only_on_integers_with_distinct_names_and_values():
    for element in el.ALL_ELEMENTS:
        if element.enum:
            assert element.kind == "integer", element.name
            names = [n.lower() for n, _value in element.enum]
            values = [v for _name, v in element.enum]
            assert len(set(names)) == len(names) and len(set(values)) == len(values)


def test_names_and_codes_are_unique_per_object_type():
    for object_type in (0x10100002, 0x10200003, 0x10200004, 0x10200005, 0x20100000, 0x20200003):
        valid = el.applicable_elements(object_type)
        names = collections.Counter(e.name for e in valid)
        codes = collections.Counter(e.code for e in valid)
        assert max(names.values()) == 1 and max(codes.values()) == 1, object_type


def test_same_code_means_different_elements_per_application():
    assert el.element_display_name(0x10100002, 0x23000003) == "default"
    assert el.element_display_name(0x10200003, 0x23000003) == "resumeobject"
    assert el.element_display_name(0x20100000, 0x23000003) == "custom:23000003"


def test_application_groups_of_object_types():
    assert el.application_group(0x10100002) == el.GROUP_BOOTMGR
    assert el.application_group(0x10100001) == el.GROUP_BOOTMGR
    assert el.application_group(0x10200003) == el.GROUP_OSLOADER
    assert el.application_group(0x20200003) == el.GROUP_OSLOADER      # {bootloadersettings}, {hypervisorsettings}
    assert el.application_group(0x20100000) is None                   # {globalsettings}-type: library only
    assert el.application_group(0x30000000) is None


def test_code_applicability():
    assert el.code_applies(0x20100000, 0x16000020)          # library anywhere
    assert not el.code_applies(0x20100000, 0x26000020)      # application element on an inherit-any object
    assert el.code_applies(0x30000000, 0x31000003)          # device element on a device object
    assert not el.code_applies(0x10200003, 0x31000003)


def test_aliases_are_braced_lowercase_guids_and_distinct():
    for table in (el.ALIASES, el.VIRTUAL_ALIASES):
        for alias, guid in table.items():
            assert alias.startswith("{") and alias.endswith("}")
            assert el.GUID_PATTERN.match(guid) and guid == guid.lower()
    assert len(set(el.ALIASES.values())) == len(el.ALIASES)
    assert el.ALIASES["{bootmgr}"] == "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"


def test_reference_codes_from_bcd_and_registry_md():
    by_name = {(e.group, e.name): e.code for e in el.ALL_ELEMENTS}
    assert by_name[(el.GROUP_BOOTMGR, "timeout")] == 0x25000004
    assert by_name[(el.GROUP_BOOTMGR, "displaybootmenu")] == 0x26000020
    assert by_name[(None, "bootems")] == 0x16000020
    assert by_name[(None, "integrityservices")] == 0x1500004B
    assert by_name[(el.GROUP_OSLOADER, "safeboot")] == 0x25000080
    assert by_name[(el.GROUP_OSLOADER, "bootstatuspolicy")] == 0x250000E0
    assert by_name[(None, "emsbaudrate")] == 0x15000023
