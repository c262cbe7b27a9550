"""takeown.exe and icacls.exe on single files: take ownership, grant, set the owner, save and restore the DACL.

Decisions come from the ACL state (acl.py), never from text. Messages are the English ones of Windows for every
display language (the collection reads exit codes only; translations are not modelled, unlike reg/bcdedit).
Exit codes: takeown 0/1; icacls 0, 2 for a missing file, 1 for other failures (unverified: icacls may return the
Win32 error code, e.g. 5, for "Access is denied").
"""
from __future__ import annotations

from pathlib import Path

from .acl import ACCOUNT_NAMES, ADMINISTRATORS, RIGHTS_MASKS, FileAcl, parse_sddl_dacl

Result = tuple[int, str, str]
_NOT_FOUND = "The system cannot find the file specified."
_ACCESS_DENIED = "Access is denied."
_WRITE_PROTECTED = "The media is write protected."
_PATH_NOT_FOUND = "The system cannot find the path specified."
_BAD_ACL = "The access control list (ACL) structure is invalid."
_NONE_PROCESSED = "Successfully processed 0 files; Failed processing 1 files\r\n"


class _Failure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _caller(machine) -> str:
    return f"{machine.hostname}\\{machine.user}"


def _existing_file(machine, windows_path: str) -> Path:
    try:
        host = machine.resolve_path(windows_path)
    except (FileNotFoundError, ValueError):
        raise _Failure(2, _NOT_FOUND) from None
    if not host.is_file():
        raise _Failure(2, _NOT_FOUND)
    return host


def _refuse_read_only(machine, host: Path) -> None:
    disk = machine.disk_of_host_path(host)
    if disk is not None and disk.read_only:
        raise _Failure(1, _WRITE_PROTECTED)


def _sid(account: str) -> str | None:
    if account.startswith("*S-1-"):
        return account[1:]
    return ACCOUNT_NAMES.get(account.lower())


def takeown(argv: list[str], machine) -> Result:
    """`takeown /F <file> [/A]`: owner -> Administrators (/A) or the caller. Always allowed to an administrator
    (SeTakeOwnershipPrivilege)."""
    target, to_group, index = None, False, 0
    while index < len(argv):
        switch = argv[index].lower()
        if switch == "/f" and index + 1 < len(argv) and target is None:
            target = argv[index + 1]
            index += 2
        elif switch == "/a" and not to_group:
            to_group = True
            index += 1
        else:
            return 1, "", 'ERROR: Invalid syntax.\r\nType "TAKEOWN /?" for usage.\r\n'
    if target is None:
        return 1, "", "ERROR: Invalid syntax. Value expected for '/F'.\r\nType \"TAKEOWN /?\" for usage.\r\n"
    with machine.lock:
        try:
            host = _existing_file(machine, target)
            _refuse_read_only(machine, host)
        except _Failure as failure:
            return 1, "", f"ERROR: {failure.message}\r\n"
        acl = machine.acls.get(host)
        acl.owner = ADMINISTRATORS if to_group else _caller(machine)
        machine.acls.put(host, acl)
    if to_group:
        return 0, f'\r\nSUCCESS: The file (or folder): "{target}" now owned by the administrators group.\r\n', ""
    return 0, f'\r\nSUCCESS: The file (or folder): "{target}" now owned by user "{_caller(machine)}".\r\n', ""


def icacls(argv: list[str], machine) -> Result:
    """`icacls <file> /grant <account>:<rights>` | `/setowner <account>` | `/save <aclfile>`, and
    `icacls <directory> /restore <aclfile>`."""
    if len(argv) != 3 or argv[1].lower() not in ("/grant", "/setowner", "/save", "/restore"):
        return 87, "", "Invalid parameter \"" + (argv[1] if len(argv) > 1 else "") + "\"\r\n"
    target, operation, value = argv[0], argv[1].lower(), argv[2]
    if operation == "/restore":
        return _restore(machine, target, value)
    with machine.lock:
        try:
            host = _existing_file(machine, target)
            if operation == "/grant":
                _grant(machine, host, value)
            elif operation == "/setowner":
                _set_owner(machine, host, value)
            else:
                _save(machine, host, target, value)
        except _Failure as failure:
            return failure.code, _NONE_PROCESSED, f"{target}: {failure.message}\r\n"
    return 0, f"processed file: {target}\r\nSuccessfully processed 1 files; Failed processing 0 files\r\n", ""


