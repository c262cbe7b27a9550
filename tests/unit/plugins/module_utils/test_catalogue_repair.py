"""The disk and file catalogues: one command per job, quoting of values, and reading the answers."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_disk as disk
from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils._backup import BackupFile
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, parse_output
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import IdentityChange, Record

LETTERS = "CDEFGHIJKLMNOPQRSTUVWXYZ"


def test_discovery_is_one_command_asking_every_letter_from_c():
    names = disk.discovery_script().step_names
    # The record of temporary changes an interrupted run may have left, then the layout.
    assert names[:4] == ["record", "disks", "partitions", "volumes"]
    per_letter = [f"{kind}.{letter.lower()}" for letter in LETTERS
                  for kind in ("hives", "bcd", "memory-dump", "minidumps")]
    assert names[4:] == per_letter
    body = disk.discovery_script().render()
    assert "'A:\\" not in body and "'B:\\" not in body
    assert "'Z:\\EFI\\Microsoft\\Boot\\BCD' -PathType Leaf" in body


def test_a_user_bcd_store_is_tested_in_the_same_command():
    script = disk.discovery_script("S:\\it's\\BCD")
    assert script.step_names[-1] == "bcd-store"
    assert "Test-Path -LiteralPath 'S:\\it''s\\BCD' -PathType Leaf" in script.render()
    assert "bcd-store" not in disk.discovery_script().step_names


def test_bringing_a_disk_online_reads_everything_again_in_the_same_command():
    online = disk.prepare_disks_script([(1, True, True), (2, True, False)])
    assert online.step_names[:3] == ["online.1", "writable.1", "online.2"]
    assert online.step_names[3:] == disk.discovery_script().step_names[1:]
    writable = disk.prepare_disks_script([(1, False, True)])
    assert writable.step_names == ["writable.1", "disks"]


def test_assigning_a_letter_records_it_first_and_tests_the_store_there():
    letter = disk.AccessPath(1, 1, "Z")
    script = disk.assign_letter_script(letter, "EFI\\Microsoft\\Boot\\BCD", Record().with_letter(letter))
    assert script.step_names == ["record-dir", "record-write", "assign", "assigned", "bcd-store"]
    body = script.render()
    assert "Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'Z:\\'" in body
    assert "Test-Path -LiteralPath 'Z:\\EFI\\Microsoft\\Boot\\BCD' -PathType Leaf" in body
    assert '"drive": "Z:"' in body and body.index("Set-Content") < body.index("Add-PartitionAccessPath")
    with pytest.raises(ValueError):
        disk.assign_letter_script(letter, "EFI\\Microsoft\\Boot\\BCD", Record())


def test_an_identity_change_is_recorded_before_it_is_made_and_put_back_before_the_record_goes():
    change = IdentityChange(0, "GPT", "{A}", "{B}", 1, "{A}")
    script = disk.prepare_disks_script([(1, True, False)], None, change, Record(identity=change)).render()
    assert script.index("Set-Content") < script.index("Set-Disk -Number 0 -Guid '{B}'") < \
        script.index("Set-Disk -Number 1 -IsOffline $false")
    with pytest.raises(ValueError):
        disk.prepare_disks_script([(1, True, False)], None, change, Record())
    release = disk.release_script([disk.AccessPath(1, 1, "Z")], 1, change, forget_record=True).render()
    assert release.index("Remove-PartitionAccessPath") < release.index("Set-Disk -Number 1 -IsOffline $true") < \
        release.index("Set-Disk -Number 0 -Guid '{A}'") < release.index("Remove-Item")
    mbr = IdentityChange(0, "MBR", 0x1234, 0x5678, 1, 0x1234)
    assert "Set-Disk -Number 0 -Signature 4660" in disk.release_script([], 1, mbr).render()


def test_many_files_are_copied_and_hashed_by_one_command():
    planned = [BackupFile(f"F:\\Windows\\System32\\config\\HIVE{i:02d}", f"config\\HIVE{i:02d}", 1) for i in range(40)]
    script = files.backup_copy_script("F:\\vmrescue-backup\\r1.partial", planned, ["F:\\vmrescue-backup\\r0.partial"])
    assert script.step_names == ["clean.0", "mkdir"] + [f"{kind}.{i}" for i in range(40)
                                                        for kind in ("hsrc", "copy", "hdst")]
    text = script.render()
    assert "Remove-Item -LiteralPath 'F:\\vmrescue-backup\\r0.partial' -Recurse -Force" in text
    assert "New-Item -ItemType Directory -Path 'F:\\vmrescue-backup\\r1.partial\\config' -Force | Out-Null" in text
    assert "-Destination 'F:\\vmrescue-backup\\r1.partial\\config\\HIVE39' -Force" in text
    verify = files.hash_script("backup-verify", [f.source for f in planned])
    assert verify.step_names == [f"h.{i}" for i in range(40)]


TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"


def test_driver_read_is_one_command():
    script = files.driver_read_script("C:\\good.sys", "F:\\x.sys", "F:\\b\\x.sys", 1024, "F:\\vmrescue\\journal.json")
    assert script.step_names == ["exists", "disks", "partitions", "journal-hash", "journal", "source", "source-head",
                                 "dest", "dest-head", "dest-sddl", "backup", "backup-acl"]
    text = script.render()
    assert "Get-Content -LiteralPath 'C:\\good.sys' -Encoding Byte -TotalCount 1024" in text
    assert "Get-Content -LiteralPath 'F:\\x.sys' -Encoding Byte -TotalCount 1024" in text
    assert "Get-Acl -LiteralPath 'F:\\x.sys' | Select-Object -Property Sddl | ConvertTo-Json -Compress" in text
    assert "Test-Path -LiteralPath 'F:\\b\\x.sys.acl' -PathType Leaf" in text


def test_driver_backup_writes_the_journal_first_and_saves_the_dacl_next_to_the_backup():
    script = files.driver_backup_script("F:\\x.sys", "F:\\b\\drivers\\x.sys", "F:\\vmrescue\\journal.json", "{}")
    assert script.step_names == ["journal-guard", "journal-dir", "journal-write", "mkdir", "copy", "hash", "acl",
                                 "acl-hash"]
    assert "icacls.exe 'F:\\x.sys' '/save' 'F:\\b\\drivers\\x.sys.acl'" in script.render()
    # A re-run sends only what it found missing; without a new record no journal write.
    partial = files.driver_backup_script("F:\\x.sys", "F:\\b\\drivers\\x.sys", "F:\\j.json", None, copy=False)
    assert partial.step_names == ["hash", "acl", "acl-hash"]


def test_driver_replace_takes_ownership_copies_only_after_a_grant_then_puts_dacl_and_owner_back():
    text = files.driver_replace_script("C:\\good.sys", "F:\\d\\x.sys", "F:\\b\\x.sys.acl", TI).render().splitlines()
    takeown = text.index("takeown.exe '/F' 'F:\\d\\x.sys' '/A'")
    grant = text.index("icacls.exe 'F:\\d\\x.sys' '/grant' '*S-1-5-32-544:F'")
    copy = text.index("Copy-Item -LiteralPath 'C:\\good.sys' -Destination 'F:\\d\\x.sys' -Force")
    dacl = text.index("icacls.exe 'F:\\d' '/restore' 'F:\\b\\x.sys.acl'")
    owner = text.index(f"icacls.exe 'F:\\d\\x.sys' '/setowner' '*{TI}'")
    assert takeown < grant < copy < dacl < owner
    # grant and copy sit inside "only when the last native program succeeded"; the DACL and the owner always run.
    assert text[grant - 2] == "if ($LASTEXITCODE -eq 0) {" and text[copy - 2] == "if ($LASTEXITCODE -eq 0) {"
    assert text[dacl - 1].startswith("Write-Output") and text[dacl - 2] == "}"
    assert text[owner - 1].startswith("Write-Output") and not text[owner - 2].startswith("if (")
    acl_only = files.driver_replace_script(None, "F:\\d\\x.sys", "F:\\b\\x.sys.acl", TI)
    assert acl_only.step_names == ["takeown", "dacl", "owner", "hash", "sddl"]


def test_a_journal_restore_puts_each_record_back_under_its_own_steps():
    script = files.driver_restore_script([("F:\\b\\x.sys", "F:\\d\\x.sys", "F:\\b\\x.sys.acl", TI),
                                          ("F:\\b\\y.sys", "F:\\d\\y.sys", "F:\\b\\y.sys.acl", "S-1-5-18")])
    steps = ("takeown", "grant", "copy", "dacl", "owner", "hash", "sddl")
    assert script.step_names[:7] == [f"r0.{step}" for step in steps]
    assert script.step_names[7] == "r1.takeown" and "'*S-1-5-18'" in script.render()


def test_a_failed_native_step_is_told_by_its_exit_code():
    script = files.driver_replace_script("C:\\good.sys", "F:\\x.sys", "F:\\b\\x.sys.acl", TI)
    nonce = script.nonce
    out = "\n".join([f"@@vmr:{nonce}:begin:takeown", f"@@vmr:{nonce}:rc:takeown:0",
                     f"@@vmr:{nonce}:begin:grant", f"@@vmr:{nonce}:rc:grant:5",
                     f"@@vmr:{nonce}:begin:owner", f"@@vmr:{nonce}:rc:owner:0", f"@@vmr:{nonce}:done"])
    result = parse_output(script, out)
    assert files.failed_native(result, "takeown") is None
    assert files.failed_native(result, "grant") == 5
    assert files.failed_native(result, "copy") is None and not result.ran("copy")


def test_hostile_paths_stay_literals():
    hostile = "F:\\it's $(Remove-Item C:\\) `n {default}"
    text = files.file_probe(hostile)
    assert "'F:\\it''s $(Remove-Item C:\\) `n {default}'" in text


def _answer(script: RemoteScript, outputs: dict[str, list[str]]) -> str:
    lines = []
    for step in script.step_names:
        lines.append(f"@@vmr:{script.nonce}:begin:{step}")
        lines += outputs.get(step, [])
        lines.append(f"@@vmr:{script.nonce}:end:{step}")
    lines.append(f"@@vmr:{script.nonce}:done")
    return "\r\n".join(lines) + "\r\n"


def test_reading_discovery_answers():
    script = disk.discovery_script("F:\\boot\\BCD")
    outputs = {"disks": ['{"Number":0,"IsSystem":true,"IsBoot":true,"PartitionStyle":2}'],
               "partitions": ['{"DiskNumber":0,"PartitionNumber":1,"DriveLetter":"C"}'],
               "volumes": [], "bcd-store": ["True"]}
    for letter in LETTERS.lower():
        outputs[f"hives.{letter}"] = ["False", "False"]
        outputs[f"bcd.{letter}"] = ["False", "False"]
    outputs["hives.f"] = ["True", "False"]
    outputs["bcd.s"] = ["False", "True"]
    outputs["memory-dump.f"] = [json.dumps({"FullName": "F:\\Windows\\MEMORY.DMP", "Length": 8})]
    outputs["minidumps.f"] = [json.dumps([{"FullName": "F:\\Windows\\Minidump\\a.dmp", "Length": 1},
                                          {"FullName": "F:\\Windows\\Minidump\\b.dmp", "Length": 2}])]
    found = disk.read_discovery(parse_output(script, _answer(script, outputs)), "F:\\boot\\BCD")
    assert [k for k, v in found.has_system_hive.items() if v] == ["F"]
    assert found.volumes["F"].software_hive is False and found.layout.disks[0].recovery_vm_own
    assert [d["size"] for d in found.volumes["F"].dump_files] == [8, 1, 2]
    assert found.bcd_exists("S:\\EFI\\Microsoft\\Boot\\BCD") and found.bcd_exists("s:\\efi\\microsoft\\boot\\bcd")
    assert not found.bcd_exists("S:\\boot\\BCD") and not found.bcd_exists("A:\\boot\\BCD")
    assert found.bcd_store_exists is True


def test_a_discovery_answer_without_a_letters_booleans_is_an_error():
    script = disk.discovery_script()
    outputs = {"disks": [], "partitions": [], "volumes": []}
    with pytest.raises(VmrescueError, match="C: hive"):
        disk.read_discovery(parse_output(script, _answer(script, outputs)))


def test_an_interrupted_step_is_an_error_not_an_empty_answer():
    script = files.hash_script("backup-verify", ["F:\\a"])
    stdout = f"@@vmr:{script.nonce}:begin:h.0\r\n@@vmr:{script.nonce}:done\r\n"
    with pytest.raises(VmrescueError, match="did not complete"):
        files.completed_steps(parse_output(script, stdout))


def test_file_probe_answers():
    probe = files.parse_file_probe("F:\\x.sys", [
        "True", '{"FullName":"F:\\\\x.sys","Length":12,"VersionInfo":{"FileVersion":"10.0.1 (x)","ProductVersion":"10.0.1"}}',
        '{"Algorithm":"SHA256","Hash":"' + "AB" * 32 + '","Path":"F:\\\\x.sys"}'])
    assert (probe.exists, probe.size, probe.sha256, probe.file_version) == (True, 12, "ab" * 32, "10.0.1 (x)")
    assert files.parse_file_probe("F:\\y", ["False"]).exists is False


def test_a_file_that_exists_but_cannot_be_read_is_an_error_not_absent():
    with pytest.raises(VmrescueError, match="could not be read"):
        files.parse_file_probe("F:\\x.sys", ["True"])
    with pytest.raises(VmrescueError):
        files.parse_file_probe("F:\\x.sys", [])


def test_hash_answers():
    assert files.parse_hash([], "x") is None
    with pytest.raises(VmrescueError):
        files.parse_hash(['{"Hash":"XYZ"}'], "x")


def test_manifest_text_is_written_as_one_literal():
    script = files.manifest_script("F:\\b\\r.partial\\manifest.json", "F:\\b\\r\\manifest.json", '{"a":"it\'s"}',
                                   "F:\\b\\latest.json")
    text = script.render()
    assert "Set-Content -LiteralPath 'F:\\b\\r.partial\\manifest.json' -Value '{\"a\":\"it''s\"}' -Encoding UTF8 -NoNewline" in text
    # The folder takes its final name only once its manifest is in it, and latest.json is copied from there.
    assert text.index("Set-Content") < text.index("Rename-Item -LiteralPath 'F:\\b\\r.partial' -NewName 'r'") \
        < text.index("Copy-Item -LiteralPath 'F:\\b\\r\\manifest.json' -Destination 'F:\\b\\latest.json'")
