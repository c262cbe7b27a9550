# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the bugcheck recorded in a kernel crash dump, read from the header bytes only (pure, no I/O).

``MEMORY.DMP`` and the kernel minidumps in ``%SystemRoot%\\Minidump`` both start with a fixed header: ``PAGEDU64``
(64-bit, 0x2000 bytes) or ``PAGEDUMP`` (32-bit, 0x1000 bytes). They are not user-mode ``MDMP`` files.

Offsets follow the public definitions, which agree on every field read here:
- 64-bit: 0vercl0k/kdmp-parser ``src/lib/kdmp-parser-structs.h`` (static_asserts pin BugCheckCodeParameters at 0x40
  and the comment at 0xFB0) and Volatility ``volatility/plugins/overlays/windows/crash_vtypes.py`` ``_DMP_HEADER64``
  (DumpType 0xF98, SystemTime 0xFA8).
- 32-bit: Volatility ``_DMP_HEADER`` and MoonSols/Comae ``Bin2Dmp/dmp.h`` ``DUMP_HEADER32`` (BugCheckCode 0x28,
  parameters 0x2C..0x38, DumpType 0xF88, SystemTime 0xFC0). rizin's 32-bit struct omits a gap and disagrees on the
  later fields, so for 32-bit dumps only the bugcheck fields are certain; dump type and time are given as read.
The 64-bit header's ``PhysicalMemoryBlock`` (``_PHYSICAL_MEMORY_DESCRIPTOR64`` at 0x88: NumberOfRuns u32, padding,
NumberOfPages u64 at 0x90; kdmp-parser ``PHYSMEM_DESC``, whose ``LooksGood`` also treats the ``PAGE`` fill as absent)
gives the memory the crashed system had: NumberOfPages x 4096 (x64 and arm64 pages are 4 KiB). It is not read from
32-bit headers (the sources above were not checked for that field).
The sources disagree on dump-type names beyond 1 (full) and 4 (triage / minidump): other values are reported as
numbers. Where a field was never written, Windows leaves the ``PAGE`` fill pattern; it is reported as absent.
The meaning of 0x5A's parameters is not documented by Microsoft; Azure's sample analysis shows Arg4 as the NTSTATUS
of the failed driver load (e.g. 0xC0000428 STATUS_INVALID_IMAGE_HASH, sign-extended), which is how it is read here.
"""

from __future__ import annotations

import dataclasses
import datetime
import struct

HEADER_BYTES = 0x2000          # enough for either header; only this many bytes of a dump are ever read
_FILL = 0x45474150             # "PAGE": what the writer leaves in fields it did not fill
_FILL64 = 0x4547415045474150
_FILETIME_EPOCH = datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)


@dataclasses.dataclass(frozen=True)
class _Layout:
    width: str                  # "64-bit" / "32-bit"
    machine: int
    bugcheck_code: int
    parameters: int
    parameter_format: str       # four parameters
    dump_type: int
    system_time: int
    header_size: int


_LAYOUTS = {
    b"PAGEDU64": _Layout("64-bit", 0x30, 0x38, 0x40, "<4Q", 0xF98, 0xFA8, 0x2000),
    b"PAGEDUMP": _Layout("32-bit", 0x20, 0x28, 0x2C, "<4I", 0xF88, 0xFC0, 0x1000),
}
_MAJOR_VERSION = 0x08
_MINOR_VERSION = 0x0C          # the OS build number
_DUMP_TYPES = {1: "full", 4: "triage"}
_PHYSICAL_PAGES64 = 0x90      # PhysicalMemoryBlock.NumberOfPages of a PAGEDU64 header
PAGE_SIZE = 4096
_MACHINES = {0x014C: "x86", 0x8664: "x64", 0xAA64: "arm64"}

# Names of the bugchecks this collection repairs or meets; others are given by code.
BUGCHECK_NAMES = {
    0x5A: "CRITICAL_SERVICE_FAILED",
    0x7B: "INACCESSIBLE_BOOT_DEVICE",
    0x7E: "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED",
    0x50: "PAGE_FAULT_IN_NONPAGED_AREA",
    0xD1: "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
    0xEF: "CRITICAL_PROCESS_DIED",
}
NTSTATUS_NAMES = {
    0xC0000428: "STATUS_INVALID_IMAGE_HASH",
    0xC0000034: "STATUS_OBJECT_NAME_NOT_FOUND",
    0xC000003A: "STATUS_OBJECT_PATH_NOT_FOUND",
    0xC000007B: "STATUS_INVALID_IMAGE_FORMAT",
    0xC0000603: "STATUS_IMAGE_CERT_REVOKED",
}


@dataclasses.dataclass(frozen=True)
class DumpHeader:
    kind: str                         # stable code: ok, not-a-kernel-dump, user-mode-minidump, truncated
    width: str | None = None
    bugcheck_code: int | None = None
    parameters: tuple[int, ...] = ()
    os_build: int | None = None
    os_major: int | None = None
    machine: int | None = None
    dump_type: int | None = None
    system_time: str | None = None    # ISO 8601 UTC, or None when not recorded
    physical_pages: int | None = None  # pages of memory the crashed system had (64-bit headers), or None

    @property
    def memory_bytes(self) -> int | None:
        return None if self.physical_pages is None else self.physical_pages * PAGE_SIZE

    @property
    def bugcheck_name(self) -> str | None:
        if self.bugcheck_code is None:
            return None
        return BUGCHECK_NAMES.get(self.bugcheck_code, f"0x{self.bugcheck_code:X}")

    @property
    def load_status(self) -> int | None:
        """For 0x5A, Arg4's low 32 bits: the NTSTATUS of the failed driver load."""
        if self.bugcheck_code != 0x5A or len(self.parameters) < 4:
            return None
        return self.parameters[3] & 0xFFFFFFFF

    def as_dict(self) -> dict:
        status = self.load_status
        return {
            "kind": self.kind,
            "width": self.width,
            "bugcheck_code": None if self.bugcheck_code is None else f"0x{self.bugcheck_code:X}",
            "bugcheck_name": self.bugcheck_name,
            "parameters": [f"0x{value:X}" for value in self.parameters],
            "load_status": None if status is None else f"0x{status:08X}",
            "load_status_name": None if status is None else NTSTATUS_NAMES.get(status),
            "os_build": self.os_build,
            "machine": None if self.machine is None else _MACHINES.get(self.machine, f"0x{self.machine:X}"),
            "dump_type": self.dump_type,
            "dump_type_name": None if self.dump_type is None else _DUMP_TYPES.get(self.dump_type),
            "system_time": self.system_time,
            "memory_bytes": self.memory_bytes,
        }


