# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE (controller side): the fleet report's shape, built once: one record per host, and the report of a run.

The playbook hands each host's registered results to ``host_record`` and the hosts' records to ``fleet_report``;
the same report goes to ``set_stats``, to ``report.json`` (schema: docs/report.schema.json) and to ``report.html``.
Values are copied into plain Python types, so the report serialises the same whatever Ansible wrapped them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

REPORT_FORMAT = 1
PLAYBOOK = "vmrescue.windows.critical_service_repair"
STATUSES = ("done", "failed", "unreachable")
UNREACHABLE_MESSAGE = ("no result from this host: it was unreachable, or it stopped before the first phase "
                       "(see the PLAY RECAP)")
UNREACHABLE_NEXT = ("Check that the recovery VM is running and that WinRM answers (address, port, credentials), "
                    "then run the playbook again for it (--limit <host>).")
CHECK_MODE_NEXT = "Run again without --check to make these changes."
CHECK_MODE_NOTHING_NEXT = "Nothing to do: every setting asked for is already in place."


class ReportInputError(VmrescueError):
    """The playbook handed the report something that is not a host's results: a bug in the playbook."""


def _text(value) -> str | None:
    return None if value is None or value == "" else str(value)


def _mapping(value, what: str) -> Mapping:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ReportInputError(f"fleet report: {what} must be a dict, got {type(value).__name__}")
    return value


def _texts(value, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ReportInputError(f"fleet report: {what} must be a list, got {type(value).__name__}")
    return [str(item) for item in value]


def _changes(steps: Mapping) -> list[dict]:
    """Each area whose step ran (a registered result that was not skipped), and whether it changed the disk."""
    changes = []
    for area, result in steps.items():
        result = _mapping(result, f"the result of step '{area}'")
        if "changed" not in result or result.get("skipped"):
            continue
        changes.append({"area": str(area), "changed": bool(result["changed"])})
    return changes


def _suspect(suspect: Mapping) -> dict:
    return {"service": str(suspect.get("service", "")), "file": _text(suspect.get("file"))}


def _number(value, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ReportInputError(f"fleet report: {what} must be a number, got {value!r}") from None


def _diagnosis(diagnosis: Mapping) -> dict | None:
    if not diagnosis:
        return None
    bugcheck = _mapping(diagnosis.get("bugcheck"), "the diagnosis bugcheck")
    recommendation = _mapping(diagnosis.get("recommendation"), "the diagnosis recommendation")
    return {
        "bugcheck": _text(bugcheck.get("bugcheck_name")),
        "suspects": [_suspect(_mapping(suspect, "a suspect")) for suspect in diagnosis.get("suspects") or ()],
        "recommendation": _text(recommendation.get("text")),
    }


def _next_step(given, status: str, check_mode: bool, changes: list[dict]) -> str:
    if given:
        return " ".join(str(given).split())     # the playbook's text is folded YAML: one line here
    if check_mode and status == "done":
        return CHECK_MODE_NEXT if any(change["changed"] for change in changes) else CHECK_MODE_NOTHING_NEXT
    return ""


def host_record(outcome, host, *, steps=None, target=None, backup=None, diagnosis=None, check_mode=False,
                next_step=None, run_id=None) -> dict:
    """The record of a host that ran the play: ``outcome`` is its ``vmrescue_outcome``, ``steps`` the playbook's map
    {area: registered result}, ``target`` ``vmrescue_target``, ``backup`` ``vmrescue_backup``."""
    outcome = _mapping(outcome, "vmrescue_outcome")
    status = outcome.get("status")
    if status not in ("done", "failed"):
        raise ReportInputError(f"fleet report: vmrescue_outcome of {host} has status {status!r}, not done or failed")
    target = _mapping(target, "vmrescue_target")
    backup = _mapping(backup, "vmrescue_backup")
    changes = _changes(_mapping(steps, "the steps"))
    failed = status == "failed"
    disk = None
    if target:
        disk = {"windows_drive": _text(target.get("windows_drive")),
                "disk_number": _number(target.get("disk_number"), "vmrescue_target.disk_number"),
                "generation": _number(target.get("generation"), "vmrescue_target.generation"),
                "bcd_store": _text(target.get("bcd_store"))}
    # In check mode nothing is copied: the path is where the backup would go.
    backup_path = _text(backup.get("path")) or (_text(target.get("backup_dir")) if backup and check_mode else None)
    return {
        "host": str(host),
        "status": status,
        "failed_phase": _text(outcome.get("failed_phase")) if failed else None,
        "failed_task": _text(outcome.get("failed_task")) if failed else None,
        "message": _text(outcome.get("message")) if failed else None,
        "phases": _texts(outcome.get("phases") or [], "vmrescue_outcome.phases"),
        "check_mode": bool(check_mode),
        "changes": changes,
        "disk": disk,
        "backup_path": backup_path,
        "journal_path": _text(target.get("journal")),
        "diagnosis": _diagnosis(_mapping(diagnosis, "vmrescue_diagnosis")),
        "next_step": _next_step(next_step, status, bool(check_mode), changes),
        "run_id": _text(run_id),
    }


def unreachable_record(host, *, check_mode=False) -> dict:
    """The record of a host that left the play without a result (it has no facts to read)."""
    return {"host": str(host), "status": "unreachable", "failed_phase": None, "failed_task": None,
            "message": UNREACHABLE_MESSAGE, "phases": [], "check_mode": bool(check_mode), "changes": [],
            "disk": None, "backup_path": None, "journal_path": None, "diagnosis": None,
            "next_step": UNREACHABLE_NEXT, "run_id": None}


def fleet_report(records, hosts, *, check_mode=False, generated_at=None) -> dict:
    """The report of every host in ``hosts`` (``ansible_play_hosts_all``, in that order): its record when it has one,
    else an unreachable record."""
    hosts = _texts(hosts, "the play's hosts")
    by_host = {}
    for record in records or ():
        record = _mapping(record, "a host record")
        if record.get("status") not in STATUSES or "host" not in record:
            raise ReportInputError(f"fleet report: {dict(record)!r} is not a host record")
        by_host[str(record["host"])] = dict(record)
    stray = sorted(set(by_host) - set(hosts))
    if stray:
        raise ReportInputError(f"fleet report: records of hosts outside the play: {', '.join(stray)}")
    ordered = [by_host.get(host) or unreachable_record(host, check_mode=check_mode) for host in hosts]
    by_status = {status: [r["host"] for r in ordered if r["status"] == status] for status in STATUSES}
    return {
        "format": REPORT_FORMAT,
        "playbook": PLAYBOOK,
        "generated_at": _text(generated_at),
        "check_mode": bool(check_mode),
        "totals": {"hosts": len(ordered), **{status: len(names) for status, names in by_status.items()}},
        "by_status": by_status,
        "hosts": ordered,
    }
