"""Storage module cmdlets (CIM classes MSFT_Disk, MSFT_Partition, MSFT_Volume) on the machine model."""

from __future__ import annotations

import os

from ..binding import CmdletSpec, ParamSpec
from ...windows.machine import MachineError
from ..values import PSChar, PSObject
from .context import CmdletContext

PARTITION_STYLES = {"RAW": 0, "MBR": 1, "GPT": 2}
# MSFT_Disk.OfflineReason (UInt16).
OFFLINE_REASONS = {"Policy": 1, "Redundant Path": 2, "Snapshot": 3, "Collision": 4, "Resource Exhaustion": 5,
                   "Critical Write Failures": 6, "Data Integrity Scan Required": 7}


def _not_found(ctx: CmdletContext, class_name: str, prop: str, value: object) -> None:
    ctx.write_error(f"No {class_name} objects found with property '{prop}' equal to '{value}'. Verify the value of "
                    "the property and retry.", "ObjectNotFound", f"{value}:UInt32", "CimJobException",
                    f"CmdletizationQuery_NotFound_{prop}")


def disk_object(disk) -> PSObject:
    return PSObject({
        "Number": disk.number,
        "FriendlyName": disk.friendly_name,
        "IsOffline": disk.offline,
        "OfflineReason": OFFLINE_REASONS.get(disk.offline_reason) if disk.offline_reason else None,
        "IsReadOnly": disk.read_only,
        "IsSystem": disk.is_system,
        "IsBoot": disk.is_boot,
        "PartitionStyle": PARTITION_STYLES[disk.partition_style],
        "Signature": disk.signature if disk.partition_style == "MBR" else None,
        "Guid": disk.guid if disk.partition_style == "GPT" else None,
        "Size": disk.size,
    }, "Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Disk",
        text="MSFT_Disk (ObjectId = ...)")


def partition_object(disk, part) -> PSObject:
    letter = part.letter if part.letter and not disk.offline else "\0"
    return PSObject({
        "DiskNumber": disk.number,
        "PartitionNumber": part.number,
        "DriveLetter": PSChar(letter.upper()),
        "GptType": part.gpt_type if disk.partition_style == "GPT" else None,
        "MbrType": part.mbr_type if disk.partition_style == "MBR" else None,
        "IsActive": part.active,
        "IsSystem": part.is_system,
        "IsBoot": part.is_boot,
        "Size": part.size,
        "Offset": part.offset,
        "Guid": part.guid,
    }, "Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Partition",
        text="MSFT_Partition (ObjectId = ...)")


def _used_bytes(root) -> int:
    total = 0
    for directory, _subdirectories, files in os.walk(root):
        for name in files:
            total += os.path.getsize(os.path.join(directory, name))
    return total


