"""Runtime registry state of the recovery VM: which hive file is mounted where (reg load / reg unload).

Mounted hives keep one open hivex handle; changes are committed to the file at unload, like Windows flushing the
hive when it is unloaded. The recovery VM's own hives (`HKLM\\SYSTEM`, `HKLM\\SOFTWARE`, …) are always mounted: their
files cannot be loaded again, and the simulator serves them read-only so a test notices any attempt to change them.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

import hivex

from .hivefile import open_hive

if TYPE_CHECKING:
    from .machine import Machine

ROOT_ALIASES = {
    "HKLM": "HKLM",
    "HKEY_LOCAL_MACHINE": "HKLM",
    "HKU": "HKU",
    "HKEY_USERS": "HKU",
    "HKCU": "HKCU",
    "HKEY_CURRENT_USER": "HKCU",
    "HKCR": "HKCR",
    "HKEY_CLASSES_ROOT": "HKCR",
    "HKCC": "HKCC",
    "HKEY_CURRENT_CONFIG": "HKCC",
}
ROOT_FULL_NAMES = {
    "HKLM": "HKEY_LOCAL_MACHINE",
    "HKU": "HKEY_USERS",
    "HKCU": "HKEY_CURRENT_USER",
    "HKCR": "HKEY_CLASSES_ROOT",
    "HKCC": "HKEY_CURRENT_CONFIG",
}
LOADABLE_ROOTS = ("HKLM", "HKU")
# The running system's own HKLM hives: name -> file relative to C:\ (None: no backing file served by the simulator).
SYSTEM_HIVES = {
    "BCD00000000": None,
    "HARDWARE": None,
    "SAM": None,
    "SECURITY": None,
    "SOFTWARE": "Windows/System32/config/SOFTWARE",
    "SYSTEM": "Windows/System32/config/SYSTEM",
}
USER_HIVES = (".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20")


class RegistryError(Exception):
    """A registry operation Windows refuses; `reason` is a stable code that reg.exe maps to its message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclasses.dataclass
class Mount:
    root: str  # HKLM or HKU
    name: str  # spelling given at load time
    host_path: Path | None
    writable: bool
    handle: hivex.Hivex | None = None
    modified: bool = False

    def hive(self) -> hivex.Hivex | None:
        if self.handle is None and self.host_path is not None:
            self.handle = open_hive(self.host_path, write=self.writable)
        return self.handle


def _identity(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


class LoadedHives:
    def __init__(self, machine: "Machine") -> None:
        self._machine = machine
        self._mounts: dict[tuple[str, str], Mount] = {}
        for name, relative in SYSTEM_HIVES.items():
            host = None
            if relative is not None:
                candidate = machine.dir / "C" / relative
                host = candidate if candidate.exists() else None
            self._mounts[("HKLM", name.upper())] = Mount("HKLM", name, host, writable=False)
        for name in USER_HIVES:
            self._mounts[("HKU", name.upper())] = Mount("HKU", name, None, writable=False)

    def mounts(self, root: str) -> list[Mount]:
        return sorted((m for (r, _name), m in self._mounts.items() if r == root), key=lambda m: m.name.upper())

    def get(self, root: str, name: str) -> Mount | None:
        return self._mounts.get((root, name.upper()))

    def is_file_loaded(self, host_path: str | os.PathLike[str]) -> bool:
        """True while the file is mounted by reg load (or is one of the running system's own hives)."""
        target = _identity(host_path)
        if self._machine.is_live_hive_file(host_path):
            return True
        return any(m.host_path is not None and _identity(m.host_path) == target for m in self._mounts.values())

    def load(self, root: str, name: str, host_path: Path) -> Mount:
        if root not in LOADABLE_ROOTS:
            raise RegistryError("invalid-root", f"cannot load under {root}")
        if (root, name.upper()) in self._mounts:
            raise RegistryError("name-in-use", f"{root}\\{name} already exists")
        if self.is_file_loaded(host_path):
            raise RegistryError("file-in-use", f"{host_path} is in use")
        if not Path(host_path).is_file():
            raise RegistryError("file-not-found", str(host_path))
        disk = self._machine.disk_of_host_path(host_path)
        writable = not (disk is not None and disk.read_only)
        mount = Mount(root, name, Path(host_path), writable=writable)
        mount.hive()  # opening fails here for a non-hive or dirty file (HiveError), before anything is mounted
        self._mounts[(root, name.upper())] = mount
        return mount

    def unload(self, root: str, name: str) -> None:
        mount = self._mounts.get((root, name.upper()))
        if mount is None:
            raise RegistryError("not-found", f"{root}\\{name} is not loaded")
        if mount.host_path is None or self._machine.is_live_hive_file(mount.host_path) or not _is_user_mount(mount):
            raise RegistryError("access-denied", "the running system's hives cannot be unloaded")
        if mount.handle is not None and mount.modified:
            mount.handle.commit(None)
        del self._mounts[(root, name.upper())]
        mount.handle = None

    def user_mounts(self) -> list[Mount]:
        """The hives reg load mounted (not the running system's own), sorted by root and name."""
        return sorted((m for m in self._mounts.values() if _is_user_mount(m)), key=lambda m: (m.root, m.name.upper()))

    def unload_all(self) -> None:
        """Flush and forget every hive loaded by reg load (used when a simulator shuts down)."""
        for (root, key), mount in list(self._mounts.items()):
            if _is_user_mount(mount):
                self.unload(root, mount.name)


def _is_user_mount(mount: Mount) -> bool:
    """Loaded by reg load, as opposed to the running system's own hives."""
    if mount.root == "HKLM" and mount.name.upper() in SYSTEM_HIVES:
        return False
    if mount.root == "HKU" and mount.name.upper() in USER_HIVES:
        return False
    return True
