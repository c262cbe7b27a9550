"""Runtime values flowing through pipelines: Python primitives plus a few .NET-shaped wrappers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .syntax import ScriptBlock


@dataclass(frozen=True)
class PSEnum:
    """A .NET enum value: serialised as its number, displayed by name (e.g. FileAttributes)."""

    value: int
    name: str


@dataclass(frozen=True)
class PSChar:
    """A System.Char (e.g. MSFT_Partition.DriveLetter, which is [char]0 when there is no letter)."""

    char: str


@dataclass(frozen=True)
class PSDateTime:
    moment: dt.datetime  # timezone-aware UTC


@dataclass
class PSObject:
    """An object with ordered properties (PowerShell property names), like a PSCustomObject or a CIM instance."""

    properties: dict[str, object]
    type_name: str = "System.Management.Automation.PSCustomObject"
    text: str | None = None  # what ToString() gives; None -> the type name
    hidden: dict[str, object] = field(default_factory=dict)  # data for cmdlets, never shown

    def get(self, name: str) -> tuple[bool, object]:
        for key, value in self.properties.items():
            if key.lower() == name.lower():
                return True, value
        return False, None

    def to_string(self) -> str:
        return self.text if self.text is not None else self.type_name


def to_text(value: object) -> str:
    """PowerShell's conversion of a value to a string (used for native arguments and output)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, ScriptBlock):
        return value.text
    if isinstance(value, PSEnum):
        return value.name
    if isinstance(value, PSChar):
        return value.char
    if isinstance(value, PSDateTime):
        moment = value.moment
        hour = moment.hour % 12 or 12
        return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d}:{moment.second:02d} " + (
            "AM" if moment.hour < 12 else "PM")
    if isinstance(value, PSObject):
        return value.to_string()
    if isinstance(value, (list, tuple)):
        return " ".join(to_text(item) for item in value)
    return str(value)


def enumerate_output(value: object) -> list[object]:
    """Writing a collection to the pipeline writes its items (PowerShell enumerates arrays)."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
