"""Building a BCD store (a regf hive) like the one Windows setup leaves on an Azure VM's boot partition.

Element encodings follow docs reference §1: booleans 1-byte REG_BINARY, integers 8-byte little-endian REG_BINARY,
objects REG_SZ "{guid}", object lists REG_MULTI_SZ, strings REG_SZ, devices 88-byte REG_BINARY.
"""
from __future__ import annotations

import dataclasses
import struct
import uuid
from pathlib import Path

from .hivefile import open_hive
from .regf import write_empty_hive
from .regvalues import REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_SZ, utf16z

BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
EMSSETTINGS = "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"
DBGSETTINGS = "{4636856e-540f-4170-a130-a84776f4c654}"
GLOBALSETTINGS = "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}"
BOOTLOADERSETTINGS = "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}"
RESUMELOADERSETTINGS = "{1afa9c49-16ab-4a5c-901b-212802da9460}"
HYPERVISORSETTINGS = "{7ff607e0-4395-11db-b0de-0800200c9a66}"
BADMEMORY = "{5189b25c-5558-4bf2-bca4-289b11bd29e2}"
MEMDIAG = "{b2721d73-1db4-4c62-bf78-c548a880142d}"

TYPE_BOOTMGR = 0x10100002
TYPE_OSLOADER = 0x10200003
TYPE_MEMDIAG = 0x10200005
TYPE_INHERITED_LIBRARY = 0x20100000
TYPE_INHERITED_OSLOADER = 0x20200003
TYPE_INHERITED_RESUME = 0x20200004

DEVICE_TYPE_PARTITION = 6
PARTITION_STYLE_GPT = 0
PARTITION_STYLE_MBR = 1
DEVICE_ELEMENT_SIZE = 0x58


@dataclasses.dataclass(frozen=True)
class PartitionDevice:
    """Where a partition is: GPT (disk GUID + partition GUID) or MBR (disk signature + byte offset)."""

    style: str  # "GPT" or "MBR"
    disk_guid: str | None = None
    partition_guid: str | None = None
    disk_signature: int | None = None
    partition_offset: int | None = None

    def encode(self) -> bytes:
        """The 88-byte partition device element (docs reference §1, "Device elements")."""
        blob = bytearray(DEVICE_ELEMENT_SIZE)
        struct.pack_into("<III", blob, 0x10, DEVICE_TYPE_PARTITION, 0, 0x48)
        if self.style == "GPT":
            blob[0x20:0x30] = uuid.UUID(self.partition_guid).bytes_le
            struct.pack_into("<I", blob, 0x34, PARTITION_STYLE_GPT)
            blob[0x38:0x48] = uuid.UUID(self.disk_guid).bytes_le
        else:
            struct.pack_into("<Q", blob, 0x20, self.partition_offset)
            struct.pack_into("<I", blob, 0x34, PARTITION_STYLE_MBR)
            struct.pack_into("<I", blob, 0x38, self.disk_signature)
        return bytes(blob)


def boolean(value: bool) -> tuple[int, bytes]:
    return REG_BINARY, b"\x01" if value else b"\x00"


def integer(value: int) -> tuple[int, bytes]:
    return REG_BINARY, struct.pack("<Q", value)


def string(value: str) -> tuple[int, bytes]:
    return REG_SZ, utf16z(value)


def object_ref(guid: str) -> tuple[int, bytes]:
    return REG_SZ, utf16z(guid)


def object_list(*guids: str) -> tuple[int, bytes]:
    return REG_MULTI_SZ, "".join(g + "\0" for g in guids).encode("utf-16-le") + b"\0\0"


def device(partition: PartitionDevice) -> tuple[int, bytes]:
    return REG_BINARY, partition.encode()


@dataclasses.dataclass
class BcdLayout:
    firmware: str  # "uefi" or "bios"
    boot_partition: PartitionDevice  # ESP or System Reserved (or the OS volume)
    os_partition: PartitionDevice
    loader_guid: str
    description: str = "Windows Server"
    locale: str = "en-US"


