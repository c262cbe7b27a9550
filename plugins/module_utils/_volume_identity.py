# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what identifies a file on the broken disk independently of the recovery VM's drive letters.

Drive letters belong to the recovery VM and change whenever the disk is detached and attached again, or an EFI
partition gets another temporary letter. What stays is what Windows' own boot manager uses to find a partition
(the BCD ``device`` elements name the same facts, bcd-and-registry.md section 1):

- GPT disks: the disk GUID and the partition's unique GUID -> ``gpt:{disk guid}:{partition guid}``;
- MBR disks: the 32-bit disk signature and the partition's byte offset -> ``mbr:{signature, 8 hex}:{offset}``.

A file is then ``(volume, path below the volume root)``, the path lower-case because Windows compares paths
case-insensitively. Decided from Get-Disk/Get-Partition JSON only (PartitionStyle, Signature, Guid, Offset).
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

_DRIVE_PATH = re.compile(r"^([A-Za-z]):\\(.*)$", re.DOTALL)
_STYLES = {1: "MBR", 2: "GPT", "MBR": "MBR", "GPT": "GPT"}


@dataclasses.dataclass(frozen=True)
class FileLocation:
    volume: str             # gpt:{disk guid}:{partition guid} | mbr:{signature}:{offset}
    relative: str           # below the volume root, lower-case, no leading backslash
    disk_number: int
    letter: str             # the letter it has on the recovery VM now ("F")

    @property
    def key(self) -> str:
        """One string for journal keys: ``<volume>|<relative path>``."""
        return f"{self.volume}|{self.relative}"


def _letter(value: t.Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and 65 <= value <= 122:
        value = chr(value)
    if isinstance(value, str) and len(value) == 1 and value.isascii() and value.isalpha():
        return value.upper()
    return None


def _guid(value: t.Any) -> str | None:
    if not isinstance(value, str) or not value.strip("{} "):
        return None
    return "{" + value.strip("{} ").lower() + "}"


def disk_identity(disk: dict[str, t.Any]) -> str | None:
    """``gpt:{guid}`` or ``mbr:xxxxxxxx`` of a Get-Disk object; None when the disk has no usable identity."""
    style = _STYLES.get(disk.get("PartitionStyle"))
    if style == "GPT" and _guid(disk.get("Guid")):
        return f"gpt:{_guid(disk.get('Guid'))}"
    signature = disk.get("Signature")
    if style == "MBR" and isinstance(signature, int) and not isinstance(signature, bool) and 0 < signature < 2 ** 32:
        return f"mbr:{signature:08x}"
    return None


def volume_identity(disk: dict[str, t.Any], partition: dict[str, t.Any]) -> str | None:
    """The volume part of a location; None when the disk or partition lacks what identifies it."""
    identity = disk_identity(disk)
    if identity is None:
        return None
    if identity.startswith("gpt:"):
        part_guid = _guid(partition.get("Guid"))
        return f"{identity}:{part_guid}" if part_guid else None
    offset = partition.get("Offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return None
    return f"{identity}:{offset}"


def split_drive_path(path: str) -> tuple[str, str]:
    """``F:\\Windows\\x`` -> ``("F", "windows\\x")``; VmrescueError for anything else."""
    match = _DRIVE_PATH.match(path) if isinstance(path, str) else None
    if not match:
        raise VmrescueError(f"{path!r} is not an absolute drive-letter path", path=path)
    return match.group(1).upper(), match.group(2).strip("\\").lower()


def locate(path: str, what: str, disks: list[dict[str, t.Any]], partitions: list[dict[str, t.Any]]) -> FileLocation:
    """Where ``path`` is, by volume identity; VmrescueError when its letter or disk cannot be identified."""
    letter, relative = split_drive_path(path)
    partition = next((p for p in partitions if _letter(p.get("DriveLetter")) == letter), None)
    disk = next((d for d in disks if partition is not None and d.get("Number") == partition.get("DiskNumber")), None)
    volume = volume_identity(disk, partition) if disk is not None and partition is not None else None
    if volume is None:
        raise VmrescueError(f"{what} {path!r}: drive {letter}: is not a partition with a disk signature or GUID that "
                            "Windows lists, so it cannot be recorded independently of the drive letter", path=path)
    return FileLocation(volume, relative, int(partition["DiskNumber"]), letter)


def current_path(volume: str, relative: str, disks: list[dict[str, t.Any]],
                 partitions: list[dict[str, t.Any]]) -> str | None:
    """The path the recorded file has now (``G:\\windows\\...``), or None when no lettered partition has that identity."""
    by_number = {d.get("Number"): d for d in disks}
    for partition in partitions:
        letter = _letter(partition.get("DriveLetter"))
        disk = by_number.get(partition.get("DiskNumber"))
        if letter and disk is not None and volume_identity(disk, partition) == volume:
            return f"{letter}:\\{relative}"
    return None


def same_disk(a: FileLocation, b: FileLocation) -> bool:
    """Both on one disk (by identity, not by the recovery VM's disk number)."""
    return a.volume.rsplit(":", 1)[0] == b.volume.rsplit(":", 1)[0]
