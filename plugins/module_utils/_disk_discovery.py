# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: find the attached (broken) Windows volume and its BCD store from Get-Disk/Get-Partition/Get-Volume JSON.

Pure logic, no remote calls. Every decision comes from typed values: IsSystem/IsBoot flags, IsOffline, partition
style, GPT partition type GUIDs, the MBR active flag, drive letters, and Test-Path results.

- The attached Windows volume is a lettered volume holding ``\\Windows\\System32\\config\\SYSTEM`` that is neither on
  the recovery VM's own system/boot disk nor one of its system/boot partitions.
- Generation 2 (UEFI, GPT): the store is ``\\EFI\\Microsoft\\Boot\\BCD`` on the disk's EFI system partition, which
  normally has no drive letter.
- Generation 1 (BIOS, MBR): the store is ``\\boot\\BCD`` on the disk's active partition: the "System Reserved"
  partition, or the Windows volume itself when there is no separate one.
"""

from __future__ import annotations

import dataclasses
import re
import string
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import json_objects as parse_json_objects

ESP_GPT_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
_GPT_ROLES = {
    ESP_GPT_TYPE: "esp",
    "e3c9e316-0b5c-4db8-817d-f92df00215ae": "msr",
    "de94bba4-06d1-4d40-a16a-bfd50179d6ac": "recovery",
    "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7": "data",
}
_MBR_RECOVERY_TYPE = 0x27
_PARTITION_STYLES = {0: "RAW", 1: "MBR", 2: "GPT"}
# Letters probed for a Windows volume. A: and B: are never given to a volume automatically.
PROBE_LETTERS = tuple(string.ascii_uppercase[2:])
# Letters offered for a temporary access path, last first: far away from the ones Windows hands out next.
_TEMPORARY_LETTER_ORDER = tuple(reversed(string.ascii_uppercase[3:]))
SYSTEM_HIVE = "Windows\\System32\\config\\SYSTEM"
SOFTWARE_HIVE = "Windows\\System32\\config\\SOFTWARE"
BIOS_BCD = "boot\\BCD"
UEFI_BCD = "EFI\\Microsoft\\Boot\\BCD"
_DRIVE = re.compile(r"^([A-Za-z]):?\\?$")
_DRIVE_PATH = re.compile(r"^([A-Za-z]):\\")


def drive_letter(value: t.Any) -> str | None:
    """A ``DriveLetter`` value (a char: ``"F"``, ``"\\u0000"`` when none, or null) -> ``"F"`` or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = chr(value) if 0 < value < 0x110000 else ""
    if isinstance(value, str) and len(value) == 1 and value in string.ascii_letters:
        return value.upper()
    return None


def normalize_drive(value: str, option: str = "windows_drive") -> str:
    """``f``, ``F:`` or ``F:\\`` -> ``F:``; anything else is a clear error."""
    match = _DRIVE.match(str(value).strip())
    if not match:
        raise VmrescueError(f"{option} must be a drive letter such as 'F:', got {value!r}")
    return match.group(1).upper() + ":"


def drive_of_path(path: str) -> str | None:
    """``F:\\boot\\BCD`` -> ``F``; None for anything that is not an absolute drive-letter path."""
    match = _DRIVE_PATH.match(path)
    return match.group(1).upper() if match else None


