"""The journal keeps the first record; the safety check refuses the recovery VM's own system."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target, json_objects


def test_first_record_wins_and_survives_a_round_trip():
    journal = _journal.parse(None)
    assert _journal.record_bcd(journal, r"F:\boot\BCD", "{A}", 0x25000004, True, "REG_BINARY", "1e00000000000000")
    assert not _journal.record_bcd(journal, r"f:\BOOT\bcd", "{a}", 0x25000004, True, "REG_BINARY", "0a00000000000000")
    assert _journal.record_registry_value(journal, r"F:\W\SYSTEM", r"ControlSet001\X", "Start", False, None, None)
    assert not _journal.record_registry_value(journal, r"F:\W\SYSTEM", r"controlset001\x", "START", True, "REG_DWORD", "00")
    assert _journal.record_registry_key(journal, r"F:\W\SYSTEM", r"ControlSet001\Y", True)
    again = _journal.parse("\ufeff" + _journal.render(journal) + "\r\n")     # PS 5.1 writes a BOM and a newline
    assert _journal.bcd_record(again, r"F:\boot\BCD", "{a}", 0x25000004)["data"] == "1e00000000000000"
    assert _journal.registry_value_record(again, r"f:\w\system", r"ControlSet001\X", "start") == \
        {"present": False, "type": None, "data": None, "name": "Start", "key": "ControlSet001\\X"}
    assert again["registry"][r"f:\w\system"]["keys"][r"controlset001\y"] == {"present": True, "key": r"ControlSet001\Y"}
    assert "\n" not in _journal.render(journal) and _journal.render(journal).isascii()


def test_bad_journal_is_not_overwritten():
    with pytest.raises(VmrescueError, match="not valid JSON"):
        _journal.parse("{oops")
    with pytest.raises(VmrescueError, match="unknown format"):
        _journal.parse(json.dumps({"format": 3}))


DISKS = [{"Number": 0, "IsSystem": True, "IsBoot": True}, {"Number": 1, "IsSystem": False, "IsBoot": False}]
PARTS = [
    {"DiskNumber": 0, "PartitionNumber": 1, "DriveLetter": "\u0000", "IsSystem": True, "IsBoot": False},
    {"DiskNumber": 0, "PartitionNumber": 2, "DriveLetter": "C", "IsSystem": False, "IsBoot": True},
    {"DiskNumber": 1, "PartitionNumber": 1, "DriveLetter": "E", "IsSystem": False, "IsBoot": False},
    {"DiskNumber": 1, "PartitionNumber": 2, "DriveLetter": "F", "IsSystem": False, "IsBoot": False},
]


def test_attached_disk_is_accepted():
    check_offline_target(r"F:\Windows\System32\config\SYSTEM", "hive", True, DISKS, PARTS)
    check_offline_target(r"e:\boot\BCD", "BCD store", True, DISKS, PARTS)


@pytest.mark.parametrize("path,exists,message", [
    (r"C:\Windows\System32\config\SYSTEM", True, "running system's registry"),
    (r"C:\boot\BCD", True, "recovery VM's own running system"),
    (r"F:\boot\BCD", False, "does not exist"),
    (r"G:\boot\BCD", True, "not a partition Windows lists"),
    (r"\\server\share\BCD", True, "drive-letter path"),
    (r"F:\x\..\..\BCD", True, "drive-letter path"),
    (r"boot\BCD", True, "drive-letter path"),
])
def test_refusals(path, exists, message):
    with pytest.raises(VmrescueError, match=message):
        check_offline_target(path, "target", exists, DISKS, PARTS)


def test_a_boot_disk_that_is_not_the_system_disk_is_refused():
    disks = [dict(DISKS[0]), {"Number": 1, "IsSystem": False, "IsBoot": True}]
    with pytest.raises(VmrescueError, match="own running system"):
        check_offline_target(r"F:\boot\BCD", "BCD store", True, disks, PARTS)


def test_convert_to_json_shapes():
    assert json_objects("") == []
    assert json_objects('{"Number":1}') == [{"Number": 1}]
    assert json_objects('[{"Number":1},{"Number":2}]') == [{"Number": 1}, {"Number": 2}]
    with pytest.raises(VmrescueError):
        json_objects("Get-Disk : not recognized")