def get_disk(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    disks = ctx.machine.disks
    if "Number" not in bound:
        return [disk_object(disk) for disk in disks]
    output = []
    for number in bound["Number"]:
        matches = [disk for disk in disks if disk.number == number]
        if not matches:
            _not_found(ctx, "MSFT_Disk", "Number", number)
        output.extend(disk_object(disk) for disk in matches)
    return output


def get_partition(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    output = []
    disk_numbers = bound.get("DiskNumber")
    wanted_letters = [letter.upper() for letter in bound.get("DriveLetter", [])]
    for disk in ctx.machine.disks:
        if disk_numbers is not None and disk.number not in disk_numbers:
            continue
        for part in disk.partitions:
            if "PartitionNumber" in bound and part.number not in bound["PartitionNumber"]:
                continue
            if "DriveLetter" in bound and (disk.offline or (part.letter or "").upper() not in wanted_letters):
                continue
            output.append(partition_object(disk, part))
    if not output:
        for prop in ("DiskNumber", "PartitionNumber", "DriveLetter"):
            if prop in bound:
                values = bound[prop]
                _not_found(ctx, "MSFT_Partition", prop, values[0] if len(values) == 1 else ", ".join(map(str, values)))
                break
    return output


def get_volume(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    wanted = [letter.upper() for letter in bound["DriveLetter"]] if "DriveLetter" in bound else None
    output = []
    for disk in ctx.machine.disks:
        if disk.offline:
            continue  # the volumes of an offline disk are not mounted
        for part in disk.partitions:
            if part.volume_dir is None or not part.file_system:
                continue
            letter = part.letter.upper() if part.letter else None
            if wanted is not None and letter not in wanted:
                continue
            root = ctx.machine.dir / part.volume_dir
            output.append(PSObject({
                "DriveLetter": PSChar(letter) if letter else None,
                "FileSystem": part.file_system,
                "FileSystemLabel": part.label,
                "Size": part.size,
                "SizeRemaining": max(0, part.size - _used_bytes(root)),
            }, "Microsoft.Management.Infrastructure.CimInstance#ROOT/Microsoft/Windows/Storage/MSFT_Volume",
                text="MSFT_Volume (ObjectId = ...)"))
    if wanted is not None and not output:
        _not_found(ctx, "MSFT_Volume", "DriveLetter", wanted[0])
    return output


def _storage_failure(ctx: CmdletContext, error: MachineError, target: object) -> None:
    reason = error.reason
    if reason in ("no-such-disk", "no-such-partition"):
        ctx.write_error(str(error) + " Verify the value of the property and retry." if reason == "no-such-disk"
                        else str(error), "ObjectNotFound", f"{target}:UInt32", "CimJobException",
                        "CmdletizationQuery_NotFound")
        return
    ctx.write_error(str(error), "InvalidOperation", f"StorageWMI:ROOT/Microsoft/...{target}", "CimException",
                    f"StorageWMI {reason}")


def _machine_call(ctx: CmdletContext, target: object, action) -> None:
    try:
        action()
    except MachineError as error:
        _storage_failure(ctx, error, target)


def set_disk(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    if "Number" not in bound:
        raise ctx.unsupported("Set-Disk without -Number")
    number = bound["Number"]
    # -IsOffline is its own parameter set (ByNumber); -IsReadOnly, -Signature and -Guid are ByNumberAttributes.
    if "IsOffline" in bound and any(name in bound for name in ("IsReadOnly", "Signature", "Guid")):
        raise ctx.fail("Parameter set cannot be resolved using the specified named parameters.", "InvalidArgument",
                       "", "ParameterBindingException", "AmbiguousParameterSet,Set-Disk")
    if "Signature" in bound or "Guid" in bound:
        _machine_call(ctx, number, lambda: ctx.machine.set_disk_identity(
            number, signature=bound.get("Signature"), guid=bound.get("Guid")))
    if "IsOffline" in bound:
        _machine_call(ctx, number, lambda: ctx.machine.set_disk_offline(number, bound["IsOffline"]))
    if "IsReadOnly" in bound:
        _machine_call(ctx, number, lambda: ctx.machine.set_disk_read_only(number, bound["IsReadOnly"]))
    return []


def _access_path_call(ctx: CmdletContext, bound: dict, method_name: str) -> list:
    missing = [name for name in ("DiskNumber", "PartitionNumber", "AccessPath") if name not in bound]
    if missing:
        raise ctx.fail("Cannot process command because of one or more missing mandatory parameters: "
                       + " ".join(missing) + ".", "InvalidArgument", "", "ParameterBindingException",
                       "MissingMandatoryParameter")
    method = getattr(ctx.machine, method_name)
    _machine_call(ctx, bound["DiskNumber"],
                  lambda: method(bound["DiskNumber"], bound["PartitionNumber"], bound["AccessPath"]))
    return []


def add_partition_access_path(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    return _access_path_call(ctx, bound, "add_access_path")


def remove_partition_access_path(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    return _access_path_call(ctx, bound, "remove_access_path")


_ACCESS_PATH_PARAMS = (ParamSpec("DiskNumber", "uint"), ParamSpec("PartitionNumber", "uint"),
                       ParamSpec("AccessPath", "string", 0))


SPECS = (
    CmdletSpec("Get-Disk", (ParamSpec("Number", "uints", 0, aliases=("DeviceId",)),), get_disk, "Get-Disk"),
    CmdletSpec("Get-Partition", (ParamSpec("DiskNumber", "uints"), ParamSpec("PartitionNumber", "uints"),
                                 ParamSpec("DriveLetter", "strings")), get_partition, "Get-Partition"),
    CmdletSpec("Get-Volume", (ParamSpec("DriveLetter", "strings", 0),), get_volume, "Get-Volume"),
    CmdletSpec("Set-Disk", (ParamSpec("Number", "uint", 0), ParamSpec("IsOffline", "bool"),
                            ParamSpec("IsReadOnly", "bool"), ParamSpec("Signature", "uint"),
                            ParamSpec("Guid", "string")), set_disk, "Set-Disk"),
    CmdletSpec("Add-PartitionAccessPath", _ACCESS_PATH_PARAMS, add_partition_access_path, "Add-PartitionAccessPath"),
    CmdletSpec("Remove-PartitionAccessPath", _ACCESS_PATH_PARAMS, remove_partition_access_path,
               "Remove-PartitionAccessPath"),
)
