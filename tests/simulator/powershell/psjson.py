"""ConvertTo-Json as Windows PowerShell 5.1 writes it (JavaScriptSerializer escaping, PS 5.1 indentation)."""

from __future__ import annotations

from .syntax import ScriptBlock
from .values import PSChar, PSDateTime, PSEnum, PSObject, to_text

# JavaScriptSerializer escapes these HTML-sensitive characters as \uXXXX.
_ESCAPE_AS_UNICODE = frozenset("<>&'")
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_string(text: str) -> str:
    out = ['"']
    for char in text:
        if char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif ord(char) < 0x20 or char in _ESCAPE_AS_UNICODE:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _prepare(value: object, depth: int, max_depth: int) -> object:
    """Turn a value into a tree of dict/list/scalars, cutting objects deeper than max_depth to their text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, PSEnum):
        return value.value
    if isinstance(value, PSChar):
        return value.char
    if isinstance(value, PSDateTime):
        milliseconds = int(value.moment.timestamp() * 1000)
        return _Raw(f'"\\/Date({milliseconds})\\/"')
    if isinstance(value, ScriptBlock):
        return value.text
    if isinstance(value, (list, tuple)):
        return [_prepare(item, depth, max_depth) for item in value]  # a collection does not use up depth
    if isinstance(value, PSObject):
        if 0 < depth >= max_depth:
            return value.to_string()
        return {name: _prepare(item, depth + 1, max_depth) for name, item in value.properties.items()}
    return to_text(value)


class _Raw(str):
    """Already-encoded JSON text."""


def _scalar(value: object) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json_string(str(value))


def _compress(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(f"{json_string(key)}:{_compress(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compress(item) for item in value) + "]"
    return _scalar(value)


def _pretty(value: object, indent: int) -> str:
    """PS 5.1's own layout: four-space indentation and two spaces after the colon."""
    pad = " " * indent
    inner = " " * (indent + 4)
    if isinstance(value, dict):
        if not value:
            return "{\r\n\r\n" + pad + "}"
        members = [f"{inner}{json_string(key)}:  {_pretty(item, indent + 4)}" for key, item in value.items()]
        return "{\r\n" + ",\r\n".join(members) + "\r\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[\r\n\r\n" + pad + "]"
        members = [inner + _pretty(item, indent + 4) for item in value]
        return "[\r\n" + ",\r\n".join(members) + "\r\n" + pad + "]"
    return _scalar(value)


def convert_to_json(values: list[object], *, compress: bool, depth: int = 2) -> str | None:
    """One input object -> that object; several -> an array; none -> None (no output)."""
    if not values:
        return None
    subject: object = values[0] if len(values) == 1 else list(values)
    tree = _prepare(subject, 0, depth)
    return _compress(tree) if compress else _pretty(tree, 0)
