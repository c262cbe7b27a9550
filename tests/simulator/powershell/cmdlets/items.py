"""Get-Item / Get-ChildItem objects (System.IO.FileInfo and DirectoryInfo, the properties the contract names)."""

from __future__ import annotations

import datetime as dt
import ntpath
from pathlib import Path

from ..values import PSDateTime, PSEnum, PSObject
from ..versioninfo import read_version_strings

ARCHIVE = PSEnum(32, "Archive")
DIRECTORY = PSEnum(16, "Directory")


def item_object(windows_path: str, host: Path) -> PSObject:
    info = host.stat()
    modified = PSDateTime(dt.datetime.fromtimestamp(info.st_mtime, tz=dt.timezone.utc))
    name = ntpath.basename(windows_path) or windows_path
    if host.is_dir():
        return PSObject({
            "FullName": windows_path,
            "Name": name,
            "LastWriteTimeUtc": modified,
            "Attributes": DIRECTORY,
        }, "System.IO.DirectoryInfo", text=name)
    file_version, product_version = read_version_strings(host)
    version = PSObject({"FileVersion": file_version, "ProductVersion": product_version},
                       "System.Diagnostics.FileVersionInfo", text=f"File:             {windows_path}")
    return PSObject({
        "FullName": windows_path,
        "Name": name,
        "Length": info.st_size,
        "LastWriteTimeUtc": modified,
        "Attributes": ARCHIVE,
        "VersionInfo": version,
    }, "System.IO.FileInfo", text=name)


def sorted_children(host: Path) -> list[Path]:
    """Directories first, then files, each by name ignoring case (the FileSystem provider's order)."""
    entries = list(host.iterdir())
    return sorted(entries, key=lambda entry: (not entry.is_dir(), entry.name.casefold()))


def child_path(parent_windows: str, name: str) -> str:
    return parent_windows + name if parent_windows.endswith("\\") else parent_windows + "\\" + name
