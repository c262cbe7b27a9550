# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: put every journaled driver file back from its backup, with its original owner and DACL.

Three commands at most: the journal and the disk layout (to find each record's volume under today's drive
letters); each original's, backup's and saved DACL's state; then, for the records that differ, the same steps as a
swap with the backup as source (take ownership, grant, copy, icacls /restore of the saved DACL, icacls /setowner of
the recorded owner), verified by SHA-256 and SDDL. Each record ends as ``restored``, ``already original`` or
``could not`` (with the reason); ``would restore`` in check mode. Any ``could not`` fails the task after every
other record was restored. The journal is only read, so a second restore finds everything already original.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_files as files
from ansible_collections.vmrescue.windows.plugins.module_utils import _journal, _sddl
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import target_facts
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import json_objects
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target
from ansible_collections.vmrescue.windows.plugins.module_utils._volume_identity import current_path

# The statuses every journal restore reports (summed by the restore_defaults role); check mode: would restore.
RESTORED, ALREADY_ORIGINAL, COULD_NOT = _journal.RESTORED, _journal.ALREADY, _journal.COULD_NOT
WOULD_RESTORE = "would restore"


def _matches(record: dict[str, t.Any], probe: files.FileProbe, sddl: str | None, path: str) -> bool:
    return (probe.exists and probe.sha256 == record["sha256"] and sddl is not None
            and _sddl.parse(sddl, path).same_owner_and_dacl(_sddl.parse(record["sddl"], path)))


_RECORD_FIELDS = ("path", "sha256", "sddl", "backup_volume", "backup", "acl")


def _locate(record: t.Any, volume: str, disks: list, partitions: list) -> tuple[str, str, str] | str:
    """(original, backup, ACL file) under today's letters, or the reason they cannot be found or used."""
    if not isinstance(record, dict) or not all(isinstance(record.get(name), str) for name in _RECORD_FIELDS):
        return f"the journal record is incomplete (it needs {', '.join(_RECORD_FIELDS)})"
    try:
        _sddl.parse(record["sddl"], record["path"]).owner_sid
    except VmrescueError as exc:
        return exc.msg
    dest = current_path(volume, record["path"], disks, partitions)
    backup = current_path(record["backup_volume"], record["backup"], disks, partitions)
    acl = current_path(record["backup_volume"], record["acl"], disks, partitions)
    if dest is None:
        return f"no attached partition with a drive letter has the volume {volume} the record names"
    if backup is None or acl is None:
        return f"no attached partition with a drive letter has the backup's volume {record['backup_volume']}"
    try:
        check_offline_target(dest, "the journaled driver", True, disks, partitions)
    except VmrescueError as exc:
        return exc.msg
    return dest, backup, acl


def restore_drivers(run_script: t.Callable, journal_path: str, check_mode: bool, diff_mode: bool) -> dict[str, t.Any]:
    read = run_script(files.driver_restore_read_script(journal_path))
    files.completed_steps(read)
    facts = target_facts(read)
    if not facts.exists:
        raise VmrescueError(f"the journal {journal_path!r} does not exist on the recovery VM: there is nothing to "
                            "restore from", journal=journal_path)
    records = _journal.driver_records(_journal.parse(facts.journal_text))
    disks, partitions = json_objects(facts.disks, "disks"), json_objects(facts.partitions, "partitions")
    items: list[dict[str, t.Any]] = []
    found: list[tuple[dict[str, t.Any], dict[str, t.Any], tuple[str, str, str]]] = []
    for key, record in sorted(records.items()):
        item = {"record": key, "path": None, "status": None, "reason": None}
        items.append(item)
        where = _locate(record, key.split("|", 1)[0], disks, partitions)
        if isinstance(where, str):
            item.update(status=COULD_NOT, reason=where)
        else:
            item["path"] = where[0]
            found.append((item, record, where))

    puts: list[tuple[dict[str, t.Any], dict[str, t.Any], tuple[str, str, str]]] = []
    if found:
        state = files.completed_steps(run_script(files.driver_state_script([where for _i, _r, where in found])))
        for index, (item, record, (dest, backup, acl)) in enumerate(found):
            now = files.parse_file_probe(dest, state[f"dest.{index}"])
            sddl_now = files.parse_sddl(state[f"sddl.{index}"], dest)
            saved = files.parse_file_probe(backup, state[f"backup.{index}"])
            saved_acl = files.parse_file_probe(acl, state[f"acl.{index}"])
            item.update(before={"sha256": now.sha256, "sddl": sddl_now},
                        after={"sha256": record["sha256"], "sddl": record["sddl"]})
            if _matches(record, now, sddl_now, dest):
                item["status"] = ALREADY_ORIGINAL
            elif not now.exists:
                item.update(status=COULD_NOT, reason=f"{dest} does not exist")
            elif not saved.exists or saved.sha256 != record["sha256"]:
                item.update(status=COULD_NOT, reason=f"the backup {backup} is missing or is not the original "
                                                     f"(SHA-256 {record['sha256']})")
            elif not saved_acl.exists or not saved_acl.size:
                item.update(status=COULD_NOT, reason=f"the saved DACL {acl} is missing")
            else:
                item["status"] = WOULD_RESTORE
                puts.append((item, record, (dest, backup, acl)))

    if puts and not check_mode:
        done = run_script(files.driver_restore_script(
            [(backup, dest, acl, _sddl.parse(record["sddl"], dest).owner_sid)
             for _item, record, (dest, backup, acl) in puts]))
        steps = files.completed_steps(done)
        for number, (item, record, _where) in enumerate(puts):
            prefix = f"r{number}."
            failed = [f"{step} exit code {files.failed_native(done, prefix + step)}"
                      for step in ("takeown", "grant", "dacl", "owner")
                      if files.failed_native(done, prefix + step) is not None]
            sddl_now = files.parse_sddl(steps.get(prefix + "sddl", []), item["path"])
            digest = files.parse_hash(steps.get(prefix + "hash", []), item["path"])
            probe = files.FileProbe(item["path"], digest is not None, sha256=digest)
            if _matches(record, probe, sddl_now, item["path"]):
                item["status"] = RESTORED
            else:
                item.update(status=COULD_NOT, reason=f"after the restore it has SHA-256 {digest} and SDDL {sddl_now}"
                            + (f" (icacls/takeown {', '.join(failed)})" if failed else ""))

    counts = {status: sum(1 for item in items if item["status"] == status)
              for status in (RESTORED, ALREADY_ORIGINAL, COULD_NOT, WOULD_RESTORE)}
    result: dict[str, t.Any] = {
        "changed": bool(puts), "records": items, "restored": counts[RESTORED] + counts[WOULD_RESTORE],
        "already_original": counts[ALREADY_ORIGINAL], "could_not": counts[COULD_NOT],
    }
    if diff_mode:
        result["diff"] = [{"before_header": item["path"] or item["record"],
                           "after_header": item["path"] or item["record"],
                           "before": item.get("before", {}), "after": item.get("after", {})} for item in items]
    if counts[COULD_NOT]:
        reasons = "; ".join(f"{item['path'] or item['record']}: {item['reason']}"
                            for item in items if item["status"] == COULD_NOT)
        raise VmrescueError(f"{counts[COULD_NOT]} journaled driver(s) could not be restored: {reasons}", **result)
    return result
