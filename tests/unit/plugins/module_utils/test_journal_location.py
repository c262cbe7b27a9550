"""Journal format 2: files by volume identity, the journal's path rules, and which format-1 records can be mapped."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._journal_location import (
    adopt_format1, other_records, places,
)

DISK = "{aaaaaaaa-0000-0000-0000-000000000001}"
OS_PART, ESP_PART = "{bbbbbbbb-0000-0000-0000-000000000002}", "{cccccccc-0000-0000-0000-000000000003}"
DISKS = [{"Number": 0, "IsSystem": True, "IsBoot": True, "PartitionStyle": 2,
          "Guid": "{dddddddd-0000-0000-0000-0000000000ff}"},
         {"Number": 1, "IsSystem": False, "IsBoot": False, "PartitionStyle": 2, "Guid": DISK.upper()}]


def partitions(os_letter: str, esp_letter: str | None) -> list[dict]:
    return [{"DiskNumber": 0, "DriveLetter": "C", "Guid": "{eeeeeeee-0000-0000-0000-000000000001}", "Offset": 0},
            {"DiskNumber": 1, "DriveLetter": os_letter, "Guid": OS_PART, "Offset": 1},
            {"DiskNumber": 1, "DriveLetter": esp_letter or "\u0000", "Guid": ESP_PART, "Offset": 2}]


SYSTEM = "windows\\system32\\config\\system"
STORE = "efi\\microsoft\\boot\\bcd"


def test_records_follow_the_volume_not_the_letter():
    before = places("F:\\Windows\\System32\\config\\SYSTEM", "hive", "F:\\vmrescue\\journal.json", DISKS,
                    partitions("F", "S"))
    journal = _journal.empty()
    _journal.record_registry_value(journal, before.target.key, "ControlSet001\\Control\\CrashControl", "AutoReboot",
                                   True, "REG_DWORD", "01000000")
    again = _journal.parse(_journal.render(journal))
    after = places("G:\\Windows\\System32\\config\\SYSTEM", "hive", "G:\\vmrescue\\journal.json", DISKS,
                   partitions("G", "T"))
    assert after.target.key == before.target.key == f"gpt:{DISK}:{OS_PART}|{SYSTEM}"
    assert _journal.registry_value_record(again, after.target.key, "controlset001\\control\\crashcontrol",
                                          "autoreboot")["data"] == "01000000"
    assert other_records(again, "registry", after, DISKS, partitions("G", "T")).unmapped == []


@pytest.mark.parametrize("journal_path,message", [
    ("C:\\vmrescue\\journal.json", "not on the disk"),         # the recovery VM's own disk
    ("Q:\\journal.json", "drive Q: is not a partition"),     # no such volume (a mapped share, say)
])
def test_the_journal_must_be_on_the_broken_disk(journal_path, message):
    with pytest.raises(VmrescueError, match=message):
        places("F:\\Windows\\System32\\config\\SYSTEM", "hive", journal_path, DISKS, partitions("F", "S"))


def test_the_journal_may_be_on_another_partition_of_the_broken_disk():
    where = places("F:\\Windows\\System32\\config\\SYSTEM", "hive", "S:\\vmrescue.json", DISKS, partitions("F", "S"))
    assert where.journal is not None and where.journal.volume.endswith(ESP_PART)


def _format1(section: str, records: dict) -> dict:
    return _journal.parse(json.dumps({"format": 1, "bcd": {}, "registry": {}, section: records}))


def test_a_format1_record_is_mapped_by_its_path_below_the_drive_after_new_letters():
    journal = _format1("bcd", {"z:\\efi\\microsoft\\boot\\bcd": {"{x}": {"25000004": {"present": False}}}})
    where = places("T:\\EFI\\Microsoft\\Boot\\BCD", "BCD store", "G:\\vmrescue\\journal.json", DISKS,
                   partitions("G", "T"))
    adopt_format1(journal, "bcd", where)
    assert _journal.bcd_store_records(journal, where.target.key) == {"{x}": {"25000004": {"present": False}}}
    assert other_records(journal, "bcd", where, DISKS, partitions("G", "T")).unmapped == []
    rendered = json.loads(_journal.render(journal))
    assert rendered["format"] == 2 and "format1" not in rendered and rendered["drivers"] == {}


def test_an_older_format1_record_wins_over_a_format2_one():
    where = places("F:\\Windows\\System32\\config\\SYSTEM", "hive", "F:\\j.json", DISKS, partitions("F", "S"))
    journal = _format1("registry", {"f:\\windows\\system32\\config\\system": {"values": {"k": {"v": {
        "present": True, "type": "REG_DWORD", "data": "01000000", "name": "V", "key": "K"}}}}})
    _journal.record_registry_value(journal, where.target.key, "K", "V", True, "REG_DWORD", "09000000")
    _journal.record_registry_value(journal, where.target.key, "K", "W", False, None, None)
    adopt_format1(journal, "registry", where)
    values = _journal.registry_hive_records(journal, where.target.key)["values"]["k"]
    assert values["v"]["data"] == "01000000" and values["w"]["present"] is False


def test_an_ambiguous_format1_record_fails_naming_both():
    journal = _format1("bcd", {"e:\\boot\\bcd": {}, "s:\\boot\\bcd": {}})
    where = places("S:\\boot\\BCD", "BCD store", "F:\\j.json", DISKS, partitions("F", "S"))
    with pytest.raises(VmrescueError, match=r"e:\\boot\\bcd, s:\\boot\\bcd"):
        adopt_format1(journal, "bcd", where)


def test_records_that_cannot_be_mapped_are_named_and_others_are_pointed_to():
    journal = _format1("bcd", {"c:\\boot\\bcd": {"{x}": {}}})
    gone_volume = "gpt:{99999999-0000-0000-0000-000000000000}:{1}|boot\\bcd"
    journal["bcd"][gone_volume] = {"{x}": {}}
    journal["bcd"][f"gpt:{DISK}:{OS_PART}|boot\\bcd"] = {"{x}": {}}
    where = places("S:\\EFI\\Microsoft\\Boot\\BCD", "BCD store", "F:\\j.json", DISKS, partitions("F", "S"))
    adopt_format1(journal, "bcd", where)
    found = other_records(journal, "bcd", where, DISKS, partitions("F", "S"))
    assert [text.split(" ")[0] for text in found.unmapped] == ["c:\\boot\\bcd", gone_volume]
    assert found.elsewhere == ["F:\\boot\\bcd"]
    # the EFI partition without a letter: its records cannot be mapped either
    esp_record = _journal.empty()
    esp_record["bcd"][where.target.key] = {"{x}": {}}
    other = places("F:\\Windows\\System32\\config\\SYSTEM", "hive", "F:\\j.json", DISKS, partitions("F", None))
    assert len(other_records(esp_record, "bcd", other, DISKS, partitions("F", None)).unmapped) == 1


def test_unknown_top_level_sections_are_kept():
    journal = _journal.parse(json.dumps({"format": 2, "bcd": {}, "registry": {}, "drivers": {"k": {"x": 1}},
                                         "later": {"y": 2}}))
    assert json.loads(_journal.render(journal))["later"] == {"y": 2}
