"""Crash dump headers: bugcheck, parameters, build, type and time from the header bytes only.

No real kernel dump small enough to share is known, so every fixture here is built in this file from the documented
layout (kdmp-parser ``kdmp-parser-structs.h`` and Volatility ``crash_vtypes.py``, cited in ``_dump_header.py``),
starting from a header filled with the ``PAGE`` pattern the way the dump writer leaves unwritten fields.
"""

from __future__ import annotations

import datetime
import struct

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._dump_header import HEADER_BYTES, parse_dump_header

_WHEN = datetime.datetime(2026, 11, 30, 22, 15, 7, tzinfo=datetime.timezone.utc)
_FILETIME = int((_WHEN - datetime.datetime(1601, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()) * 10_000_000


def _dump64(code=0x5A, params=(1, 0xFFFFE001_2345_6780, 0xFFFFE001_2345_6000, 0xFFFFFFFF_C0000428), build=17763,
            dump_type=1, filetime=_FILETIME) -> bytes:
    head = bytearray(b"PAGE" * (0x2000 // 4))
    head[0:8] = b"PAGEDU64"
    struct.pack_into("<II", head, 0x08, 0xF, build)
    struct.pack_into("<I", head, 0x30, 0x8664)
    struct.pack_into("<I", head, 0x38, code)
    struct.pack_into("<4Q", head, 0x40, *params)
    if dump_type is not None:
        struct.pack_into("<I", head, 0xF98, dump_type)
    if filetime is not None:
        struct.pack_into("<Q", head, 0xFA8, filetime)
    return bytes(head) + b"\x00" * 64   # data after the header is never looked at


def _dump32(code=0x5A, params=(1, 0x8123_4560, 0x8123_4000, 0xC0000428), build=7601) -> bytes:
    head = bytearray(b"PAGE" * (0x1000 // 4))
    head[0:8] = b"PAGEDUMP"
    struct.pack_into("<II", head, 0x08, 0xF, build)
    struct.pack_into("<I", head, 0x20, 0x014C)
    struct.pack_into("<I", head, 0x28, code)
    struct.pack_into("<4I", head, 0x2C, *params)
    struct.pack_into("<I", head, 0xF88, 4)
    struct.pack_into("<Q", head, 0xFC0, _FILETIME)
    return bytes(head)


def test_a_64_bit_header_gives_the_bugcheck_its_parameters_and_the_failed_load_status():
    result = parse_dump_header(_dump64()).as_dict()
    assert result["kind"] == "ok" and result["width"] == "64-bit"
    assert (result["bugcheck_code"], result["bugcheck_name"]) == ("0x5A", "CRITICAL_SERVICE_FAILED")
    assert result["parameters"] == ["0x1", "0xFFFFE00123456780", "0xFFFFE00123456000", "0xFFFFFFFFC0000428"]
    assert (result["load_status"], result["load_status_name"]) == ("0xC0000428", "STATUS_INVALID_IMAGE_HASH")
    assert (result["os_build"], result["machine"], result["dump_type"], result["dump_type_name"]) == (
        17763, "x64", 1, "full")
    assert result["system_time"] == "2026-11-30T22:15:07Z"


def test_a_32_bit_header_reads_its_own_offsets():
    result = parse_dump_header(_dump32()).as_dict()
    assert (result["width"], result["bugcheck_code"], result["os_build"], result["machine"]) == (
        "32-bit", "0x5A", 7601, "x86")
    assert result["parameters"] == ["0x1", "0x81234560", "0x81234000", "0xC0000428"]
    assert result["load_status"] == "0xC0000428"
    assert (result["dump_type"], result["dump_type_name"], result["system_time"]) == (
        4, "triage", "2026-11-30T22:15:07Z")


def test_fields_the_writer_left_with_the_fill_pattern_are_absent_not_garbage():
    result = parse_dump_header(_dump64(dump_type=None, filetime=None)).as_dict()
    assert (result["dump_type"], result["system_time"]) == (None, None)


def test_another_bugcheck_has_no_load_status_and_an_unknown_code_is_given_as_a_number():
    result = parse_dump_header(_dump64(code=0x1234, params=(0, 0, 0, 0xC0000428))).as_dict()
    assert (result["bugcheck_name"], result["load_status"]) == ("0x1234", None)


@pytest.mark.parametrize("head, kind", [
    (b"MDMP\x93\xa7" + b"\0" * 100, "user-mode-minidump"),
    (b"MZ" + b"\0" * 0x3000, "not-a-kernel-dump"),
    (b"", "not-a-kernel-dump"),
])
def test_what_is_not_a_kernel_dump_is_named_as_such(head, kind):
    assert parse_dump_header(head).kind == kind


def test_a_header_cut_short_is_reported_truncated_not_read_past_its_end():
    assert parse_dump_header(_dump64()[:0x1000]).kind == "truncated"
    assert parse_dump_header(_dump32()[:0x800]).kind == "truncated"


def test_reading_header_bytes_is_enough():
    assert parse_dump_header(_dump64()[:HEADER_BYTES]).bugcheck_code == 0x5A


def test_the_simulator_s_crash_dumps_read_as_the_crash_they_stand_for():
    """Cross-check with the simulator's independent writer (tests/simulator/windows/crashdump.py)."""
    from tests.simulator.windows import crashdump

    result = parse_dump_header(crashdump.critical_service_failed_dump(dump_type=crashdump.DUMP_TYPE_TRIAGE,
                                                                      system_time=_FILETIME))
    assert (result.bugcheck_name, result.load_status, result.dump_type, result.system_time) == (
        "CRITICAL_SERVICE_FAILED", 0xC0000428, 4, "2026-11-30T22:15:07Z")


def test_the_64_bit_physical_memory_block_gives_the_crashed_system_s_memory():
    head = bytearray(_dump64())
    struct.pack_into("<IIQ", head, 0x88, 3, 0, 2_097_152)        # NumberOfRuns, padding, NumberOfPages: 8 GiB
    assert parse_dump_header(bytes(head)).memory_bytes == 8 * 1024 ** 3
    assert parse_dump_header(bytes(head)).as_dict()["memory_bytes"] == 8 * 1024 ** 3


def test_a_physical_memory_block_left_with_the_fill_or_a_32_bit_header_gives_no_memory_size():
    assert parse_dump_header(_dump64()).memory_bytes is None
    assert parse_dump_header(_dump32()).memory_bytes is None


def test_the_simulator_s_dump_records_its_memory_size():
    from tests.simulator.windows import crashdump

    assert parse_dump_header(crashdump.critical_service_failed_dump()).memory_bytes == 8 * 1024 ** 3
