# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.driver_file: replace a driver on the broken disk with a known-good copy, or put
every journaled driver back (``restore_journal``).

A swap: (upload when the source is on the controller); read source, destination (with its owner and DACL as SDDL),
backup, the backup's ACL file and the journal (one command); refuse a missing, non-PE or unexpected source, a source
in the destination's own folder or identical to it, a source for another machine type, and a missing destination,
before anything is written; record the original in the journal (path by volume identity, SHA-256, SDDL, backup)
and back it up with its DACL saved by icacls /save (one command; each part redone by a re-run until complete);
then replace it (one command): take ownership, grant Administrators full control, copy, put the saved DACL back
(icacls /restore) and the original owner (icacls /setowner by SID), and verify SHA-256 and SDDL. Windows' driver
files belong to NT SERVICE\\TrustedInstaller and Administrators may only read them, so a plain copy is refused.
Backing up and replacing stay two commands: the replacement starts only after the controller saw the journal record,
the backup's hash and the saved DACL.
"""

from __future__ import annotations

import hashlib
import ntpath
import os
import re
import typing as t

from ansible.errors import AnsibleError

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils import _journal, _sddl
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    require_journal_written, target_facts,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import (
    drive_of_path, normalize_drive, parse_json_objects,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._driver_restore import restore_drivers
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._file_version import version_tuple
from ansible_collections.vmrescue.windows.plugins.module_utils._pe import HEAD_BYTES, PeCheck, bytes_from_lines, check_pe
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target, check_target_path
from ansible_collections.vmrescue.windows.plugins.module_utils._journal_location import (
    places, retrying_on_journal_change,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._volume_identity import locate
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction

_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_FILE_NAME = re.compile(r"^[^\\/:*?\"<>|]+$")


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
        "journal": {"type": "str"},
        "restore_journal": {"type": "bool", "default": False},
    }
    MUTUALLY_EXCLUSIVE = [["name", "dest"], ["src", "src_controller"]]
    REQUIRED_IF = [("restore_journal", True, ["journal"]),
                   ("restore_journal", False, ["name", "dest"], True),
                   ("restore_journal", False, ["src", "src_controller"], True)]
    # A bare file name needs the drive to find System32\\drivers on (dest is a full path already).
    REQUIRED_BY = {"name": ["windows_drive"]}
    _SWAP_ONLY = ("name", "dest", "src", "src_controller", "windows_drive", "backup_dir", "expected_sha256",
                  "expected_version")

    def run(self, tmp=None, task_vars=None):
        # A temporary folder on the recovery VM only when a controller file has to be uploaded.
        self.TRANSFERS_FILES = bool(self._task.args.get("src_controller"))
        # A swap read and planned again (another run wrote the journal) uses the copy it uploaded the first time.
        self._uploaded: dict[tuple[str, str | None], str] = {}
        try:
            result = super().run(tmp, task_vars)
        finally:
            if self.TRANSFERS_FILES and getattr(self._connection._shell, "tmpdir", None):
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        if params["journal"]:
            check_target_path(params["journal"], "journal")
        if params["restore_journal"]:
            given = [name for name in self._SWAP_ONLY if params[name] is not None]
            if given:
                raise VmrescueError(f"restore_journal puts back every journaled driver; {', '.join(given)} cannot "
                                    "be given with it")
            return restore_drivers(self.run_script, params["journal"], self.check_mode, self.diff_mode)
        # Another run that wrote the journal between this swap's read and its journal write stops the backup command
        # before any change: read and plan again.
        return retrying_on_journal_change(lambda: self._swap(params))

    def _swap(self, params: dict[str, t.Any]) -> dict[str, t.Any]:
        dest, drive = self._dest(params)
        backup_dir = params["backup_dir"] or f"{drive}\\vmrescue-backup"
        if drive_of_path(backup_dir) is None:
            raise VmrescueError(f"backup_dir {backup_dir!r} must be an absolute drive-letter path")
        backup_file = ntpath.join(backup_dir, "drivers", ntpath.basename(dest))
        acl_file = files.acl_backup_path(backup_file)
        expected_sha = (params["expected_sha256"] or "").lower() or None
        if expected_sha and not _SHA256.match(expected_sha):
            raise VmrescueError("expected_sha256 must be 64 hexadecimal digits")
        if params["expected_version"] and version_tuple(params["expected_version"]) is None:
            raise VmrescueError(f"expected_version {params['expected_version']!r} is not a version such as 10.0.14393.0")
        if params["src"]:
            self._refuse_source_beside(params["src"], dest)
        source = params["src"] or self._upload(params["src_controller"], expected_sha)
        journal_path = params["journal"]

        read = self.run_script(files.driver_read_script(source, dest, backup_file, HEAD_BYTES, journal_path))
        steps = files.completed_steps(read)
        facts = target_facts(read)
        disks, partitions = parse_json_objects(facts.disks, "disks"), parse_json_objects(facts.partitions, "partitions")
        check_offline_target(dest, "dest", True, disks, partitions)
        src = files.parse_file_probe(source, steps["source"])
        current = files.parse_file_probe(dest, steps["dest"])
        saved = files.parse_file_probe(backup_file, steps["backup"])
        saved_acl = files.parse_file_probe(acl_file, steps["backup-acl"])
        if not current.exists:
            raise VmrescueError(f"the destination {dest} does not exist on the attached disk (a wrong name, or the "
                                "driver lives elsewhere, e.g. in the DriverStore: give its full path as dest); "
                                "nothing was written", dest=dest)
        pe = self._check_source(src, bytes_from_lines(steps["source-head"]), expected_sha, params["expected_version"])
        warnings = self._check_machine(dest, src.path, pe, check_pe(bytes_from_lines(steps["dest-head"])))
        current_sddl = files.parse_sddl(steps["dest-sddl"], dest)
        journal = _journal.parse(facts.journal_text) if journal_path else None
        # Journal records name files by volume identity, so they are found again under other drive letters.
        location = places(dest, "dest", journal_path, disks, partitions).target if journal is not None else None
        record = _journal.driver_records(journal).get(location.key) if location is not None else None
        if record is not None and not (isinstance(record, dict) and isinstance(record.get("sha256"), str)
                                       and isinstance(record.get("sddl"), str)):
            raise VmrescueError(f"the journal {journal_path} has an incomplete record of {dest} (no sha256 or sddl); "
                                "it is left untouched and nothing was written", dest=dest)

        # The original: as recorded, else the first backup, else the file as it is now.
        original_sha = record["sha256"] if record else (saved.sha256 if saved.exists else current.sha256)
        original_sddl = record["sddl"] if record else current_sddl
        replaced_before = original_sha != src.sha256 and (record is not None or saved.exists)
        if current.sha256 == src.sha256 and not replaced_before:
            raise VmrescueError(f"the source {src.path} is identical to {dest} (SHA-256 {src.sha256}): there is "
                                "nothing to replace. Give a known-good copy that differs from the broken disk's "
                                "driver; nothing was written", dest=dest, sha256=src.sha256)
        need_replace = current.sha256 != src.sha256
        # After an interruption between the copy and the owner: the new file is in place, its ACL not yet.
        need_acl = (not need_replace and original_sddl is not None and current_sddl is not None
                    and not _sddl.parse(current_sddl, dest).same_owner_and_dacl(_sddl.parse(original_sddl, dest)))
        backup_ok = saved.exists and saved.sha256 == original_sha
        acl_ok = saved_acl.exists and bool(saved_acl.size)
        new_record = None
        if location is not None and record is None and need_replace:
            backup_location = locate(backup_file, "backup_dir", disks, partitions)
            new_record = {"path": location.relative, "name": ntpath.basename(dest), "sha256": original_sha,
                          "sddl": original_sddl, "backup_volume": backup_location.volume,
                          "backup": backup_location.relative, "acl": backup_location.relative + ".acl"}
        need_backup = need_replace and not (backup_ok and acl_ok and new_record is None)
        if need_backup and not backup_ok and current.sha256 != original_sha:
            raise VmrescueError(f"{dest} is no longer the recorded original (SHA-256 {original_sha}) and its backup "
                                f"{backup_file} is missing or differs: the original cannot be saved again; nothing was "
                                "written", dest=dest)
        owner_sid = _sddl.parse(original_sddl, dest).owner_sid if original_sddl else None

        result: dict[str, t.Any] = {
            "dest": dest, "src": source, "sha256": src.sha256, "previous_sha256": current.sha256,
            "file_version": src.file_version, "previous_file_version": current.file_version, "pe": pe,
            "backup_file": backup_file if saved.exists else None, "backed_up": False,
            "sddl": current_sddl, "original_sddl": original_sddl, "journaled": record is not None,
        }
        if warnings:
            result["warnings"] = warnings
        result["changed"] = need_replace or need_acl
        if self.diff_mode:
            result["diff"] = {
                "before": {"path": dest, "sha256": current.sha256, "file_version": current.file_version,
                           "sddl": current_sddl},
                "after": {"path": dest, "sha256": src.sha256, "file_version": src.file_version,
                          "sddl": original_sddl},
            }
        if not result["changed"] or self.check_mode:
            if need_replace and not saved.exists:
                result["backup_file"] = backup_file
            return result
        if need_backup:
            self._backup(dest, backup_file, original_sha, journal_path, journal, facts.journal_hash,
                         location.key if location else "", new_record,
                         copy=not backup_ok, save_acl=not acl_ok)
            result.update(backup_file=backup_file, backed_up=not backup_ok, journaled=journal is not None)
        self._replace(source if need_replace else None, dest, src.sha256, acl_file, owner_sid, original_sddl, result)
        return result

    def _replace(self, source: str | None, dest: str, sha256: str | None, acl_file: str, owner_sid: str | None,
                 original_sddl: str | None, result: dict[str, t.Any]) -> None:
        """takeown + icacls grant, copy, the original's DACL and owner again; fail saying what state it is in."""
        if owner_sid is None:
            raise VmrescueError(f"the owner of {dest} before the swap is not known; nothing was written", **result)
        replaced = self.run_script(files.driver_replace_script(source, dest, acl_file, owner_sid))
        written = files.completed_steps(replaced)
        kept = f"the original is in {result['backup_file']}"
        rc = files.failed_native(replaced, "takeown")
        if rc is not None:
            raise VmrescueError(f"takeown could not make Administrators the owner of {dest} (exit code {rc}); {dest} "
                                f"was not changed; {self._acl_state(replaced)}", **result)
        rc = files.failed_native(replaced, "grant")
        if rc is not None:
            raise VmrescueError(f"icacls could not give Administrators full control of {dest} (exit code {rc}); "
                                f"{dest} was not replaced; {self._acl_state(replaced)}", **result)
        if source is not None and files.parse_hash(written["hash"], dest) != sha256:
            raise VmrescueError(f"{dest} does not match the source after copying (SHA-256); {kept}; "
                                f"{self._acl_state(replaced)}", **result)
        done = "replaced and verified" if source is not None else "already replaced"
        for step, what in (("dacl", "put its saved DACL back (icacls /restore)"),
                           ("owner", f"give it back to its original owner {owner_sid}")):
            rc = files.failed_native(replaced, step)
            if rc is not None:
                raise VmrescueError(f"{dest} was {done}, but icacls could not {what} (exit code {rc}); "
                                    f"{self._acl_state(replaced)}", **result)
        now = files.parse_sddl(written["sddl"], dest)
        result["sddl"] = now
        if now is None or original_sddl is None or \
                not _sddl.parse(now, dest).same_owner_and_dacl(_sddl.parse(original_sddl, dest)):
            raise VmrescueError(f"{dest} was {done}, but its owner and DACL ({now}) are not the original's "
                                f"({original_sddl})", **result)

    @staticmethod
    def _acl_state(replaced: t.Any) -> str:
        failed = [step for step in ("dacl", "owner") if files.failed_native(replaced, step) is not None]
        if not failed:
            return "its original DACL and owner were put back"
        return ("Administrators may still own it or hold full control (icacls " +
                ", ".join(f"/{'restore' if step == 'dacl' else 'setowner'} exit code "
                          f"{files.failed_native(replaced, step)}" for step in failed) + ")")

    def _backup(self, dest: str, backup_file: str, original_sha256: str | None, journal_path: str | None,
                journal: dict[str, t.Any] | None, journal_hash: str | None, key: str,
                new_record: dict[str, t.Any] | None, *,
                copy: bool, save_acl: bool) -> None:
        """Journal record, copy of the original and its saved DACL, each only where a re-run finds it missing;
        the replacement starts only after all of them are proven."""
        journal_text = None
        if journal is not None and new_record is not None and _journal.record_driver(journal, key, new_record):
            journal_text = _journal.render(journal)
        saved = self.run_script(files.driver_backup_script(dest, backup_file, journal_path, journal_text, journal_hash,
                                                           copy=copy, save_acl=save_acl))
        require_journal_written(saved, journal_path)
        written = files.completed_steps(saved)
        if files.parse_hash(written["hash"], backup_file) != original_sha256:
            raise VmrescueError(f"the backup {backup_file} of {dest} could not be verified (SHA-256); {dest} was not "
                                "replaced", backup_file=backup_file)
        rc = files.failed_native(saved, "acl")
        acl_file = files.acl_backup_path(backup_file)
        if rc is not None or (save_acl and files.parse_hash(written["acl-hash"], acl_file) is None):
            raise VmrescueError(f"icacls could not save the permissions of {dest} into {acl_file} (exit code {rc}); "
                                f"{dest} was not replaced", backup_file=backup_file)

    @staticmethod
    def _refuse_source_beside(source: str, dest: str) -> None:
        """A source in the destination's own folder is the broken disk's driver (or its neighbour), not a known-good
        copy: the swap would replace nothing or copy the disk onto itself."""
        if ntpath.normcase(ntpath.normpath(ntpath.dirname(source))) == \
                ntpath.normcase(ntpath.normpath(ntpath.dirname(dest))):
            raise VmrescueError(f"the source {source} is in the folder of the driver it should replace ({dest}): that "
                                "is the broken disk's own driver, not a known-good copy. Give a folder with "
                                "known-good drivers (another VM's, or an installation medium's); nothing was written",
                                dest=dest)

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
        if (local, expected_sha) not in self._uploaded:
            self._uploaded[(local, expected_sha)] = self._upload_once(local, expected_sha)
        return self._uploaded[(local, expected_sha)]

    def _upload_once(self, local: str, expected_sha: str | None) -> str:
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
