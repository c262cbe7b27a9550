"""FileVersionInfo.FileVersion / ProductVersion of a file, read from its PE version resource."""

from __future__ import annotations

from pathlib import Path

import pefile


def read_version_strings(path: Path) -> tuple[str | None, str | None]:
    """(FileVersion, ProductVersion); None for a file without a version resource, as .NET reports it."""
    try:
        with path.open("rb") as handle:
            if handle.read(2) != b"MZ":
                return None, None
        pe = pefile.PE(str(path), fast_load=True)
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]])
    except (OSError, pefile.PEFormatError):
        return None, None
    found = False
    strings: dict[str, str] = {}
    for info in getattr(pe, "FileInfo", None) or []:
        for entry in info:
            for table in getattr(entry, "StringTable", []):
                found = True
                for key, value in table.entries.items():
                    strings.setdefault(key.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
    if not found and not hasattr(pe, "VS_FIXEDFILEINFO"):
        return None, None
    # A version resource without the string gives an empty string in .NET.
    return strings.get("FileVersion", ""), strings.get("ProductVersion", "")