def _guid(value: t.Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().strip("{}").lower()


def _style(value: t.Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return _PARTITION_STYLES.get(value, f"unknown-{value}")
    return str(value).upper() if value is not None else "RAW"


@dataclasses.dataclass(frozen=True)
class Disk:
    number: int
    friendly_name: str | None
    offline: bool
    offline_reason: t.Any
    read_only: bool
    is_system: bool
    is_boot: bool
    partition_style: str
    signature: int | None
    guid: str | None
    size: int | None

    @property
    def recovery_vm_own(self) -> bool:
        """The recovery VM runs from this disk: never a candidate, never touched."""
        return self.is_system or self.is_boot

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Partition:
    disk_number: int
    number: int
    letter: str | None
    gpt_type: str | None
    mbr_type: int | None
    active: bool
    is_system: bool
    is_boot: bool
    size: int | None

    @property
    def drive(self) -> str | None:
        return f"{self.letter}:" if self.letter else None

    @property
    def role(self) -> str:
        if self.gpt_type:
            return _GPT_ROLES.get(self.gpt_type, "other")
        if self.mbr_type == _MBR_RECOVERY_TYPE:
            return "recovery"
        return "active" if self.active else "data"

    def as_dict(self) -> dict[str, t.Any]:
        return {
            "disk_number": self.disk_number, "partition_number": self.number, "drive": self.drive,
            "gpt_type": "{" + self.gpt_type + "}" if self.gpt_type else None, "mbr_type": self.mbr_type,
            "active": self.active, "role": self.role, "size": self.size,
        }


@dataclasses.dataclass
class Layout:
    disks: list[Disk]
    partitions: list[Partition]
    volumes: dict[str, dict[str, t.Any]]      # letter -> {file_system, label}

    def disk(self, number: int) -> Disk:
        for disk in self.disks:
            if disk.number == number:
                return disk
        raise VmrescueError(f"disk {number} is not listed by Get-Disk", disks=[d.as_dict() for d in self.disks])

    def partitions_of(self, disk_number: int) -> list[Partition]:
        return sorted((p for p in self.partitions if p.disk_number == disk_number), key=lambda p: p.number)

    def partition_with_letter(self, letter: str) -> Partition | None:
        letter = letter.rstrip(":").upper()
        return next((p for p in self.partitions if p.letter == letter), None)

    def used_letters(self) -> set[str]:
        return {p.letter for p in self.partitions if p.letter} | set(self.volumes)

    def protected(self, partition: Partition) -> bool:
        """Part of the recovery VM's own running system."""
        disk = next((d for d in self.disks if d.number == partition.disk_number), None)
        return disk is None or disk.recovery_vm_own or partition.is_system or partition.is_boot

    def recovery_vm_generation(self) -> int | None:
        own = [d for d in self.disks if d.recovery_vm_own]
        return _generation_of_style(own[0].partition_style) if own else None

    def partitions_report(self, disk_number: int) -> list[dict[str, t.Any]]:
        report = []
        for part in self.partitions_of(disk_number):
            entry = part.as_dict()
            volume = self.volumes.get(part.letter or "", {})
            entry.update(file_system=volume.get("file_system"), label=volume.get("label"))
            report.append(entry)
        return report


def _generation_of_style(style: str) -> int | None:
    return {"GPT": 2, "MBR": 1}.get(style)


def disk_from_json(item: dict[str, t.Any]) -> Disk:
    """One Get-Disk object."""
    return Disk(
        number=int(item["Number"]), friendly_name=item.get("FriendlyName"),
        offline=bool(item.get("IsOffline")), offline_reason=item.get("OfflineReason"),
        read_only=bool(item.get("IsReadOnly")), is_system=bool(item.get("IsSystem")),
        is_boot=bool(item.get("IsBoot")), partition_style=_style(item.get("PartitionStyle")),
        signature=item.get("Signature"), guid=item.get("Guid"), size=item.get("Size"),
    )


def parse_layout(disks_json: str, partitions_json: str, volumes_json: str) -> Layout:
    disks = [disk_from_json(item) for item in parse_json_objects(disks_json, "disks")]
    partitions = [
        Partition(
            disk_number=int(item["DiskNumber"]), number=int(item["PartitionNumber"]),
            letter=drive_letter(item.get("DriveLetter")), gpt_type=_guid(item.get("GptType")),
            mbr_type=item.get("MbrType"), active=bool(item.get("IsActive")),
            is_system=bool(item.get("IsSystem")), is_boot=bool(item.get("IsBoot")), size=item.get("Size"),
        )
        for item in parse_json_objects(partitions_json, "partitions")
    ]
    volumes = {}
    for item in parse_json_objects(volumes_json, "volumes"):
        letter = drive_letter(item.get("DriveLetter"))
        if letter:
            volumes[letter] = {"file_system": item.get("FileSystem"), "label": item.get("FileSystemLabel")}
    return Layout(disks, partitions, volumes)


def parse_test_path_lines(lines: list[str], count: int, what: str) -> list[bool]:
    """``Test-Path`` prints ``True``/``False`` (PowerShell's boolean formatting, not translated), one per path."""
    values = [line.strip() for line in lines if line.strip()]
    if len(values) != count or any(v not in ("True", "False") for v in values):
        raise VmrescueError(f"the recovery VM answered the {what} test with {values!r} instead of {count} booleans")
    return [v == "True" for v in values]


@dataclasses.dataclass
class Selection:
    """Outcome of looking for the attached Windows volume among the online, lettered volumes."""
    windows: Partition | None
    candidates: list[dict[str, t.Any]]
    ignored: list[dict[str, t.Any]]       # volumes holding a SYSTEM hive that belong to the recovery VM itself


def select_windows_volume(layout: Layout, has_system_hive: dict[str, bool], *, windows_drive: str | None = None,
                          disk_number: int | None = None) -> Selection:
    """Pick the attached Windows volume; raise VmrescueError when the choice is ambiguous or the override is wrong."""
    candidates, ignored = [], []
    for letter in sorted(letter for letter, present in has_system_hive.items() if present):
        part = layout.partition_with_letter(letter)
        entry = {"drive": f"{letter}:", "disk_number": part.disk_number if part else None,
                 "partition_number": part.number if part else None}
        if part is None or layout.protected(part):
            ignored.append(entry)
        elif disk_number is None or part.disk_number == disk_number:
            candidates.append(entry)
    if windows_drive is not None:
        return Selection(_check_override(layout, has_system_hive, windows_drive), candidates, ignored)
    if len(candidates) > 1:
        names = ", ".join(f"{c['drive']} (disk {c['disk_number']})" for c in candidates)
        raise VmrescueError(
            f"several attached disks hold a Windows installation: {names}. Set windows_drive (or disk_number) to "
            "the one to repair.", candidates=candidates, ignored=ignored)
    windows = layout.partition_with_letter(candidates[0]["drive"]) if candidates else None
    return Selection(windows, candidates, ignored)


def _check_override(layout: Layout, has_system_hive: dict[str, bool], windows_drive: str) -> Partition:
    drive = normalize_drive(windows_drive)
    part = layout.partition_with_letter(drive)
    if part is None:
        raise VmrescueError(f"windows_drive {drive} does not exist on the recovery VM (no partition has that letter)",
                            drives=sorted(f"{p.letter}:" for p in layout.partitions if p.letter))
    if layout.protected(part):
        raise VmrescueError(f"refusing windows_drive {drive}: it is on disk {part.disk_number}, the recovery VM's own "
                            "running system. Name the attached (broken) disk's drive.")
    if not has_system_hive.get(drive[0], False):
        raise VmrescueError(f"windows_drive {drive} holds no \\{SYSTEM_HIVE}: it is not a Windows volume")
    return part


def disks_to_prepare(layout: Layout, windows: Partition | None, disk_number: int | None) -> list[Disk]:
    """Disks that must be brought online or made writable before the repair can use them.

    With a Windows volume found, only its disk (when read-only). Without one, every offline or read-only disk that
    is not the recovery VM's own (or only ``disk_number``): the Windows volume may be on any of them.
    """
    if windows is not None:
        disk = layout.disk(windows.disk_number)
        return [disk] if disk.read_only or disk.offline else []
    return [
        disk for disk in layout.disks
        if not disk.recovery_vm_own and (disk.offline or disk.read_only)
        and (disk_number is None or disk.number == disk_number)
    ]


@dataclasses.dataclass(frozen=True)
class BootLocation:
    generation: int
    partition: Partition            # the partition that holds the store
    relative_path: str              # path of the store on that partition, without the drive

    def store_on(self, letter: str) -> str:
        return f"{letter}:\\{self.relative_path}"


def boot_location(layout: Layout, windows: Partition) -> BootLocation:
    """Where the broken disk's BCD store lives (Gen1 active partition, Gen2 EFI system partition)."""
    disk = layout.disk(windows.disk_number)
    parts = layout.partitions_of(disk.number)
    if disk.partition_style == "GPT":
        esp = next((p for p in parts if p.gpt_type == ESP_GPT_TYPE), None)
        if esp is None:
            raise VmrescueError(f"disk {disk.number} is a GPT (generation 2) disk without an EFI system partition; "
                                "set bcd_store to the store's path", partitions=layout.partitions_report(disk.number))
        return BootLocation(2, esp, UEFI_BCD)
    active = next((p for p in parts if p.active), None)
    return BootLocation(1, active or windows, BIOS_BCD)


def free_letter(layout: Layout) -> str:
    used = layout.used_letters()
    for letter in _TEMPORARY_LETTER_ORDER:
        if letter not in used:
            return letter
    raise VmrescueError("no drive letter is free on the recovery VM for the boot partition; set bcd_store")


def dump_files(memory_dump_json: str, minidump_json: str) -> list[dict[str, t.Any]]:
    """MEMORY.DMP and Minidump\\* from ``Get-Item``/``Get-ChildItem`` JSON: path and size."""
    items = parse_json_objects(memory_dump_json, "dump files") + parse_json_objects(minidump_json, "dump files")
    return [{"path": item.get("FullName"), "size": item.get("Length")} for item in items]
