"""Real signed files, a catalog store and a boot log on a broken disk (``build --signed-evidence DIR``).

DIR is ../shared/data/signing (real Windows files, see ../shared/data/SOURCES.md); nothing of it is copied into
the repository. The boot-critical drivers of ``systemhive.SERVICES`` get real bytes, since a signature covers the
content, not the file name:
- every boot/system-start driver is ``pciide.sys`` (a Microsoft embedded signature), except
- ``volmgr.sys``: ``DXCore.dll`` without its embedded signature, so it is signed only through ``DXCore.cat`` of the
  disk's own catalog store, as catalog-signed inbox files are;
- on a crashed disk, ``filecrypt.sys`` is ``pciide.sys`` with one byte of its code flipped: its hash no longer
  matches its signature, the cause of the 0x5A/0xC0000428 crash the dump headers record.
The catalog store ``System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}`` holds DXCore.cat, oem89.cat and the
unsigned catfiletest.cat. ``ntbtlog.txt`` (UTF-16LE, as the kernel writes it) records one boot: on a crashed disk,
filecrypt.sys did not load. The System and CodeIntegrity event logs (``eventlogs.write_scenario_logs``) name
filecrypt.sys in a boot before the crash on a crashed disk, and no boot-critical driver on a clean one.
Only bytes on the disk: nothing here answers a question Windows would not answer offline.
"""
from __future__ import annotations

import struct
from pathlib import Path

CATROOT = Path("System32") / "CatRoot" / "{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"
CATALOGS = ("DXCore.cat", "oem89.cat", "catfiletest.cat")
PLANTED_DRIVER = "filecrypt.sys"
CATALOG_SIGNED_DRIVER = "volmgr.sys"
_TAMPERED_OFFSET = 0x800      # inside pciide.sys's code, outside the parts the Authenticode hash skips
_BOOT_LOG_HEADER = ("Microsoft (R) Windows (R) Version 10.0 (Build 17763)", "7 19 2024 04:08:51.500")


def driver_bytes(source: Path, file_name: str, crashed: bool) -> bytes:
    name = file_name.lower()
    if name == CATALOG_SIGNED_DRIVER:
        return without_embedded_signature((source / "DXCore.dll").read_bytes())
    data = bytearray((source / "pciide.sys").read_bytes())
    if crashed and name == PLANTED_DRIVER:
        data[_TAMPERED_OFFSET] ^= 0x01
    return bytes(data)


def without_embedded_signature(data: bytes) -> bytes:
    """The image with its attribute certificate table removed (PE/COFF: data directory entry 4, a file offset)."""
    (e_lfanew,) = struct.unpack_from("<I", data, 0x3C)
    (magic,) = struct.unpack_from("<H", data, e_lfanew + 24)
    entry = e_lfanew + 24 + (112 if magic == 0x20B else 96) + 4 * 8
    table_at, table_size = struct.unpack_from("<II", data, entry)
    if not table_size or table_at + table_size != len(data):
        raise ValueError("expected the certificate table at the end of the file")
    stripped = bytearray(data[:table_at])
    struct.pack_into("<II", stripped, entry, 0, 0)
    return bytes(stripped)


def write_catalogs(source: Path, windows: Path) -> None:
    store = windows / CATROOT
    store.mkdir(parents=True, exist_ok=True)
    for name in CATALOGS:
        (store / name).write_bytes((source / name).read_bytes())


def write_boot_log(windows: Path, driver_files: list[str], crashed: bool) -> None:
    lines = list(_BOOT_LOG_HEADER)
    lines += ["Loaded driver \\SystemRoot\\system32\\ntoskrnl.exe", "Loaded driver \\SystemRoot\\system32\\hal.dll"]
    for name in driver_files:
        loaded = not (crashed and name.lower() == PLANTED_DRIVER)
        lines.append(f"{'Loaded driver' if loaded else 'Did not load driver'} \\SystemRoot\\System32\\drivers\\{name}")
    (windows / "ntbtlog.txt").write_bytes(b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le"))
