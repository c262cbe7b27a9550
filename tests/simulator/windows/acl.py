"""NTFS ownership and permissions of the files that need them, persisted in acls.json next to machine.json.

Only files with an entry are modelled; every other file is owned by BUILTIN\\Administrators with full control for
them (what a file the WinRM administrator creates gets by inheritance). Windows' own driver files are the case that
matters: owned by NT SERVICE\\TrustedInstaller, read/execute for Administrators, so a plain copy onto one is refused
until takeown and icacls give Administrators full control. Keys are host paths relative to the machine directory.

The security descriptor as Get-Acl's ``Sddl`` shows it: ``O:<owner>G:<group>D:<ACEs>``, well-known SIDs by their
SDDL alias (BA, BU, SY), others as ``S-1-…``; one allow ACE per simple right, in grant order. The DACL's control
flags (``PAI``) are not modelled. The primary group is carried along unchanged by everything modelled here (takeown,
icacls /grant, /setowner and /restore leave it alone); its value for files Windows installs (TrustedInstaller) and for
files an administrator creates (Administrators) is [UNCONFIRMED].
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from pathlib import Path

ACL_FILE = "acls.json"
ADMINISTRATORS = "S-1-5-32-544"
USERS = "S-1-5-32-545"
LOCAL_SYSTEM = "S-1-5-18"
TRUSTED_INSTALLER = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

# Account names icacls and takeown accept -> SID (a `*S-1-…` argument names a SID directly).
ACCOUNT_NAMES = {
    "administrators": ADMINISTRATORS,
    "builtin\\administrators": ADMINISTRATORS,
    "users": USERS,
    "builtin\\users": USERS,
    "system": LOCAL_SYSTEM,
    "nt authority\\system": LOCAL_SYSTEM,
    "nt service\\trustedinstaller": TRUSTED_INSTALLER,
}
# Simple rights of icacls, and the access mask /save writes for each (SDDL).
RIGHTS_MASKS = {"F": "FA", "M": "0x1301bf", "RX": "0x1200a9", "R": "0x120089", "W": "0x100116"}
_WRITE_DATA = frozenset({"F", "M", "W"})
_SDDL_ALIASES = {ADMINISTRATORS: "BA", USERS: "BU", LOCAL_SYSTEM: "SY"}
_ALIAS_SIDS = {alias: sid for sid, alias in _SDDL_ALIASES.items()}
_MASK_RIGHTS = {mask.lower(): right for right, mask in RIGHTS_MASKS.items()}
_ACE = re.compile(r"\(A;;([^;()]+);;;([^;()]+)\)")
# A driver file of Windows as installed: TrustedInstaller owns it and alone may change it.
WINDOWS_FILE_GRANTS = {TRUSTED_INSTALLER: ["F"], ADMINISTRATORS: ["RX"], LOCAL_SYSTEM: ["RX"], USERS: ["RX"]}


def _alias(sid: str) -> str:
    return _SDDL_ALIASES.get(sid, sid)


@dataclasses.dataclass
class FileAcl:
    owner: str
    grants: dict[str, list[str]]  # SID -> simple rights (F, M, RX, R, W)
    group: str = ADMINISTRATORS

    def rights_of(self, sid: str) -> set[str]:
        return set(self.grants.get(sid, []))

    def sddl_dacl(self) -> str:
        aces = "".join(f"(A;;{RIGHTS_MASKS[right]};;;{_alias(sid)})"
                       for sid, rights in self.grants.items() for right in rights)
        return f"D:{aces}"

    def sddl(self) -> str:
        """Owner, group and DACL, as Get-Acl's Sddl property gives them."""
        return f"O:{_alias(self.owner)}G:{_alias(self.group)}{self.sddl_dacl()}"


