"""Opening regf hive files safely with hivex.

hivex has no transaction-log replay: committing a dirty hive (primary and secondary sequence numbers differ) marks it
clean and loses the data still pending in its .LOG1/.LOG2 files. Windows would replay those logs; the simulator
refuses such a hive instead, so a test never "succeeds" on data Windows would have seen differently.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path

import hivex

BASE_BLOCK_SIZE = 4096
REGF_SIGNATURE = b"regf"
CHECKSUM_SPAN = 508  # the checksum covers the first 127 dwords of the base block


class HiveError(OSError):
    """A file that cannot be opened as a hive."""


class NotAHiveError(HiveError):
    """The file is not a regf hive (wrong signature, truncated, bad base-block checksum) or hivex refused it."""


class DirtyHiveError(HiveError):
    """The hive's sequence numbers differ: its transaction logs hold data that must be replayed first."""


def base_block_checksum(base_block: bytes) -> int:
    """The regf base-block checksum: XOR of the first 127 dwords, with 0 and 0xFFFFFFFF remapped as Windows does."""
    checksum = 0
    for (dword,) in struct.iter_unpack("<I", base_block[:CHECKSUM_SPAN]):
        checksum ^= dword
    if checksum == 0xFFFFFFFF:
        return 0xFFFFFFFE
    if checksum == 0:
        return 1
    return checksum


def check_hive_file(host_path: str | os.PathLike[str]) -> None:
    """Raise FileNotFoundError, NotAHiveError or DirtyHiveError unless the file is a clean regf hive."""
    path = Path(host_path)
    with path.open("rb") as handle:  # FileNotFoundError / IsADirectoryError pass through unchanged
        base_block = handle.read(BASE_BLOCK_SIZE)
    if len(base_block) < BASE_BLOCK_SIZE or base_block[:4] != REGF_SIGNATURE:
        raise NotAHiveError(f"{path}: not a registry hive file")
    (stored_checksum,) = struct.unpack_from("<I", base_block, CHECKSUM_SPAN)
    if stored_checksum != base_block_checksum(base_block):
        raise NotAHiveError(f"{path}: base block checksum mismatch")
    primary_sequence, secondary_sequence = struct.unpack_from("<II", base_block, 4)
    if primary_sequence != secondary_sequence:
        raise DirtyHiveError(
            f"{path}: hive is dirty (sequence numbers {primary_sequence} != {secondary_sequence}); "
            "its transaction logs must be replayed first"
        )


def is_dirty(host_path: str | os.PathLike[str]) -> bool:
    """True when the base block's sequence numbers differ."""
    try:
        check_hive_file(host_path)
    except DirtyHiveError:
        return True
    return False


def open_hive(host_path: str | os.PathLike[str], write: bool) -> hivex.Hivex:
    """Open a clean hive with hivex; refuse dirty hives for reading too (their content is not what Windows sees)."""
    check_hive_file(host_path)
    try:
        return hivex.Hivex(os.fspath(host_path), write=write)
    except RuntimeError as error:  # hivex reports every structural problem as RuntimeError/OSError
        raise NotAHiveError(f"{host_path}: {error}") from error
    except OSError as error:
        raise NotAHiveError(f"{host_path}: {error}") from error
