"""Writing an empty regf hive from scratch: base block, one hbin, a root key (nk) and its security cell (sk).

hivex can edit hives but not create them, so the simulator writes the empty skeleton itself and lets hivex populate
it. Layout and field offsets follow the regf format as Windows writes it (one 4 KiB base block, hbins of 4 KiB).
"""
from __future__ import annotations

import datetime as dt
import os
import struct
from pathlib import Path

from .hivefile import BASE_BLOCK_SIZE, CHECKSUM_SPAN, base_block_checksum

HBIN_SIZE = 4096
HBIN_HEADER_SIZE = 0x20
NO_CELL = 0xFFFFFFFF

KEY_HIVE_ENTRY = 0x0004
KEY_NO_DELETE = 0x0008
KEY_COMP_NAME = 0x0020  # name stored as Latin-1 (ASCII) instead of UTF-16

KEY_ALL_ACCESS = 0x000F003F
KEY_READ = 0x00020019
CONTAINER_INHERIT_ACE = 0x02
SE_DACL_PRESENT = 0x0004
SE_SELF_RELATIVE = 0x8000

_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)


def filetime(moment: dt.datetime | None = None) -> int:
    """A Windows FILETIME (100 ns ticks since 1601) for the given or the current UTC time."""
    moment = moment or dt.datetime.now(dt.timezone.utc)
    return int((moment - _FILETIME_EPOCH).total_seconds() * 10_000_000)


def _align8(length: int) -> int:
    return (length + 7) & ~7


def encode_sid(authority: int, *sub_authorities: int) -> bytes:
    return struct.pack("<BB", 1, len(sub_authorities)) + authority.to_bytes(6, "big") + struct.pack(
        f"<{len(sub_authorities)}I", *sub_authorities
    )


SID_SYSTEM = encode_sid(5, 18)  # S-1-5-18
SID_ADMINISTRATORS = encode_sid(5, 32, 544)  # S-1-5-32-544
SID_USERS = encode_sid(5, 32, 545)  # S-1-5-32-545


def _allowed_ace(mask: int, sid: bytes) -> bytes:
    size = 8 + len(sid)
    return struct.pack("<BBHI", 0, CONTAINER_INHERIT_ACE, size, mask) + sid


def default_security_descriptor() -> bytes:
    """Self-relative SD like a fresh offline hive root: SYSTEM and Administrators full control, Users read."""
    aces = (
        _allowed_ace(KEY_ALL_ACCESS, SID_SYSTEM)
        + _allowed_ace(KEY_ALL_ACCESS, SID_ADMINISTRATORS)
        + _allowed_ace(KEY_READ, SID_USERS)
    )
    acl = struct.pack("<BBHHH", 2, 0, 8 + len(aces), 3, 0) + aces
    header_size = 20
    owner_offset = header_size
    group_offset = owner_offset + len(SID_ADMINISTRATORS)
    dacl_offset = group_offset + len(SID_SYSTEM)
    header = struct.pack(
        "<BBHIIII", 1, 0, SE_SELF_RELATIVE | SE_DACL_PRESENT, owner_offset, group_offset, 0, dacl_offset
    )
    return header + SID_ADMINISTRATORS + SID_SYSTEM + acl


def _root_key_cell(name: str, security_offset: int, timestamp: int) -> bytes:
    encoded_name = name.encode("ascii")
    body = struct.pack(
        "<2sHQIIIIIIIIIIIIIIIHH",
        b"nk",
        KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME,
        timestamp,
        0,  # access bits
        NO_CELL,  # parent: none for the root
        0,  # subkey count
        0,  # volatile subkey count
        NO_CELL,  # subkey list
        NO_CELL,  # volatile subkey list
        0,  # value count
        NO_CELL,  # value list
        security_offset,
        NO_CELL,  # class name
        0, 0, 0, 0,  # largest subkey name/class, value name/data
        0,  # work var
        len(encoded_name),
        0,  # class name length
    ) + encoded_name
    size = _align8(4 + len(body))
    return struct.pack("<i", -size) + body.ljust(size - 4, b"\0")


def _security_cell(own_offset: int, descriptor: bytes) -> bytes:
    body = struct.pack("<2sHIIII", b"sk", 0, own_offset, own_offset, 1, len(descriptor)) + descriptor
    size = _align8(4 + len(body))
    return struct.pack("<i", -size) + body.ljust(size - 4, b"\0")


def _base_block(root_offset: int, hive_file_name: str, timestamp: int) -> bytes:
    header = struct.pack(
        "<4sIIQIIIIIII",
        b"regf",
        1,  # primary sequence number
        1,  # secondary sequence number (equal: the hive is clean)
        timestamp,
        1,  # major version
        5,  # minor version (Windows XP and later write 1.3/1.5; hivex and regipy read both)
        0,  # file type: primary
        1,  # file format: direct memory load
        root_offset,
        HBIN_SIZE,  # hive bins data size
        1,  # clustering factor
    )
    file_name = hive_file_name.encode("utf-16-le")[:64].ljust(64, b"\0")
    block = bytearray((header + file_name).ljust(BASE_BLOCK_SIZE, b"\0"))
    struct.pack_into("<I", block, CHECKSUM_SPAN, base_block_checksum(bytes(block)))
    return bytes(block)


def empty_hive_bytes(root_name: str = "ROOT", hive_file_name: str = "") -> bytes:
    """The bytes of a clean hive holding only its root key."""
    timestamp = filetime()
    root_offset = HBIN_HEADER_SIZE
    root_cell = _root_key_cell(root_name, 0, timestamp)
    security_offset = root_offset + len(root_cell)
    root_cell = _root_key_cell(root_name, security_offset, timestamp)
    security_cell = _security_cell(security_offset, default_security_descriptor())
    used = HBIN_HEADER_SIZE + len(root_cell) + len(security_cell)
    free_cell = struct.pack("<i", HBIN_SIZE - used).ljust(HBIN_SIZE - used, b"\0")
    hbin_header = struct.pack("<4sIIQQI", b"hbin", 0, HBIN_SIZE, 0, timestamp, 0)
    hbin = hbin_header + root_cell + security_cell + free_cell
    assert len(hbin) == HBIN_SIZE  # noqa: S101 - layout invariant of this writer
    return _base_block(root_offset, hive_file_name, timestamp) + hbin


def write_empty_hive(host_path: str | os.PathLike[str], root_name: str = "ROOT") -> Path:
    """Create (or replace) a file holding an empty, clean hive."""
    path = Path(host_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(empty_hive_bytes(root_name, path.name))
    return path
