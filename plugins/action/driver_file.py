# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.driver_file: replace a driver on the broken disk with a known-good copy.

Commands: (upload when the source is on the controller); read source + destination + backup (one command); refuse a
missing, non-PE or unexpected source, a source built for another machine type than the original, and a destination
that does not exist, before anything is written; back up the original once and verify it (one
command, with the original's permissions saved by icacls /save); take ownership, grant Administrators full control,
copy, give the file back to TrustedInstaller and verify the copy by SHA-256 (one command): Windows' driver files
belong to NT SERVICE\\TrustedInstaller and Administrators may only read them, so a plain copy is refused. Backing
up and replacing stay two commands: the replacement may only start after the controller compared the backup's hash
with the original's.
"""

from __future__ import annotations

import hashlib
import ntpath
import os
import re
import typing as t

from ansible.errors import AnsibleError

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import (
    drive_of_path, normalize_drive, parse_json_objects,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._pe import HEAD_BYTES, PeCheck, bytes_from_lines, check_pe
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_VERSION = re.compile(r"^\s*(\d+(?:\.\d+)*)")
_FILE_NAME = re.compile(r"^[^\\/:*?\"<>|]+$")


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """``10.0.14393.1770 (rs1_release.170917-1700)`` -> (10, 0, 14393, 1770); trailing zeros do not count."""
    match = _VERSION.match(text or "")
    if not match:
        return None
    numbers = [int(part) for part in match.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "name": {"type": "str"},
        "dest": {"type": "str"},
        "src": {"type": "str"},
        "src_controller": {"type": "path"},
        "windows_drive": {"type": "str"},
        "backup_dir": {"type": "str"},
        "expected_sha256": {"type": "str"},
        "expected_version": {"type": "str"},
    }
    MUTUALLY_EXCLUSIVE = [["name", "dest"], ["src", "src_controller"]]
    REQUIRED_ONE_OF = [["name", "dest"], ["src", "src_controller"]]
    # A bare file name needs the drive to find System32\drivers on (dest is a full path already).
    REQUIRED_BY = {"name": ["windows_drive"]}

    def run(self, tmp=None, task_vars=None):
        # A temporary folder on the recovery VM only when a controller file has to be uploaded.
        self.TRANSFERS_FILES = bool(self._task.args.get("src_controller"))
        try:
            result = super().run(tmp, task_vars)
        finally:
            if self.TRANSFERS_FILES and getattr(self._connection._shell, "tmpdir", None):
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        dest, drive = self._dest(params)
        backup_dir = params["backup_dir"] or f"{drive}\\vmrescue-backup"
        if drive_of_path(backup_dir) is None:
            raise VmrescueError(f"backup_dir {backup_dir!r} must be an absolute drive-letter path")
        backup_file = ntpath.join(backup_dir, "drivers", ntpath.basename(dest))
        expected_sha = (params["expected_sha256"] or "").lower() or None
        if expected_sha and not _SHA256.match(expected_sha):
            raise VmrescueError("expected_sha256 must be 64 hexadecimal digits")
        if params["expected_version"] and version_tuple(params["expected_version"]) is None:
            raise VmrescueError(f"expected_version {params['expected_version']!r} is not a version such as 10.0.14393.0")
        source = params["src"] or self._upload(params["src_controller"], expected_sha)

        steps = files.completed_steps(self.run_script(files.driver_read_script(source, dest, backup_file, HEAD_BYTES)))
        check_offline_target(dest, "dest", True, parse_json_objects("\n".join(steps["disks"]), "disks"),
                             parse_json_objects("\n".join(steps["partitions"]), "partitions"))
        src = files.parse_file_probe(source, steps["source"])
        current = files.parse_file_probe(dest, steps["dest"])
        saved = files.parse_file_probe(backup_file, steps["backup"])
        if not current.exists:
            raise VmrescueError(f"the destination {dest} does not exist on the attached disk (a wrong name, or the "
                                "driver lives elsewhere, e.g. in the DriverStore: give its full path as dest); "
                                "nothing was written", dest=dest)
        pe = self._check_source(src, bytes_from_lines(steps["source-head"]), expected_sha, params["expected_version"])
        warnings = self._check_machine(dest, src.path, pe, check_pe(bytes_from_lines(steps["dest-head"])))

        result: dict[str, t.Any] = {
            "dest": dest, "src": source, "sha256": src.sha256, "previous_sha256": current.sha256,
            "file_version": src.file_version, "previous_file_version": current.file_version, "pe": pe,
            "backup_file": backup_file if saved.exists else None, "backed_up": False,
        }
        if warnings:
            result["warnings"] = warnings
        changed = not (current.exists and current.sha256 == src.sha256)
        result["changed"] = changed
        if self.diff_mode:
            result["diff"] = {
                "before": {"path": dest, "exists": current.exists, "sha256": current.sha256,
                           "file_version": current.file_version},
                "after": {"path": dest, "exists": True, "sha256": src.sha256, "file_version": src.file_version},
            }
        if not changed or self.check_mode:
            if changed and current.exists and not saved.exists:
                result["backup_file"] = backup_file
            return result
        if current.exists and not saved.exists:
            self._backup(dest, backup_file, current.sha256)
            result.update(backup_file=backup_file, backed_up=True)
        self._replace(source, dest, src.sha256, result)
        return result

    def _replace(self, source: str, dest: str, sha256: str | None, result: dict[str, t.Any]) -> None:
        """takeown + icacls grant, copy, give the file back to TrustedInstaller; fail saying what state it is in."""
        replaced = self.run_script(files.driver_replace_script(source, dest))
        written = files.completed_steps(replaced)
        kept = f"the original is in {result['backup_file']}"
        rc = files.failed_native(replaced, "takeown")
        if rc is not None:
            raise VmrescueError(f"takeown could not make Administrators the owner of {dest} (exit code {rc}); {dest} "
                                f"was not changed", **result)
        rc = files.failed_native(replaced, "grant")
        if rc is not None:
            raise VmrescueError(f"icacls could not give Administrators full control of {dest} (exit code {rc}); "
                                f"{dest} was not replaced; {self._owner_state(replaced, dest)}", **result)
        if files.parse_hash(written["hash"], dest) != sha256:
            raise VmrescueError(f"{dest} does not match the source after copying (SHA-256); {kept}; "
                                f"{self._owner_state(replaced, dest)}", **result)
        rc = files.failed_native(replaced, "setowner")
        if rc is not None:
            raise VmrescueError(f"{dest} was replaced and verified, but icacls could not give it back to "
                                f"TrustedInstaller (exit code {rc}): BUILTIN\\Administrators still own it",
                                **result)

    @staticmethod
    def _owner_state(replaced: t.Any, dest: str) -> str:
        rc = files.failed_native(replaced, "setowner")
        if rc is None:
            return "its owner is NT SERVICE\\TrustedInstaller again, Administrators keep full control"
        return f"BUILTIN\\Administrators still own it (icacls /setowner exit code {rc})"

    def _backup(self, dest: str, backup_file: str, original_sha256: str | None) -> None:
        """Copy the original aside and prove the copy by hash before the original is overwritten."""
        saved = self.run_script(files.driver_backup_script(dest, backup_file))
        written = files.completed_steps(saved)
        if files.parse_hash(written["hash"], backup_file) != original_sha256:
            raise VmrescueError(f"the backup {backup_file} of {dest} could not be verified (SHA-256); {dest} was not "
                                "replaced", backup_file=backup_file)
        rc = files.failed_native(saved, "acl")
        if rc is not None:
            raise VmrescueError(f"icacls could not save the permissions of {dest} into "
                                f"{files.acl_backup_path(backup_file)} (exit code {rc}); {dest} was not replaced",
                                backup_file=backup_file)

    @staticmethod
    def _check_machine(dest: str, source: str, src_pe: dict[str, t.Any], original: PeCheck) -> list[str]:
        """Refuse a source for another CPU than the original; a damaged original (no PE) cannot be compared."""
        if not original.is_pe or original.machine is None:
            return [f"the original {dest} is not a readable PE image ({original.reason}); the source's machine type "
                    f"({src_pe['machine']}) could not be compared with it"]
        if src_pe["machine"] != original.machine_name:
            raise VmrescueError(f"the source {source} is built for {src_pe['machine']}, the original {dest} for "
                                f"{original.machine_name}; nothing was written", pe=src_pe)
        return []

    def _dest(self, params: dict[str, t.Any]) -> tuple[str, str]:
        if params["dest"] is not None:   # an empty dest is refused below, not taken as "use name"
            letter = drive_of_path(params["dest"])
            if letter is None:
                raise VmrescueError(f"dest {params['dest']!r} must be an absolute drive-letter path")
            return params["dest"], f"{letter}:"
        name = params["name"]
        if not _FILE_NAME.match(name) or not name.lower().endswith(".sys") or name.lower() == ".sys":
            raise VmrescueError(f"name {name!r} must be a driver file name ending in .sys, such as filecrypt.sys")
        drive = normalize_drive(params["windows_drive"])
        return f"{drive}\\Windows\\System32\\drivers\\{name}", drive

    @staticmethod
    def _check_source(src: files.FileProbe, head: bytes, expected_sha: str | None,
                      expected_version: str | None) -> dict[str, t.Any]:
        if not src.exists:
            raise VmrescueError(f"the source {src.path} does not exist on the recovery VM; nothing was written")
        pe = check_pe(head)
        if not pe.is_pe:
            raise VmrescueError(f"the source {src.path} is not a PE image ({pe.reason}); nothing was written",
                                pe=pe.as_dict())
        if expected_sha and src.sha256 != expected_sha:
            raise VmrescueError(f"the source {src.path} has SHA-256 {src.sha256}, not the expected {expected_sha}; "
                                "nothing was written", sha256=src.sha256)
        if expected_version and version_tuple(src.file_version) != version_tuple(expected_version):
            raise VmrescueError(f"the source {src.path} has file version {src.file_version!r}, not the expected "
                                f"{expected_version}; nothing was written", file_version=src.file_version)
        return pe.as_dict()

    def _upload(self, local: str, expected_sha: str | None) -> str:
        try:
            local = self._find_needle("files", local)
        except AnsibleError as exc:
            raise VmrescueError(f"src_controller {local!r} was not found on the controller: {exc}") from None
        try:
            with open(local, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise VmrescueError(f"src_controller {local!r} cannot be read on the controller: {exc}") from None
        # Refuse before anything goes over the wire (the remote read checks the uploaded copy again).
        pe = check_pe(data[:HEAD_BYTES])
        if not pe.is_pe:
            raise VmrescueError(f"src_controller {local} is not a PE image ({pe.reason}); nothing was written",
                                pe=pe.as_dict())
        if expected_sha and hashlib.sha256(data).hexdigest() != expected_sha:
            raise VmrescueError(f"src_controller {local} does not have the expected SHA-256; nothing was written")
        shell = self._connection._shell
        remote = shell.join_path(shell.tmpdir, os.path.basename(local))
        self._transfer_file(local, remote)
        return remote
