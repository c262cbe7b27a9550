"""Out-Default: how objects that reach the end of a pipeline are printed (a simple Format-List for objects)."""

from __future__ import annotations

from .values import PSObject, to_text

CRLF = "\r\n"


def _property_text(value: object) -> str:
    if isinstance(value, PSObject):
        return value.to_string()
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(to_text(item) for item in value) + "}"
    return to_text(value)


def format_output(values: list[object]) -> str:
    """The text Windows PowerShell writes for these pipeline output objects (lines end with CRLF)."""
    chunks: list[str] = []
    pending_object = False
    for value in values:
        if isinstance(value, PSObject):
            width = max((len(name) for name in value.properties), default=0)
            lines = [f"{name.ljust(width)} : {_property_text(item)}" for name, item in value.properties.items()]
            chunks.append(("" if pending_object else CRLF) + CRLF.join(lines) + CRLF + CRLF)
            pending_object = True
            continue
        if pending_object:
            chunks.append(CRLF)
            pending_object = False
        chunks.append(to_text(value) + CRLF)
    if pending_object:
        chunks.append(CRLF)
    return "".join(chunks)
