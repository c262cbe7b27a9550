"""Kernel crash dump files with a real-shape 64-bit header (PAGEDU64), docs reference §7."""
from __future__ import annotations

import struct

HEADER_SIZE = 0x2000
BUGCHECK_CRITICAL_SERVICE_FAILED = 0x5A
STATUS_INVALID_IMAGE_HASH_SIGN_EXTENDED = 0xFFFFFFFFC0000428
DUMP_TYPE_FULL = 1
DUMP_TYPE_TRIAGE = 4  # rizin's numbering: what a kernel minidump carries


def dump_header(
    bugcheck_code: int,
    parameters: tuple[int, int, int, int],
    *,
    build: int = 17763,
    dump_type: int = DUMP_TYPE_FULL,
    system_time: int = 0,
    memory_pages: int = 0x200000,
) -> bytes:
    """A PAGEDU64 header; unused space holds the 'PAGE' fill Windows leaves in dump headers."""
    header = bytearray(b"PAGE" * (HEADER_SIZE // 4))
    header[0:8] = b"PAGEDU64"
    struct.pack_into("<II", header, 0x08, 0xF, build)
    # DirectoryTableBase, PfnDatabase, PsLoadedModuleList, PsActiveProcessHead
    struct.pack_into("<4Q", header, 0x10, 0x1AD000, 0xFFFFA78000000000, 0xFFFFF8035E42A2D0, 0xFFFFF8035E41F5A0)
    struct.pack_into("<II", header, 0x30, 0x8664, 2)  # MachineImageType x64, NumberProcessors
    struct.pack_into("<II", header, 0x38, bugcheck_code, 0)
    # PhysicalMemoryBlock (kdmp-parser PHYSMEM_DESC at 0x88): one run of all the pages (8 GiB by default)
    struct.pack_into("<IIQQQ", header, 0x88, 1, 0, memory_pages, 0, memory_pages)
    struct.pack_into("<4Q", header, 0x40, *parameters)
    struct.pack_into("<I", header, 0xF98, dump_type)
    struct.pack_into("<Q", header, 0xFA8, system_time)
    return bytes(header)


def critical_service_failed_dump(*, dump_type: int = DUMP_TYPE_FULL, system_time: int = 0) -> bytes:
    """A dump of 0x5A CRITICAL_SERVICE_FAILED with Arg4 = STATUS_INVALID_IMAGE_HASH, as in the Azure sample."""
    parameters = (1, 0xFFFFC20A4BD8E520, 0xFFFFC20A4BD8E4F0, STATUS_INVALID_IMAGE_HASH_SIGN_EXTENDED)
    return dump_header(BUGCHECK_CRITICAL_SERVICE_FAILED, parameters, dump_type=dump_type, system_time=system_time)