def _grant(machine, host: Path, value: str) -> None:
    account, _sep, rights = value.rpartition(":")
    sid = _sid(account)
    if sid is None or rights not in RIGHTS_MASKS:
        raise _Failure(1332, "No mapping between account names and security IDs was done.")
    _refuse_read_only(machine, host)
    if not machine.acls.admins_can_change_dacl(host, _caller(machine)):
        raise _Failure(1, _ACCESS_DENIED)
    acl = machine.acls.get(host)
    held = acl.grants.setdefault(sid, [])
    if rights not in held:
        held.append(rights)
    machine.acls.put(host, acl)


def _set_owner(machine, host: Path, account: str) -> None:
    sid = _sid(account)
    if sid is None:
        raise _Failure(1332, "No mapping between account names and security IDs was done.")
    # Naming another account as owner needs SeRestorePrivilege, which icacls enables and an elevated administrator
    # holds: it works whatever the DACL says.
    _refuse_read_only(machine, host)
    acl = machine.acls.get(host)
    machine.acls.put(host, FileAcl(sid, acl.grants, acl.group))


def _save(machine, host: Path, target: str, acl_file: str) -> None:
    """The file's name, then its DACL in SDDL (owner not saved, as icacls documents), UTF-16-LE."""
    try:
        destination = machine.resolve_path(acl_file)
    except (FileNotFoundError, ValueError):
        raise _Failure(3, "The system cannot find the path specified.") from None
    if not destination.parent.is_dir() or destination.is_dir():
        raise _Failure(3, "The system cannot find the path specified.")
    _refuse_read_only(machine, destination)
    if destination.exists() and not machine.acls.admins_can_write(destination):
        raise _Failure(1, _ACCESS_DENIED)
    name = target.replace("/", "\\").rsplit("\\", 1)[-1]
    text = f"{name}\r\n{machine.acls.get(host).sddl_dacl()}\r\n"
    destination.write_bytes(text.encode("utf-16-le"))


def _restore(machine, directory: str, acl_file: str) -> Result:
    """Apply each DACL of an aclfile (name line, SDDL line: what /save writes) to that name inside ``directory``.

    Only the DACL is replaced; owner and group stay. Setting a DACL needs WRITE_DAC, as /grant does: modelled
    without SeRestorePrivilege (whether icacls enables it for /restore is [UNCONFIRMED]; this is the stricter
    reading). Exit code 0 when every entry was applied, else the last error's code.
    """
    with machine.lock:
        try:
            folder = machine.resolve_path(directory)
            source = machine.resolve_path(acl_file)
        except (FileNotFoundError, ValueError):
            return 3, _NONE_PROCESSED, f"{directory}: {_PATH_NOT_FOUND}\r\n"
        if not folder.is_dir() or not source.is_file():
            return 3, _NONE_PROCESSED, f"{directory}: {_PATH_NOT_FOUND}\r\n"
        try:
            lines = source.read_bytes().decode("utf-16-le").lstrip("\ufeff").split("\r\n")
        except UnicodeDecodeError:
            lines = ["?"]
        lines = [line for line in lines if line]
        if not lines or len(lines) % 2:
            return 1336, _NONE_PROCESSED, f"{acl_file}: {_BAD_ACL}\r\n"
        done, failed, code, out, err = 0, 0, 0, "", ""
        for name, sddl in zip(lines[0::2], lines[1::2]):
            shown = f"{directory.rstrip(chr(92))}\\{name}"
            try:
                host = _existing_file(machine, shown)
                grants = parse_sddl_dacl(sddl)
                if grants is None:
                    raise _Failure(1336, _BAD_ACL)
                _refuse_read_only(machine, host)
                if not machine.acls.admins_can_change_dacl(host, _caller(machine)):
                    raise _Failure(5, _ACCESS_DENIED)
                acl = machine.acls.get(host)
                machine.acls.put(host, FileAcl(acl.owner, grants, acl.group))
                done += 1
                out += f"processed file: {shown}\r\n"
            except _Failure as failure:
                failed += 1
                code = failure.code
                err += f"{shown}: {failure.message}\r\n"
    return code, out + f"Successfully processed {done} files; Failed processing {failed} files\r\n", err
