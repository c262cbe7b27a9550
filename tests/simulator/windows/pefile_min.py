"""A minimal, valid PE32+ image (x64 native driver shape): enough for file checks and hashing, not for loading."""
from __future__ import annotations

import struct

IMAGE_FILE_MACHINE_AMD64 = 0x8664
IMAGE_SUBSYSTEM_NATIVE = 1
FILE_ALIGNMENT = 0x200
SECTION_ALIGNMENT = 0x1000
_PE_OFFSET = 0x80
_OPTIONAL_HEADER_SIZE = 0xF0


def build_driver_image(name: str, timestamp: int = 0x5C0D6A2B) -> bytes:
    """A PE32+ with one .text section holding `ret` and the driver's name, and a valid optional-header checksum."""
    code = b"\xc3" + name.encode("ascii") + b"\0"
    text_raw = code.ljust(FILE_ALIGNMENT, b"\0")
    headers_size = FILE_ALIGNMENT
    dos = bytearray(_PE_OFFSET)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, _PE_OFFSET)
    coff = struct.pack("<HHIIIHH", IMAGE_FILE_MACHINE_AMD64, 1, timestamp, 0, 0, _OPTIONAL_HEADER_SIZE, 0x0022)
    optional = struct.pack(
        "<HBBIIIIIQIIHHHHHHIIIIHHQQQQII",
        0x20B,  # PE32+
        14, 0,  # linker version
        len(text_raw), 0, 0,  # size of code, initialized, uninitialized data
        SECTION_ALIGNMENT,  # entry point
        SECTION_ALIGNMENT,  # base of code
        0x140000000,  # image base
        SECTION_ALIGNMENT, FILE_ALIGNMENT,
        10, 0, 10, 0, 10, 0,  # OS, image, subsystem versions
        0,  # Win32VersionValue
        2 * SECTION_ALIGNMENT,  # size of image
        headers_size,
        0,  # checksum, patched below
        IMAGE_SUBSYSTEM_NATIVE,
        0x0160,  # DLL characteristics: high entropy VA, dynamic base, NX compatible
        0x40000, 0x1000, 0x100000, 0x1000,  # stack/heap reserve and commit
        0,  # loader flags
        16,  # number of data directories
    ) + bytes(16 * 8)
    section = struct.pack(
        "<8sIIIIIIHHI", b".text", len(code), SECTION_ALIGNMENT, len(text_raw), headers_size, 0, 0, 0, 0, 0x60000020
    )
    header = (bytes(dos) + b"PE\0\0" + coff + optional + section).ljust(headers_size, b"\0")
    image = bytearray(header + text_raw)
    checksum_offset = _PE_OFFSET + 4 + len(coff) + 64
    struct.pack_into("<I", image, checksum_offset, pe_checksum(bytes(image), checksum_offset))
    return bytes(image)


def pe_checksum(image: bytes, checksum_offset: int) -> int:
    """The optional-header CheckSum as imagehlp computes it (16-bit folded sum plus file length)."""
    total = 0
    padded = image + b"\0" * (len(image) % 2)
    for index in range(0, len(padded), 2):
        if checksum_offset <= index < checksum_offset + 4:
            continue
        total += padded[index] | (padded[index + 1] << 8)
        total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return (total + len(image)) & 0xFFFFFFFF