def parse_dump_header(head: bytes) -> DumpHeader:
    """Read the bugcheck and its context from the first bytes of a dump (``HEADER_BYTES`` are enough)."""
    if head[:4] == b"MDMP":
        return DumpHeader("user-mode-minidump")
    layout = _LAYOUTS.get(head[:8])
    if layout is None:
        return DumpHeader("not-a-kernel-dump")
    if len(head) < layout.header_size:
        return DumpHeader("truncated", width=layout.width)
    (major, build, machine, code) = (
        _u32(head, _MAJOR_VERSION), _u32(head, _MINOR_VERSION), _u32(head, layout.machine),
        _u32(head, layout.bugcheck_code))
    parameters = struct.unpack_from(layout.parameter_format, head, layout.parameters)
    return DumpHeader(
        "ok", width=layout.width, bugcheck_code=code, parameters=tuple(parameters),
        os_build=_written(build), os_major=_written(major), machine=_written(machine),
        dump_type=_written(_u32(head, layout.dump_type)),
        system_time=_filetime(struct.unpack_from("<Q", head, layout.system_time)[0]),
        physical_pages=_physical_pages(head) if layout.width == "64-bit" else None)


def _u32(head: bytes, offset: int) -> int:
    return struct.unpack_from("<I", head, offset)[0]


def _physical_pages(head: bytes) -> int | None:
    pages = struct.unpack_from("<Q", head, _PHYSICAL_PAGES64)[0]
    return None if pages in (0, _FILL64) else pages


def _written(value: int) -> int | None:
    return None if value == _FILL else value


def _filetime(value: int) -> str | None:
    if value in (0, _FILL64):
        return None
    try:
        moment = _FILETIME_EPOCH + datetime.timedelta(microseconds=value // 10)
    except OverflowError:
        return None
    return moment.isoformat().replace("+00:00", "Z")
