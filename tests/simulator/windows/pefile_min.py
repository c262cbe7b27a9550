"""A minimal, valid PE32+ image (x64 native driver shape): enough for file checks, hashing and version queries, not
for loading.

Layout: headers, a `.text` section (`ret` and the driver's name) and, when a version is given, an `.rsrc` section
holding one RT_VERSION resource (VS_VERSIONINFO with VS_FIXEDFILEINFO, a StringFileInfo table 040904B0 and a
VarFileInfo translation), which is what .NET's FileVersionInfo (and so PowerShell's `VersionInfo`) reads.
"""
from __future__ import annotations

import re
import struct

IMAGE_FILE_MACHINE_AMD64 = 0x8664
IMAGE_SUBSYSTEM_NATIVE = 1
FILE_ALIGNMENT = 0x200
SECTION_ALIGNMENT = 0x1000
_PE_OFFSET = 0x80
_OPTIONAL_HEADER_SIZE = 0xF0
_SECTION_HEADER_SIZE = 40
_DATA_DIRECTORY_COUNT = 16
_RESOURCE_DIRECTORY_INDEX = 2
_CODE_SECTION = 0x60000020      # code, execute, read
_RESOURCE_SECTION = 0x40000040  # initialized data, read

# What a Windows Server 2022 inbox driver reports (the "(WinBuild…)" suffix is part of the string, as on Windows).
DEFAULT_VERSION = "10.0.20348.1 (WinBuild.160101.0800)"

RT_VERSION = 16
VS_VERSION_INFO_ID = 1
LANGUAGE_EN_US = 0x0409
CODEPAGE_UNICODE = 1200
VS_FFI_SIGNATURE = 0xFEEF04BD
VS_FFI_STRUCVERSION = 0x00010000
VS_FFI_FILEFLAGSMASK = 0x3F
VOS_NT_WINDOWS32 = 0x00040004
VFT_DRV = 3
VFT2_DRV_SYSTEM = 7
_VERSION_NUMBERS = re.compile(r"^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?")


def build_driver_image(name: str, timestamp: int = 0x5C0D6A2B, version: str | None = DEFAULT_VERSION,
                       product_version: str | None = None) -> bytes:
    """A PE32+ driver image with a valid optional-header checksum.

    `version` becomes the FileVersion string (and, unless `product_version` is given, the ProductVersion string);
    the numeric VS_FIXEDFILEINFO fields come from its leading dotted numbers. `version=None` builds an image
    without any version resource (FileVersionInfo then reports null)."""
    code = b"\xc3" + name.encode("ascii") + b"\0"
    text_raw = _pad(code, FILE_ALIGNMENT)
    sections = [(b".text", code, _CODE_SECTION)]
    if version is not None:
        resource_rva = SECTION_ALIGNMENT * 2
        resources = resource_section(version_info(name, version, product_version or version), resource_rva)
        sections.append((b".rsrc", resources, _RESOURCE_SECTION))
    headers_size = FILE_ALIGNMENT
    size_of_image = SECTION_ALIGNMENT * (1 + len(sections))
    data_directories = bytearray(_DATA_DIRECTORY_COUNT * 8)
    if version is not None:
        struct.pack_into("<II", data_directories, _RESOURCE_DIRECTORY_INDEX * 8, SECTION_ALIGNMENT * 2,
                         len(sections[1][1]))
    initialized = sum(len(_pad(data, FILE_ALIGNMENT)) for _name, data, flags in sections if flags == _RESOURCE_SECTION)

    dos = bytearray(_PE_OFFSET)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, _PE_OFFSET)
    coff = struct.pack("<HHIIIHH", IMAGE_FILE_MACHINE_AMD64, len(sections), timestamp, 0, 0, _OPTIONAL_HEADER_SIZE,
                       0x0022)
    optional = struct.pack(
        "<HBBIIIIIQIIHHHHHHIIIIHHQQQQII",
        0x20B,  # PE32+
        14, 0,  # linker version
        len(text_raw), initialized, 0,  # size of code, initialized, uninitialized data
        SECTION_ALIGNMENT,  # entry point
        SECTION_ALIGNMENT,  # base of code
        0x140000000,  # image base
        SECTION_ALIGNMENT, FILE_ALIGNMENT,
        10, 0, 10, 0, 10, 0,  # OS, image, subsystem versions
        0,  # Win32VersionValue
        size_of_image,
        headers_size,
        0,  # checksum, patched below
        IMAGE_SUBSYSTEM_NATIVE,
        0x0160,  # DLL characteristics: high entropy VA, dynamic base, NX compatible
        0x40000, 0x1000, 0x100000, 0x1000,  # stack/heap reserve and commit
        0,  # loader flags
        _DATA_DIRECTORY_COUNT,
    ) + bytes(data_directories)
    section_headers = b""
    bodies = b""
    for index, (section_name, data, flags) in enumerate(sections):
        raw = _pad(data, FILE_ALIGNMENT)
        section_headers += struct.pack("<8sIIIIIIHHI", section_name, len(data), SECTION_ALIGNMENT * (index + 1),
                                       len(raw), headers_size + len(bodies), 0, 0, 0, 0, flags)
        bodies += raw
    header = bytes(dos) + b"PE\0\0" + coff + optional + section_headers
    assert len(header) <= headers_size
    image = bytearray(header.ljust(headers_size, b"\0") + bodies)
    checksum_offset = _PE_OFFSET + 4 + len(coff) + 64
    struct.pack_into("<I", image, checksum_offset, pe_checksum(bytes(image), checksum_offset))
    return bytes(image)


