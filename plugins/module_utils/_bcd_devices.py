# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: do the BCD store's ``device``/``osdevice`` elements still name partitions of the broken disk?

A partition device element (bcd-and-registry.md section 1, "Device elements"; 88 bytes, REG_BINARY) names its
partition the way _volume_identity does: GPT disk GUID + partition GUID, or MBR disk signature + byte offset. So an
element resolves when its volume identity is one of the disk's partitions' (from Get-Disk/Get-Partition). Only the
layout of the partition device (type 6) is known; other kinds (``boot``, ramdisk, locate) name no disk, are
listed as not checked, and never counted as resolved. Read-only: the collection never rewrites device elements
(gce-rescue PR #149: BitLocker recovery, custom entries lost).
"""

from __future__ import annotations

import struct
import typing as t
import uuid

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore

DEVICE_ELEMENTS = {0x11000001: "device", 0x21000001: "osdevice"}
_PARTITION_DEVICE = 6
_GPT, _MBR = 0, 1
_MIN_SIZE = 0x48


def partition_volume(blob: t.Any) -> str | None:
    """The volume identity a partition device element names (``gpt:{disk}:{partition}`` / ``mbr:xxxxxxxx:offset``);
    None for any other kind of device or data that is not one."""
    if not isinstance(blob, bytes) or len(blob) < _MIN_SIZE:
        return None
    if struct.unpack_from("<I", blob, 0x10)[0] != _PARTITION_DEVICE:
        return None
    style = struct.unpack_from("<I", blob, 0x34)[0]
    if style == _GPT:
        disk = uuid.UUID(bytes_le=blob[0x38:0x48])
        partition = uuid.UUID(bytes_le=blob[0x20:0x30])
        return f"gpt:{{{disk}}}:{{{partition}}}"
    if style == _MBR:
        return f"mbr:{struct.unpack_from('<I', blob, 0x38)[0]:08x}:{struct.unpack_from('<Q', blob, 0x20)[0]}"
    return None


def check(store: BcdStore, volumes: set[str]) -> dict[str, list[dict[str, t.Any]]]:
    """Every device/osdevice element: ``resolved`` (names one of ``volumes``), ``unresolved``, ``not_checked``."""
    report: dict[str, list[dict[str, t.Any]]] = {"resolved": [], "unresolved": [], "not_checked": []}
    for obj in sorted(store.objects.values(), key=lambda o: o.guid):
        for code, name in DEVICE_ELEMENTS.items():
            raw = obj.elements.get(code)
            if raw is None:
                continue
            volume = partition_volume(raw.data)
            entry = {"object": obj.label(), "element": name, "volume": volume}
            report["not_checked" if volume is None else "resolved" if volume in volumes else "unresolved"].append(entry)
    return report
