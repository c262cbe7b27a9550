"""Planning BCD changes against a real store, and verifying the store read afterwards."""

from __future__ import annotations

import copy

import pytest
from ansible_collections.vmrescue.windows.tests.unit.plugins.hive_text import real_store, reg_query_s

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_plan import mismatches, plan
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore, RawElement
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import parse

LOADER = "{733b62e5-f608-11eb-825c-c112f60133ab}"
BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"


@pytest.fixture
def store() -> BcdStore:
    text = reg_query_s(real_store("regipy-uefi-BCD"), "m", "Objects")
    return BcdStore.from_query(parse(text), r"HKLM\m\Objects")


def test_only_differences_are_planned_with_resolved_guids(store):
    the_plan = plan(store, [
        {"id": "{bootmgr}", "set": {"timeout": 30, "displaybootmenu": "yes", "bootems": True}},
        {"id": "{default}", "set": {"bootmenupolicy": "standard", "recoveryenabled": "on"}, "remove": ["bootlog"]},
    ])
    lines = [(c.action, c.guid, c.element, c.values) for c in the_plan.bcdedit_changes()]
    assert lines == [
        ("set", BOOTMGR, "displaybootmenu", ("Yes",)),
        ("set", BOOTMGR, "bootems", ("Yes",)),
    ]
    report = the_plan.report(store, None)
    assert report[0]["before"] == {"timeout": 30, "displaybootmenu": None, "bootems": None}
    assert report[0]["after"] == {"timeout": 30, "displaybootmenu": True, "bootems": True}
    assert report[1]["guid"] == LOADER and report[1]["after"]["bootlog"] is None


def test_removal_of_a_present_element_and_object_values(store):
    the_plan = plan(store, [{"id": LOADER.upper(), "remove": ["custom:15000066", "recoveryenabled"]},
                            {"id": "{bootmgr}", "set": {"default": "{733B62E6-F608-11EB-825C-C112F60133AB}"}}])
    assert [(c.action, c.element, c.values) for c in the_plan.bcdedit_changes()] == [
        ("deletevalue", "displaymessageoverride", ()), ("deletevalue", "recoveryenabled", ()),
        ("set", "default", ("{733b62e6-f608-11eb-825c-c112f60133ab}",))]


def test_nothing_to_do_plans_nothing(store):
    assert plan(store, [{"id": "{default}", "set": {"nx": "OptIn"}, "remove": ["bootlog"]}]).changes == []


@pytest.mark.parametrize("objects,message", [
    ([{"id": "{current}", "set": {"bootlog": True}}], r"\{default\}"),
    ([{"id": "{default}", "set": {"bootlogg": True}}], "Did you mean: bootlog"),
    ([{"id": "{default}", "set": {"safeboot": "minimum"}}], "Did you mean: Minimal"),
    ([{"id": "{bootmgr}", "set": {"default": "{current}"}}], "running system"),
    ([{"id": "{default}", "set": {"bootlog": True}, "remove": ["bootlog"]}], "conflicting"),
    ([{"id": "{default}", "sett": {}}], "unknown keys"),
    ([{"id": "{default}", "set": {"osdevice": "partition=C:"}}], "device"),
])
def test_bad_input_is_refused_before_anything_is_planned(store, objects, message):
    # a valid first entry proves validation covers the whole list
    with pytest.raises(VmrescueError, match=message):
        plan(store, [{"id": "{bootmgr}", "set": {"timeout": 5}}] + objects)


def test_verification_reports_what_differs(store):
    the_plan = plan(store, [{"id": "{bootmgr}", "set": {"timeout": 10}}, {"id": "{default}", "remove": ["nx"]}])
    after = copy.deepcopy(store)
    assert len(mismatches(the_plan, after)) == 2
    after.objects[BOOTMGR].elements[0x25000004] = RawElement(0x25000004, "REG_BINARY", (10).to_bytes(8, "little"))
    del after.objects[LOADER].elements[0x25000020]
    assert mismatches(the_plan, after) == []
    after.objects[BOOTMGR].elements[0x25000004] = RawElement(0x25000004, "REG_BINARY", (11).to_bytes(8, "little"))
    assert mismatches(the_plan, after) == [f"timeout of {{bootmgr}} ({BOOTMGR}) is 11, expected 10"]
