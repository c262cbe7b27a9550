"""What offline_backup copies, the manifest it writes, and when a backup is verified."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _backup as backup
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

NOW = datetime.datetime(2025, 1, 31, 12, 0, 5, tzinfo=datetime.timezone.utc)
CONFIG = "F:\\Windows\\System32\\config"


def test_logs_are_found_case_insensitively_and_unrelated_files_ignored():
    listing = {"bcd": 10, "BCD.LOG1": 0, "BCD.log2": 0, "BCD.LOG": 5, "BCD-Template": 1, "BCD.LOG3": 1}
    assert backup.with_logs(listing, "BCD") == [("bcd", 10), ("BCD.LOG", 5), ("BCD.LOG1", 0), ("BCD.log2", 0)]


def test_plan_files_puts_store_and_hives_in_separate_folders():
    planned = backup.plan_files("S:\\EFI\\Microsoft\\Boot\\BCD", {"BCD": 1, "BCD.LOG": 2, "bootmgfw.efi": 3},
                                CONFIG, {"SYSTEM": 4, "SYSTEM.LOG1": 5, "SOFTWARE": 6}, ["SYSTEM"])
    assert [(f.source, f.relative, f.size) for f in planned] == [
        ("S:\\EFI\\Microsoft\\Boot\\BCD", "bcd\\BCD", 1),
        ("S:\\EFI\\Microsoft\\Boot\\BCD.LOG", "bcd\\BCD.LOG", 2),
        (CONFIG + "\\SYSTEM", "config\\SYSTEM", 4),
        (CONFIG + "\\SYSTEM.LOG1", "config\\SYSTEM.LOG1", 5),
    ]


def test_missing_store_or_hive_is_refused():
    with pytest.raises(VmrescueError, match="BCD store"):
        backup.plan_files("F:\\boot\\BCD", {"BCD.LOG": 1}, CONFIG, {"SYSTEM": 1}, ["SYSTEM"])
    with pytest.raises(VmrescueError, match="SOFTWARE"):
        backup.plan_files("F:\\boot\\BCD", {"BCD": 1}, CONFIG, {"SYSTEM": 1}, ["SYSTEM", "SOFTWARE"])


@pytest.mark.parametrize("bad", ["..\\x", "a b", "", "x" * 65, "-lead"])
def test_run_ids_are_plain_names(bad):
    with pytest.raises(VmrescueError):
        backup.check_run_id(bad)


def test_hive_names_are_plain_names():
    assert backup.check_hive_name("SOFTWARE") == "SOFTWARE"
    with pytest.raises(VmrescueError):
        backup.check_hive_name("..\\SAM")


def test_run_id_is_utc_time():
    assert backup.run_id_for(NOW) == "20250131T120005Z"


def _manifest():
    planned = [backup.BackupFile("F:\\boot\\BCD", "bcd\\BCD", 3), backup.BackupFile(CONFIG + "\\SYSTEM", "config\\SYSTEM", 4)]
    hashes = {"F:\\boot\\BCD": "a" * 64, CONFIG + "\\SYSTEM": "b" * 64}
    return backup.build_manifest(NOW, "F:\\vmrescue-backup\\r1", planned, hashes)


def test_manifest_round_trip_and_paths():
    manifest = _manifest()
    text = backup.manifest_text(manifest)
    assert "\n" not in text
    assert backup.parse_manifest("\ufeff" + text) == manifest
    assert manifest["created"] == "2025-01-31T12:00:05Z"
    assert backup.backup_file_paths(manifest) == ["F:\\vmrescue-backup\\r1\\bcd\\BCD",
                                                  "F:\\vmrescue-backup\\r1\\config\\SYSTEM"]


def test_manifest_file_hash_includes_the_bom_powershell_writes():
    text = backup.manifest_text(_manifest())
    assert backup.manifest_file_sha256(text) == hashlib.sha256(b"\xef\xbb\xbf" + text.encode()).hexdigest()


@pytest.mark.parametrize("text", [
    "", "not json", "[]", json.dumps({"format": 2, "backup_path": "F:\\b", "files": [{}]}),
    json.dumps({"format": 1, "backup_path": "F:\\b", "files": []}),
    json.dumps({"format": 1, "backup_path": "F:\\b", "files": [{"source": "a", "backup": "..\\x", "sha256": "c"}]}),
    json.dumps({"format": 1, "backup_path": "F:\\b", "files": [{"source": "a", "backup": "C:\\x", "sha256": "c"}]}),
])
def test_foreign_or_damaged_manifests_are_not_trusted(text):
    assert backup.parse_manifest(text) is None


def test_verify_reports_missing_and_changed_files():
    manifest = _manifest()
    paths = backup.backup_file_paths(manifest)
    assert backup.verify(manifest, {paths[0]: "A" * 64, paths[1]: "b" * 64}) == []
    problems = backup.verify(manifest, {paths[0]: None, paths[1]: "c" * 64})
    assert len(problems) == 2 and "missing" in problems[0] and "no longer matches" in problems[1]


def test_copy_problems():
    files = [backup.BackupFile("F:\\a", "a", 1), backup.BackupFile("F:\\b", "b", 1), backup.BackupFile("F:\\c", "c", 1)]
    assert backup.copy_problems(files, {"F:\\a": "1", "F:\\b": "2", "F:\\c": "3"},
                                {"F:\\a": "1", "F:\\b": "2", "F:\\c": "3"}) == []
    problems = backup.copy_problems(files, {"F:\\a": None, "F:\\b": "2", "F:\\c": "3"},
                                    {"F:\\a": "1", "F:\\b": None, "F:\\c": "4"})
    assert len(problems) == 3
