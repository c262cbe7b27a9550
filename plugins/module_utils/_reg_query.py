# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: parser of ``reg query`` output (with or without ``/s``).

reg.exe translates its messages but not its data lines (bcd-and-registry.md section 4): a key line is the full key
path (``HKEY_LOCAL_MACHINE\\...``), a value line is four spaces, name, four spaces, ``REG_<type>``, four spaces, data.
Every other line (the localized ``End of search`` summary, prompts, blank lines) is ignored. Data columns:
REG_DWORD/REG_QWORD ``0x`` + hex, REG_BINARY (and REG_NONE) contiguous hex, REG_MULTI_SZ items joined by the two
characters ``\\0``, strings as they are. Limits: a string value containing a line break cannot be read back from this
format, and key lines are right-trimmed (some published samples carry trailing blanks).
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

_ROOTS = {"HKLM": "HKEY_LOCAL_MACHINE", "HKU": "HKEY_USERS", "HKCU": "HKEY_CURRENT_USER", "HKCR": "HKEY_CLASSES_ROOT",
          "HKCC": "HKEY_CURRENT_CONFIG"}
_KEY_LINE = re.compile(r"^HKEY_[A-Z_]+(\\.*)?$")
_INT_TYPES = ("REG_DWORD", "REG_QWORD", "REG_DWORD_BIG_ENDIAN", "REG_DWORD_LITTLE_ENDIAN")
_HEX_TYPES = ("REG_BINARY", "REG_NONE", "REG_RESOURCE_LIST", "REG_FULL_RESOURCE_DESCRIPTOR",
              "REG_RESOURCE_REQUIREMENTS_LIST")


class RegQueryError(VmrescueError):
    """A value line whose data does not fit its type."""


def _value_line(indent: int) -> re.Pattern[str]:
    return re.compile(r"^ {%d}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$" % indent)


@dataclasses.dataclass
class RegValue:
    name: str
    type: str            # REG_SZ, REG_DWORD, ...
    data: t.Any          # str, int, bytes or list[str] (see decode_data)


@dataclasses.dataclass
class RegKey:
    path: str            # as printed: HKEY_LOCAL_MACHINE\...
    values: dict[str, RegValue] = dataclasses.field(default_factory=dict)

    def value(self, name: str) -> RegValue | None:
        """Value by name, case-insensitive like the registry."""
        return self.values.get(name) or next((v for n, v in self.values.items() if n.lower() == name.lower()), None)


def full_key(path: str) -> str:
    """``HKLM\\x`` -> ``HKEY_LOCAL_MACHINE\\x`` (the spelling reg query prints)."""
    root, sep, rest = path.partition("\\")
    return _ROOTS.get(root.upper(), root.upper()) + sep + rest


def decode_data(reg_type: str, text: str) -> t.Any:
    if reg_type in _INT_TYPES:
        stripped = text.strip()
        if not stripped.lower().startswith("0x"):
            raise RegQueryError(f"{reg_type} data {text!r} is not 0x-hex")
        return int(stripped[2:], 16)
    if reg_type in _HEX_TYPES:
        stripped = text.strip()
        try:
            return bytes.fromhex(stripped)
        except ValueError:
            raise RegQueryError(f"{reg_type} data {text!r} is not hex") from None
    if reg_type == "REG_MULTI_SZ":
        return text.split("\\0") if text else []
    return text


class QueryResult:
    """Keys in output order, looked up case-insensitively by full or short root spelling."""

    def __init__(self) -> None:
        self._keys: dict[str, RegKey] = {}

    def add_key(self, path: str) -> RegKey:
        return self._keys.setdefault(path.lower(), RegKey(path))

    def key(self, path: str) -> RegKey | None:
        return self._keys.get(full_key(path).lower())

    @property
    def keys(self) -> list[RegKey]:
        return list(self._keys.values())

    def subkeys(self, path: str) -> list[str]:
        """Names of the direct subkeys of ``path`` that appear in the output."""
        prefix = full_key(path).lower().rstrip("\\") + "\\"
        return [k.path[len(prefix):] for low, k in self._keys.items()
                if low.startswith(prefix) and "\\" not in low[len(prefix):]]

    def descendants(self, path: str) -> list[RegKey]:
        """``path`` itself and every key below it, in output order."""
        base = full_key(path).lower().rstrip("\\")
        return [k for low, k in self._keys.items() if low == base or low.startswith(base + "\\")]


def parse(text: str, indent: int = 4) -> QueryResult:
    """Parse reg query output. ``indent`` is 4 for reg.exe; other values only serve re-indented published samples."""
    value_line = _value_line(indent)
    result = QueryResult()
    current: RegKey | None = None
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if _KEY_LINE.match(line.rstrip()):
            current = result.add_key(line.rstrip())
            continue
        match = value_line.match(line)
        if match and current is not None:
            name, reg_type, data = match.group(1), match.group(2), match.group(3) or ""
            current.values[name] = RegValue(name, reg_type, decode_data(reg_type, data))
    return result
