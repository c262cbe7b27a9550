# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: registry value types and data: user input -> (type, data), data -> ``reg add`` text, raw bytes, display.

Internal data per type: REG_SZ/REG_EXPAND_SZ -> str, REG_MULTI_SZ -> list[str], REG_DWORD/REG_QWORD -> int,
REG_BINARY/REG_NONE -> bytes. ``reg add`` stores REG_NONE ``/d`` text as UTF-16-LE with a terminator, so a REG_NONE
value written by this collection is given as text. Comparisons are type-exact.
"""

from __future__ import annotations

import re
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_values import suggestions
from ansible_collections.vmrescue.windows.plugins.module_utils._numbers import parse_unsigned
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import InternalError, VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import DOTNET_WHITESPACE, check_native_value

TYPE_ALIASES = {
    "string": "REG_SZ",
    "expand_string": "REG_EXPAND_SZ",
    "multi_string": "REG_MULTI_SZ",
    "dword": "REG_DWORD",
    "qword": "REG_QWORD",
    "binary": "REG_BINARY",
    "none": "REG_NONE",
}
WRITABLE_TYPES = tuple(TYPE_ALIASES.values())
# Candidates for reg add's /s separator of REG_MULTI_SZ items (one that occurs in no item is used).
SEPARATORS = "|;,#~^!@*+=:"
_HEX_NOISE = re.compile(r"[\s,:-]")
# Registry element size limits (Microsoft Learn, "Registry element size limits"): a key name 255 characters, a value
# name 16,383.
MAX_KEY_NAME = 255
MAX_VALUE_NAME = 16383
# reg query separates a value line's name, type and data by four spaces; a name holding four spaces in a row cannot
# be told apart from those columns when it is read back.
_COLUMN_GAP = "    "


def _edge_space(text: str) -> bool:
    return bool(text) and (text[0] in DOTNET_WHITESPACE or text[-1] in DOTNET_WHITESPACE)


def check_value_name(name: str, label: str) -> None:
    """VmrescueError (naming ``label``) for a value name reg.exe could not write and reg query read back exactly.

    Leading or trailing white space is refused as a precaution: whether reg.exe keeps it is not confirmed, and a
    name stored trimmed would be a write to another value (docs/dev/remote-commands.md section 3).
    """
    if len(name) > MAX_VALUE_NAME:
        raise VmrescueError(f"{label}: a value name has at most {MAX_VALUE_NAME} characters; got {len(name)}",
                            option=label)
    if _edge_space(name) or _COLUMN_GAP in name:
        raise VmrescueError(f"{label}: the value name {name!r} is refused: leading or trailing white space, or four "
                            "spaces in a row, cannot be written and read back exactly with reg.exe", option=label)


def check_key_names(parts: list[str], label: str) -> None:
    """VmrescueError for key names reg query could not print back exactly (its key lines lose trailing blanks)."""
    for part in parts:
        if len(part) > MAX_KEY_NAME:
            raise VmrescueError(f"{label}: a key name has at most {MAX_KEY_NAME} characters; {part[:40]!r}… has "
                                f"{len(part)}", option=label)
        if _edge_space(part):
            raise VmrescueError(f"{label}: the key name {part!r} is refused: leading or trailing white space cannot be "
                                "written and read back exactly with reg.exe", option=label)


def reg_type(name: t.Any, label: str = "type") -> str:
    if isinstance(name, str):
        if name.lower() in TYPE_ALIASES:
            return TYPE_ALIASES[name.lower()]
        if name.upper() in WRITABLE_TYPES:
            return name.upper()
    choices = list(TYPE_ALIASES) + list(WRITABLE_TYPES)
    near = suggestions(str(name), choices)
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise VmrescueError(f"{label}: unknown registry type {name!r}; use one of {', '.join(TYPE_ALIASES)}.{hint}")


def _text(value: t.Any, label: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise VmrescueError(f"{label} takes a string; got {value!r}")
    text = str(value)
    if any(ord(ch) < 0x20 for ch in text):
        raise VmrescueError(f"{label}: control characters (line breaks, tabs) cannot be written and read back "
                            f"with reg.exe; got {text!r}")
    return text


def parse_data(type_name: str, value: t.Any, label: str) -> t.Any:
    """Internal data for a user's ``data`` of a value of type ``type_name`` (a REG_* name)."""
    if type_name in ("REG_SZ", "REG_EXPAND_SZ"):
        return _text("" if value is None else value, label)
    if type_name == "REG_MULTI_SZ":
        items = [] if value is None else value if isinstance(value, list) else [value]
        texts = [_text(item, label) for item in items]
        if any(item == "" for item in texts):
            raise VmrescueError(f"{label}: reg.exe cannot write an empty string inside a multi_string value")
        if any("\\0" in item for item in texts):
            # reg query joins items with the two characters \0, so such an item could never be read back as written.
            raise VmrescueError(f"{label}: a multi_string item cannot contain the two characters \\0 (reg query uses "
                                "them to separate items, so the value could not be verified)")
        joined, _separator = add_data(type_name, texts)
        check_native_value(joined, label)   # reg add gets the items as one argument: check them together
        return texts
    if type_name == "REG_DWORD":
        return parse_unsigned(value, 32, label)
    if type_name == "REG_QWORD":
        return parse_unsigned(value, 64, label)
    if type_name == "REG_BINARY":
        if isinstance(value, list):
            if not all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in value):
                raise VmrescueError(f"{label} takes bytes 0-255; got {value!r}")
            return bytes(value)
        if value is None:
            return b""
        if isinstance(value, str):
            try:
                return bytes.fromhex(_HEX_NOISE.sub("", value))
            except ValueError:
                pass
        raise VmrescueError(f"{label} takes hex text such as '01ff' or a list of bytes; got {value!r}")
    if type_name == "REG_NONE":
        return (_text("" if value is None else value, label) + "\0").encode("utf-16-le")
    raise VmrescueError(f"{label}: type {type_name} cannot be written")


