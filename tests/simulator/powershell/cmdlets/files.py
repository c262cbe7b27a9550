"""File system cmdlets of the contract: Test-Path, Get-Item, Get-ChildItem, Get-FileHash, Get-Content,
Set-Content, New-Item, Copy-Item, Remove-Item, Rename-Item."""

from __future__ import annotations

import hashlib
import ntpath
import re
import shutil

from ..binding import CmdletSpec, ParamSpec
from ..values import PSObject, to_text
from . import paths
from .context import CmdletContext
from .encodings import ENCODINGS, decode, encode
from .items import child_path, item_object, sorted_children

MANAGEMENT = "Microsoft.PowerShell.Commands.{}Command"
_PATHS = (ParamSpec("Path", "string", 0), ParamSpec("LiteralPath", "string", aliases=("PSPath", "LP")))
_EXCLUSIVE_PATHS = (("Path", "LiteralPath"),)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def test_path(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    raw = paths.chosen_path(ctx, bound)
    windows_path = paths.normalize(ctx, raw or "")
    try:
        host = ctx.machine.resolve_path(windows_path)
    except FileNotFoundError:
        return [False]
    kind = bound.get("PathType", "Any")
    if kind == "Leaf":
        return [host.is_file()]
    if kind == "Container":
        return [host.is_dir()]
    return [host.exists()]


def get_item(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path, host = paths.existing(ctx, bound)
    return [item_object(windows_path, host)]


def get_child_item(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path, host = paths.existing(ctx, bound)
    if host.is_file():
        return [item_object(windows_path, host)]
    output: list = []
    pending = [(windows_path, host)]
    while pending:
        directory_windows, directory_host = pending.pop(0)
        subdirectories = []
        for entry in sorted_children(directory_host):
            entry_windows = child_path(directory_windows, entry.name)
            if entry.is_dir():
                subdirectories.append((entry_windows, entry))
                if bound.get("File"):
                    continue
            elif bound.get("Directory"):
                continue
            output.append(item_object(entry_windows, entry))
        if bound.get("Recurse"):
            pending[0:0] = subdirectories
    return output


def get_file_hash(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path, host = paths.existing(ctx, bound)
    if host.is_dir():
        return []  # Get-FileHash skips containers silently
    algorithm = bound.get("Algorithm", "SHA256")
    digest = hashlib.new(algorithm.lower(), host.read_bytes()).hexdigest().upper()
    return [PSObject({"Algorithm": algorithm, "Hash": digest, "Path": windows_path},
                     "Microsoft.Powershell.Utility.FileHash")]


def get_content(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path, host = paths.existing(ctx, bound)
    if host.is_dir():
        raise ctx.fail(f"Unable to get content because it is a directory: '{windows_path}'. Please use "
                       "'Get-ChildItem' instead.", "ReadError", f"{windows_path}:String", "UnauthorizedAccessException",
                       "GetContentReaderUnauthorizedAccessError")
    data = host.read_bytes()
    count = bound.get("TotalCount", -1)
    encoding = bound.get("Encoding")
    if encoding == "Byte":
        values = list(data if count < 0 else data[:count])
        return [values] if bound.get("Raw") else values
    text = decode(data, encoding, ctx.language)
    if bound.get("Raw"):
        return [text] if text else []
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "" and _LINE_BREAK.search(text[-2:] if text else ""):
        lines.pop()  # a final line break does not start another line
    if text == "":
        lines = []
    return lines if count < 0 else lines[:count]


def set_content(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path = paths.normalize(ctx, paths.chosen_path(ctx, bound) or "")
    host = paths.to_host(ctx, windows_path)
    if host.is_dir():
        raise ctx.fail(f"Access to the path '{windows_path}' is denied.", "PermissionDenied",
                       f"{windows_path}:String", "UnauthorizedAccessException", "GetContentWriterUnauthorizedAccessError")
    if not host.parent.is_dir():
        raise ctx.fail(f"Could not find a part of the path '{windows_path}'.", "ObjectNotFound",
                       f"{windows_path}:String", "DirectoryNotFoundException", "GetContentWriterDirectoryNotFoundError")
    paths.refuse_protected_write(ctx, windows_path, host)
    values = bound["Value"] if "Value" in bound else list(pipeline_input)
    items = values if isinstance(values, list) else [values]
    if bound.get("NoNewline"):
        text = "".join(to_text(item) for item in items)
    else:
        text = "".join(to_text(item) + "\r\n" for item in items)
    encoding = bound.get("Encoding", "Default")
    if encoding == "Byte":
        raise ctx.unsupported("Set-Content -Encoding Byte")
    host.write_bytes(encode(text, encoding, ctx.language))
    return []


def new_item(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path = paths.normalize(ctx, paths.chosen_path(ctx, bound) or "")
    host = paths.to_host(ctx, windows_path)
    item_type = bound.get("ItemType", "File")
    if host.exists():
        if not bound.get("Force") or (item_type == "Directory") != host.is_dir():
            raise ctx.fail(f"An item with the specified name {windows_path} already exists.", "ResourceExists",
                           f"{windows_path}:String", "IOException", "DirectoryExist")
        if item_type == "Directory":
            return [item_object(windows_path, host)]
    paths.refuse_protected_write(ctx, windows_path, host)
    if item_type == "Directory":
        host.mkdir(parents=True, exist_ok=True)
    else:
        if not host.parent.is_dir():
            raise ctx.fail(f"Could not find a part of the path '{windows_path}'.", "WriteError",
                           f"{windows_path}:String", "DirectoryNotFoundException", "NewItemIOError")
        host.write_bytes(encode(to_text(bound.get("Value", "")), "UTF8", ctx.language)[3:])
    return [item_object(windows_path, host)]


def copy_item(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    source_windows, source = paths.existing(ctx, bound)
    if "Destination" not in bound:
        raise ctx.unsupported("Copy-Item without -Destination")
    destination_windows = paths.normalize(ctx, bound["Destination"])
    destination = paths.to_host(ctx, destination_windows)
    if destination.is_dir():
        destination = destination / source.name
        destination_windows = child_path(destination_windows, source.name)
    if not destination.parent.is_dir():
        raise ctx.fail(f"Could not find a part of the path '{destination_windows}'.", "WriteError",
                       f"{destination_windows}:String", "DirectoryNotFoundException", "CopyItemIOError")
    paths.refuse_protected_write(ctx, destination_windows, destination)
    if source.is_dir():
        if bound.get("Recurse"):
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            destination.mkdir(exist_ok=True)
        return []
    if source.resolve() == destination.resolve():
        raise ctx.fail(f"Cannot overwrite the item {source_windows} with itself.", "WriteError",
                       f"{source_windows}:String", "IOException", "CopyError")
    shutil.copyfile(source, destination)
    return []


def remove_item(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path, host = paths.existing(ctx, bound)
    paths.refuse_protected_write(ctx, windows_path, host)
    if host.is_dir():
        if any(host.iterdir()) and not bound.get("Recurse"):
            # The confirmation prompt cannot be shown under -NonInteractive.
            raise ctx.fail("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
                           "InvalidOperation", "", "PSInvalidOperationException", "RemoveItemUnauthorizedAccessError")
        shutil.rmtree(host)
    else:
        host.unlink()
        ctx.machine.acls.forget(host)
    return []


def rename_item(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    """FileSystemProvider.RenameItem: a new name in the same folder (never a path), never over an existing item
    (names compared as NTFS does, without case); one rename of the directory entry, so a folder moves with
    everything in it."""
    windows_path = paths.normalize(ctx, paths.chosen_path(ctx, bound) or "")
    host = paths.to_host(ctx, windows_path)
    if not host.exists():
        raise ctx.fail(f"Cannot rename because item at '{windows_path}' does not exist.", "InvalidOperation", "",
                       "PSInvalidOperationException", "InvalidOperation")
    new_name = bound.get("NewName", "")
    if not new_name or ntpath.basename(new_name.replace("/", "\\")) != new_name:
        raise ctx.fail("Cannot rename the specified target, because it represents a path or device name.",
                       "InvalidArgument", f"{windows_path}:String", "ArgumentException", "RenameItemArgumentError")
    paths.refuse_protected_write(ctx, windows_path, host)
    if any(other.name.lower() == new_name.lower() and other != host for other in host.parent.iterdir()):
        raise ctx.fail("Cannot create a file when that file already exists.", "WriteError", f"{windows_path}:String",
                       "IOException", "RenameItemIOError")
    target = host.parent / new_name
    host.rename(target)
    ctx.machine.acls.move(host, target)
    return []


SPECS = (
    CmdletSpec("Test-Path", _PATHS + (ParamSpec("PathType", "choice", choices=("Any", "Container", "Leaf"),
                                                aliases=("Type",)),), test_path,
               MANAGEMENT.format("TestPath"), exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("Get-Item", _PATHS + (ParamSpec("Force", "switch"),), get_item, MANAGEMENT.format("GetItem"),
               exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("Get-ChildItem", _PATHS + (ParamSpec("Force", "switch"), ParamSpec("File", "switch"),
                                          ParamSpec("Directory", "switch"), ParamSpec("Recurse", "switch")),
               get_child_item, MANAGEMENT.format("GetChildItem"), exclusive=_EXCLUSIVE_PATHS + (("File", "Directory"),)),
    CmdletSpec("Get-FileHash", _PATHS + (ParamSpec("Algorithm", "choice", 1,
                                                   choices=("SHA1", "SHA256", "SHA384", "SHA512", "MD5")),),
               get_file_hash, "Get-FileHash", exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("Get-Content", _PATHS + (ParamSpec("Raw", "switch"), ParamSpec("Encoding", "choice", choices=ENCODINGS),
                                        ParamSpec("TotalCount", "int", aliases=("First", "Head")),
                                        ParamSpec("Force", "switch")),
               get_content, MANAGEMENT.format("GetContent"), exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("Set-Content", _PATHS + (ParamSpec("Value", "objects", 1), ParamSpec("NoNewline", "switch"),
                                        ParamSpec("Encoding", "choice", choices=ENCODINGS),
                                        ParamSpec("Force", "switch")),
               set_content, MANAGEMENT.format("SetContent"), accepts_input=True, exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("New-Item", (ParamSpec("Path", "string", 0), ParamSpec("ItemType", "choice", aliases=("Type",),
                                                                      choices=("File", "Directory")),
                            ParamSpec("Value", "object"), ParamSpec("Force", "switch")),
               new_item, MANAGEMENT.format("NewItem")),
    CmdletSpec("Copy-Item", _PATHS + (ParamSpec("Destination", "string", 1), ParamSpec("Force", "switch"),
                                      ParamSpec("Recurse", "switch")),
               copy_item, MANAGEMENT.format("CopyItem"), exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("Remove-Item", _PATHS + (ParamSpec("Force", "switch"), ParamSpec("Recurse", "switch")),
               remove_item, MANAGEMENT.format("RemoveItem"), exclusive=_EXCLUSIVE_PATHS),
    CmdletSpec("Rename-Item", _PATHS + (ParamSpec("NewName", "string", 1), ParamSpec("Force", "switch")),
               rename_item, MANAGEMENT.format("RenameItem"), exclusive=_EXCLUSIVE_PATHS),
)
