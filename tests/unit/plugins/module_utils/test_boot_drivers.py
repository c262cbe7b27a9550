"""Boot-critical drivers of an offline SYSTEM hive and the files their ImagePath names on the attached disk."""

from __future__ import annotations

import lzma

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import (
    boot_critical_drivers, missing_files, resolve_image_path)
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import parse as parse_reg_query
from tests.unit.plugins.hive_text import DATA, reg_query_s

_WINDOWS = "F:\\Windows"


@pytest.mark.parametrize("image_path, form, file", [
    ("\\SystemRoot\\System32\\drivers\\pciide.sys", "systemroot", "F:\\Windows\\System32\\drivers\\pciide.sys"),
    ("\\SYSTEMROOT\\system32\\DRIVERS\\disk.sys", "systemroot", "F:\\Windows\\system32\\DRIVERS\\disk.sys"),
    ("%SystemRoot%\\System32\\drivers\\x.sys", "systemroot", "F:\\Windows\\System32\\drivers\\x.sys"),
    ("System32\\drivers\\ntfs.sys", "relative", "F:\\Windows\\System32\\drivers\\ntfs.sys"),
    ("system32\\DriverStore\\FileRepository\\a.inf_amd64_1\\a.sys", "relative",
     "F:\\Windows\\system32\\DriverStore\\FileRepository\\a.inf_amd64_1\\a.sys"),
    ("\\SystemRoot\\System32\\DriverStore\\FileRepository\\b.inf_amd64_2\\b.sys", "systemroot",
     "F:\\Windows\\System32\\DriverStore\\FileRepository\\b.inf_amd64_2\\b.sys"),
    ("\\??\\C:\\Program Files\\Vendor\\v.sys", "drive", "F:\\Program Files\\Vendor\\v.sys"),
    ("c:\\Windows\\System32\\drivers\\y.sys", "drive", "F:\\Windows\\System32\\drivers\\y.sys"),
    ("\\??\\D:\\drivers\\z.sys", "other-drive", None),
    ("\\Device\\HarddiskVolume3\\z.sys", "unsupported", None),
    ("System32\\..\\..\\escape.sys", "unsupported", None),
    (None, "default", "F:\\Windows\\System32\\drivers\\contoso.sys"),
    ("", "default", "F:\\Windows\\System32\\drivers\\contoso.sys"),
])
def test_every_image_path_form_names_a_file_on_the_attached_disk(image_path, form, file):
    assert resolve_image_path("contoso", image_path, _WINDOWS + "\\") == (form, file)


_SERVICES = "HKLM\\OFFLINE_SYSTEM\\ControlSet001\\Services"


def _query(*services: tuple[str, dict]) -> str:
    lines = []
    for name, values in services:
        lines += ["", f"HKEY_LOCAL_MACHINE\\OFFLINE_SYSTEM\\ControlSet001\\Services\\{name}"]
        for value_name, (kind, data) in values.items():
            lines.append(f"    {value_name}    {kind}    {data}")
        lines += ["", f"HKEY_LOCAL_MACHINE\\OFFLINE_SYSTEM\\ControlSet001\\Services\\{name}\\Parameters"]
    return "\r\n".join(lines)


def test_only_boot_and_system_start_kernel_and_file_system_drivers_are_taken():
    text = _query(
        ("pciide", {"Start": ("REG_DWORD", "0x0"), "Type": ("REG_DWORD", "0x1"), "ErrorControl": ("REG_DWORD", "0x3"),
                    "ImagePath": ("REG_EXPAND_SZ", "System32\\drivers\\pciide.sys")}),
        ("Ntfs", {"Start": ("REG_DWORD", "0x1"), "Type": ("REG_DWORD", "0x2"), "Group": ("REG_SZ", "Boot File System")}),
        ("later", {"Start": ("REG_DWORD", "0x3"), "Type": ("REG_DWORD", "0x1")}),
        ("svc", {"Start": ("REG_DWORD", "0x0"), "Type": ("REG_DWORD", "0x10")}),
        ("notype", {"Start": ("REG_DWORD", "0x0")}),
    )
    drivers = boot_critical_drivers(parse_reg_query(text), _SERVICES, _WINDOWS)
    assert [d.as_dict() for d in drivers] == [
        {"service": "pciide", "start": "boot", "type": "kernel", "error_control": 3, "group": None,
         "image_path": "System32\\drivers\\pciide.sys", "form": "relative",
         "file": "F:\\Windows\\System32\\drivers\\pciide.sys"},
        {"service": "Ntfs", "start": "system", "type": "file-system", "error_control": None,
         "group": "Boot File System", "image_path": None, "form": "default",
         "file": "F:\\Windows\\System32\\drivers\\Ntfs.sys"},
    ]
    assert [d.service for d in missing_files(drivers, {"f:\\windows\\system32\\DRIVERS\\PCIIDE.SYS"})] == ["Ntfs"]


def test_a_real_windows_10_system_hive(tmp_path):
    source = DATA / "hives" / "system" / "regipy-SYSTEM.xz"
    if not source.exists():
        pytest.skip(f"real SYSTEM hive not available at {source}")
    hive = tmp_path / "SYSTEM"
    hive.write_bytes(lzma.decompress(source.read_bytes()))
    text = reg_query_s(hive, "OFFLINE_SYSTEM", "ControlSet001\\Services")
    drivers = {d.service.lower(): d for d in boot_critical_drivers(parse_reg_query(text), _SERVICES, _WINDOWS)}
    # This hive holds 63 of them, in the forms relative, \SystemRoot, \??\C: and without ImagePath.
    assert len(drivers) == 63
    assert (drivers["disk"].start, drivers["disk"].type, drivers["disk"].form) == (0, 1, "relative")
    assert drivers["disk"].file.lower() == "f:\\windows\\system32\\drivers\\disk.sys"
    assert (drivers["fltmgr"].type, drivers["afd"].form) == (2, "systemroot")
    assert drivers["vmdebug"].file == "F:\\Windows\\system32\\Drivers\\vmdebug.sys"
    assert (drivers["beep"].form, drivers["beep"].file) == ("default", "F:\\Windows\\System32\\drivers\\Beep.sys")
    assert "ntfs" not in drivers        # its Start is 3 in this hive
    assert all(d.file is not None for d in drivers.values()), [d for d in drivers.values() if d.file is None]
    assert not any(d.start > 1 for d in drivers.values())
