# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the boot-critical drivers of an offline SYSTEM hive and the files they load from the attached disk (pure).

A service is boot-critical when, in the control set in use (``Select\\Current``: ``diagnosis_info`` reads
``CurrentControlSet\\Services`` through ``_registry_plan.read_hive``, which resolves it), its
``Start`` is 0 (boot, loaded by winload) or 1 (system, loaded during kernel initialisation) and its ``Type`` is 1
(kernel driver) or 2 (file-system driver) — MicrosoftDocs/windows-driver-docs ``inf-addservice-directive.md``.

``ImagePath`` forms and the file each names, relative to the attached disk's Windows folder (the offline system's
``%SystemRoot%``):
- ``\\SystemRoot\\System32\\drivers\\x.sys`` (the NT form), ``%SystemRoot%\\…`` / ``%windir%\\…`` (REG_EXPAND_SZ):
  below the Windows folder;
- a relative path, ``System32\\drivers\\x.sys`` or ``System32\\DriverStore\\FileRepository\\…\\x.sys``: the kernel
  resolves it below ``\\SystemRoot`` as well;
- ``\\??\\C:\\…`` or ``C:\\…``: a drive path of the offline system; its system drive (``offline_system_drive``,
  normally C:) is the attached Windows volume, any other drive is not on this disk and is reported unresolved;
- no ``ImagePath``: the I/O manager's default ``\\SystemRoot\\System32\\drivers\\<service name>.sys``.
Paths are compared and resolved case-insensitively, as NTFS does for Windows.
"""

from __future__ import annotations

import dataclasses
import ntpath
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import QueryResult, full_key

BOOT_STARTS = {0: "boot", 1: "system"}
DRIVER_TYPES = {1: "kernel", 2: "file-system"}
_SYSTEMROOT_PREFIXES = ("\\systemroot\\", "%systemroot%\\", "%windir%\\")
_DOS_DEVICES = "\\??\\"


@dataclasses.dataclass(frozen=True)
class BootDriver:
    service: str
    start: int
    type: int
    error_control: int | None
    group: str | None
    image_path: str | None           # as stored; None when the value is absent
    form: str                        # stable code: systemroot, relative, drive, default, other-drive, unsupported
    file: str | None                 # the file on the attached disk, or None when the path is not on it
    # DisplayName when it is a literal (an indirect "@file,-id" string is resolved by Windows in its own language)
    display_name: str | None = None

    def as_dict(self) -> dict:
        return {"service": self.service, "start": BOOT_STARTS[self.start], "type": DRIVER_TYPES[self.type],
                "error_control": self.error_control, "group": self.group, "image_path": self.image_path,
                "form": self.form, "file": self.file}


def resolve_image_path(service: str, image_path: str | None, windows_dir: str,
                       offline_system_drive: str = "C:") -> tuple[str, str | None]:
    """(form, file on the attached disk) for one driver's ImagePath; ``windows_dir`` is e.g. ``F:\\Windows``."""
    form, file = _resolve(service, image_path, windows_dir.rstrip("\\"), offline_system_drive)
    return (form, file) if file is not None or form == "other-drive" else ("unsupported", None)


def _resolve(service: str, image_path: str | None, windows_dir: str, offline_system_drive: str):
    if image_path is None or not image_path.strip():
        return "default", f"{windows_dir}\\System32\\drivers\\{service}.sys"
    path = image_path.strip().strip('"')
    lower = path.lower()
    for prefix in _SYSTEMROOT_PREFIXES:
        if lower.startswith(prefix):
            return "systemroot", _below(windows_dir, path[len(prefix):])
    if lower.startswith(_DOS_DEVICES):
        path, lower = path[len(_DOS_DEVICES):], lower[len(_DOS_DEVICES):]
    drive, rest = ntpath.splitdrive(path)
    if len(drive) == 2 and drive[1] == ":" and rest.startswith("\\"):
        if drive.upper() != offline_system_drive.upper():
            return "other-drive", None
        volume = ntpath.splitdrive(windows_dir)[0]
        return "drive", _below(volume, rest.lstrip("\\"))
    if drive or path.startswith("\\"):
        return "unsupported", None      # a device or UNC path: not a file of this disk
    return "relative", _below(windows_dir, path)


def boot_driver(service: str, values: dict[str, t.Any], windows_dir: str,
                offline_system_drive: str = "C:") -> BootDriver | None:
    """The driver of one service key, or None when it is not boot-critical. ``values``: lower-case name -> data."""
    start, kind = _int(values, "start"), _int(values, "type")
    if start not in BOOT_STARTS or kind not in DRIVER_TYPES:
        return None
    image_path = values.get("imagepath") if isinstance(values.get("imagepath"), str) else None
    form, file = resolve_image_path(service, image_path, windows_dir, offline_system_drive)
    group, display = values.get("group"), values.get("displayname")
    return BootDriver(service, start, kind, _int(values, "errorcontrol"), group if isinstance(group, str) else None,
                      image_path, form, file,
                      display if isinstance(display, str) and display and not display.startswith("@") else None)


def boot_critical_drivers(services: QueryResult, services_key: str, windows_dir: str,
                          offline_system_drive: str = "C:") -> list[BootDriver]:
    """Every boot/system-start kernel or file-system driver below ``services_key`` (``reg query … /s`` output)."""
    drivers = []
    for name in services.subkeys(services_key):
        key = services.key(f"{full_key(services_key)}\\{name}")
        values = {value.name.lower(): value.data for value in key.values.values()} if key is not None else {}
        driver = boot_driver(name, values, windows_dir, offline_system_drive)
        if driver is not None:
            drivers.append(driver)
    return drivers


def missing_files(drivers: list[BootDriver], present: set[str]) -> list[BootDriver]:
    """Drivers whose file is not among ``present`` (paths found on the disk, compared case-insensitively)."""
    found = {path.lower() for path in present}
    return [driver for driver in drivers if driver.file is not None and driver.file.lower() not in found]


def _below(base: str, relative: str) -> str | None:
    parts = [part for part in relative.split("\\") if part not in ("", ".")]
    if ".." in parts:
        return None                     # would leave the folder it names: not a path Windows writes for a driver
    return "\\".join([base.rstrip("\\")] + parts)


def _int(values: dict[str, t.Any], name: str) -> int | None:
    value = values.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
