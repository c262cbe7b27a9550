"""Driver images carry a real VS_VERSIONINFO resource, and `Get-Item … | Select-Object VersionInfo` reports it."""
from __future__ import annotations

import json
import struct

import pefile

from tests.simulator.powershell import run_powershell
from tests.simulator.windows.machine import Machine
from tests.simulator.windows.pefile_min import DEFAULT_VERSION, build_driver_image


def _version_info(machine: Machine, windows_path: str) -> dict:
    result = run_powershell(f"Get-Item -LiteralPath '{windows_path}' | Select-Object -Property VersionInfo | "
                            "ConvertTo-Json -Compress", machine)
    assert (result.exit_code, result.stderr) == (0, b"")
    return json.loads(result.stdout)["VersionInfo"]


def test_image_with_version_is_a_valid_pe_that_pefile_reads():
    image = build_driver_image("filecrypt.sys", version="6.3.9600.17415 (winblue_r4.141028-1500)",
                               product_version="6.3.9600.17415")
    pe = pefile.PE(data=image)
    assert pe.verify_checksum()
    assert pe.FILE_HEADER.NumberOfSections == 2 and pe.OPTIONAL_HEADER.SizeOfImage == 0x3000
    # The only pefile warning is the statistical "mostly zero bytes" one of a tiny image.
    assert [w for w in pe.get_warnings() if "Byte 0x00 makes up" not in w] == []
    fixed = pe.VS_FIXEDFILEINFO[0]
    assert fixed.Signature == 0xFEEF04BD
    assert (fixed.FileVersionMS, fixed.FileVersionLS) == ((6 << 16) | 3, (9600 << 16) | 17415)
    assert fixed.FileType == 3  # VFT_DRV
    tables = [table for info in pe.FileInfo for entry in info for table in getattr(entry, "StringTable", [])]
    assert [table.LangID for table in tables] == [b"040904B0"]
    assert tables[0].entries[b"FileVersion"] == b"6.3.9600.17415 (winblue_r4.141028-1500)"
    assert tables[0].entries[b"ProductVersion"] == b"6.3.9600.17415"
    assert tables[0].entries[b"OriginalFilename"] == b"filecrypt.sys"
    # wLength of the root block covers the whole resource (VS_VERSIONINFO's own size field).
    resource = pe.DIRECTORY_ENTRY_RESOURCE.entries[0].directory.entries[0].directory.entries[0].data.struct
    data = pe.get_data(resource.OffsetToData, resource.Size)
    assert struct.unpack_from("<H", data, 0)[0] == resource.Size == len(data)
    assert data[6:6 + 32].decode("utf-16-le") == "VS_VERSION_INFO\0"


def test_image_without_version_has_no_resource_directory():
    pe = pefile.PE(data=build_driver_image("x.sys", version=None))
    assert pe.verify_checksum() and pe.FILE_HEADER.NumberOfSections == 1
    assert not hasattr(pe, "VS_FIXEDFILEINFO") and not hasattr(pe, "DIRECTORY_ENTRY_RESOURCE")


def test_get_item_reports_the_file_version_through_the_host(machine: Machine):
    drivers = machine.resolve_path("C:\\drivers")
    drivers.mkdir()
    (drivers / "good.sys").write_bytes(build_driver_image("good.sys", version="10.0.17763.5830 (rs5.190101-1)",
                                                          product_version="10.0.17763.5830"))
    (drivers / "bare.sys").write_bytes(build_driver_image("bare.sys", version=None))
    assert _version_info(machine, "C:\\drivers\\good.sys") == {
        "FileVersion": "10.0.17763.5830 (rs5.190101-1)", "ProductVersion": "10.0.17763.5830"}
    assert _version_info(machine, "C:\\drivers\\bare.sys") == {"FileVersion": None, "ProductVersion": None}


def test_built_machine_drivers_report_a_version(machine: Machine):
    info = _version_info(machine, "F:\\Windows\\System32\\drivers\\filecrypt.sys")
    assert info == {"FileVersion": DEFAULT_VERSION, "ProductVersion": DEFAULT_VERSION}


def test_timestamp_still_changes_the_image():
    assert build_driver_image("a.sys") != build_driver_image("a.sys", timestamp=0x6655AA11)
