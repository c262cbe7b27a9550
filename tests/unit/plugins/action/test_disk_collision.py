"""A colliding disk comes online with its identity intact: the recovery VM's own disk takes a recorded temporary
identity, release puts it back; check mode and unresolvable collisions change nothing (scripted recovery VM)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.plugins.action.offline_disk_info import ActionModule as DiskInfo
from ansible_collections.vmrescue.windows.plugins.action.offline_disk_release import ActionModule as Release
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import RECORD_PATH

from ansible_collections.vmrescue.windows.tests.unit.plugins.action._repair_fake import disk, gen2_machine, make_plugin

SHARED = "{11111111-2222-4333-8444-555555555555}"


def colliding_machine(**kwargs):
    windows = gen2_machine(offline=True, **kwargs)
    windows.disks[0] = disk(0, own=True, identity=SHARED)
    windows.disks[1] = disk(1, offline=True, identity=SHARED, reason=4)
    return windows


def run(plugin_class, windows, args=None, **kwargs):
    return make_plugin(plugin_class, windows, args or {}, **kwargs).run(task_vars={})


def record(windows):
    data = windows.files.get(RECORD_PATH.lower())
    return json.loads(data.decode("utf-8-sig")) if data is not None else None


def test_the_own_disk_takes_a_recorded_temporary_guid_and_release_puts_everything_back():
    windows = colliding_machine()
    info = run(DiskInfo, windows)
    assert not info.get("failed"), info
    own_guid, attached_guid = windows.disks[0]["Guid"], windows.disks[1]["Guid"]
    assert attached_guid == SHARED and own_guid != SHARED and not windows.disks[1]["IsOffline"]
    assert info["temporary_identity"]["temporary"] == own_guid
    saved = record(windows)
    assert saved["identity"]["original"] == SHARED and saved["identity"]["temporary"] == own_guid
    assert saved["letters"] == info["temporary_letters"] != []
    released = run(Release, windows, {"temporary_letters": info["temporary_letters"]})
    assert not released.get("failed"), released
    assert windows.disks[0]["Guid"] == SHARED and windows.disks[1]["Guid"] == SHARED
    assert windows.disks[1]["IsOffline"] and record(windows) is None
    assert windows.commands[-2:] == ["partition-letters", "release-letters"]


def test_the_record_is_written_before_the_identity_changes():
    windows = colliding_machine()
    seen = []
    statement = windows.statement

    def watch(text):
        if text.startswith("Set-Disk") and "-Guid" in text:
            seen.append(record(windows))
        return statement(text)
    windows.statement = watch
    run(DiskInfo, windows)
    assert seen and seen[0]["identity"]["original"] == SHARED


@pytest.mark.parametrize("change_identities, check", [(False, False), (True, True)])
def test_check_mode_changes_no_identity_and_says_why(change_identities, check):
    windows = colliding_machine()
    info = run(DiskInfo, windows, {"change_identities": change_identities}, check=check)
    assert not info.get("failed"), info
    assert windows.disks[0]["Guid"] == SHARED == windows.disks[1]["Guid"] and windows.disks[1]["IsOffline"]
    assert info["windows_drive"] is None and record(windows) is None
    assert any("new identity" in line and "temporary" in line for line in info["skipped_in_check_mode"])


def test_a_collision_with_another_attached_disk_stops_before_any_write():
    windows = colliding_machine()
    windows.disks[0] = disk(0, own=True)
    windows.disks.append(disk(2, identity=SHARED))
    info = run(DiskInfo, windows)
    assert info["failed"] and "another family" in info["msg"] and "Nothing was changed" in info["msg"]
    assert windows.commands == ["disk-discovery"] and windows.disks[1]["IsOffline"]


def test_an_interrupted_run_is_put_back_by_the_next_discovery():
    windows = colliding_machine()
    run(DiskInfo, windows)
    # Killed before release: the next discovery undoes everything, then starts again from the original state.
    info = run(DiskInfo, windows)
    assert not info.get("failed"), info
    assert info["put_back"]["identity"]["original"] == SHARED
    assert windows.commands[-4:] == ["disk-discovery", "release-letters", "disk-prepare", "assign-boot-letter"]
    run(Release, windows)
    assert windows.disks[0]["Guid"] == SHARED and windows.disks[1]["IsOffline"] and record(windows) is None
