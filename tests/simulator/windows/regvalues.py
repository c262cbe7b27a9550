"""Registry value types: reg.exe's type names, how `reg add /d` text becomes bytes, how `reg query` prints bytes."""
from __future__ import annotations

import re
import struct

REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_LINK, REG_MULTI_SZ = range(8)
REG_RESOURCE_LIST, REG_FULL_RESOURCE_DESCRIPTOR, REG_RESOURCE_REQUIREMENTS_LIST, REG_QWORD = 8, 9, 10, 11

TYPE_NAMES = {
    REG_NONE: "REG_NONE",
    REG_SZ: "REG_SZ",
    REG_EXPAND_SZ: "REG_EXPAND_SZ",
    REG_BINARY: "REG_BINARY",
    REG_DWORD: "REG_DWORD",
    REG_DWORD_BIG_ENDIAN: "REG_DWORD_BIG_ENDIAN",
    REG_LINK: "REG_LINK",
    REG_MULTI_SZ: "REG_MULTI_SZ",
    REG_RESOURCE_LIST: "REG_RESOURCE_LIST",
    REG_FULL_RESOURCE_DESCRIPTOR: "REG_FULL_RESOURCE_DESCRIPTOR",
    REG_RESOURCE_REQUIREMENTS_LIST: "REG_RESOURCE_REQUIREMENTS_LIST",
    REG_QWORD: "REG_QWORD",
}
# The types `reg add /t` accepts: exactly the list of `reg add /?` and the reference (§4); the big-endian, link and
# resource types are refused with "Specify a valid registry data type".
ADDABLE_TYPES = {
    name: code
    for code, name in TYPE_NAMES.items()
    if code in (REG_NONE, REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD)
}
# `/d` numbers: decimal or 0x-hex ASCII digits, nothing else. reg.exe converts with wcstoul and rejects anything
# left over, so no blanks, signs, digit separators or non-ASCII digits (Python's int() would take `1_0` and `١`).
_NUMBER = re.compile(r"^(?:0[xX][0-9a-fA-F]+|[0-9]+)$")


class BadValueData(ValueError):
    """`/d` text that reg.exe cannot convert to the requested type."""


def utf16z(text: str) -> bytes:
    return (text + "\0").encode("utf-16-le")


def _parse_unsigned(text: str, bits: int) -> int:
    if not _NUMBER.match(text):
        raise BadValueData(text)
    number = int(text[2:], 16) if text[:2].lower() == "0x" else int(text, 10)
    if number >= 1 << bits:
        raise BadValueData(text)
    return number


def encode_data(type_code: int, data: str, separator: str = "\\0") -> bytes:
    """Bytes that `reg add /t <type> /d <data> [/s <separator>]` stores."""
    if type_code in (REG_SZ, REG_EXPAND_SZ, REG_NONE):
        return utf16z(data)
    if type_code == REG_MULTI_SZ:
        items = data.split(separator) if data else []
        if any(item == "" for item in items):
            raise BadValueData(data)  # reg.exe refuses empty strings inside a REG_MULTI_SZ
        return "".join(item + "\0" for item in items).encode("utf-16-le") + b"\0\0"
    if type_code == REG_DWORD:
        return struct.pack("<I", _parse_unsigned(data, 32))
    if type_code == REG_DWORD_BIG_ENDIAN:
        return struct.pack(">I", _parse_unsigned(data, 32))
    if type_code == REG_QWORD:
        return struct.pack("<Q", _parse_unsigned(data, 64))
    if type_code == REG_BINARY:
        if len(data) % 2 or any(c not in "0123456789abcdefABCDEF" for c in data):
            raise BadValueData(data)
        return bytes.fromhex(data)
    raise BadValueData(f"type {type_code} cannot be written by reg add")


def _utf16_text(raw: bytes) -> str:
    text = raw[: len(raw) - len(raw) % 2].decode("utf-16-le", errors="replace")
    return text


def format_data(type_code: int, raw: bytes) -> str:
    """The data column of a `reg query` value line."""
    if type_code in (REG_SZ, REG_EXPAND_SZ, REG_LINK):
        return _utf16_text(raw).split("\0", 1)[0]
    if type_code == REG_MULTI_SZ:
        items = _utf16_text(raw).split("\0")
        while items and items[-1] == "":
            items.pop()
        return "\\0".join(items)
    if type_code == REG_DWORD and len(raw) == 4:
        return f"0x{struct.unpack('<I', raw)[0]:x}"
    if type_code == REG_DWORD_BIG_ENDIAN and len(raw) == 4:
        return f"0x{struct.unpack('>I', raw)[0]:x}"
    if type_code == REG_QWORD and len(raw) == 8:
        return f"0x{struct.unpack('<Q', raw)[0]:x}"
    return raw.hex().upper()


def type_name(type_code: int) -> str:
    return TYPE_NAMES.get(type_code, f"0x{type_code:x}")
