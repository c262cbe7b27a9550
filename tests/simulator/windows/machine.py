"""The simulated recovery VM: disks, partitions, drive letters and files, persisted in machine.json.

Every partition's files live in a host folder (`volume_dir`, relative to the machine directory). That folder is fixed
when the machine is built; drive letters only decide whether and how the folder is reachable (`X:\\`). The runtime
state of reg.exe (loaded hives) lives in `registry` and is not persisted, like a reboot would forget it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import string
import threading
import uuid
from pathlib import Path
from typing import Any

from .acl import AclStore
from .registry import LoadedHives

MACHINE_FILE = "machine.json"
# Letters Windows never hands out automatically (floppies) and D:, the Azure temporary disk of the recovery VM.
_NEVER_AUTO_ASSIGNED = frozenset("ABD")


class MachineError(Exception):
    """A disk or partition operation Windows would refuse; `reason` is a stable code, not message text."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclasses.dataclass
class Partition:
    number: int
    gpt_type: str | None
    mbr_type: int | None
    letter: str | None
    volume_dir: str | None  # None: no file system (MSR)
    file_system: str | None
    label: str
    size: int
    offset: int
    active: bool
    role: str  # esp, msr, system-reserved, os, recovery, data
    preferred_letter: str | None = None  # letter Windows gives it when the disk comes online
    is_system: bool = False
    is_boot: bool = False
    guid: str | None = None  # GPT partition GUID (what a BCD device element names)


@dataclasses.dataclass
class Disk:
    number: int
    friendly_name: str
    partition_style: str  # "GPT", "MBR" or "RAW"
    guid: str | None
    signature: int | None
    offline: bool
    offline_reason: str | None
    read_only: bool
    is_system: bool
    is_boot: bool
    size: int
    partitions: list[Partition]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Disk":
        fields = {key: value for key, value in data.items() if key != "partitions"}
        return cls(**fields, partitions=[Partition(**part) for part in data.get("partitions", [])])


