# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the run lock on the broken disk (offline_lock): what the lock file says and what to do about it.

One run at a time per broken disk: two runs that read, amend and write the same journal would lose records. The lock
is a small JSON file on the broken disk (by default ``<windows drive>\\vmrescue\\lock.json``), created with
``New-Item`` without ``-Force``, which fails when the file exists, so of two runs only one can create it. It names
its owner (controller host, run id, start time) and an expiry: a run killed without releasing it blocks the disk only
until then; the next run takes an expired lock over, with a warning. Times are the controller's clock (UTC).

Taking over an expired lock must also be exclusive: the run first creates a marker named after the expired lock's
content (``lock.json.takeover-<sha256 prefix>``) without ``-Force``. Only the run that creates it replaces the
lock; a second run that found the same expired lock fails to create the marker and reads the lock again. Markers
are left in place, so a run that read the expired lock long ago can never use it to remove a newer lock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import ntpath
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

FORMAT = 1
TAKEN, OURS, HELD, EXPIRED = "take", "ours", "held", "expired"


@dataclasses.dataclass(frozen=True)
class LockOwner:
    controller: str
    run_id: str
    started: str            # ISO 8601 UTC
    expires: str            # ISO 8601 UTC
    purpose: str = ""

    def as_dict(self) -> dict[str, t.Any]:
        return {"format": FORMAT, **dataclasses.asdict(self)}

    def render(self) -> str:
        """The file's text: one line of ASCII JSON (non-ASCII escaped), so no encoding question can arise."""
        return json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=True)

    def describe(self) -> str:
        what = f" ({self.purpose})" if self.purpose else ""
        return (f"run {self.run_id}{what} from controller {self.controller}, started {self.started}, "
                f"expires {self.expires}")


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: t.Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def new_owner(controller: str, run_id: str, now: dt.datetime, expires_after_s: int, purpose: str = "") -> LockOwner:
    return LockOwner(controller, run_id, utc_text(now), utc_text(now + dt.timedelta(seconds=expires_after_s)), purpose)


def parse(text: str, path: str) -> LockOwner:
    """The owner a lock file names. An unreadable lock is never taken over: a person must look at it."""
    try:
        data = json.loads(text.strip().lstrip("\ufeff"))
    except ValueError:
        data = None
    fields = ("controller", "run_id", "started", "expires")
    if (not isinstance(data, dict) or data.get("format") != FORMAT
            or not all(isinstance(data.get(name), str) for name in fields)
            or parse_time(data["started"]) is None or parse_time(data["expires"]) is None):
        raise VmrescueError(
            f"the run lock {path} cannot be read as a vmrescue lock (format {FORMAT}); it is left untouched. "
            "If no other run is working on this disk, delete the file and run again.", lock_text=text[:2000])
    purpose = data.get("purpose") if isinstance(data.get("purpose"), str) else ""
    return LockOwner(data["controller"], data["run_id"], data["started"], data["expires"], purpose)


def state_of(current: LockOwner | None, run_id: str, now: dt.datetime) -> str:
    """TAKEN (no lock), OURS (this run holds it), EXPIRED (another run's, past its expiry) or HELD."""
    if current is None:
        return TAKEN
    if current.run_id == run_id:
        return OURS
    expires = parse_time(current.expires)
    return EXPIRED if expires is not None and expires <= now else HELD


def takeover_marker(lock_path: str, expired_text: str) -> str:
    """The marker whose exclusive creation entitles one run to replace this particular expired lock."""
    digest = hashlib.sha256(expired_text.encode("utf-8")).hexdigest()[:16]
    return f"{lock_path}.takeover-{digest}"


def lock_folder(lock_path: str) -> str:
    return ntpath.dirname(lock_path)


def check_lock_path(path: str) -> str:
    """An absolute drive-letter path of a file in a folder (not a drive root), without '.' or '..' parts."""
    drive, rest = ntpath.splitdrive(path)
    parts = rest.replace("/", "\\").split("\\")
    if (len(drive) != 2 or not drive[0].isascii() or not drive[0].isalpha() or not rest.startswith(("\\", "/"))
            or len(parts) < 3 or any(p in ("", ".", "..") for p in parts[1:])):
        raise VmrescueError(f"path {path!r} must be an absolute path of a file in a folder on a drive letter, "
                            "such as F:\\vmrescue\\lock.json (no share, no '.' or '..' part)")
    return drive.upper() + "\\".join(parts)


def held_message(path: str, owner: LockOwner, waited_s: float) -> str:
    waited = f" after waiting {int(waited_s)} s" if waited_s else ""
    return (f"the broken disk is locked by another run{waited}: {owner.describe()} (lock file {path}). Wait for it "
            "to finish, or, if that run is dead, delete the lock file or wait until it expires.")
