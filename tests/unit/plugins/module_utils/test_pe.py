"""The PE check decides from the DOS header, e_lfanew and the PE signature only."""

from __future__ import annotations

import glob
import struct
import sys
from pathlib import Path

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._pe import HEAD_BYTES, bytes_from_lines, check_pe
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError


def _image(e_lfanew: int = 0x80, machine: int = 0x8664, magic: int = 0x20B, signature: bytes = b"PE\0\0") -> bytes:
    data = bytearray(HEAD_BYTES)
    data[:2] = b"MZ"
    struct.pack_into("<I", data, 0x3C, e_lfanew)
    data[e_lfanew:e_lfanew + 4] = signature
    struct.pack_into("<H", data, e_lfanew + 4, machine)
    struct.pack_into("<H", data, e_lfanew + 24, magic)
    return bytes(data)


def test_a_pe32_plus_image_is_recognised_with_its_machine():
    result = check_pe(_image())
    assert (result.is_pe, result.reason, result.machine_name, result.format) == (True, "ok", "x64", "PE32+")


def test_a_pe32_x86_image():
    result = check_pe(_image(machine=0x14C, magic=0x10B))
    assert (result.machine_name, result.format) == ("x86", "PE32")


@pytest.mark.parametrize("data, reason", [
    (b"", "too-short"),
    (b"MZ" + bytes(10), "too-short"),
    (b"ZM" + bytes(HEAD_BYTES - 2), "no-mz"),
    (b"regf" + bytes(HEAD_BYTES - 4), "no-mz"),
])
def test_short_or_foreign_files_are_refused(data, reason):
    assert check_pe(data).reason == reason and not check_pe(data).is_pe


def test_e_lfanew_pointing_outside_the_bytes_read_is_refused():
    assert check_pe(_image(e_lfanew=0x80)[:0x82]).reason == "bad-e-lfanew"
    data = bytearray(_image())
    struct.pack_into("<I", data, 0x3C, 0xFFFFFFF0)
    assert check_pe(bytes(data)).reason == "bad-e-lfanew"


def test_e_lfanew_inside_the_dos_header_is_refused():
    assert check_pe(_image(e_lfanew=0x10)).reason == "bad-e-lfanew"


def test_a_wrong_signature_is_refused():
    assert check_pe(_image(signature=b"NE\0\0")).reason == "no-pe-signature"


def test_get_content_byte_lines_become_bytes():
    assert bytes_from_lines(["77", "90", "", "0", "255"]) == b"MZ\x00\xff"
    with pytest.raises(VmrescueError):
        bytes_from_lines(["256"])
    with pytest.raises(VmrescueError):
        bytes_from_lines(["M"])


def _real_windows_executables() -> list[Path]:
    """Windows launchers shipped inside Python packages (pip's distlib, setuptools), when this machine has them."""
    patterns = [str(Path(p) / sub / "*.exe") for p in sys.path if p.endswith("site-packages")
                for sub in ("pip/_vendor/distlib", "setuptools")]
    patterns.append("/root/.pyenv/versions/*/lib/python*/site-packages/pip/_vendor/distlib/*.exe")
    return sorted({Path(found) for pattern in patterns for found in glob.glob(pattern)})[:6]


def test_real_windows_executables_are_pe_images():
    exes = _real_windows_executables()
    if not exes:
        pytest.skip("no real Windows executable (pip distlib / setuptools launchers) on this machine")
    for exe in exes:
        result = check_pe(exe.read_bytes()[:HEAD_BYTES])
        assert result.is_pe, (exe, result)
        assert result.machine_name in ("x86", "x64", "arm64", "arm"), (exe, result)