class Machine:
    def __init__(self, machine_dir: Path, data: dict[str, Any]) -> None:
        self.dir = Path(machine_dir)
        self.lock = threading.RLock()
        self.hostname: str = data["hostname"]
        self.generation: int = data["generation"]
        self.user: str = data.get("user", "vmradmin")
        self.scenario: str = data.get("scenario", "")
        self.disks: list[Disk] = [Disk.from_json(disk) for disk in data["disks"]]
        self.live_hive_files: list[str] = list(data.get("live_hive_files", []))
        self._extra = {key: value for key, value in data.items() if key not in _KNOWN_KEYS}
        self.registry = LoadedHives(self)
        self.acls = AclStore(self.dir)
        self.faults: object | None = None

    @classmethod
    def load(cls, machine_dir: Path) -> "Machine":
        machine_dir = Path(machine_dir)
        data = json.loads((machine_dir / MACHINE_FILE).read_text(encoding="utf-8"))
        return cls(machine_dir, data)

    def to_json(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "generation": self.generation,
            "user": self.user,
            "scenario": self.scenario,
            "disks": [dataclasses.asdict(disk) for disk in self.disks],
            "live_hive_files": self.live_hive_files,
            **self._extra,
        }

    def save(self) -> None:
        with self.lock:
            target = self.dir / MACHINE_FILE
            temporary = target.with_suffix(".json.tmp")
            temporary.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
            os.replace(temporary, target)

    # --- paths -----------------------------------------------------------------------------------------------------

    def letters(self) -> dict[str, Partition]:
        """Drive letter (upper case) -> partition, for every partition that has a letter now."""
        return {
            part.letter.upper(): part
            for disk in self.disks
            if not disk.offline
            for part in disk.partitions
            if part.letter
        }

    def volume_root(self, letter: str) -> Path:
        part = self.letters().get(letter.upper())
        if part is None or part.volume_dir is None:
            raise FileNotFoundError(f"drive {letter.upper()}: does not exist")
        return self.dir / part.volume_dir

    def resolve_path(self, windows_path: str) -> Path:
        """`X:\\a\\b` -> host path; existing components are matched case-insensitively, like NTFS."""
        path = windows_path.replace("/", "\\")
        if len(path) < 2 or path[1] != ":" or path[0] not in string.ascii_letters:
            raise ValueError(f"not a drive-letter path: {windows_path!r}")
        if len(path) > 2 and path[2] != "\\":
            raise ValueError(f"drive-relative paths are not supported: {windows_path!r}")
        host = self.volume_root(path[0])
        for component in (part for part in path[3:].split("\\") if part and part != "."):
            if component == "..":
                host = host.parent if host != self.volume_root(path[0]) else host
                continue
            host = host / _existing_name(host, component)
        return host

    def windows_path(self, host_path: Path) -> str | None:
        """The drive-letter path of a host path, or None if its volume has no letter now."""
        host_path = Path(host_path).resolve()
        for letter, part in self.letters().items():
            if part.volume_dir is None:
                continue
            root = (self.dir / part.volume_dir).resolve()
            if host_path == root or root in host_path.parents:
                relative = host_path.relative_to(root)
                return f"{letter}:\\" + "\\".join(relative.parts)
        return None

    def temp_dir(self) -> str:
        return f"C:\\Users\\{self.user}\\AppData\\Local\\Temp"

    def is_live_hive_file(self, host_path: str | os.PathLike[str]) -> bool:
        """True for the recovery VM's own hives (SYSTEM, SOFTWARE, … and its system BCD store): in use by Windows."""
        target = _identity(host_path)
        return any(_identity(self.dir / relative) == target for relative in self.live_hive_files)

    # --- disks -----------------------------------------------------------------------------------------------------

    def disk(self, number: int) -> Disk:
        for disk in self.disks:
            if disk.number == number:
                return disk
        raise MachineError("no-such-disk", f"No MSFT_Disk objects found with property 'Number' equal to '{number}'.")

    def partition(self, disk_number: int, partition_number: int) -> Partition:
        for part in self.disk(disk_number).partitions:
            if part.number == partition_number:
                return part
        raise MachineError("no-such-partition", f"No partition {partition_number} on disk {disk_number}.")

    def used_letters(self) -> set[str]:
        return set(self.letters())

    def _next_free_letter(self, taken: set[str]) -> str:
        for letter in string.ascii_uppercase:
            if letter not in taken and letter not in _NEVER_AUTO_ASSIGNED:
                return letter
        raise MachineError("no-free-letter", "No drive letter is free.")

    def set_disk_offline(self, number: int, offline: bool) -> None:
        with self.lock:
            disk = self.disk(number)
            if disk.is_system and offline:
                raise MachineError("system-disk", "The disk is a system disk and cannot be taken offline.")
            if disk.offline == offline:
                return
            if offline:
                for part in disk.partitions:
                    if part.letter:
                        part.preferred_letter = part.letter
                    part.letter = None
                disk.offline = True
                disk.offline_reason = "Policy"
            else:
                if self._collides(disk):
                    self._resolve_collision(disk)
                disk.offline = False
                disk.offline_reason = None
                self._assign_letters_on_online(disk)
            self.save()

    def _collides(self, disk: Disk) -> bool:
        """Another online disk carries the same MBR signature / GPT disk GUID (VDS_DISK_OFFLINE_REASON Collision:
        "its disk signature is the same as that of another disk that is online"). Decided by the identities at the
        moment of onlining, not by the recorded reason: once the other disk's identity changed, nothing collides."""
        own = _identity_of(disk)
        return own is not None and any(
            other is not disk and not other.offline and _identity_of(other) == own for other in self.disks)

    def _resolve_collision(self, disk: Disk) -> None:
        """Windows gives a colliding disk a new signature (MBR) or GUID (GPT) when it is brought online, so
        BCD device elements that named the old one no longer match: the real-world trap of this scenario
        (GoogleCloudPlatform/gce-rescue PR #149: "Windows resolves the duplicate-GUID conflict by silently
        regenerating the customer disk's GUID")."""
        if disk.partition_style == "MBR":
            disk.signature = (disk.signature or 0) ^ 0x5A5A0001
        elif disk.guid:
            disk.guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_OID, disk.guid + "/online")).upper() + "}"

    def _assign_letters_on_online(self, disk: Disk) -> None:
        taken = self.used_letters()
        for part in disk.partitions:
            # Windows mounts basic data volumes (and System Reserved); ESP, MSR and recovery partitions stay hidden.
            if part.volume_dir is None or part.role in ("esp", "msr", "recovery"):
                continue
            wanted = (part.preferred_letter or "").upper()
            letter = wanted if wanted and wanted not in taken else self._next_free_letter(taken)
            part.letter = letter
            taken.add(letter)

    def set_disk_identity(self, number: int, signature: int | None = None, guid: str | None = None) -> None:
        """``Set-Disk -Signature`` (MBR) / ``-Guid`` (GPT), as diskpart ``uniqueid disk id=``.

        Allowed on the running system disk: Azure/repair-script-library win-LKGC.ps1 1.3 (PR #137) changes the repair
        VM's own GPT disk GUID this way and puts it back. On an MBR system disk [UNCONFIRMED], modelled the same.
        Refused here, strictly [UNCONFIRMED]: an offline disk (the anchor onlines a disk in the same diskpart session),
        an identity of the other partition style, and an identity another online disk carries already.
        """
        with self.lock:
            disk = self.disk(number)
            if disk.offline:
                raise MachineError("disk-offline", "The disk is offline.")
            if (signature is not None) != (disk.partition_style == "MBR") or \
                    (guid is not None) != (disk.partition_style == "GPT"):
                raise MachineError("style-mismatch",
                                   "The operation is not supported for the partition style of the disk.")
            if signature is not None:
                if not 0 < signature < 2 ** 32:
                    raise MachineError("bad-signature", "The disk signature is not valid.")
                wanted: tuple[str, object] = ("MBR", signature)
            else:
                try:
                    parsed = uuid.UUID(guid.strip().strip("{}"))
                except ValueError:
                    raise MachineError("bad-guid", "The disk GUID is not valid.") from None
                wanted = ("GPT", str(parsed).lower())
            if any(other is not disk and not other.offline and _identity_of(other) == wanted for other in self.disks):
                raise MachineError("identity-in-use", "Another online disk has this identity.")
            if signature is not None:
                disk.signature = signature
            else:
                disk.guid = "{" + wanted[1].upper() + "}"
            self.save()

    def set_disk_read_only(self, number: int, read_only: bool) -> None:
        with self.lock:
            disk = self.disk(number)
            if disk.is_system and read_only:
                raise MachineError("system-disk", "The disk is a system disk and cannot be made read-only.")
            disk.read_only = read_only
            self.save()

    def add_access_path(self, disk: int, partition: int, letter: str) -> None:
        letter = _letter_of_access_path(letter)
        with self.lock:
            target_disk = self.disk(disk)
            if target_disk.offline:
                raise MachineError("disk-offline", "The disk is offline.")
            part = self.partition(disk, partition)
            if part.volume_dir is None:
                raise MachineError("no-volume", "The partition has no volume to assign an access path to.")
            if letter in self.used_letters():
                raise MachineError("letter-in-use", "The requested access path is already in use.")
            if part.letter:
                raise MachineError("has-letter", "The partition already has a drive letter.")
            part.letter = letter
            self.save()

    def remove_access_path(self, disk: int, partition: int, letter: str) -> None:
        letter = _letter_of_access_path(letter)
        with self.lock:
            part = self.partition(disk, partition)
            if (part.letter or "").upper() != letter:
                raise MachineError("no-such-access-path", "The access path is not valid.")
            if self.disk(disk).is_system and part.role == "os":
                raise MachineError("system-volume", "The access path of the system volume cannot be removed.")
            part.letter = None
            self.save()

    def disk_of_host_path(self, host_path: str | os.PathLike[str]) -> Disk | None:
        """The disk whose volume folder holds this host path (None outside every volume)."""
        target = Path(host_path).resolve()
        for disk in self.disks:
            for part in disk.partitions:
                if part.volume_dir is None:
                    continue
                root = (self.dir / part.volume_dir).resolve()
                if target == root or root in target.parents:
                    return disk
        return None


_KNOWN_KEYS = frozenset({"hostname", "generation", "user", "scenario", "disks", "live_hive_files"})


def _identity_of(disk: Disk) -> tuple[str, object] | None:
    if disk.partition_style == "MBR" and disk.signature:
        return ("MBR", disk.signature)
    if disk.partition_style == "GPT" and disk.guid:
        return ("GPT", disk.guid.strip("{}").lower())
    return None


def _existing_name(directory: Path, component: str) -> str:
    """The on-disk spelling of `component` in `directory` if one exists (case-insensitively), else `component`."""
    if (directory / component).exists():
        return component
    try:
        for entry in os.listdir(directory):
            if entry.casefold() == component.casefold():
                return entry
    except (FileNotFoundError, NotADirectoryError):
        pass
    return component


def _identity(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def _letter_of_access_path(access_path: str) -> str:
    """'S:\\', 'S:' or 'S' -> 'S'; anything else (folder mount points) is refused."""
    text = access_path.rstrip("\\")
    if text.endswith(":"):
        text = text[:-1]
    if len(text) != 1 or text.upper() not in string.ascii_uppercase:
        raise MachineError("bad-access-path", f"The access path {access_path!r} is not valid.")
    return text.upper()
