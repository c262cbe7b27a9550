# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: remote commands that discover and prepare the attached disk (offline_disk_info, offline_disk_release).

Only cmdlets of ``docs/dev/remote-commands.md`` section 5; every value through ``ps_literal``; every answer is JSON
or a Test-Path boolean. Discovery is one command: the layout, and for every drive letter the tests that find a
Windows volume, its BCD store and its dump files. A change (a disk brought online, a letter given to the boot
partition) is one more command that makes the change and re-reads what it affects.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import (
    BIOS_BCD, PROBE_LETTERS, SOFTWARE_HIVE, SYSTEM_HIVE, UEFI_BCD, Disk, Layout, drive_letter, dump_files,
    parse_json_objects, parse_layout, parse_test_path_lines,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import ps_literal as q
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import (
    RECORD_DIR, RECORD_PATH, AccessPath, IdentityChange, Record, parse as parse_record,
)

DISK_PROPERTIES = "Number,FriendlyName,IsOffline,OfflineReason,IsReadOnly,IsSystem,IsBoot,PartitionStyle,Signature,Guid,Size"
PARTITION_PROPERTIES = "DiskNumber,PartitionNumber,DriveLetter,GptType,MbrType,IsActive,IsSystem,IsBoot,Size"
VOLUME_PROPERTIES = "DriveLetter,FileSystem,FileSystemLabel"
MEMORY_DUMP = "Windows\\MEMORY.DMP"
MINIDUMP_DIR = "Windows\\Minidump"


def _json(cmdlet: str, properties: str) -> str:
    return f"{cmdlet} | Select-Object -Property {properties} | ConvertTo-Json -Compress"


def _lines(result: ScriptResult, step: str) -> str:
    found = result.step(step)
    if found is None or not found.completed:
        raise VmrescueError(f"the recovery VM did not answer the {step} step", stderr=result.stderr)
    return found.text


# --- discovery: the layout and, for every letter, hives, BCD stores and dump files ----------------------------------

@dataclasses.dataclass(frozen=True)
class VolumeProbe:
    """What one drive letter holds (all False / empty for a letter no volume has)."""
    system_hive: bool
    software_hive: bool
    bios_bcd: bool                  # <letter>:\boot\BCD
    uefi_bcd: bool                  # <letter>:\EFI\Microsoft\Boot\BCD
    dump_files: tuple[dict[str, t.Any], ...]


@dataclasses.dataclass
class Discovery:
    layout: Layout
    volumes: dict[str, VolumeProbe]     # letter -> probe
    bcd_store_exists: bool | None       # the user's bcd_store, when one was given
    record: Record = Record()           # temporary changes a run made and has not put back yet

    @property
    def has_system_hive(self) -> dict[str, bool]:
        return {letter: probe.system_hive for letter, probe in self.volumes.items()}

    def bcd_exists(self, path: str) -> bool:
        """A store path on a probed letter: ``F:\\boot\\BCD`` or ``S:\\EFI\\Microsoft\\Boot\\BCD``."""
        probe = self.volumes.get(path[0].upper())
        rest = path[3:].casefold()
        if probe is None:
            return False
        return (rest == BIOS_BCD.casefold() and probe.bios_bcd) or (rest == UEFI_BCD.casefold() and probe.uefi_bcd)


def add_discovery_steps(script: RemoteScript, bcd_store: str | None = None,
                        letters: t.Sequence[str] = PROBE_LETTERS) -> None:
    script.cmdlet("disks", _json("Get-Disk", DISK_PROPERTIES))
    script.cmdlet("partitions", _json("Get-Partition", PARTITION_PROPERTIES))
    script.cmdlet("volumes", _json("Get-Volume", VOLUME_PROPERTIES))
    for letter in letters:
        root = f"{letter}:\\"
        key = letter.lower()
        # Test-Path answers False for a drive that does not exist, so every letter can be asked.
        script.cmdlet(f"hives.{key}", files.leaf_exists(root + SYSTEM_HIVE) + "\n" + files.leaf_exists(root + SOFTWARE_HIVE))
        script.cmdlet(f"bcd.{key}", files.leaf_exists(root + BIOS_BCD) + "\n" + files.leaf_exists(root + UEFI_BCD))
        memory_dump, minidumps = root + MEMORY_DUMP, root + MINIDUMP_DIR
        script.cmdlet(f"memory-dump.{key}", files.if_leaf(memory_dump, _json(
            f"Get-Item -LiteralPath {q(memory_dump)} -Force", "FullName,Length")))
        script.cmdlet(f"minidumps.{key}", files.if_container(minidumps, _json(
            f"Get-ChildItem -LiteralPath {q(minidumps)} -Force -File", "FullName,Length")))
    if bcd_store is not None:
        script.cmdlet("bcd-store", files.leaf_exists(bcd_store))


def discovery_script(bcd_store: str | None = None, letters: t.Sequence[str] = PROBE_LETTERS) -> RemoteScript:
    script = RemoteScript("disk-discovery")
    add_record_step(script)
    add_discovery_steps(script, bcd_store, letters)
    return script


def add_record_step(script: RemoteScript) -> None:
    script.cmdlet("record", files.if_leaf(RECORD_PATH, f"Get-Content -LiteralPath {q(RECORD_PATH)} -Raw"))


def read_record(result: ScriptResult) -> Record:
    return parse_record(_lines(result, "record"))


def _write_record(script: RemoteScript, record: Record) -> None:
    """Write the record before the change it protects; nothing after it runs when it could not be written."""
    script.cmdlet("record-dir", files.make_dir(RECORD_DIR), abort_on_error=True)
    script.cmdlet("record-write", f"Set-Content -LiteralPath {q(RECORD_PATH)} -Value {q(record.render())} "
                                  "-Encoding UTF8 -NoNewline", abort_on_error=True)


def _set_identity(number: int, value: int | str) -> str:
    if isinstance(value, int):
        return f"Set-Disk -Number {int(number)} -Signature {int(value)}"
    return f"Set-Disk -Number {int(number)} -Guid {q(value)}"


def read_discovery(result: ScriptResult, bcd_store: str | None = None,
                   letters: t.Sequence[str] = PROBE_LETTERS) -> Discovery:
    layout = parse_layout(_lines(result, "disks"), _lines(result, "partitions"), _lines(result, "volumes"))
    volumes = {}
    for letter in letters:
        key = letter.lower()
        system, software = parse_test_path_lines(_lines(result, f"hives.{key}").splitlines(), 2, f"{letter}: hive")
        bios, uefi = parse_test_path_lines(_lines(result, f"bcd.{key}").splitlines(), 2, f"{letter}: BCD")
        dumps = dump_files(_lines(result, f"memory-dump.{key}"), _lines(result, f"minidumps.{key}"))
        volumes[letter] = VolumeProbe(system, software, bios, uefi, tuple(dumps))
    store = None
    if bcd_store is not None:
        store = parse_test_path_lines(_lines(result, "bcd-store").splitlines(), 1, "bcd_store")[0]
    record = read_record(result) if result.ran("record") else Record()
    return Discovery(layout, volumes, store, record)


# --- bringing disks online / writable --------------------------------------------------------------------------------

def prepare_disks_script(disks: t.Sequence[tuple[int, bool, bool]], bcd_store: str | None = None,
                         change: IdentityChange | None = None, record: Record | None = None) -> RemoteScript:
    """``(number, offline, read_only)`` per disk -> Set-Disk online and/or writable, then read again what changed.

    A disk brought online gets drive letters, so then the whole discovery runs again; a disk only made writable
    needs just Get-Disk to verify it. With ``change``, first the record naming it (``record``, which must include
    it), then the recovery VM's own disk gets its temporary identity, so the colliding disk comes online intact.
    """
    script = RemoteScript("disk-prepare")
    if change is not None:
        if record is None or record.identity != change:
            raise ValueError("an identity change must be in the record written before it")
        _write_record(script, record)
        script.cmdlet("identity", _set_identity(change.disk_number, change.temporary), abort_on_error=True)
    for number, offline, read_only in disks:
        if offline:
            script.cmdlet(f"online.{int(number)}", f"Set-Disk -Number {int(number)} -IsOffline $false")
        if read_only:
            script.cmdlet(f"writable.{int(number)}", f"Set-Disk -Number {int(number)} -IsReadOnly $false")
    if any(offline for _number, offline, _read_only in disks):
        add_discovery_steps(script, bcd_store)
    else:
        script.cmdlet("disks", _json("Get-Disk", DISK_PROPERTIES))
    return script


def disks_after(result: ScriptResult) -> dict[int, dict[str, t.Any]]:
    """Number -> the raw Get-Disk object, to check the flags a Set-Disk should have changed."""
    return {int(d["Number"]): d for d in parse_json_objects(_lines(result, "disks"), "disks")}


def read_disks(result: ScriptResult) -> list[Disk]:
    return parse_layout(_lines(result, "disks"), "", "").disks


# --- a temporary drive letter for the boot partition -----------------------------------------------------------------

def _access_path_args(access: AccessPath) -> str:
    return (f"-DiskNumber {int(access.disk_number)} -PartitionNumber {int(access.partition_number)} "
            f"-AccessPath {q(access.path)}")


def assign_letter_script(assign: AccessPath, store_relative: str, record: Record) -> RemoteScript:
    """Record the letter (``record`` includes it), give it to the boot partition, read its partitions and test the
    store there. A letter left by a killed command is thus always in the record, found and released later."""
    if assign not in record.letters:
        raise ValueError("a temporary letter must be in the record written before it")
    script = RemoteScript("assign-boot-letter")
    _write_record(script, record)
    script.cmdlet("assign", f"Add-PartitionAccessPath {_access_path_args(assign)}")
    script.cmdlet("assigned", _json(f"Get-Partition -DiskNumber {int(assign.disk_number)}",
                                    "DiskNumber,PartitionNumber,DriveLetter"))
    script.cmdlet("bcd-store", files.leaf_exists(assign.path + store_relative))
    return script


def read_assigned(result: ScriptResult, assign: AccessPath) -> tuple[str | None, bool]:
    """(letter the partition has now, whether the store exists there)."""
    letter = None
    for item in parse_json_objects(_lines(result, "assigned"), "partitions"):
        if int(item.get("PartitionNumber", -1)) == assign.partition_number:
            letter = drive_letter(item.get("DriveLetter"))
    exists = parse_test_path_lines(_lines(result, "bcd-store").splitlines(), 1, "BCD store")[0]
    return letter, exists


# --- releasing temporary letters -------------------------------------------------------------------------------------

def partitions_script() -> RemoteScript:
    """What a release needs: the record of temporary changes, the disks and the partitions."""
    script = RemoteScript("partition-letters")
    add_record_step(script)
    script.cmdlet("disks", _json("Get-Disk", DISK_PROPERTIES))
    script.cmdlet("partitions", _json("Get-Partition", PARTITION_PROPERTIES))
    return script


def release_script(paths: t.Sequence[AccessPath], take_offline: int | None = None,
                   restore: IdentityChange | None = None, forget_record: bool = False,
                   bcd_store: str | None = None, then_discover: bool = False) -> RemoteScript:
    """Put back temporary changes (_temporary_undo), then read disks and partitions (or run the whole discovery).

    The record is deleted (``forget_record``) only after every change succeeded: a step that fails ends the script
    before it, so the record survives for the next run.
    """
    script = RemoteScript("release-letters")
    for index, access in enumerate(paths):
        script.cmdlet(f"remove.{index}", f"Remove-PartitionAccessPath {_access_path_args(access)}",
                      abort_on_error=forget_record)
    if take_offline is not None:
        script.cmdlet("offline", f"Set-Disk -Number {int(take_offline)} -IsOffline $true", abort_on_error=True)
    if restore is not None:
        script.cmdlet("identity", _set_identity(restore.disk_number, restore.original), abort_on_error=True)
    if forget_record:
        script.cmdlet("forget", files.if_leaf(RECORD_PATH, f"Remove-Item -LiteralPath {q(RECORD_PATH)} -Force"))
    if then_discover:
        add_discovery_steps(script, bcd_store)
    else:
        script.cmdlet("disks", _json("Get-Disk", DISK_PROPERTIES))
        script.cmdlet("partitions", _json("Get-Partition", PARTITION_PROPERTIES))
    return script


def read_layout(result: ScriptResult) -> Layout:
    """Disks and partitions (no volumes) from a command with ``disks`` and ``partitions`` steps."""
    return parse_layout(_lines(result, "disks"), _lines(result, "partitions"), "")
