"""Target paths: a path of the wrong shape is refused before any remote command; the disk decides the rest."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.tests.unit.plugins.action.action_harness import run_action
from ansible_collections.vmrescue.windows.plugins.action.bcd import ActionModule as Bcd
from ansible_collections.vmrescue.windows.plugins.action.bcd_info import ActionModule as BcdInfo
from ansible_collections.vmrescue.windows.plugins.action.offline_registry import ActionModule as Registry
from ansible_collections.vmrescue.windows.plugins.action.offline_registry_info import ActionModule as RegistryInfo
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target

BAD_PATHS = ["\\\\server\\share\\BCD", "boot\\BCD", "F:boot\\BCD", "F:\\boot\\..\\..\\Windows\\BCD", "/mnt/f/BCD"]
VALUE = {"key": "CurrentControlSet\\Control\\CrashControl", "name": "AutoReboot", "type": "dword", "data": 0}


@pytest.mark.parametrize("path", BAD_PATHS)
@pytest.mark.parametrize("action, args", [
    (Bcd, lambda p: {"store": p, "objects": [{"id": "{bootmgr}", "set": {"timeout": 10}}]}),
    (BcdInfo, lambda p: {"store": p}),
    (Registry, lambda p: {"hive": p, "values": [VALUE]}),
    (RegistryInfo, lambda p: {"hive": p, "keys": ["Select"]}),
])
def test_bad_paths_fail_before_any_remote_command(action, args, path):
    result, recorder = run_action(action, args(path), [])
    assert result["failed"] and "absolute drive-letter path" in result["msg"]
    assert recorder.scripts == []


@pytest.mark.parametrize("action", [Bcd, Registry])
def test_a_journal_path_of_the_wrong_shape_fails_before_any_remote_command(action):
    args = ({"store": "F:\\boot\\BCD", "objects": [{"id": "{bootmgr}", "set": {"timeout": 10}}]} if action is Bcd
            else {"hive": "F:\\Windows\\System32\\config\\SYSTEM", "values": [VALUE]})
    result, recorder = run_action(action, dict(args, journal="journal.json"), [])
    assert result["failed"] and "journal" in result["msg"] and recorder.scripts == []


DISKS = [{"Number": 0, "IsSystem": True, "IsBoot": True}, {"Number": 1, "IsSystem": False, "IsBoot": False}]


def test_an_attached_disks_efi_partition_flagged_system_is_still_the_attached_disk():
    # Windows may flag every EFI system partition as a system partition; the disk is what tells them apart.
    partitions = [{"DiskNumber": 1, "PartitionNumber": 1, "DriveLetter": "S", "IsSystem": True, "IsBoot": False}]
    check_offline_target("S:\\EFI\\Microsoft\\Boot\\BCD", "BCD store", True, DISKS, partitions)


def test_a_partition_on_the_system_disk_is_refused_whatever_its_flags():
    partitions = [{"DiskNumber": 0, "PartitionNumber": 1, "DriveLetter": "S", "IsSystem": False, "IsBoot": False}]
    with pytest.raises(VmrescueError, match="own running system"):
        check_offline_target("S:\\EFI\\Microsoft\\Boot\\BCD", "BCD store", True, DISKS, partitions)


def test_the_json_of_one_partition_is_an_object_not_a_list():
    from ansible_collections.vmrescue.windows.plugins.module_utils._safety import json_objects
    assert json_objects(json.dumps(DISKS[0])) == [DISKS[0]]
    with pytest.raises(VmrescueError):
        json_objects("[1, 2]")
