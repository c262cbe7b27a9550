"""offline_disk_info against a scripted recovery VM: discovery, bringing online, temporary letters, check mode."""

from __future__ import annotations

import json

from ansible_collections.vmrescue.windows.plugins.action.offline_disk_info import ActionModule as DiskInfo
from ansible_collections.vmrescue.windows.plugins.action.offline_disk_release import ActionModule as Release

from ansible_collections.vmrescue.windows.tests.unit.plugins.action._repair_fake import (
    ESP, NONE, SYSTEM, FakeWindows, disk, gen2_machine, make_plugin, part,
)


def run(windows, args=None, **kwargs):
    return make_plugin(DiskInfo, windows, args or {}, **kwargs).run(task_vars={})


def test_gen2_discovery_assigns_a_temporary_esp_letter():
    windows = gen2_machine()
    result = run(windows)
    assert not result.get("failed"), result
    assert (result["windows_drive"], result["generation"], result["disk_number"]) == ("F:", 2, 1)
    assert result["bcd_store"] == "Z:\\EFI\\Microsoft\\Boot\\BCD"
    assert result["temporary_letters"] == [{"drive": "Z:", "disk_number": 1, "partition_number": 1}]
    assert result["changed"] is True
    assert result["software_hive"] == "F:\\Windows\\System32\\config\\SOFTWARE"
    assert [f["path"] for f in result["dump_files"]] == ["F:\\Windows\\MEMORY.DMP",
                                                         "F:\\Windows\\Minidump\\071924-9875-01.dmp"]
    assert windows.commands == ["disk-discovery", "assign-boot-letter"]
    assert [c["name"] for c in result["remote_commands"]] == windows.commands


def test_check_mode_assigns_nothing_and_says_so():
    windows = gen2_machine()
    result = run(windows, check=True)
    assert result["changed"] is True and result["temporary_letters"] == []
    assert result["bcd_store"] is None and result["windows_drive"] == "F:"
    assert "temporary drive letter" in result["skipped_in_check_mode"][0]
    assert windows.partitions[2]["DriveLetter"] == "\u0000"
    # The one discovery command already answered everything else.
    assert windows.commands == ["disk-discovery"]
    assert result["software_hive"] and len(result["dump_files"]) == 2


def test_an_esp_with_a_letter_needs_no_change():
    windows = gen2_machine()
    windows.partitions[2]["DriveLetter"] = "Z"
    result = run(windows)
    assert result["changed"] is False and result["temporary_letters"] == []
    assert result["bcd_store"] == "Z:\\EFI\\Microsoft\\Boot\\BCD"
    assert windows.commands == ["disk-discovery"]


def test_an_offline_disk_is_brought_online_and_discovery_repeated():
    windows = gen2_machine(offline=True)
    result = run(windows)
    assert not result.get("failed"), result
    assert result["brought_online"] == [1] and result["windows_drive"] == "F:"
    # Bringing the disk online re-reads the layout and every letter in the same command.
    assert windows.commands == ["disk-discovery", "disk-prepare", "assign-boot-letter"]
    assert windows.disks[1]["IsOffline"] is False and windows.disks[1]["IsReadOnly"] is False


def test_an_offline_disk_in_check_mode_is_reported_not_touched():
    windows = gen2_machine(offline=True)
    result = run(windows, check=True)
    assert result["changed"] is True and result["windows_drive"] is None
    assert windows.disks[1]["IsOffline"] is True and windows.commands == ["disk-discovery"]


def test_without_bring_online_an_offline_disk_is_a_clear_error():
    result = run(gen2_machine(offline=True), {"bring_online": False})
    assert result["failed"] and "bring_online" in result["msg"] and result["candidates"] == []


def test_no_windows_disk_is_an_error_listing_what_was_found():
    windows = FakeWindows([disk(0, own=True), disk(1)], [part(0, 3, "C", boot=True), part(1, 1, "F")],
                          {"C:" + SYSTEM: b"live"})
    result = run(windows)
    assert result["failed"] and "no attached Windows volume" in result["msg"]
    assert result["ignored"] == [{"drive": "C:", "disk_number": 0, "partition_number": 3}]


