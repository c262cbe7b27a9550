# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: remote commands that read, copy and hash files (offline_backup, driver_file), and reading their answers.

Every builder returns one ``RemoteScript`` = one remote command: the script travels on stdin behind a fixed
bootstrap (``docs/dev/remote-commands.md`` section 1), so its length does not depend on how many files it names.
"""

from __future__ import annotations

import dataclasses
import ntpath
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import parse_json_objects
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    add_journal_write, add_target_facts,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import ps_literal as q
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult


# --- pipeline texts ------------------------------------------------------------------------------------------------

def leaf_exists(path: str) -> str:
    return f"Test-Path -LiteralPath {q(path)} -PathType Leaf"


def dir_exists(path: str) -> str:
    return f"Test-Path -LiteralPath {q(path)} -PathType Container"


def if_leaf(path: str, body: str) -> str:
    return f"if (({leaf_exists(path)})) {{ {body} }}"


def if_container(path: str, body: str) -> str:
    return f"if (({dir_exists(path)})) {{ {body} }}"


def file_hash(path: str) -> str:
    return f"Get-FileHash -Algorithm SHA256 -LiteralPath {q(path)} | ConvertTo-Json -Compress"


def list_files(folder: str) -> str:
    return (f"Get-ChildItem -LiteralPath {q(folder)} -Force -File | Select-Object -Property Name,Length"
            " | ConvertTo-Json -Compress")


def copy_file(source: str, destination: str) -> str:
    return f"Copy-Item -LiteralPath {q(source)} -Destination {q(destination)} -Force"


def make_dir(path: str) -> str:
    return f"New-Item -ItemType Directory -Path {q(path)} -Force | Out-Null"


def file_probe(path: str, with_version: bool = False) -> str:
    """Exists (True/False), then, when it does, the item JSON and the hash JSON."""
    props = "FullName,Length,VersionInfo" if with_version else "FullName,Length"
    item = f"Get-Item -LiteralPath {q(path)} -Force | Select-Object -Property {props} | ConvertTo-Json -Compress -Depth 2"
    return leaf_exists(path) + "\n" + if_leaf(path, f"{item}; {file_hash(path)}")


def file_head(path: str, count: int) -> str:
    return if_leaf(path, f"Get-Content -LiteralPath {q(path)} -Encoding Byte -TotalCount {int(count)}")


# --- reading the answers -------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class FileProbe:
    path: str
    exists: bool
    size: int | None = None
    sha256: str | None = None
    file_version: str | None = None
    product_version: str | None = None

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


def parse_hash(lines: list[str], what: str) -> str | None:
    """Lower-case SHA-256 hex from a ``Get-FileHash | ConvertTo-Json`` step; None when it printed nothing."""
    items = parse_json_objects("\n".join(lines), what)
    if not items:
        return None
    value = str(items[0].get("Hash") or "")
    if len(value) != 64 or any(ch not in "0123456789abcdefABCDEF" for ch in value):
        raise VmrescueError(f"the recovery VM reported no valid SHA-256 for {what}")
    return value.lower()


def parse_file_probe(path: str, lines: list[str]) -> FileProbe:
    values = [line.strip() for line in lines if line.strip()]
    if not values or values[0] not in ("True", "False"):
        raise VmrescueError(f"the recovery VM did not say whether {path} exists")
    if values[0] == "False":
        return FileProbe(path, False)
    item, digest = {}, None
    for text in values[1:]:
        for obj in parse_json_objects(text, f"details of {path}"):
            if "Hash" in obj:
                digest = parse_hash([text], path)
            elif "FullName" in obj:
                item = obj
    if not item or digest is None:
        # It exists but could not be read (locked, access denied): never treat that as "absent".
        raise VmrescueError(f"{path} exists but could not be read (size and SHA-256) on the recovery VM")
    version = item.get("VersionInfo") or {}
    if not isinstance(version, dict):
        version = {}
    return FileProbe(path, True, item.get("Length"), digest, version.get("FileVersion") or None,
                     version.get("ProductVersion") or None)


def list_folders(folder: str) -> str:
    return (f"Get-ChildItem -LiteralPath {q(folder)} -Force -Directory | Select-Object -Property Name"
            " | ConvertTo-Json -Compress")


def folder_names(lines: list[str], folder: str) -> list[str]:
    """The names a ``list_folders`` step printed."""
    return [str(obj.get("Name")) for obj in parse_json_objects("\n".join(lines), f"folders in {folder}")]


def file_names(lines: list[str], folder: str) -> dict[str, int | None]:
    """Name -> size of the files a ``list_files`` step printed."""
    return {str(obj.get("Name")): obj.get("Length")
            for obj in parse_json_objects("\n".join(lines), f"files in {folder}")}


def join(*parts: str) -> str:
    return ntpath.join(*parts)


def completed_steps(result: ScriptResult) -> dict[str, list[str]]:
    """Step name -> output lines; every step that ran must have completed (its closing marker was seen)."""
    for name, step in result.steps.items():
        if not step.completed:
            raise VmrescueError(f"the step {name} did not complete on the recovery VM", stderr=result.stderr)
    return {name: step.lines for name, step in result.steps.items()}


# --- offline_backup ------------------------------------------------------------------------------------------------

def backup_read_script(drive: str, bcd_store: str, config_dir: str, backup_dir: str, latest: str) -> RemoteScript:
    script = RemoteScript("backup-read")
    script.cmdlet("drive", dir_exists(drive + "\\"))
    bcd_dir = ntpath.dirname(bcd_store)
    script.cmdlet("bcd-dir", if_container(bcd_dir, list_files(bcd_dir)))
    script.cmdlet("config-dir", if_container(config_dir, list_files(config_dir)))
    script.cmdlet("latest", if_leaf(latest, f"Get-Content -LiteralPath {q(latest)} -Raw"))
    script.cmdlet("backups", if_container(backup_dir, list_folders(backup_dir)))
    return script


def backup_copy_script(partial_path: str, files: t.Sequence[t.Any], leftovers: t.Sequence[str]) -> RemoteScript:
    """Remove the ``leftovers`` (interrupted backups' folders), make the folders of this backup's ``partial_path``,
    then per file: hash the source (``hsrc.<i>``), copy it, hash the copy (``hdst.<i>``)."""
    script = RemoteScript("backup-copy")
    for index, leftover in enumerate(leftovers):
        script.cmdlet(f"clean.{index}",
                      if_container(leftover, f"Remove-Item -LiteralPath {q(leftover)} -Recurse -Force"))
    folders = sorted({ntpath.dirname(join(partial_path, f.relative)) for f in files})
    script.cmdlet("mkdir", "\n".join(make_dir(folder) for folder in folders))
    for index, item in enumerate(files):
        target = join(partial_path, item.relative)
        script.cmdlet(f"hsrc.{index}", file_hash(item.source))
        script.cmdlet(f"copy.{index}", copy_file(item.source, target))
        script.cmdlet(f"hdst.{index}", if_leaf(target, file_hash(target)))
    return script


def manifest_script(partial_manifest: str, manifest_path: str, text: str, latest: str) -> RemoteScript:
    """Write the manifest into the partial folder, give the folder its final name, copy the manifest to
    ``latest.json``, then hash both to prove what landed on the disk.

    A command of its own, sent only after the controller compared every copy's hash with its source's: the
    PowerShell subset has no variables and no comparison but ``$LASTEXITCODE -eq N`` and ``Test-Path``, so a script
    cannot decide "every hash matched" by itself. The rename (one NTFS directory rename) is what makes the backup
    appear: a folder under its final name always holds a complete, verified backup and its manifest.
    """
    script = RemoteScript("backup-manifest")
    partial_path, backup_path = ntpath.dirname(partial_manifest), ntpath.dirname(manifest_path)
    script.cmdlet("write", f"Set-Content -LiteralPath {q(partial_manifest)} -Value {q(text)} -Encoding UTF8 -NoNewline",
                  abort_on_error=True)
    script.cmdlet("rename", f"Rename-Item -LiteralPath {q(partial_path)} -NewName {q(ntpath.basename(backup_path))}",
                  abort_on_error=True)
    script.cmdlet("latest", copy_file(manifest_path, latest))
    script.cmdlet("hash-manifest", if_leaf(manifest_path, file_hash(manifest_path)))
    script.cmdlet("hash-latest", if_leaf(latest, file_hash(latest)))
    return script


def hash_script(name: str, paths: t.Sequence[str]) -> RemoteScript:
    """``h.<i>``: the SHA-256 of each path that exists (nothing for a missing one)."""
    script = RemoteScript(name)
    for index, path in enumerate(paths):
        script.cmdlet(f"h.{index}", if_leaf(path, file_hash(path)))
    return script


# --- driver_file ---------------------------------------------------------------------------------------------------

def acl_backup_path(backup: str) -> str:
    return backup + ".acl"


def file_sddl(path: str) -> str:
    """Owner, group and DACL as SDDL (Get-Acl's Sddl: SIDs and aliases, the same in every display language)."""
    return if_leaf(path, f"Get-Acl -LiteralPath {q(path)} | Select-Object -Property Sddl | ConvertTo-Json -Compress")


def driver_read_script(source: str, dest: str, backup: str, head_bytes: int, journal: str | None) -> RemoteScript:
    """Layout (to refuse the recovery VM's own disk and to locate files by volume identity), the journal, source
    and destination probes with their first bytes, the destination's SDDL, and the backup and its ACL file."""
    script = RemoteScript("driver-read")
    add_target_facts(script, dest, journal)
    script.cmdlet("source", file_probe(source, with_version=True))
    script.cmdlet("source-head", file_head(source, head_bytes))
    script.cmdlet("dest", file_probe(dest, with_version=True))
    script.cmdlet("dest-head", file_head(dest, head_bytes))
    script.cmdlet("dest-sddl", file_sddl(dest))
    script.cmdlet("backup", file_probe(backup))
    script.cmdlet("backup-acl", file_probe(acl_backup_path(backup)))
    return script


def driver_restore_read_script(journal: str) -> RemoteScript:
    """First command of a journal restore: the layout (to map recorded volumes to letters) and the journal."""
    script = RemoteScript("driver-restore-read")
    add_target_facts(script, journal, journal)
    return script


def driver_state_script(files: t.Sequence[tuple[str, str, str]]) -> RemoteScript:
    """Second read of a journal restore, per (original, backup, acl file): ``dest.<i>``, ``sddl.<i>``,
    ``backup.<i>``, ``acl.<i>``."""
    script = RemoteScript("driver-restore-state")
    for index, (dest, backup, acl) in enumerate(files):
        script.cmdlet(f"dest.{index}", file_probe(dest))
        script.cmdlet(f"sddl.{index}", file_sddl(dest))
        script.cmdlet(f"backup.{index}", file_probe(backup))
        script.cmdlet(f"acl.{index}", file_probe(acl))
    return script


# Windows' own driver files belong to NT SERVICE\TrustedInstaller; Administrators may only read and run them.
# Accounts by SID (icacls takes "*SID"): account names are translated on localized Windows
# (NT-DIENST, AUTORITE NT, …).
ADMINISTRATORS_FULL_CONTROL = "*S-1-5-32-544:F"                                         # BUILTIN\Administrators


def driver_backup_script(dest: str, backup: str, journal: str | None, journal_text: str | None,
                         journal_hash: str | None = None, *,
                         copy: bool = True, save_acl: bool = True) -> RemoteScript:
    """The journal record first (stops the script when it cannot be written), then copy the original aside
    (``copy``), hash the copy, save its DACL (``acl``, icacls /save) and hash that file (``acl-hash``); a re-run
    sends only the parts it found missing. Replacing is a separate command, sent only when the controller saw all of
    it complete."""
    script = RemoteScript("driver-backup")
    if journal and journal_text is not None:
        add_journal_write(script, journal, journal_text, journal_hash)
    if copy:
        script.cmdlet("mkdir", make_dir(ntpath.dirname(backup)))
        script.cmdlet("copy", copy_file(dest, backup))
    script.cmdlet("hash", if_leaf(backup, file_hash(backup)))
    if save_acl:
        script.native("acl", "icacls.exe", dest, "/save", acl_backup_path(backup))
        script.cmdlet("acl-hash", if_leaf(acl_backup_path(backup), file_hash(acl_backup_path(backup))))
    return script


def add_driver_put(script: RemoteScript, prefix: str, source: str | None, dest: str, acl_file: str,
                   owner_sid: str) -> None:
    """Put ``source`` (None: only the ACL) onto a protected file and give it back the saved DACL and owner.

    ``takeown`` (Administrators own it, so they may change its DACL), ``grant`` full control and ``copy`` only after
    the step before succeeded; then always ``dacl`` (icacls /restore of the saved DACL, which also removes the
    grant) and ``owner`` (icacls /setowner, SeRestorePrivilege), whatever failed before; ``hash`` and ``sddl`` show
    the result."""
    script.native(f"{prefix}takeown", "takeown.exe", "/F", dest, "/A")
    if source is not None:
        script.native(f"{prefix}grant", "icacls.exe", dest, "/grant", ADMINISTRATORS_FULL_CONTROL, only_if_ok=True)
        script.cmdlet(f"{prefix}copy", copy_file(source, dest), only_if_ok=True)
    script.native(f"{prefix}dacl", "icacls.exe", ntpath.dirname(dest), "/restore", acl_file)
    script.native(f"{prefix}owner", "icacls.exe", dest, "/setowner", "*" + owner_sid)
    script.cmdlet(f"{prefix}hash", if_leaf(dest, file_hash(dest)))
    script.cmdlet(f"{prefix}sddl", file_sddl(dest))


def driver_replace_script(source: str | None, dest: str, acl_file: str, owner_sid: str) -> RemoteScript:
    script = RemoteScript("driver-replace")
    add_driver_put(script, "", source, dest, acl_file, owner_sid)
    return script


def driver_restore_script(puts: t.Sequence[tuple[str, str, str, str]]) -> RemoteScript:
    """Per (backup, original, acl file, owner SID): the steps of ``add_driver_put`` prefixed ``<i>.``."""
    script = RemoteScript("driver-restore")
    for index, (backup, dest, acl_file, owner_sid) in enumerate(puts):
        add_driver_put(script, f"r{index}.", backup, dest, acl_file, owner_sid)
    return script


def parse_sddl(lines: list[str], what: str) -> str | None:
    """The Sddl a ``file_sddl`` step printed; None when it printed nothing (no such file)."""
    items = parse_json_objects("\n".join(lines), f"permissions of {what}")
    if not items:
        return None
    value = items[0].get("Sddl")
    if not isinstance(value, str) or not value.startswith("O:"):
        raise VmrescueError(f"the recovery VM reported no owner and DACL (SDDL) for {what}")
    return value


def failed_native(result: ScriptResult, step: str) -> int | None:
    """The exit code of a native step that ran and failed; None when it succeeded or did not run."""
    ran = result.step(step)
    return ran.rc if ran is not None and ran.rc not in (None, 0) else None
