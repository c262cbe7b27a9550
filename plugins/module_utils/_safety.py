# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: refuse to edit the recovery VM's own running system, a missing file, or a file that is not a hive.

Decided from ``Get-Disk``/``Get-Partition`` JSON (IsSystem, IsBoot, DriveLetter) and ``Test-Path``, never from text.
A path must be a drive-letter path (``X:\\...``) on a partition that Windows lists, on a disk that is neither the
system nor the boot disk; the system drive's ``Windows\\System32\\config`` is refused by name as well.

The shape of a path is checked before any command is sent (``check_target_path``). Which disk a letter belongs to is
only known from the read command, which also loads the file with ``reg load``: so a hive that is not in use on the
recovery VM's own disk is loaded (and unloaded) once before it is refused. Live hives and the running system's store
cannot be loaded at all (Windows holds them open).
"""

from __future__ import annotations

import ntpath
import re
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import json_objects as parse_json_objects

_DRIVE_PATH = re.compile(r"^([A-Za-z]):\\")


def json_objects(text: str) -> list[dict[str, t.Any]]:
    """The disks or partitions a read command listed (ConvertTo-Json output)."""
    return parse_json_objects(text, "disk inventory")


def _letter(value: t.Any) -> str | None:
    if isinstance(value, int) and 65 <= value <= 122:
        value = chr(value)
    if isinstance(value, str) and len(value) == 1 and value.isalpha():
        return value.upper()
    return None


def check_target_path(path: str, what: str) -> str:
    """The drive letter of ``path``, or VmrescueError when it is not an absolute drive-letter path (before any command)."""
    match = _DRIVE_PATH.match(path) if isinstance(path, str) else None
    if not match or ".." in path.split("\\"):
        raise VmrescueError(f"{what} {path!r} must be an absolute drive-letter path such as F:\\boot\\BCD "
                            "(without '..'; not a share or a relative path)", path=path)
    return match.group(1).upper()


def check_offline_target(path: str, what: str, exists: bool, disks: list[dict[str, t.Any]],
                         partitions: list[dict[str, t.Any]]) -> None:
    """Raise VmrescueError unless ``path`` is an existing file on an attached (not running) Windows disk."""
    letter = check_target_path(path, what)
    if not exists:
        raise VmrescueError(f"{what} {path!r} does not exist (or is not a file) on the recovery VM", path=path)
    partition = next((p for p in partitions if _letter(p.get("DriveLetter")) == letter), None)
    if partition is None:
        raise VmrescueError(f"{what} {path!r}: drive {letter}: is not a partition Windows lists, so it cannot be "
                            "checked to be on the attached disk", path=path)
    boot_letters = {_letter(p.get("DriveLetter")) for p in partitions if p.get("IsBoot")}
    config_dir = ntpath.normcase(f"{letter}:\\windows\\system32\\config")
    if letter in boot_letters and ntpath.normcase(ntpath.dirname(path)).startswith(config_dir):
        raise VmrescueError(f"refusing to touch {what} {path!r}: it is the running system's registry", path=path)
    disk = next((d for d in disks if d.get("Number") == partition.get("DiskNumber")), None)
    # Decided by the disk: an attached disk's EFI partition may itself be flagged as a system partition.
    if disk is None or disk.get("IsSystem") or disk.get("IsBoot"):
        raise VmrescueError(
            f"refusing to touch {what} {path!r}: drive {letter}: is on disk {partition.get('DiskNumber')}, the recovery "
            "VM's own running system. Point the task at the attached (broken) disk's copy.", path=path)
