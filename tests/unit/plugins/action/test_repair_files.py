"""offline_backup and driver_file against a scripted recovery VM."""

from __future__ import annotations

import hashlib
import json
import struct

from ansible_collections.vmrescue.windows.tests.unit.plugins.action._repair_fake import SYSTEM, gen2_machine, make_plugin

from ansible_collections.vmrescue.windows.plugins.action.driver_file import ActionModule as DriverFile
from ansible_collections.vmrescue.windows.plugins.action.driver_file import version_tuple
from ansible_collections.vmrescue.windows.plugins.action.offline_backup import ActionModule as Backup
from ansible_collections.vmrescue.windows.plugins.module_utils import _journal_location
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import JournalChangedError

BCD = "Z:\\EFI\\Microsoft\\Boot\\BCD"
DRIVER = "F:\\Windows\\System32\\drivers\\filecrypt.sys"
GOOD = "C:\\Windows\\System32\\drivers\\filecrypt.sys"


def pe(tag: bytes, machine: int = 0x8664) -> bytes:
    data = bytearray(1024)
    data[:2] = b"MZ"
    struct.pack_into("<I", data, 0x3C, 0x80)
    data[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<H", data, 0x84, machine)
    return bytes(data) + tag


TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
TI_DACL = f"D:(A;;FA;;;{TI})(A;;0x1200a9;;;BA)(A;;0x1200a9;;;SY)"
ORIGINAL_SDDL = f"O:{TI}G:{TI}{TI_DACL}"
JOURNAL = "F:\\vmrescue\\journal.json"


def machine():
    windows = gen2_machine(extra_files={BCD + ".LOG1": b"log1", "F:\\Windows\\System32\\config\\SYSTEM.LOG1": b"slog",
                                        DRIVER: pe(b"broken"), GOOD: pe(b"good")})
    # What identifies a volume independently of its letter (_volume_identity).
    for number, found in enumerate(windows.disks):
        found["Guid"] = f"{{0000000{number}-0000-0000-0000-000000000000}}"
    for found in windows.partitions:
        found.update(Offset=found["PartitionNumber"] * 1048576,
                     Guid=f"{{{found['DiskNumber']}{found['PartitionNumber']}000000-0000-0000-0000-000000000000}}")
    windows.protected.add(DRIVER.lower())  # TrustedInstaller's: a plain copy onto it is refused
    windows.owners[DRIVER.lower()] = TI
    windows.dacls[DRIVER.lower()] = TI_DACL
    return windows


def sddl(windows, path=DRIVER):
    return f"O:{windows.owners[path.lower()]}G:{windows.owners[path.lower()]}{windows.dacls[path.lower()]}"


def backup(windows, **args):
    return make_plugin(Backup, windows, {"windows_drive": "F:", "bcd_store": BCD, **args}).run(task_vars={})


def test_backup_copies_verifies_and_writes_the_manifest_last():
    windows = machine()
    result = backup(windows, run_id="r1")
    assert not result.get("failed"), result
    assert result["verified"] is True and result["changed"] is True
    assert result["backup_path"] == "F:\\vmrescue-backup\\r1"
    assert [f["backup"] for f in result["manifest"]["files"]] == ["bcd\\BCD", "bcd\\BCD.LOG1", "config\\SYSTEM",
                                                                  "config\\SYSTEM.LOG1"]
    assert windows.files["f:\\vmrescue-backup\\r1\\config\\system"] == b"regf-system"
    stored = json.loads(windows.files["f:\\vmrescue-backup\\latest.json"].decode("utf-8-sig"))
    assert stored == result["manifest"]
    assert stored["files"][2]["sha256"] == hashlib.sha256(b"regf-system").hexdigest()
    # One read, one command copying and hashing all four files, then the manifest once every hash matched.
    assert windows.commands == ["backup-read", "backup-copy", "backup-manifest"]


def test_a_verified_backup_is_not_taken_again_unless_forced():
    windows = machine()
    first = backup(windows, run_id="r1")
    windows.commands.clear()
    again = backup(windows)
    assert again["changed"] is False and again["verified"] is True and again["backup_path"] == first["backup_path"]
    assert windows.commands == ["backup-read", "backup-verify"]
    forced = backup(windows, run_id="r2", force=True)
    assert forced["changed"] is True and forced["backup_path"].endswith("r2")


def test_a_damaged_backup_is_replaced():
    windows = machine()
    backup(windows, run_id="r1")
    windows.write("F:\\vmrescue-backup\\r1\\config\\SYSTEM", b"tampered")
    result = backup(windows, run_id="r2")
    assert result["changed"] is True and result["previous_backup_problems"]
    assert result["backup_path"].endswith("r2")


def test_an_unreadable_source_fails_and_no_manifest_is_written():
    windows = machine()
    windows.unreadable.add("f:\\windows\\system32\\config\\system")
    result = backup(windows, run_id="r1")
    assert result["failed"] and result["verified"] is False
    assert "f:\\vmrescue-backup\\latest.json" not in windows.files
    assert "f:\\vmrescue-backup\\r1\\manifest.json" not in windows.files


def test_a_copy_that_differs_from_its_source_gets_no_manifest():
    windows = machine()
    windows.corrupt_copies_to.add("f:\\vmrescue-backup\\r1.partial\\config\\system.log1")
    result = backup(windows, run_id="r1")
    assert result["failed"] and result["verified"] is False
    assert result["problems"] == ["the copy of F:\\Windows\\System32\\config\\SYSTEM.LOG1 differs from it (SHA-256)"]
    assert windows.commands == ["backup-read", "backup-copy"]
    assert "f:\\vmrescue-backup\\latest.json" not in windows.files
    # Only the partial folder exists: nothing under the backup's own name looks like a backup.
    assert not any(k.startswith("f:\\vmrescue-backup\\r1\\") for k in windows.files)
    assert not any(k.endswith("manifest.json") for k in windows.files)


def test_an_interrupted_backups_folder_is_removed_by_the_next_backup_and_nothing_else():
    windows = machine()
    windows.write("F:\\vmrescue-backup\\20261201T061010Z.partial\\config\\SYSTEM", b"half a hive")
    windows.write("F:\\vmrescue-backup\\operator notes\\readme.txt", b"mine")
    windows.write("F:\\vmrescue-backup\\odd name.partial\\x", b"not a run id: not ours")
    check = make_plugin(Backup, windows, {"windows_drive": "F:", "bcd_store": BCD, "run_id": "r1"}, check=True,
                        diff=True).run(task_vars={})
    assert check["interrupted_backups_removed"] == ["F:\\vmrescue-backup\\20261201T061010Z.partial"]
    assert "f:\\vmrescue-backup\\20261201t061010z.partial\\config\\system" in windows.files
    result = backup(windows, run_id="r1")
    assert not result.get("failed"), result
    assert result["interrupted_backups_removed"] == ["F:\\vmrescue-backup\\20261201T061010Z.partial"]
    assert not any(".partial" in k and "odd name" not in k for k in windows.files)
    assert windows.files["f:\\vmrescue-backup\\operator notes\\readme.txt"] == b"mine"
    assert "f:\\vmrescue-backup\\r1\\manifest.json" in windows.files


def test_an_existing_backup_folder_is_never_copied_over():
    windows = machine()
    backup(windows, run_id="r1")
    before = dict(windows.files)
    result = backup(windows, run_id="r1", force=True)
    assert result["failed"] and "exists already" in result["msg"] and windows.files == before
    assert windows.commands[-1] == "backup-read"


def test_backup_check_mode_writes_nothing():
    windows = machine()
    before = dict(windows.files)
    result = make_plugin(Backup, windows, {"windows_drive": "F:", "bcd_store": BCD}, check=True).run(task_vars={})
    assert result["changed"] is True and result["verified"] is False and windows.files == before
    assert windows.commands == ["backup-read"]


def test_backup_refuses_a_missing_drive_or_store():
    assert "does not exist" in backup(machine(), windows_drive="Q:")["msg"]
    assert "BCD store" in backup(machine(), bcd_store="Z:\\EFI\\Microsoft\\Boot\\NOPE")["msg"]


def driver(windows, check=False, diff=False, **args):
    args = {key: value for key, value in {"name": "filecrypt.sys", "windows_drive": "F:", "src": GOOD, **args}.items()
            if value is not None}
    return make_plugin(DriverFile, windows, args, check=check, diff=diff).run(task_vars={})


def test_driver_is_backed_up_once_replaced_and_verified():
    windows = machine()
    result = driver(windows)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["backed_up"] is True
    assert windows.files[DRIVER.lower()] == pe(b"good")
    assert windows.files["f:\\vmrescue-backup\\drivers\\filecrypt.sys"] == pe(b"broken")
    assert windows.commands == ["driver-read", "driver-backup", "driver-replace"]
    assert windows.natives == [
        ["icacls.exe", DRIVER, "/save", "F:\\vmrescue-backup\\drivers\\filecrypt.sys.acl"],
        ["takeown.exe", "/F", DRIVER, "/A"],
        ["icacls.exe", DRIVER, "/grant", "*S-1-5-32-544:F"],
        ["icacls.exe", "F:\\Windows\\System32\\drivers", "/restore", "F:\\vmrescue-backup\\drivers\\filecrypt.sys.acl"],
        ["icacls.exe", DRIVER, "/setowner", "*" + TI],
    ]
    # The new file has exactly the original's owner and DACL: Administrators keep no full control.
    assert sddl(windows) == ORIGINAL_SDDL and result["sddl"] == ORIGINAL_SDDL
    windows.commands.clear()
    again = driver(windows)
    assert again["changed"] is False and windows.commands == ["driver-read"]


def test_the_journal_record_is_written_before_the_backup_and_the_replacement():
    windows = machine()
    result = driver(windows, journal=JOURNAL)
    assert not result.get("failed"), result
    journal = json.loads(windows.files[JOURNAL.lower()].decode("utf-8-sig"))
    (key, record), = journal["drivers"].items()
    assert key == "gpt:{00000001-0000-0000-0000-000000000000}:{13000000-0000-0000-0000-000000000000}|" \
                  "windows\\system32\\drivers\\filecrypt.sys"
    assert record == {"path": "windows\\system32\\drivers\\filecrypt.sys", "name": "filecrypt.sys",
                      "sha256": hashlib.sha256(pe(b"broken")).hexdigest(), "sddl": ORIGINAL_SDDL,
                      "backup_volume": key.split("|")[0], "backup": "vmrescue-backup\\drivers\\filecrypt.sys",
                      "acl": "vmrescue-backup\\drivers\\filecrypt.sys.acl"}
    # A second swap with a newer source keeps the first record (the original).
    windows.write(GOOD, pe(b"newer"))
    assert driver(windows, journal=JOURNAL)["changed"] is True
    assert json.loads(windows.files[JOURNAL.lower()].decode("utf-8-sig")) == journal


def test_a_re_run_completes_a_missing_acl_file_before_replacing():
    windows = machine()
    windows.native_failures["save"] = 1
    assert driver(windows, journal=JOURNAL)["failed"]
    del windows.native_failures["save"]
    windows.commands.clear()
    result = driver(windows, journal=JOURNAL)
    assert not result.get("failed") and result["backed_up"] is False, result
    assert windows.commands == ["driver-read", "driver-backup", "driver-replace"]
    assert "f:\\vmrescue-backup\\drivers\\filecrypt.sys.acl" in windows.files and sddl(windows) == ORIGINAL_SDDL


def test_a_re_run_puts_back_the_acl_of_a_copy_left_without_it():
    """The journal knows the original's SDDL, so a re-run finds a copy whose ACL was not put back and finishes it."""
    windows = machine()
    windows.native_failures["restore"] = 3
    result = driver(windows, journal=JOURNAL)
    assert result["failed"] and "icacls /restore exit code 3" in result["msg"], result
    assert windows.files[DRIVER.lower()] == pe(b"good") and sddl(windows) != ORIGINAL_SDDL
    del windows.native_failures["restore"]
    windows.commands.clear()
    again = driver(windows, journal=JOURNAL)
    assert again["changed"] is True and not again.get("failed"), again
    assert windows.commands == ["driver-read", "driver-replace"] and sddl(windows) == ORIGINAL_SDDL


def test_a_source_beside_the_destination_or_identical_to_it_is_refused():
    windows = machine()
    result = driver(windows, src="F:\\Windows\\System32\\drivers\\filecrypt.sys")
    assert result["failed"] and "the broken disk's own driver" in result["msg"] and windows.commands == []
    windows.write(GOOD, pe(b"broken"))
    result = driver(windows)
    assert result["failed"] and "nothing to replace" in result["msg"]
    assert windows.commands == ["driver-read"]


def test_a_failed_takeown_changes_nothing_and_says_so():
    windows = machine()
    windows.native_failures["takeown"] = 1
    result = driver(windows)
    assert result["failed"] and "takeown" in result["msg"] and "exit code 1" in result["msg"]
    assert "was not changed" in result["msg"]
    assert windows.files[DRIVER.lower()] == pe(b"broken")
    assert [step[0] for step in windows.natives] == ["icacls.exe", "takeown.exe", "icacls.exe", "icacls.exe"]
    assert [step[2] for step in windows.natives[2:]] == ["/restore", "/setowner"]   # always, whatever failed


def test_a_failed_grant_leaves_the_original_with_its_owner_and_dacl():
    windows = machine()
    windows.native_failures["grant"] = 5
    result = driver(windows)
    assert result["failed"] and "full control" in result["msg"] and "was not replaced" in result["msg"]
    assert "its original DACL and owner were put back" in result["msg"]
    assert windows.files[DRIVER.lower()] == pe(b"broken") and sddl(windows) == ORIGINAL_SDDL


def test_a_failed_setowner_after_a_good_copy_says_who_owns_the_file():
    windows = machine()
    windows.native_failures["setowner"] = 1
    result = driver(windows)
    assert result["failed"] and "replaced and verified" in result["msg"]
    assert "Administrators may still own it" in result["msg"]
    assert windows.files[DRIVER.lower()] == pe(b"good")


def test_a_dacl_that_cannot_be_saved_stops_before_the_replacement():
    windows = machine()
    windows.native_failures["save"] = 1
    result = driver(windows)
    assert result["failed"] and "permissions" in result["msg"] and "was not replaced" in result["msg"]
    assert windows.commands == ["driver-read", "driver-backup"]
    assert windows.files[DRIVER.lower()] == pe(b"broken")


def test_the_first_backup_is_kept():
    windows = machine()
    driver(windows)
    windows.write(GOOD, pe(b"newer"))
    result = driver(windows)
    assert result["changed"] is True and result["backed_up"] is False
    assert windows.files["f:\\vmrescue-backup\\drivers\\filecrypt.sys"] == pe(b"broken")


def restore(windows, check=False, diff=False):
    return make_plugin(DriverFile, windows, {"journal": JOURNAL, "restore_journal": True},
                       check=check, diff=diff).run(task_vars={})


def test_a_journal_restore_puts_file_owner_and_dacl_back_and_reports_each_record():
    windows = machine()
    driver(windows, journal=JOURNAL)
    checked = restore(windows, check=True, diff=True)
    assert checked["changed"] and checked["records"][0]["status"] == "would restore"
    assert windows.files[DRIVER.lower()] == pe(b"good")
    assert checked["diff"][0]["after"] == {"sha256": hashlib.sha256(pe(b"broken")).hexdigest(), "sddl": ORIGINAL_SDDL}
    windows.commands.clear()
    result = restore(windows)
    assert not result.get("failed") and result["changed"], result
    assert windows.commands == ["driver-restore-read", "driver-restore-state", "driver-restore"]
    assert (result["restored"], result["already_original"], result["could_not"]) == (1, 0, 0)
    assert windows.files[DRIVER.lower()] == pe(b"broken") and sddl(windows) == ORIGINAL_SDDL
    again = restore(windows)
    assert again["changed"] is False and again["records"][0]["status"] == "already original"


def test_a_journal_restore_that_cannot_restore_a_record_fails_naming_it():
    windows = machine()
    driver(windows, journal=JOURNAL)
    del windows.files["f:\\vmrescue-backup\\drivers\\filecrypt.sys"]
    result = restore(windows)
    assert result["failed"] and result["could_not"] == 1 and "backup" in result["msg"]
    assert DRIVER.lower() in result["msg"].lower()
    assert windows.files[DRIVER.lower()] == pe(b"good")
    windows.partitions[3]["Guid"] = "{99999999-0000-0000-0000-000000000000}"   # another disk at that letter
    result = restore(windows)
    assert result["failed"] and "no attached partition" in result["msg"]


def test_a_restore_from_a_missing_journal_fails_and_swap_options_are_refused():
    result = restore(machine())
    assert result["failed"] and "does not exist" in result["msg"]
    windows = machine()
    result = make_plugin(DriverFile, windows, {"journal": JOURNAL, "restore_journal": True, "src": GOOD}
                         ).run(task_vars={})
    assert result["failed"] and "src cannot be given" in result["msg"] and windows.commands == []


def test_driver_check_and_diff_mode():
    windows = machine()
    result = driver(windows, check=True, diff=True)
    assert result["changed"] is True and windows.files[DRIVER.lower()] == pe(b"broken")
    assert result["diff"]["before"]["sha256"] == hashlib.sha256(pe(b"broken")).hexdigest()
    assert result["diff"]["after"]["sha256"] == hashlib.sha256(pe(b"good")).hexdigest()


def test_refusals_happen_before_any_write():
    for source, args, words in [
        ("C:\\missing.sys", {}, "does not exist"),
        ("C:" + SYSTEM, {}, "not a PE image"),
        (GOOD, {"expected_sha256": "0" * 64}, "not the expected"),
        (GOOD, {"expected_version": "10.0.1"}, "file version"),
    ]:
        windows = machine()
        result = driver(windows, src=source, **args)
        assert result["failed"] and words in result["msg"], (source, result["msg"])
        assert windows.commands == ["driver-read"] and windows.files[DRIVER.lower()] == pe(b"broken")


def test_expected_hash_and_version_that_match_are_accepted():
    windows = machine()
    windows.versions[GOOD.lower()] = "10.0.14393.0 (rs1_release.160715-1616)"
    result = driver(windows, expected_sha256=hashlib.sha256(pe(b"good")).hexdigest().upper(),
                    expected_version="10.0.14393")
    assert result["changed"] is True and not result.get("failed")


def test_dest_on_the_recovery_vms_own_disk_is_refused():
    windows = machine()
    result = driver(windows, name=None, windows_drive=None, dest="C:\\Windows\\System32\\drivers\\x.sys",
                    src="C:\\known-good\\x.sys")
    assert result["failed"] and "refusing" in result["msg"]


def test_a_name_without_windows_drive_is_refused_before_any_command():
    windows = machine()
    result = driver(windows, windows_drive=None)
    assert result["failed"] and result["msg"] == "missing parameter(s) required by 'name': windows_drive"
    assert windows.commands == [] and result["remote_commands"] == []


def test_driver_backup_that_does_not_verify_stops_before_the_replacement():
    windows = machine()
    windows.corrupt_copies_to.add("f:\\vmrescue-backup\\drivers\\filecrypt.sys")
    result = driver(windows)
    assert result["failed"] and "could not be verified" in result["msg"]
    assert windows.commands == ["driver-read", "driver-backup"]
    assert windows.files[DRIVER.lower()] == pe(b"broken")


def test_bad_options_are_clear():
    assert "64 hexadecimal" in driver(machine(), expected_sha256="abc")["msg"]
    assert "file name" in driver(machine(), name="..\\x.sys")["msg"]


def test_only_sys_names_are_accepted_and_refused_before_any_command():
    for name in ("ntkrnlmp.exe", "storport.dll", "filecrypt", ".sys", "filecrypt.sys.bak"):
        windows = machine()
        result = driver(windows, name=name)
        assert result["failed"] and "ending in .sys" in result["msg"], name
        assert windows.commands == []
    assert not driver(machine(), name="FileCrypt.SYS").get("failed")


def test_a_source_for_another_machine_type_is_refused():
    for machine_type, words in [(0x014C, "built for x86"), (0xAA64, "built for arm64")]:
        windows = machine()
        windows.write(GOOD, pe(b"good", machine_type))
        result = driver(windows)
        assert result["failed"] and words in result["msg"] and "original " + DRIVER + " for x64" in result["msg"]
        assert windows.commands == ["driver-read"] and windows.files[DRIVER.lower()] == pe(b"broken")


def test_a_damaged_original_is_replaced_with_a_warning_that_types_were_not_compared():
    windows = machine()
    windows.write(DRIVER, b"\0" * 2048)
    result = driver(windows)
    assert result["changed"] and not result.get("failed"), result
    assert "could not be compared" in result["warnings"][0]
    assert windows.files[DRIVER.lower()] == pe(b"good")


def test_a_missing_destination_is_refused_and_nothing_is_written():
    windows = machine()
    result = driver(windows, name="filecrypt2.sys")
    assert result["failed"] and "F:\\Windows\\System32\\drivers\\filecrypt2.sys does not exist" in result["msg"]
    assert windows.commands == ["driver-read"]
    assert "f:\\windows\\system32\\drivers\\filecrypt2.sys" not in windows.files
    assert not any(k.startswith("f:\\vmrescue-backup") for k in windows.files)


def test_version_tuples():
    assert version_tuple("10.0.14393.1770 (rs1_release.170917-1700)") == (10, 0, 14393, 1770)
    assert version_tuple("10.0.0.0") == version_tuple("10") == (10,)
    assert version_tuple("") is None and version_tuple(None) is None


def test_a_journal_restore_finds_the_driver_under_a_new_drive_letter():
    """The record names the volume, not the letter: after the disk came back as G:, G: is restored."""
    windows = machine()
    driver(windows, journal=JOURNAL)
    windows.partitions[3]["DriveLetter"] = "G"
    for path in [p for p in windows.files if p.startswith("f:\\")]:
        windows.write("g:" + windows.names[path][2:], windows.files.pop(path))
    for table in (windows.owners, windows.dacls):
        for path in [p for p in table if p.startswith("f:\\")]:
            table["g:" + path[2:]] = table.pop(path)
    moved = DRIVER.replace("F:", "G:")
    result = make_plugin(DriverFile, windows, {"journal": "G:\\vmrescue\\journal.json", "restore_journal": True}
                         ).run(task_vars={})
    assert not result.get("failed") and result["restored"] == 1, result
    assert result["records"][0]["path"].lower() == moved.lower()
    assert windows.files[moved.lower()] == pe(b"broken") and sddl(windows, moved) == ORIGINAL_SDDL


def test_an_incomplete_driver_record_fails_clearly_in_a_swap_and_is_a_could_not_in_a_restore():
    windows = machine()
    driver(windows, journal=JOURNAL)
    journal = json.loads(windows.files[JOURNAL.lower()].decode("utf-8-sig"))
    key = next(iter(journal["drivers"]))
    journal["drivers"][key] = {"path": "windows\\system32\\drivers\\filecrypt.sys"}
    windows.write(JOURNAL, json.dumps(journal).encode("utf-8"))
    windows.write(GOOD, pe(b"newer"))
    result = driver(windows, journal=JOURNAL)
    assert result["failed"] and "incomplete record" in result["msg"], result
    result = restore(windows)
    assert result["failed"] and result["could_not"] == 1 and "incomplete" in result["msg"], result
    journal["drivers"][key] = "not a record"
    windows.write(JOURNAL, json.dumps(journal).encode("utf-8"))
    assert "incomplete" in restore(windows)["msg"]


def test_a_journal_restore_never_writes_to_the_recovery_vms_own_disk():
    windows = machine()
    driver(windows, journal=JOURNAL)
    journal = json.loads(windows.files[JOURNAL.lower()].decode("utf-8-sig"))
    (key, record), = journal["drivers"].items()
    own = "gpt:{00000000-0000-0000-0000-000000000000}:{03000000-0000-0000-0000-000000000000}"   # disk 0, C:
    journal["drivers"] = {f"{own}|{record['path']}": record}
    windows.write(JOURNAL, json.dumps(journal).encode("utf-8"))
    result = restore(windows)
    assert result["failed"] and "own running system" in result["msg"], result
    assert windows.commands[-1] == "driver-restore-read"


def test_a_controller_source_is_uploaded_once_when_the_swap_is_read_and_planned_again(tmp_path, monkeypatch):
    windows = machine()
    local = tmp_path / "filecrypt.sys"
    local.write_bytes(pe(b"good"))
    plugin = make_plugin(DriverFile, windows, {"name": "filecrypt.sys", "windows_drive": "F:",
                                               "src_controller": str(local), "journal": JOURNAL})
    uploads = []

    def transfer(source, remote):
        uploads.append(remote)
        windows.write(remote, local.read_bytes())
    plugin._find_needle = lambda folder, name: name
    plugin._transfer_file = transfer
    plugin._connection._shell.tmpdir = "C:\\Users\\admin\\AppData\\Local\\Temp\\ansible-tmp-1"
    plugin._remove_tmp_path = lambda path: None
    monkeypatch.setattr(_journal_location, "pause_before_attempt", lambda attempt: None)
    run_script, backups = plugin.run_script, []

    def another_run_writes_the_journal_first(script):
        # The first backup command meets another run's journal write: its guard stops it before any change.
        if script.name == "driver-backup":
            backups.append(script.name)
            if len(backups) == 1:
                raise JournalChangedError("the journal changed since it was read")
        return run_script(script)
    plugin.run_script = another_run_writes_the_journal_first
    result = plugin.run(task_vars={})
    assert not result.get("failed"), result
    assert len(backups) == 2 and len(uploads) == 1 and windows.commands.count("driver-read") == 2
    assert windows.files[DRIVER.lower()] == pe(b"good")