def add_data(type_name: str, data: t.Any) -> tuple[str, str | None]:
    """The ``/d`` text and the ``/s`` separator (REG_MULTI_SZ only) that make reg add store ``data``."""
    if type_name in ("REG_SZ", "REG_EXPAND_SZ"):
        return data, None
    if type_name == "REG_MULTI_SZ":
        separator = next((s for s in SEPARATORS if not any(s in item for item in data)), None)
        if separator is None:
            raise VmrescueError(f"no separator character is free for the multi_string items {data!r}: every one of "
                                f"{SEPARATORS!r} occurs in them")
        return separator.join(data), separator
    if type_name in ("REG_DWORD", "REG_QWORD"):
        return f"0x{data:x}", None
    if type_name == "REG_BINARY":
        return data.hex(), None
    if type_name == "REG_NONE":
        return data.decode("utf-16-le").rstrip("\0"), None
    raise InternalError(type_name)


def raw_bytes(type_name: str, data: t.Any) -> bytes:
    """The bytes the registry holds for internal ``data`` (for the journal)."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, list):
        return ("".join(item + "\0" for item in data) + "\0").encode("utf-16-le")
    if isinstance(data, int):
        return data.to_bytes(8 if type_name == "REG_QWORD" else 4, "little")
    return (str(data) + "\0").encode("utf-16-le")


def shown(type_name: str, data: t.Any) -> dict[str, t.Any]:
    """A value as results show it: ``{type, data}``, bytes as lower-case hex."""
    return {"type": type_name, "data": data.hex() if isinstance(data, bytes) else data}


def same(a_type: str, a_data: t.Any, b_type: str, b_data: t.Any) -> bool:
    return a_type == b_type and a_data == b_data


def _terminated_text(raw: bytes) -> list[str] | None:
    """The strings of UTF-16-LE data that ends with a terminator (split at every NUL), or None."""
    if len(raw) % 2 or not raw.endswith(b"\0\0"):
        return None
    return raw[:-2].decode("utf-16-le", errors="replace").split("\0")


def restorable_data(type_name: str, raw: bytes) -> t.Any:
    """Internal data that ``reg add`` turns back into exactly ``raw`` of type ``type_name``; None when it cannot.

    reg.exe writes strings with one terminator, multi-strings without empty items, dwords as 4 and qwords as 8
    bytes, REG_NONE only as text; anything else (another type, an unterminated string, a control character that
    cannot be passed and read back) has no reg add form.
    """
    texts = _terminated_text(raw) if type_name in ("REG_SZ", "REG_EXPAND_SZ", "REG_NONE", "REG_MULTI_SZ") else []
    data: t.Any = None
    if texts is None:
        return None
    if type_name in ("REG_SZ", "REG_EXPAND_SZ", "REG_NONE") and len(texts) == 1:
        data = raw if type_name == "REG_NONE" else texts[0]
    elif type_name == "REG_MULTI_SZ":
        data = [] if raw == b"\0\0" else texts[:-1] if texts[-1] == "" and "" not in texts[:-1] else None
    elif (type_name, len(raw)) in (("REG_DWORD", 4), ("REG_QWORD", 8)):
        data = int.from_bytes(raw, "little")
    elif type_name == "REG_BINARY":
        data = raw
    if data is None or any(ord(ch) < 0x20 for text in texts for ch in text) or raw_bytes(type_name, data) != raw:
        return None
    return data
