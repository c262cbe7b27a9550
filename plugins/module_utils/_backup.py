# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what offline_backup copies, its manifest, and when a backup counts as verified.

Layout on the broken disk::

    <backup_dir>\\<run id>\\bcd\\BCD, BCD.LOG, BCD.LOG1, BCD.LOG2      (those that exist)
    <backup_dir>\\<run id>\\config\\SYSTEM, SYSTEM.LOG1, ...
    <backup_dir>\\<run id>\\manifest.json
    <backup_dir>\\latest.json                                       (a copy of the newest verified manifest)

``manifest.json`` is written only after every copy was hashed and matched its source, so a manifest means a
verified backup. It is compact JSON (format 1)::

    {"format": 1, "created": "2025-01-31T12:00:00Z", "backup_path": "F:\\\\vmrescue-backup\\\\20250131T120000Z",
     "files": [{"source": "F:\\\\boot\\\\BCD", "backup": "bcd\\\\BCD", "size": 32768, "sha256": "<hex>"}, ...]}

``backup`` is relative to ``backup_path``. A backup is still verified later when every listed file hashes to the
recorded SHA-256.

A backup is copied into ``<run id>.partial`` and renamed to ``<run id>`` only after its manifest is written into it,
so a folder under its final name always holds a complete, verified backup. A ``.partial`` folder is what an
interrupted backup left: the next backup that copies removes it.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import ntpath
import re
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

MANIFEST_FORMAT = 1
MANIFEST_NAME = "manifest.json"
LATEST_NAME = "latest.json"
PARTIAL_SUFFIX = ".partial"
# Windows keeps a hive's transaction logs next to it under these names.
LOG_SUFFIXES = ("", ".LOG", ".LOG1", ".LOG2")
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HIVE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclasses.dataclass(frozen=True)
class BackupFile:
    source: str         # full path on the recovery VM
    relative: str       # path inside the backup folder
    size: int | None


def run_id_for(now: datetime.datetime) -> str:
    return now.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def check_run_id(value: str) -> str:
    if not _RUN_ID.match(value) or value.lower().endswith(PARTIAL_SUFFIX):
        raise VmrescueError(f"run_id {value!r} must be 1-64 letters, digits, '.', '_' or '-', "
                            f"not ending in {PARTIAL_SUFFIX}")
    return value


def partial_path(backup_path: str) -> str:
    """Where a backup is copied before its manifest makes it complete."""
    return backup_path + PARTIAL_SUFFIX


def interrupted_backups(backup_dir: str, folder_names: t.Sequence[str]) -> list[str]:
    """The folders interrupted backups left in ``backup_dir``: ``<run id>.partial``, nothing else."""
    return [ntpath.join(backup_dir, name) for name in folder_names
            if name.lower().endswith(PARTIAL_SUFFIX) and _RUN_ID.match(name[:-len(PARTIAL_SUFFIX)])]


def check_hive_name(value: str) -> str:
    if not _HIVE_NAME.match(value):
        raise VmrescueError(f"hive {value!r} must be a file name under Windows\\System32\\config, such as SYSTEM")
    return value


def with_logs(listing: dict[str, int | None], base: str) -> list[tuple[str, int | None]]:
    """``base`` and its ``.LOG*`` files as listed (names compared case-insensitively, as NTFS does)."""
    by_folded = {name.casefold(): (name, size) for name, size in listing.items()}
    return [by_folded[(base + suffix).casefold()] for suffix in LOG_SUFFIXES if (base + suffix).casefold() in by_folded]


def plan_files(bcd_store: str, bcd_listing: dict[str, int | None], config_dir: str,
               config_listing: dict[str, int | None], hives: t.Sequence[str]) -> list[BackupFile]:
    """Every file to copy; raise when the store or a hive itself is missing."""
    bcd_dir, bcd_name = ntpath.split(bcd_store)
    planned = []
    found = with_logs(bcd_listing, bcd_name)
    if not found or found[0][0].casefold() != bcd_name.casefold():
        raise VmrescueError(f"the BCD store {bcd_store} does not exist; nothing was written")
    planned += [BackupFile(ntpath.join(bcd_dir, name), ntpath.join("bcd", name), size) for name, size in found]
    for hive in hives:
        found = with_logs(config_listing, hive)
        if not found or found[0][0].casefold() != hive.casefold():
            raise VmrescueError(f"the hive {ntpath.join(config_dir, hive)} does not exist; nothing was written")
        planned += [BackupFile(ntpath.join(config_dir, name), ntpath.join("config", name), size)
                    for name, size in found]
    return planned


def build_manifest(created: datetime.datetime, backup_path: str, files: t.Sequence[BackupFile],
                   hashes: dict[str, str]) -> dict[str, t.Any]:
    return {
        "format": MANIFEST_FORMAT,
        "created": created.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "backup_path": backup_path,
        "files": [{"source": f.source, "backup": f.relative, "size": f.size, "sha256": hashes[f.source]}
                  for f in files],
    }


def manifest_text(manifest: dict[str, t.Any]) -> str:
    return json.dumps(manifest, separators=(",", ":"), ensure_ascii=False)


def manifest_file_sha256(text: str) -> str:
    """SHA-256 of the file ``Set-Content -Encoding UTF8 -NoNewline`` writes (PowerShell 5.1 adds a BOM)."""
    return hashlib.sha256(_UTF8_BOM + text.encode("utf-8")).hexdigest()


def parse_manifest(text: str) -> dict[str, t.Any] | None:
    """A manifest read back from the disk, or None when it is not one this module wrote (then: not verified)."""
    try:
        data = json.loads(text.strip().lstrip("\ufeff"))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return None
    entries = data.get("files")
    if not isinstance(data.get("backup_path"), str) or not isinstance(entries, list) or not entries:
        return None
    for entry in entries:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("source", "backup", "sha256")):
            return None
        if ".." in entry["backup"].split("\\") or ntpath.isabs(entry["backup"]):
            return None
    return data


def backup_file_paths(manifest: dict[str, t.Any]) -> list[str]:
    return [ntpath.join(manifest["backup_path"], entry["backup"]) for entry in manifest["files"]]


def verify(manifest: dict[str, t.Any], actual: dict[str, str | None]) -> list[str]:
    """Problems found comparing recorded hashes with ``actual`` (backup path -> SHA-256 or None when missing)."""
    problems = []
    for entry, path in zip(manifest["files"], backup_file_paths(manifest)):
        digest = actual.get(path)
        if digest is None:
            problems.append(f"{path} is missing")
        elif digest.lower() != entry["sha256"].lower():
            problems.append(f"{path} no longer matches its recorded SHA-256")
    return problems


def copy_problems(files: t.Sequence[BackupFile], source_hashes: dict[str, str | None],
                  copy_hashes: dict[str, str | None]) -> list[str]:
    """Every copy must exist and hash like its source."""
    problems = []
    for item in files:
        source, copy = source_hashes.get(item.source), copy_hashes.get(item.source)
        if source is None:
            problems.append(f"{item.source} could not be hashed")
        elif copy is None:
            problems.append(f"the copy of {item.source} is missing")
        elif source != copy:
            problems.append(f"the copy of {item.source} differs from it (SHA-256)")
    return problems
