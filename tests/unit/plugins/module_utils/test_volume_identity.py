# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Locations by volume identity: the same file keeps its key when the recovery VM's drive letters change."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._volume_identity import (
    current_path, disk_identity, locate, same_disk, volume_identity,
)

GPT_DISKS = [
    {"Number": 0, "IsSystem": True, "IsBoot": True, "PartitionStyle": 2, "Signature": None,
     "Guid": "{11111111-1111-1111-1111-111111111111}"},
    {"Number": 1, "IsSystem": False, "IsBoot": False, "PartitionStyle": 2, "Signature": None,
     "Guid": "{A0A0A0A0-0000-4000-8000-00000000000A}"},
]
MBR_DISKS = [{"Number": 2, "PartitionStyle": 1, "Signature": 0x1234ABCD, "Guid": None}]


def _partitions(os_letter: str, esp_letter: str | None) -> list[dict]:
    return [
        {"DiskNumber": 0, "PartitionNumber": 3, "DriveLetter": "C", "Offset": 1048576,
         "Guid": "{22222222-2222-2222-2222-222222222222}"},
        {"DiskNumber": 1, "PartitionNumber": 1, "DriveLetter": esp_letter or "\0", "Offset": 1048576,
         "Guid": "{E5E5E5E5-0000-4000-8000-00000000000E}"},
        {"DiskNumber": 1, "PartitionNumber": 3, "DriveLetter": os_letter, "Offset": 122683392,
         "Guid": "{05050505-0000-4000-8000-000000000005}"},
        {"DiskNumber": 2, "PartitionNumber": 1, "DriveLetter": 72, "Offset": 1048576, "Guid": None},
    ]


def test_a_file_keeps_its_key_when_the_letters_change():
    before = locate("F:\\Windows\\System32\\config\\SYSTEM", "hive", GPT_DISKS, _partitions("F", "Z"))
    after = locate("G:\\windows\\system32\\CONFIG\\system", "hive", GPT_DISKS, _partitions("G", "S"))
    assert before.key == after.key
    assert before.key == ("gpt:{a0a0a0a0-0000-4000-8000-00000000000a}:{05050505-0000-4000-8000-000000000005}"
                          "|windows\\system32\\config\\system")
    assert (before.letter, after.letter) == ("F", "G")
    esp = locate("Z:\\EFI\\Microsoft\\Boot\\BCD", "store", GPT_DISKS, _partitions("F", "Z"))
    assert current_path(esp.volume, esp.relative, GPT_DISKS, _partitions("G", "S")) == "S:\\efi\\microsoft\\boot\\bcd"
    assert current_path(esp.volume, esp.relative, GPT_DISKS, _partitions("G", None)) is None
    assert same_disk(before, esp)


def test_mbr_volumes_are_signature_and_offset():
    location = locate("H:\\boot\\BCD", "store", MBR_DISKS, _partitions("F", None))
    assert location.volume == "mbr:1234abcd:1048576"
    assert disk_identity(MBR_DISKS[0]) == "mbr:1234abcd"
    assert not same_disk(location, locate("C:\\x", "file", GPT_DISKS, _partitions("F", None)))


@pytest.mark.parametrize("disk,partition", [
    ({"PartitionStyle": 1, "Signature": 0}, {"Offset": 1}),                   # an MBR disk without a signature
    ({"PartitionStyle": 1, "Signature": True}, {"Offset": 1}),
    ({"PartitionStyle": 1, "Signature": 5}, {"Offset": None}),
    ({"PartitionStyle": 2, "Guid": ""}, {"Guid": "{x}"}),
    ({"PartitionStyle": 2, "Guid": "{d}"}, {"Guid": None}),
    ({"PartitionStyle": 0}, {}),                                               # RAW
])
def test_no_identity_without_the_facts(disk, partition):
    assert volume_identity(disk, partition) is None


@pytest.mark.parametrize("path", ["Q:\\x", "relative\\path", "\\\\server\\share\\x", ""])
def test_unlisted_or_malformed_paths_fail_clearly(path):
    with pytest.raises(VmrescueError):
        locate(path, "hive", GPT_DISKS, _partitions("F", None))