def test_two_windows_disks_are_an_error():
    windows = gen2_machine()
    windows.disks.append(disk(2))
    windows.partitions += [part(2, 1, gpt=ESP), part(2, 2, "H")]
    windows.write("H:" + SYSTEM, b"regf")
    result = run(windows)
    assert result["failed"] and [c["drive"] for c in result["candidates"]] == ["F:", "H:"]
    result = run(windows, {"windows_drive": "H:", "assign_esp_letter": False})
    assert result["windows_drive"] == "H:" and result["bcd_store"] is None and result["warnings"]


def test_a_user_drive_that_does_not_exist_fails_before_any_write():
    windows = gen2_machine()
    result = run(windows, {"windows_drive": "Q:"})
    assert result["failed"] and "does not exist" in result["msg"]
    assert windows.commands == ["disk-discovery"]


def test_the_recovery_vms_own_drive_is_refused():
    result = run(gen2_machine(), {"windows_drive": "C"})
    assert result["failed"] and "refusing" in result["msg"]


def test_bcd_store_override_must_exist_and_be_attached():
    windows = gen2_machine()
    windows.partitions[2]["DriveLetter"] = "Z"
    assert run(windows, {"bcd_store": "Z:\\EFI\\Microsoft\\Boot\\BCD"})["bcd_store"] == "Z:\\EFI\\Microsoft\\Boot\\BCD"
    result = run(windows, {"bcd_store": "Z:\\nope\\BCD"})
    assert result["failed"] and "does not exist" in result["msg"]
    result = run(windows, {"bcd_store": "C:\\boot\\BCD"})
    assert result["failed"] and "refusing" in result["msg"]
    windows.commands.clear()
    result = run(windows, {"bcd_store": "EFI\\Microsoft\\Boot\\BCD"})
    assert result["failed"] and "absolute drive-letter path" in result["msg"] and windows.commands == []


def test_gen1_store_on_the_os_volume():
    windows = FakeWindows([disk(0, own=True, style=1), disk(1, style=1)],
                          [part(0, 1, "C", gpt=None, mbr=7, active=True, system=True, boot=True),
                           part(1, 1, "F", gpt=None, mbr=7, active=True)],
                          {"C:" + SYSTEM: b"live", "F:" + SYSTEM: b"regf", "F:\\boot\\BCD": b"regf"})
    result = run(windows)
    assert (result["generation"], result["bcd_store"], result["changed"]) == (1, "F:\\boot\\BCD", False)
    assert windows.commands == ["disk-discovery"]


def gen1_with_system_reserved(reserved_letter=NONE, stale_store_on_os_volume=False):
    files = {"C:" + SYSTEM: b"live", "F:" + SYSTEM: b"regf"}
    if reserved_letter != NONE:
        files[f"{reserved_letter}:\\boot\\BCD"] = b"regf-active"
    if stale_store_on_os_volume:
        files["F:\\boot\\BCD"] = b"regf-stale"
    windows = FakeWindows([disk(0, own=True, style=1), disk(1, style=1)],
                          [part(0, 1, "C", gpt=None, mbr=7, active=True, system=True, boot=True),
                           part(1, 1, reserved_letter, gpt=None, mbr=7, active=True),
                           part(1, 2, "F", gpt=None, mbr=7)], files)
    return windows


def test_gen1_store_on_a_lettered_system_reserved_partition_needs_one_command():
    windows = gen1_with_system_reserved("E", stale_store_on_os_volume=True)
    result = run(windows)
    assert (result["bcd_store"], result["changed"]) == ("E:\\boot\\BCD", False)
    assert windows.commands == ["disk-discovery"]


def test_gen1_system_reserved_without_letter_is_preferred_over_a_store_on_the_os_volume():
    windows = gen1_with_system_reserved(stale_store_on_os_volume=True)
    windows.files["z:\\boot\\bcd"] = b"regf-active"     # what the partition shows once it has the letter
    result = run(windows)
    assert result["bcd_store"] == "Z:\\boot\\BCD"
    assert result["temporary_letters"] == [{"drive": "Z:", "disk_number": 1, "partition_number": 1}]
    assert windows.commands == ["disk-discovery", "assign-boot-letter"]