def _pad(data: bytes, alignment: int) -> bytes:
    return data + b"\0" * (-len(data) % alignment)


# --- the version resource ------------------------------------------------------------------------------------------


def _version_block(key: str, value: bytes, value_length: int, value_type: int, children: bytes = b"") -> bytes:
    """One VS_VERSIONINFO-style block: wLength, wValueLength, wType, szKey, padding, Value, padding, Children."""
    head = struct.pack("<HHH", 0, value_length, value_type) + (key + "\0").encode("utf-16-le")
    head = _pad(head, 4) + value
    block = bytearray(_pad(head, 4) + children if children else head)
    struct.pack_into("<H", block, 0, len(block))
    return bytes(block)


def _string(key: str, text: str) -> bytes:
    value = (text + "\0").encode("utf-16-le")
    return _version_block(key, value, len(text) + 1, 1)  # wValueLength counts WCHARs, terminator included


def _version_numbers(text: str) -> tuple[int, int, int, int]:
    match = _VERSION_NUMBERS.match(text)
    if match is None:
        return 0, 0, 0, 0
    parts = [int(part or 0) & 0xFFFF for part in match.groups()]
    return parts[0], parts[1], parts[2], parts[3]


def version_info(name: str, file_version: str, product_version: str) -> bytes:
    """The VS_VERSIONINFO resource data of a Microsoft driver named `name`."""
    file_numbers = _version_numbers(file_version)
    product_numbers = _version_numbers(product_version)
    fixed = struct.pack(
        "<13I", VS_FFI_SIGNATURE, VS_FFI_STRUCVERSION,
        (file_numbers[0] << 16) | file_numbers[1], (file_numbers[2] << 16) | file_numbers[3],
        (product_numbers[0] << 16) | product_numbers[1], (product_numbers[2] << 16) | product_numbers[3],
        VS_FFI_FILEFLAGSMASK, 0, VOS_NT_WINDOWS32, VFT_DRV, VFT2_DRV_SYSTEM, 0, 0,
    )
    strings = [
        ("CompanyName", "Microsoft Corporation"),
        ("FileDescription", name),
        ("FileVersion", file_version),
        ("InternalName", name),
        ("LegalCopyright", "\u00a9 Microsoft Corporation. All rights reserved."),
        ("OriginalFilename", name),
        ("ProductName", "Microsoft\u00ae Windows\u00ae Operating System"),
        ("ProductVersion", product_version),
    ]
    table_children = b"".join(_pad(_string(key, text), 4) for key, text in strings)
    table = _version_block(f"{LANGUAGE_EN_US:04X}{CODEPAGE_UNICODE:04X}", b"", 0, 1, table_children)
    string_file_info = _version_block("StringFileInfo", b"", 0, 1, _pad(table, 4))
    translation = _version_block("Translation", struct.pack("<HH", LANGUAGE_EN_US, CODEPAGE_UNICODE), 4, 0)
    var_file_info = _version_block("VarFileInfo", b"", 0, 1, _pad(translation, 4))
    return _version_block("VS_VERSION_INFO", fixed, len(fixed), 0, _pad(string_file_info, 4) + var_file_info)


def resource_section(version_data: bytes, section_rva: int) -> bytes:
    """An .rsrc section with one resource: type RT_VERSION / id 1 / language en-US -> `version_data`."""
    directory_size = 16 + 8  # IMAGE_RESOURCE_DIRECTORY with one IMAGE_RESOURCE_DIRECTORY_ENTRY
    name_dir, language_dir = directory_size, 2 * directory_size  # the type directory is at offset 0
    data_entry = 3 * directory_size
    data_offset = data_entry + 16

    def directory(entry_id: int, target: int, is_directory: bool) -> bytes:
        pointer = target | (0x80000000 if is_directory else 0)
        return struct.pack("<IIHHHH", 0, 0, 0, 0, 0, 1) + struct.pack("<II", entry_id, pointer)

    section = (
        directory(RT_VERSION, name_dir, True)
        + directory(VS_VERSION_INFO_ID, language_dir, True)
        + directory(LANGUAGE_EN_US, data_entry, False)
        + struct.pack("<IIII", section_rva + data_offset, len(version_data), 0, 0)
        + version_data
    )
    assert len(section) == data_offset + len(version_data)
    return section


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
