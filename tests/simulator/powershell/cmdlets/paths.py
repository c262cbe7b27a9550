"""Windows paths given to file cmdlets: validation, normalisation and mapping onto the machine's folders."""

from __future__ import annotations

import ntpath
import re
from pathlib import Path

from ..errors import CmdletError
from .context import CmdletContext

_DRIVE_ABSOLUTE = re.compile(r"[A-Za-z]:(\\.*)?", re.DOTALL)
WILDCARDS = "*?["


def chosen_path(ctx: CmdletContext, bound: dict, *, required: bool = True) -> str | None:
    """The -LiteralPath or -Path value (a -Path with wildcards is refused: the simulator has no globbing)."""
    if "LiteralPath" in bound:
        return bound["LiteralPath"]
    if "Path" in bound:
        path = bound["Path"]
        if any(char in path for char in WILDCARDS):
            raise ctx.unsupported("A -Path with wildcard characters (use -LiteralPath)")
        return path
    if required:
        raise ctx.fail("Cannot process command because of one or more missing mandatory parameters: Path.",
                       "InvalidArgument", "", "ParameterBindingException", "MissingMandatoryParameter")
    return None


def normalize(ctx: CmdletContext, path: str) -> str:
    """`c:/a/./b/..\\` -> `c:\\a`; only drive-absolute paths are accepted (the session's location is not modelled)."""
    text = path.replace("/", "\\")
    if len(text) == 2 and text[1] == ":":
        text += "\\"
    if not _DRIVE_ABSOLUTE.fullmatch(text):
        raise ctx.unsupported(f"The path '{path}' (only drive-absolute paths such as C:\\dir)")
    normalized = ntpath.normpath(text)
    return normalized


def to_host(ctx: CmdletContext, windows_path: str) -> Path:
    """Host path of a normalised Windows path; a drive without a letter is PowerShell's DriveNotFound error."""
    try:
        return ctx.machine.resolve_path(windows_path)
    except FileNotFoundError:
        drive = windows_path[0]
        raise ctx.fail(f"Cannot find drive. A drive with the name '{drive}' does not exist.", "ObjectNotFound",
                       f"{drive}:String", "DriveNotFoundException", "DriveNotFound") from None
    except ValueError:
        raise ctx.unsupported(f"The path '{windows_path}'") from None


def not_found(ctx: CmdletContext, windows_path: str) -> CmdletError:
    return ctx.fail(f"Cannot find path '{windows_path}' because it does not exist.", "ObjectNotFound",
                    f"{windows_path}:String", "ItemNotFoundException", "PathNotFound")


def existing(ctx: CmdletContext, bound: dict) -> tuple[str, Path]:
    """(normalised Windows path, host path) of an item that must exist."""
    windows_path = normalize(ctx, chosen_path(ctx, bound) or "")
    host = to_host(ctx, windows_path)
    if not host.exists():
        raise not_found(ctx, windows_path)
    return windows_path, host


# PowerShell's error id of "Access to the path … is denied." per cmdlet.
_ACCESS_DENIED_IDS = {
    "Copy-Item": "CopyFileInfoItemUnauthorizedAccessError",
    "Remove-Item": "RemoveFileSystemItemUnAuthorizedAccess",
    "Set-Content": "GetContentWriterUnauthorizedAccessError",
    "New-Item": "NewItemUnauthorizedAccessError",
}


def refuse_protected_write(ctx: CmdletContext, windows_path: str, host: Path) -> None:
    """Writes Windows would refuse: a read-only disk, a hive file the system (or reg load) holds open, or a file
    (for a folder: a file under it) Administrators may not write (a TrustedInstaller-owned driver)."""
    disk = ctx.machine.disk_of_host_path(host)
    if disk is not None and disk.read_only:
        raise ctx.fail("The media is write protected.", "WriteError", f"{windows_path}:String", "IOException",
                       "WriteProtected")
    if host.exists() and (ctx.machine.is_live_hive_file(host) or ctx.machine.registry.is_file_loaded(host)):
        raise ctx.fail(f"The process cannot access the file '{windows_path}' because it is being used by another "
                       "process.", "WriteError", f"{windows_path}:String", "IOException", "FileInUse")
    denied = ctx.machine.acls.first_unwritable(host) if host.exists() else None
    if denied is not None:
        shown = ctx.machine.windows_path(denied) or windows_path
        raise ctx.fail(f"Access to the path '{shown}' is denied.", "PermissionDenied", f"{shown}:String",
                       "UnauthorizedAccessException", _ACCESS_DENIED_IDS.get(ctx.spec.name, "UnauthorizedAccess"))