def parse_sddl_dacl(text: str) -> dict[str, list[str]] | None:
    """Grants of a ``D:(A;;mask;;;sid)…`` line as /save writes it; None for anything else (icacls refuses it)."""
    if not text.startswith("D:"):
        return None
    body = text[2:]
    grants: dict[str, list[str]] = {}
    for match in _ACE.finditer(body):
        right = _MASK_RIGHTS.get(match.group(1).lower())
        sid = _ALIAS_SIDS.get(match.group(2), match.group(2))
        if right is None or not sid.startswith("S-1-"):
            return None
        grants.setdefault(sid, []).append(right)
    if "".join(match.group(0) for match in _ACE.finditer(body)) != body:
        return None
    return grants


def windows_file_acl() -> FileAcl:
    return FileAcl(TRUSTED_INSTALLER, {sid: list(rights) for sid, rights in WINDOWS_FILE_GRANTS.items()},
                   TRUSTED_INSTALLER)


class AclStore:
    """Per-file owner and grants; every change is written to acls.json at once (like machine.json)."""

    def __init__(self, machine_dir: Path) -> None:
        self.dir = Path(machine_dir)
        self._lock = threading.RLock()

    def _key(self, host_path: Path) -> str | None:
        try:
            return Path(os.path.realpath(host_path)).relative_to(os.path.realpath(self.dir)).as_posix()
        except ValueError:
            return None

    def _read(self) -> dict[str, dict]:
        target = self.dir / ACL_FILE
        return json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}

    def _write(self, data: dict[str, dict]) -> None:
        target = self.dir / ACL_FILE
        temporary = target.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(temporary, target)

    def get(self, host_path: Path) -> FileAcl:
        key = self._key(host_path)
        with self._lock:
            entry = self._read().get(key) if key else None
        if entry is None:
            return FileAcl(ADMINISTRATORS, {ADMINISTRATORS: ["F"], LOCAL_SYSTEM: ["F"]})
        return FileAcl(entry["owner"], {sid: list(rights) for sid, rights in entry["grants"].items()},
                       entry.get("group", ADMINISTRATORS))

    def put(self, host_path: Path, acl: FileAcl) -> None:
        key = self._key(host_path)
        if key is None:
            raise ValueError(f"{host_path} is outside the machine directory")
        with self._lock:
            data = self._read()
            data[key] = dataclasses.asdict(acl)
            self._write(data)

    def forget(self, host_path: Path) -> None:
        """A deleted file takes its ACL with it (a new file at that path inherits the folder's)."""
        key = self._key(host_path)
        with self._lock:
            data = self._read()
            if key in data:
                del data[key]
                self._write(data)

    def move(self, old_host_path: Path, new_host_path: Path) -> None:
        """A renamed file or folder keeps its ACLs, and so does everything under a folder."""
        old, new = self._key(old_host_path), self._key(new_host_path)
        with self._lock:
            data = self._read()
            moved = {(new + key[len(old):] if key == old or key.startswith(old + "/") else key): entry
                     for key, entry in data.items()}
            if moved != data:
                self._write(moved)

    def admins_can_write(self, host_path: Path) -> bool:
        return bool(self.get(host_path).rights_of(ADMINISTRATORS) & _WRITE_DATA)

    def admins_can_read_control(self, host_path: Path, caller: str) -> bool:
        """READ_CONTROL (what Get-Acl needs): implied for the owner, included in every right modelled."""
        acl = self.get(host_path)
        return acl.owner in (ADMINISTRATORS, caller) or bool(acl.rights_of(ADMINISTRATORS))

    def admins_can_change_dacl(self, host_path: Path, caller: str) -> bool:
        """WRITE_DAC: implied for the owner, included in full control."""
        acl = self.get(host_path)
        return acl.owner in (ADMINISTRATORS, caller) or "F" in acl.rights_of(ADMINISTRATORS)

    def first_unwritable(self, host_path: Path) -> Path | None:
        """The file itself, or for a folder the first file under it, that Administrators may not write."""
        if host_path.is_file():
            return None if self.admins_can_write(host_path) else host_path
        with self._lock:
            protected = [key for key, entry in self._read().items()
                         if not set(entry["grants"].get(ADMINISTRATORS, [])) & _WRITE_DATA]
        root = self._key(host_path)
        for key in sorted(protected):
            if root is not None and key.startswith(root + "/") and (self.dir / key).exists():
                return self.dir / key
        return None