def test_gen1_falls_back_to_the_os_volume_when_the_active_partition_has_no_store():
    windows = gen1_with_system_reserved(stale_store_on_os_volume=True)
    result = run(windows)
    assert result["bcd_store"] == "F:\\boot\\BCD" and result["temporary_letters"][0]["drive"] == "Z:"


def test_a_read_only_windows_disk_is_made_writable_with_one_more_command():
    windows = gen2_machine()
    windows.partitions[2]["DriveLetter"] = "Z"
    windows.disks[1]["IsReadOnly"] = True
    result = run(windows)
    assert not result.get("failed"), result
    assert result["brought_online"] == [1] and windows.disks[1]["IsReadOnly"] is False
    assert [d["read_only"] for d in result["disks"]] == [False, False]
    assert windows.commands == ["disk-discovery", "disk-prepare"]
    assert result["remote_commands"][1]["steps"] == ["writable.1", "disks"]


def test_a_disk_that_stays_offline_is_an_error():
    windows = gen2_machine(offline=True)
    windows.stuck_offline = True
    result = run(windows)
    assert result["failed"] and result["msg"] == "disk(s) [1] could not be brought online and writable"


def test_a_missing_store_fails_after_removing_the_letter_it_gave():
    windows = gen2_machine()
    del windows.files["z:\\efi\\microsoft\\boot\\bcd"]
    result = run(windows)
    assert result["failed"] and "no BCD store" in result["msg"] and "Z: given for the search were removed" in result["msg"]
    assert windows.commands == ["disk-discovery", "assign-boot-letter", "release-letters"]
    assert windows.partitions[2]["DriveLetter"] == NONE
    assert result["temporary_letters"] == []
    assert result["released"] == [{"drive": "Z:", "disk_number": 1, "partition_number": 1}]


def test_a_letter_that_cannot_be_removed_after_a_missing_store_is_still_reported_to_release():
    windows = gen2_machine()
    del windows.files["z:\\efi\\microsoft\\boot\\bcd"]
    windows.letters_stick = True
    result = run(windows)
    assert result["failed"] and "Z: could not be removed" in result["msg"], result["msg"]
    assert windows.commands == ["disk-discovery", "assign-boot-letter", "release-letters"]
    assert result["temporary_letters"] == [{"drive": "Z:", "disk_number": 1, "partition_number": 1}]


def test_release_removes_the_letter_then_is_idempotent():
    windows = gen2_machine()
    letters = run(windows)["temporary_letters"]
    windows.commands.clear()
    check = make_plugin(Release, windows, {"temporary_letters": letters}, check=True).run(task_vars={})
    assert check["changed"] is True and windows.partitions[2]["DriveLetter"] == "Z"
    result = make_plugin(Release, windows, {"temporary_letters": letters}).run(task_vars={})
    assert result["changed"] is True and windows.partitions[2]["DriveLetter"] == "\u0000"
    again = make_plugin(Release, windows, {"temporary_letters": letters}).run(task_vars={})
    assert again["changed"] is False and again["already_released"] == letters
    assert windows.commands == ["partition-letters", "partition-letters", "release-letters", "partition-letters"]


def test_release_never_removes_a_letter_now_on_another_partition():
    windows = gen2_machine()
    windows.partitions[3]["DriveLetter"] = "Z"     # the letter now belongs to the Windows volume
    result = make_plugin(Release, windows, {"temporary_letters": [
        {"drive": "Z:", "disk_number": 1, "partition_number": 1}]}).run(task_vars={})
    assert result["changed"] is False and windows.partitions[3]["DriveLetter"] == "Z"


def test_release_of_nothing_only_reads():
    windows = gen2_machine()
    result = make_plugin(Release, windows, {"temporary_letters": []}).run(task_vars={})
    # It still looks for the record of temporary changes an interrupted run may have left.
    assert result["changed"] is False and windows.commands == ["partition-letters"]


def test_results_are_json_serialisable():
    json.dumps(run(gen2_machine()))
