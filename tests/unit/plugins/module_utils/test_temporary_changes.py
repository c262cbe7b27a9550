"""Planning a collision's temporary identity, the record of temporary changes, and the undo plan (pure logic)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._disk_collision import plan
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import parse_layout
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import (
    AccessPath, IdentityChange, Record, parse,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_undo import plan_undo, problems_after


def layout(*disks, partitions=()):
    return parse_layout(json.dumps(list(disks)), json.dumps(list(partitions)), "")


def mbr(number, signature, own=False, offline=False, reason=None):
    return {"Number": number, "IsOffline": offline, "OfflineReason": reason, "IsSystem": own, "IsBoot": own,
            "PartitionStyle": 1, "Signature": signature, "Guid": None}


def test_an_mbr_collision_with_the_own_disk_plans_a_fresh_signature_for_the_own_disk():
    found = layout(mbr(0, 0xABCD, own=True), mbr(1, 0xABCD, offline=True, reason=4), mbr(2, 0x77))
    change = plan(found, [found.disks[1]])
    assert (change.disk_number, change.style, change.original, change.attached_identity) == (0, "MBR", 0xABCD, 0xABCD)
    assert isinstance(change.temporary, int) and change.temporary not in (0, 0xABCD, 0x77)


def test_a_policy_offline_disk_with_a_twin_online_is_a_collision_too():
    found = layout(mbr(0, 5, own=True), mbr(1, 5, offline=True, reason=1))
    assert plan(found, [found.disks[1]]).original == 5


def test_nothing_to_plan_without_a_collision():
    found = layout(mbr(0, 5, own=True), mbr(1, 6, offline=True, reason=1))
    assert plan(found, [found.disks[1]]) is None


@pytest.mark.parametrize("disks", [
    [mbr(0, 1, own=True), mbr(1, 9, offline=True, reason=4), mbr(2, 9)],          # twin is another attached disk
    [mbr(0, 1, own=True), mbr(1, 9, offline=True, reason=4)],                     # reported, no twin listed
    [mbr(0, 9, own=True), mbr(1, 9, offline=True, reason=4), mbr(2, 9, offline=True, reason=4)],   # two at once
])
def test_collisions_the_own_disk_cannot_absorb_are_refused(disks):
    found = layout(*disks)
    with pytest.raises(VmrescueError, match="Nothing was changed"):
        plan(found, [d for d in found.disks if d.offline])


def test_a_record_round_trips_and_a_damaged_one_is_a_clear_error():
    record = Record().with_letter(AccessPath(1, 1, "Z"))
    assert parse("\ufeff" + record.render()) == record and parse(None) == Record() and parse("") == Record()
    for text in ("{", '{"format": 2}', '{"format": 1, "letters": [{"drive": "ZZ"}]}'):
        with pytest.raises(VmrescueError, match="cannot be read"):
            parse(text)


def test_the_undo_plan_takes_only_letters_still_where_they_were_given():
    found = layout(mbr(0, 1, own=True), mbr(1, 2), partitions=[
        {"DiskNumber": 1, "PartitionNumber": 1, "DriveLetter": "Z"},
        {"DiskNumber": 1, "PartitionNumber": 2, "DriveLetter": "Y"}])
    record = Record(letters=(AccessPath(1, 1, "Z"), AccessPath(1, 2, "X")))
    undo = plan_undo(record, found)
    assert undo.letters == (AccessPath(1, 1, "Z"),) and undo.already_released == (AccessPath(1, 2, "X"),)
    assert problems_after(undo, found) == ["the drive letter Z: is still on partition 1 of disk 1"]


def test_an_own_disk_with_an_unknown_identity_is_not_guessed_at():
    found = layout(mbr(0, 1, own=True), mbr(1, 9, offline=True, reason=4))
    change = IdentityChange(disk_number=0, style="MBR", original=9, temporary=7, attached_disk_number=1,
                            attached_identity=9)
    with pytest.raises(VmrescueError, match="refusing to guess"):
        plan_undo(Record(identity=change), found)
    assert plan_undo(Record(identity=change), layout(mbr(0, 7, own=True), mbr(1, 9))).take_offline == 1
