"""Decoding partition device elements (bcd-and-registry.md section 1) and sorting a store's device/osdevice elements
into resolved / unresolved / not checked against the volume identities of a disk's partitions."""

from __future__ import annotations

import struct
import uuid

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_devices import check, partition_volume
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdObject, BcdStore, RawElement

DISK = "{6a1b2c3d-0000-4000-8000-00000000abcd}"
PART = "{11112222-3333-4444-8555-666677778888}"


def gpt_device(disk: str, partition: str) -> bytes:
    blob = bytearray(0x58)
    struct.pack_into("<III", blob, 0x10, 6, 0, 0x48)
    blob[0x20:0x30] = uuid.UUID(partition).bytes_le
    struct.pack_into("<I", blob, 0x34, 0)
    blob[0x38:0x48] = uuid.UUID(disk).bytes_le
    return bytes(blob)


def mbr_device(signature: int, offset: int) -> bytes:
    blob = bytearray(0x58)
    struct.pack_into("<III", blob, 0x10, 6, 0, 0x48)
    struct.pack_into("<Q", blob, 0x20, offset)
    struct.pack_into("<II", blob, 0x34, 1, signature)
    return bytes(blob)


def test_partition_devices_decode_to_volume_identities():
    assert partition_volume(gpt_device(DISK, PART)) == f"gpt:{DISK}:{PART}"
    assert partition_volume(mbr_device(0xDEADBEEF, 1048576)) == "mbr:deadbeef:1048576"


def test_other_devices_and_other_data_are_not_partitions():
    boot = bytearray(0x58)
    struct.pack_into("<III", boot, 0x10, 5, 0, 0x48)
    assert partition_volume(bytes(boot)) is None
    assert partition_volume(b"\x06") is None and partition_volume("{guid}") is None


def test_elements_are_sorted_by_whether_they_name_the_disk():
    loader = BcdObject("{aaaaaaaa-0000-4000-8000-000000000001}", 0x10200003, {
        0x11000001: RawElement(0x11000001, "REG_BINARY", gpt_device(DISK, PART)),
        0x21000001: RawElement(0x21000001, "REG_BINARY", gpt_device("{" + str(uuid.uuid4()) + "}", PART)),
    })
    bootmgr = BcdObject("{9dea862c-5cdd-4e70-acc1-f32b344d4795}", 0x10100002, {
        0x11000001: RawElement(0x11000001, "REG_BINARY", b"\x00" * 0x58),
        0x12000004: RawElement(0x12000004, "REG_SZ", "Windows Boot Manager"),
    })
    report = check(BcdStore({loader.guid: loader, bootmgr.guid: bootmgr}), {f"gpt:{DISK}:{PART}"})
    assert [e["element"] for e in report["resolved"]] == ["device"]
    assert [e["element"] for e in report["unresolved"]] == ["osdevice"]
    assert [e["object"] for e in report["not_checked"]] == ["{bootmgr} ({9dea862c-5cdd-4e70-acc1-f32b344d4795})"]
