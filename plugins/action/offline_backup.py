# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_backup: copy the BCD store and hives (with their logs), verify, manifest.

Commands: read (sources, latest manifest); if a manifest exists, hash its files (a verified backup -> done);
otherwise one command removes what interrupted backups left (``<run id>.partial``), hashes every source, copies it
into ``<run id>.partial`` and hashes the copy, and one more writes the manifest and renames the folder to ``<run id>``,
sent only once the controller saw every copy match its source. A manifest on disk therefore always describes a
verified backup, and a folder under its final name always holds one. (The manifest cannot be written by the copying
command itself: the remote PowerShell subset cannot compare two hashes, see ``_catalogue_files.manifest_script``.)
"""

from __future__ import annotations

import datetime
import ntpath
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _backup as backup
from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import (
    drive_of_path, normalize_drive, parse_test_path_lines,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "windows_drive": {"type": "str", "required": True},
        "bcd_store": {"type": "str", "required": True},
        "hives": {"type": "list", "elements": "str", "default": ["SYSTEM"]},
        "backup_dir": {"type": "str"},
        "run_id": {"type": "str"},
        "force": {"type": "bool", "default": False},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        drive = normalize_drive(params["windows_drive"])
        store = params["bcd_store"]
        if drive_of_path(store) is None:
            raise VmrescueError(f"bcd_store {store!r} must be an absolute drive-letter path such as F:\\boot\\BCD")
        hives = [backup.check_hive_name(h) for h in params["hives"]]
        backup_dir = params["backup_dir"] or f"{drive}\\vmrescue-backup"
        if drive_of_path(backup_dir) is None:
            raise VmrescueError(f"backup_dir {backup_dir!r} must be an absolute drive-letter path")
        run_id = backup.check_run_id(params["run_id"]) if params["run_id"] else None
        config_dir = f"{drive}\\Windows\\System32\\config"
        latest = ntpath.join(backup_dir, backup.LATEST_NAME)

        read = self.run_script(files.backup_read_script(drive, store, config_dir, backup_dir, latest))
        steps = files.completed_steps(read)
        if not parse_test_path_lines(steps["drive"], 1, "drive")[0]:
            raise VmrescueError(f"windows_drive {drive} does not exist on the recovery VM; nothing was written")
        planned = backup.plan_files(store, files.file_names(steps["bcd-dir"], ntpath.dirname(store)),
                                    config_dir, files.file_names(steps["config-dir"], config_dir), hives)
        result: dict[str, t.Any] = {"backup_dir": backup_dir, "files": [f.source for f in planned]}

        existing = backup.parse_manifest("\n".join(steps["latest"])) if steps["latest"] else None
        if existing is not None and not params["force"]:
            problems = self._verify_existing(existing)
            if not problems:
                return {**result, "changed": False, "verified": True, "backup_path": existing["backup_path"],
                        "manifest": existing, "manifest_path": ntpath.join(existing["backup_path"], backup.MANIFEST_NAME)}
            result["previous_backup_problems"] = problems

        now = datetime.datetime.now(datetime.timezone.utc)
        backup_path = ntpath.join(backup_dir, run_id or backup.run_id_for(now))
        folders = files.folder_names(steps["backups"], backup_dir) if steps["backups"] else []
        if ntpath.basename(backup_path).lower() in (name.lower() for name in folders):
            # Never copy over an earlier backup: it may be the only copy from before a change.
            raise VmrescueError(f"the backup folder {backup_path} exists already; give another run_id (or leave it "
                                "out for a time-named folder). Nothing was written")
        interrupted = backup.interrupted_backups(backup_dir, folders)
        result.update(changed=True, backup_path=backup_path, interrupted_backups_removed=interrupted)
        if self.diff_mode:
            result["diff"] = {"before": {"backup_path": existing["backup_path"] if existing else None,
                                         "interrupted_backups": interrupted},
                              "after": {"backup_path": backup_path, "interrupted_backups": []}}
        if self.check_mode:
            return {**result, "verified": False}
        return {**result, **self._copy(now, backup_path, planned, latest, interrupted)}

    def _verify_existing(self, manifest: dict[str, t.Any]) -> list[str]:
        paths = backup.backup_file_paths(manifest)
        steps = files.completed_steps(self.run_script(files.hash_script("backup-verify", paths)))
        actual = {path: files.parse_hash(steps.get(f"h.{i}", []), path) for i, path in enumerate(paths)}
        return backup.verify(manifest, actual)

    def _copy(self, now: datetime.datetime, backup_path: str, planned: list[backup.BackupFile],
              latest: str, interrupted: list[str]) -> dict[str, t.Any]:
        partial = backup.partial_path(backup_path)
        steps = files.completed_steps(self.run_script(files.backup_copy_script(partial, planned, interrupted)))
        source_hashes = {f.source: files.parse_hash(steps.get(f"hsrc.{i}", []), f.source) for i, f in enumerate(planned)}
        copy_hashes = {f.source: files.parse_hash(steps.get(f"hdst.{i}", []), f.relative) for i, f in enumerate(planned)}
        problems = backup.copy_problems(planned, source_hashes, copy_hashes)
        if problems:
            raise VmrescueError("the backup could not be verified, so nothing may be changed: " + "; ".join(problems),
                                verified=False, backup_path=backup_path, problems=problems)
        manifest = backup.build_manifest(now, backup_path, planned, source_hashes)
        text = backup.manifest_text(manifest)
        manifest_path = ntpath.join(backup_path, backup.MANIFEST_NAME)
        sent = self.run_script(files.manifest_script(ntpath.join(partial, backup.MANIFEST_NAME), manifest_path, text,
                                                     latest))
        for step, what in (("write", f"its manifest could not be written into {partial}"),
                           ("rename", f"{partial} could not be renamed to {ntpath.basename(backup_path)}")):
            if sent.step(step) is not None and sent.step(step).failed:
                raise VmrescueError(f"the backup in {partial} was verified but {what}; nothing was changed, the next "
                                    "backup removes it", verified=False, backup_path=backup_path)
        written = files.completed_steps(sent)
        expected = backup.manifest_file_sha256(text)
        if (files.parse_hash(written["hash-manifest"], manifest_path) != expected
                or files.parse_hash(written["hash-latest"], latest) != expected):
            raise VmrescueError(f"the backup in {backup_path} was verified but its manifest could not be written",
                                verified=False, backup_path=backup_path)
        return {"verified": True, "manifest": manifest, "manifest_path": manifest_path}