def objects_for(layout: BcdLayout) -> dict[str, tuple[int, dict[int, tuple[int, bytes]]]]:
    """Object GUID -> (object type, {element code: (registry type, bytes)})."""
    uefi = layout.firmware == "uefi"
    loader_path = "\\Windows\\system32\\winload.efi" if uefi else "\\Windows\\system32\\winload.exe"
    bootmgr_elements = {
        0x11000001: device(layout.boot_partition),
        0x12000004: string("Windows Boot Manager"),
        0x12000005: string(layout.locale),
        0x14000006: object_list(GLOBALSETTINGS),
        0x23000003: object_ref(layout.loader_guid),
        0x24000001: object_list(layout.loader_guid),
        0x24000010: object_list(MEMDIAG),
        0x25000004: integer(30),
    }
    if uefi:
        bootmgr_elements[0x12000002] = string("\\EFI\\Microsoft\\Boot\\bootmgfw.efi")
    loader_elements = {
        0x11000001: device(layout.os_partition),
        0x12000002: string(loader_path),
        0x12000004: string(layout.description),
        0x12000005: string(layout.locale),
        0x14000006: object_list(BOOTLOADERSETTINGS),
        0x16000009: boolean(False),  # recoveryenabled No
        0x1500004B: integer(1),  # integrityservices Enable
        0x21000001: device(layout.os_partition),
        0x22000002: string("\\Windows"),
        0x25000020: integer(1),  # nx OptOut
        0x250000E0: integer(1),  # bootstatuspolicy IgnoreAllFailures
        0x260000B0: boolean(True),  # ems Yes
    }
    memdiag_elements = {
        0x11000001: device(layout.boot_partition),
        0x12000002: string("\\EFI\\Microsoft\\Boot\\memtest.efi" if uefi else "\\boot\\memtest.exe"),
        0x12000004: string("Windows Memory Diagnostic"),
        0x12000005: string(layout.locale),
        0x14000006: object_list(GLOBALSETTINGS),
        0x1600000B: boolean(True),  # badmemoryaccess
    }
    return {
        BOOTMGR: (TYPE_BOOTMGR, bootmgr_elements),
        layout.loader_guid: (TYPE_OSLOADER, loader_elements),
        MEMDIAG: (TYPE_MEMDIAG, memdiag_elements),
        GLOBALSETTINGS: (TYPE_INHERITED_LIBRARY, {0x14000006: object_list(DBGSETTINGS, EMSSETTINGS, BADMEMORY)}),
        DBGSETTINGS: (
            TYPE_INHERITED_LIBRARY,
            {0x15000011: integer(0), 0x15000013: integer(1), 0x15000014: integer(115200)},
        ),
        EMSSETTINGS: (TYPE_INHERITED_LIBRARY, {0x16000020: boolean(True)}),
        BADMEMORY: (TYPE_INHERITED_LIBRARY, {}),
        BOOTLOADERSETTINGS: (
            TYPE_INHERITED_OSLOADER,
            {0x14000006: object_list(GLOBALSETTINGS, HYPERVISORSETTINGS)},
        ),
        HYPERVISORSETTINGS: (
            TYPE_INHERITED_OSLOADER,
            {0x250000F3: integer(0), 0x250000F4: integer(1), 0x250000F5: integer(115200)},
        ),
        RESUMELOADERSETTINGS: (TYPE_INHERITED_RESUME, {0x14000006: object_list(GLOBALSETTINGS)}),
    }


def write_bcd_store(path: Path, layout: BcdLayout) -> Path:
    """Write a complete BCD store file (the root key is named NewStoreRoot, as in system stores)."""
    write_empty_hive(path, "NewStoreRoot")
    hive = open_hive(path, write=True)
    root = hive.root()
    description = hive.node_add_child(root, "Description")
    hive.node_set_value(description, {"key": "KeyName", "t": REG_SZ, "value": utf16z("BCD00000000")})
    hive.node_set_value(description, {"key": "System", "t": REG_DWORD, "value": struct.pack("<I", 1)})
    hive.node_set_value(description, {"key": "TreatAsSystem", "t": REG_DWORD, "value": struct.pack("<I", 1)})
    objects = hive.node_add_child(root, "Objects")
    for guid, (object_type, elements) in objects_for(layout).items():
        node = hive.node_add_child(objects, guid)
        object_description = hive.node_add_child(node, "Description")
        hive.node_set_value(object_description, {"key": "Type", "t": REG_DWORD, "value": struct.pack("<I", object_type)})
        elements_node = hive.node_add_child(node, "Elements")
        for code, (value_type, data) in sorted(elements.items()):
            element = hive.node_add_child(elements_node, f"{code:08x}")
            hive.node_set_value(element, {"key": "Element", "t": value_type, "value": data})
    hive.commit(None)
    return path
