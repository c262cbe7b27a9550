# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: remote commands that discover and prepare the attached disk (offline_disk_info, offline_disk_release).

Only cmdlets of ``docs/dev/remote-commands.md`` section 5; every value through ``ps_literal``; every answer is JSON
or a Test-Path boolean. Each builder returns one ``RemoteScript`` that fits one Windows command line.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import (
    PROBE_LETTERS, SOFTWARE_HIVE, SYSTEM_HIVE, Layout, drive_letter, parse_json_objects, parse_layout,
    parse_test_path_lines,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import ps_literal as q
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult

DISK_PROPERTIES = "Number,FriendlyName,IsOffline,OfflineReason,IsReadOnly,IsSystem,IsBoot,PartitionStyle,Signature,Guid,Size"
PARTITION_PROPERTIES = "DiskNumber,PartitionNumber,DriveLetter,GptType,MbrType,IsActive,IsSystem,IsBoot,Size"
VOLUME_PROPERTIES = "DriveLetter,FileSystem,FileSystemLabel"


def _json(cmdlet: str, properties: str) -> str:
    return f"{cmdlet} | Select-Object -Property {properties} | ConvertTo-Json -Compress"


def add_layout_steps(script: RemoteScript) -> None:
    script.cmdlet("disks", _json("Get-Disk", DISK_PROPERTIES))
    script.cmdlet("partitions", _json("Get-Partition", PARTITION_PROPERTIES))
    script.cmdlet("volumes", _json("Get-Volume", VOLUME_PROPERTIES))


def read_layout(result: ScriptResult) -> Layout:
    return parse_layout(_lines(result, "disks"), _lines(result, "partitions"), _lines(result, "volumes"))


def _lines(result: ScriptResult, step: str) -> str:
    found = result.step(step)
    if found is None or not found.completed:
        raise VmrescueError(f"the recovery VM did not answer the {step} step", stderr=result.stderr)
    return found.text


# --- discovery: the layout and, for every letter, "is there a SYSTEM hive?" ------------------------------------------

def discovery_script(letters: t.Sequence[str] = PROBE_LETTERS) -> RemoteScript:
    script = RemoteScript("disk-discovery")
    add_layout_steps(script)
    # One Test-Path per line: the answers come back in the same order, one boolean each.
    script.cmdlet("system-hive", "\n".join(files.leaf_exists(f"{letter}:\\{SYSTEM_HIVE}") for letter in letters))
    return files.ensure_fits(script)


def read_discovery(result: ScriptResult, letters: t.Sequence[str] = PROBE_LETTERS) -> tuple[Layout, dict[str, bool]]:
    layout = read_layout(result)
    answers = parse_test_path_lines(_lines(result, "system-hive").splitlines(), len(letters), "SYSTEM hive")
    return layout, dict(zip(letters, answers))


# --- bringing disks online / writable --------------------------------------------------------------------------------

def prepare_disks_script(disks: t.Sequence[tuple[int, bool, bool]]) -> RemoteScript:
    """``(number, offline, read_only)`` per disk -> Set-Disk online and/or writable, then Get-Disk to verify."""
    script = RemoteScript("disk-prepare")
    for number, offline, read_only in disks:
        if offline:
            script.cmdlet(f"online.{int(number)}", f"Set-Disk -Number {int(number)} -IsOffline $false")
        if read_only:
            script.cmdlet(f"writable.{int(number)}", f"Set-Disk -Number {int(number)} -IsReadOnly $false")
    script.cmdlet("disks", _json("Get-Disk", DISK_PROPERTIES))
    return files.ensure_fits(script)


# --- facts of the chosen volume (optionally after giving the boot partition a temporary letter) ----------------------

@dataclasses.dataclass(frozen=True)
class AccessPath:
    disk_number: int
    partition_number: int
    letter: str                     # "S"

    @property
    def path(self) -> str:
        return f"{self.letter}:\\"

    def as_dict(self) -> dict[str, t.Any]:
        return {"drive": f"{self.letter}:", "disk_number": self.disk_number, "partition_number": self.partition_number}


def _access_path_args(access: AccessPath) -> str:
    return (f"-DiskNumber {int(access.disk_number)} -PartitionNumber {int(access.partition_number)} "
            f"-AccessPath {q(access.path)}")


def volume_facts_script(windows_drive: str, bcd_paths: t.Sequence[str], assign: AccessPath | None = None) -> RemoteScript:
    """Hives, BCD store candidates and dump files of one Windows volume; first ``assign`` a letter when given."""
    script = RemoteScript("volume-facts" if assign is None else "assign-boot-letter")
    if assign is not None:
        script.cmdlet("assign", f"Add-PartitionAccessPath {_access_path_args(assign)}")
        script.cmdlet("assigned", _json(f"Get-Partition -DiskNumber {int(assign.disk_number)}",
                                        "DiskNumber,PartitionNumber,DriveLetter"))
    root = windows_drive + "\\"
    script.cmdlet("hives", files.leaf_exists(root + SYSTEM_HIVE) + "\n" + files.leaf_exists(root + SOFTWARE_HIVE))
    if bcd_paths:
        script.cmdlet("bcd", "\n".join(files.leaf_exists(path) for path in bcd_paths))
    memory_dump = root + "Windows\\MEMORY.DMP"
    minidump = root + "Windows\\Minidump"
    script.cmdlet("memory-dump", files.if_leaf(memory_dump, _json(
        f"Get-Item -LiteralPath {q(memory_dump)} -Force", "FullName,Length")))
    script.cmdlet("minidumps", files.if_container(minidump, _json(
        f"Get-ChildItem -LiteralPath {q(minidump)} -Force -File", "FullName,Length")))
    return files.ensure_fits(script)


@dataclasses.dataclass
class VolumeFacts:
    system_hive: bool
    software_hive: bool
    bcd: dict[str, bool]
    memory_dump_json: str
    minidump_json: str
    assigned_letter: str | None


def read_volume_facts(result: ScriptResult, bcd_paths: t.Sequence[str], assign: AccessPath | None) -> VolumeFacts:
    assigned = None
    if assign is not None:
        for item in parse_json_objects(_lines(result, "assigned"), "partitions"):
            if int(item.get("PartitionNumber", -1)) == assign.partition_number:
                assigned = drive_letter(item.get("DriveLetter"))
    system, software = parse_test_path_lines(_lines(result, "hives").splitlines(), 2, "hive")
    bcd = {}
    if bcd_paths:
        bcd = dict(zip(bcd_paths, parse_test_path_lines(_lines(result, "bcd").splitlines(), len(bcd_paths), "BCD")))
    return VolumeFacts(system, software, bcd, _lines(result, "memory-dump"), _lines(result, "minidumps"), assigned)


# --- releasing temporary letters -------------------------------------------------------------------------------------

def partitions_script() -> RemoteScript:
    script = RemoteScript("partition-letters")
    script.cmdlet("partitions", _json("Get-Partition", PARTITION_PROPERTIES))
    return files.ensure_fits(script)


def release_script(paths: t.Sequence[AccessPath]) -> RemoteScript:
    script = RemoteScript("release-letters")
    for index, access in enumerate(paths):
        script.cmdlet(f"remove.{index}", f"Remove-PartitionAccessPath {_access_path_args(access)}")
    script.cmdlet("partitions", _json("Get-Partition", PARTITION_PROPERTIES))
    return files.ensure_fits(script)
