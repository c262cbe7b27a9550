"""Choosing the attached Windows volume and its BCD store from Get-Disk/Get-Partition/Get-Volume JSON."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _disk_discovery as dd
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

ESP = "{C12A7328-F81F-11D2-BA4B-00A0C93EC93B}"
MSR = "{e3c9e316-0b5c-4db8-817d-f92df00215ae}"
DATA = "{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}"
NO_LETTER = "\u0000"


def disk(number, style=2, system=False, offline=False, read_only=False):
    return {"Number": number, "FriendlyName": "Msft Virtual Disk", "IsOffline": offline,
            "OfflineReason": 4 if offline else None, "IsReadOnly": read_only, "IsSystem": system, "IsBoot": system,
            "PartitionStyle": style, "Signature": None, "Guid": "{x}", "Size": 1}


def part(disk_number, number, letter=NO_LETTER, gpt=None, mbr=None, active=False, system=False, boot=False):
    return {"DiskNumber": disk_number, "PartitionNumber": number, "DriveLetter": letter, "GptType": gpt,
            "MbrType": mbr, "IsActive": active, "IsSystem": system, "IsBoot": boot, "Size": 1}


def gen2_layout(windows_letter="F", esp_letter=NO_LETTER, second_disk=False):
    disks = [disk(0, system=True), disk(1)]
    parts = [part(0, 1, gpt=ESP, system=True), part(0, 2, gpt=MSR), part(0, 3, "C", gpt=DATA, boot=True),
             part(1, 1, esp_letter, gpt=ESP), part(1, 2, gpt=MSR), part(1, 3, windows_letter, gpt=DATA)]
    if second_disk:
        disks.append(disk(2))
        parts += [part(2, 1, gpt=ESP), part(2, 2, "H", gpt=DATA)]
    vols = [{"DriveLetter": "C", "FileSystem": "NTFS", "FileSystemLabel": "Windows"},
            {"DriveLetter": windows_letter, "FileSystem": "NTFS", "FileSystemLabel": "Windows"},
            {"DriveLetter": None, "FileSystem": "FAT32", "FileSystemLabel": ""}]
    return dd.parse_layout(json.dumps(disks), json.dumps(parts), json.dumps(vols))


def gen1_layout(system_reserved=True):
    disks = [disk(0, style=1, system=True), disk(1, style=1)]
    parts = [part(0, 1, "C", mbr=7, active=True, system=True, boot=True)]
    if system_reserved:
        parts += [part(1, 1, "E", mbr=7, active=True), part(1, 2, "F", mbr=7)]
    else:
        parts += [part(1, 1, "F", mbr=7, active=True)]
    return dd.parse_layout(json.dumps(disks), json.dumps(parts), "")


def test_json_shapes_of_powershell_5_1():
    assert dd.parse_json_objects("", "x") == []
    assert dd.parse_json_objects('{"a":1}', "x") == [{"a": 1}]
    assert dd.parse_json_objects('\ufeff[{"a":1},{"a":2}]', "x") == [{"a": 1}, {"a": 2}]
    with pytest.raises(VmrescueError):
        dd.parse_json_objects("Get-Disk : not recognized", "disks")
    with pytest.raises(VmrescueError):
        dd.parse_json_objects("[1, 2]", "disks")


@pytest.mark.parametrize("value, letter", [("F", "F"), ("f", "F"), (NO_LETTER, None), (None, None), ("", None),
                                           (70, "F"), (0, None), (True, None)])
def test_drive_letters(value, letter):
    assert dd.drive_letter(value) == letter


@pytest.mark.parametrize("value, drive", [("f", "F:"), ("F:", "F:"), ("F:\\", "F:"), (" g: ", "G:")])
def test_normalize_drive(value, drive):
    assert dd.normalize_drive(value) == drive


@pytest.mark.parametrize("value", ["FF", "1:", "F:\\Windows", "", "F;"])
def test_normalize_drive_refuses(value):
    with pytest.raises(VmrescueError):
        dd.normalize_drive(value)


def test_partition_styles_numeric_and_named():
    layout = dd.parse_layout(json.dumps([disk(0, style=1), disk(1, style="GPT")]), "", "")
    assert [d.partition_style for d in layout.disks] == ["MBR", "GPT"]


def test_the_windows_volume_on_the_attached_disk_is_chosen_not_the_recovery_vms_own():
    layout = gen2_layout()
    selection = dd.select_windows_volume(layout, {"C": True, "F": True})
    assert selection.windows.drive == "F:" and selection.windows.disk_number == 1
    assert selection.ignored == [{"drive": "C:", "disk_number": 0, "partition_number": 3}]


def test_two_attached_windows_disks_is_an_error_naming_both():
    layout = gen2_layout(second_disk=True)
    with pytest.raises(VmrescueError) as caught:
        dd.select_windows_volume(layout, {"C": True, "F": True, "H": True})
    assert [c["drive"] for c in caught.value.details["candidates"]] == ["F:", "H:"]


def test_disk_number_narrows_the_choice():
    layout = gen2_layout(second_disk=True)
    assert dd.select_windows_volume(layout, {"F": True, "H": True}, disk_number=2).windows.drive == "H:"


def test_no_candidate_gives_none():
    assert dd.select_windows_volume(gen2_layout(), {"C": True, "F": False}).windows is None


def test_a_letter_without_a_partition_is_ignored():
    selection = dd.select_windows_volume(gen2_layout(), {"F": True, "Q": True})
    assert selection.windows.drive == "F:" and selection.ignored[0]["drive"] == "Q:"


def test_override_must_exist_be_attached_and_hold_windows():
    layout = gen2_layout()
    assert dd.select_windows_volume(layout, {"F": True}, windows_drive="f").windows.number == 3
    with pytest.raises(VmrescueError, match="does not exist"):
        dd.select_windows_volume(layout, {"F": True}, windows_drive="K:")
    with pytest.raises(VmrescueError, match="refusing"):
        dd.select_windows_volume(layout, {"C": True, "F": True}, windows_drive="C:")
    with pytest.raises(VmrescueError, match="not a Windows volume"):
        dd.select_windows_volume(layout, {"F": False}, windows_drive="F:")


def test_offline_disks_are_prepared_only_when_no_windows_volume_is_visible():
    disks = [disk(0, system=True), disk(1, offline=True), disk(2, read_only=True), disk(3)]
    layout = dd.parse_layout(json.dumps(disks), json.dumps([part(3, 1, "G", gpt=DATA)]), "")
    assert [d.number for d in dd.disks_to_prepare(layout, None, None)] == [1, 2]
    assert [d.number for d in dd.disks_to_prepare(layout, None, 2)] == [2]
    assert dd.disks_to_prepare(layout, layout.partitions[0], None) == []


def test_a_read_only_windows_disk_is_made_writable():
    layout = dd.parse_layout(json.dumps([disk(0, system=True), disk(1, read_only=True)]),
                             json.dumps([part(1, 1, "F", gpt=DATA)]), "")
    assert [d.number for d in dd.disks_to_prepare(layout, layout.partitions[0], None)] == [1]


def test_gen2_store_is_on_the_esp_of_the_windows_disk():
    layout = gen2_layout()
    location = dd.boot_location(layout, layout.partition_with_letter("F"))
    assert (location.generation, location.partition.disk_number, location.partition.number) == (2, 1, 1)
    assert location.partition.letter is None
    assert location.store_on("Z") == "Z:\\EFI\\Microsoft\\Boot\\BCD"


def test_gen1_store_is_on_the_active_system_reserved_partition():
    layout = gen1_layout()
    location = dd.boot_location(layout, layout.partition_with_letter("F"))
    assert (location.generation, location.partition.letter, location.store_on("E")) == (1, "E", "E:\\boot\\BCD")


def test_gen1_store_on_the_os_volume_when_it_is_the_active_one():
    layout = gen1_layout(system_reserved=False)
    location = dd.boot_location(layout, layout.partition_with_letter("F"))
    assert location.partition.letter == "F"


def test_gpt_disk_without_esp_is_an_error():
    layout = dd.parse_layout(json.dumps([disk(0, system=True), disk(1)]), json.dumps([part(1, 1, "F", gpt=DATA)]), "")
    with pytest.raises(VmrescueError, match="EFI system partition"):
        dd.boot_location(layout, layout.partitions[0])


def test_free_letter_takes_the_last_unused_one():
    layout = gen2_layout(windows_letter="Z")
    assert dd.free_letter(layout) == "Y"


def test_test_path_lines_must_be_booleans_one_per_path():
    assert dd.parse_test_path_lines(["True", "False", ""], 2, "x") == [True, False]
    with pytest.raises(VmrescueError):
        dd.parse_test_path_lines(["True"], 2, "x")
    with pytest.raises(VmrescueError):
        dd.parse_test_path_lines(["Wahr", "Falsch"], 2, "x")


def test_partition_report_and_generations():
    layout = gen2_layout()
    report = layout.partitions_report(1)
    assert [p["role"] for p in report] == ["esp", "msr", "data"]
    assert report[2]["drive"] == "F:" and report[2]["label"] == "Windows"
    assert layout.recovery_vm_generation() == 2


def test_dump_files_from_get_item_and_get_child_item_json():
    memory = '{"FullName":"F:\\\\Windows\\\\MEMORY.DMP","Length":4096}'
    minis = '[{"FullName":"F:\\\\Windows\\\\Minidump\\\\a.dmp","Length":1},{"FullName":"F:\\\\Windows\\\\Minidump\\\\b.dmp","Length":2}]'
    assert [f["path"] for f in dd.dump_files(memory, minis)] == [
        "F:\\Windows\\MEMORY.DMP", "F:\\Windows\\Minidump\\a.dmp", "F:\\Windows\\Minidump\\b.dmp"]
    assert dd.dump_files("", "") == []
