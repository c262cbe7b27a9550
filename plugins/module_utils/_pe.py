# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: is this file a PE image (a Windows driver or executable)? Decided from its first bytes only.

A PE image starts with the DOS header (``MZ``); the 32-bit little-endian value at offset 0x3C (``e_lfanew``) is the
offset of the ``PE\\0\\0`` signature, followed by the COFF file header (machine type) and the optional header
(magic 0x10B for PE32, 0x20B for PE32+). ``driver_file`` reads the first 1024 bytes of a file with
``Get-Content -Encoding Byte -TotalCount 1024`` and refuses a source that is not a PE image.
"""

from __future__ import annotations

import dataclasses
import struct

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

HEAD_BYTES = 1024
_E_LFANEW_OFFSET = 0x3C
_OPTIONAL_MAGIC = {0x10B: "PE32", 0x20B: "PE32+"}
MACHINES = {0x014C: "x86", 0x8664: "x64", 0xAA64: "arm64", 0x01C4: "arm"}


@dataclasses.dataclass(frozen=True)
class PeCheck:
    is_pe: bool
    reason: str                 # stable code: ok, too-short, no-mz, bad-e-lfanew, no-pe-signature
    machine: int | None = None
    format: str | None = None   # PE32 / PE32+ when the optional header's magic is within the bytes read

    @property
    def machine_name(self) -> str | None:
        if self.machine is None:
            return None
        return MACHINES.get(self.machine, f"0x{self.machine:04x}")

    def as_dict(self) -> dict:
        return {"is_pe": self.is_pe, "reason": self.reason, "machine": self.machine_name, "format": self.format}


def check_pe(head: bytes) -> PeCheck:
    """Check the first bytes of a file (1024 are enough for every PE that Windows itself writes)."""
    if len(head) < _E_LFANEW_OFFSET + 4:
        return PeCheck(False, "too-short")
    if head[:2] != b"MZ":
        return PeCheck(False, "no-mz")
    (e_lfanew,) = struct.unpack_from("<I", head, _E_LFANEW_OFFSET)
    # The signature must lie after the DOS header and within what was read (the read covers every real image).
    if e_lfanew < 0x40 or e_lfanew + 4 > len(head):
        return PeCheck(False, "bad-e-lfanew")
    if head[e_lfanew:e_lfanew + 4] != b"PE\0\0":
        return PeCheck(False, "no-pe-signature")
    machine = None
    if e_lfanew + 6 <= len(head):
        (machine,) = struct.unpack_from("<H", head, e_lfanew + 4)
    fmt = None
    magic_at = e_lfanew + 24   # signature (4) + COFF file header (20)
    if magic_at + 2 <= len(head):
        (magic,) = struct.unpack_from("<H", head, magic_at)
        fmt = _OPTIONAL_MAGIC.get(magic)
    return PeCheck(True, "ok", machine, fmt)


def bytes_from_lines(lines: list[str]) -> bytes:
    """The bytes printed by ``Get-Content -Encoding Byte`` (one decimal value per line)."""
    values = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if not text.isdigit() or int(text) > 255:
            raise VmrescueError(f"the recovery VM printed {text!r} where a byte value (0-255) was expected")
        values.append(int(text))
    return bytes(values)
