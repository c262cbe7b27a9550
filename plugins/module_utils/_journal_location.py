# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: where a task's file and its journal are, by volume identity; the journal's path rules; format-1 records.

Rules, checked from the read command's facts before any write:

- the journal is on the same disk as the file the task changes (same disk signature or GUID): it travels with the
  broken disk, so it can never be on the recovery VM's own disk (the file itself is refused there) or on a share;
- the file and the journal are found by ``_volume_identity.locate``; a restore then works whatever letters the disk's
  partitions have now.

A format-1 record (keyed by the recovery VM's path at the time, ``f:\\windows\\system32\\config\\system``) is taken to
be the task's file only when that can be proven from what is left: its path below the drive letter is the file's,
the file is on the journal's disk (format-1 journals were kept on the broken disk), and no other format-1 record of
the same section has that path below another letter. Anything else stays unmapped, and a restore that meets it fails
naming it.
"""

from __future__ import annotations

import dataclasses
import random
import time
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import JournalChangedError
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._volume_identity import (
    FileLocation, current_path, locate, same_disk, split_drive_path,
)


@dataclasses.dataclass(frozen=True)
class Places:
    target: FileLocation
    journal: FileLocation | None


def places(target_path: str, what: str, journal_path: str | None, disks: list[dict[str, t.Any]],
           partitions: list[dict[str, t.Any]]) -> Places:
    """Both locations; VmrescueError when the journal is not on the target's disk."""
    target = locate(target_path, what, disks, partitions)
    if not journal_path:
        return Places(target, None)
    journal = locate(journal_path, "journal", disks, partitions)
    if not same_disk(target, journal):
        raise VmrescueError(f"journal {journal_path!r} is not on the disk of the {what} {target_path!r}: the journal "
                            "must be kept on the broken disk itself (for example <windows drive>\\vmrescue\\"
                            "journal.json), so that it travels with the disk", journal=journal_path)
    return Places(target, journal)


def adopt_format1(journal: dict[str, t.Any], section: str, where: Places) -> None:
    """Move the format-1 records that provably belong to the task's file to its file key (older records win)."""
    legacy = _journal.format1_records(journal, section)
    matching = [path for path in legacy if _relative(path) == where.target.relative]
    if not matching:
        return
    if len(matching) > 1:
        raise VmrescueError(f"the journal (format 1) has records of {', '.join(sorted(matching))}: which of them is "
                            f"\\{where.target.relative} on this disk cannot be proven, so nothing was changed")
    if where.journal is None or not same_disk(where.target, where.journal):
        return
    _journal.merge_older(journal, section, where.target.key, legacy.pop(matching[0]))


def _relative(path: str) -> str | None:
    try:
        return split_drive_path(path)[1]
    except VmrescueError:
        return None


@dataclasses.dataclass
class OtherRecords:
    unmapped: list[str]         # records no attached file can be proven to be: a restore fails naming them
    elsewhere: list[str]        # records of another attached file (its path now): another task restores them


def other_records(journal: dict[str, t.Any], section: str, where: Places, disks: list[dict[str, t.Any]],
                  partitions: list[dict[str, t.Any]]) -> OtherRecords:
    """The section's records that are not the task's file, after ``adopt_format1``."""
    found = OtherRecords([f"{path} (format 1: no file on the attached disk can be proven to be it)"
                          for path in sorted(_journal.format1_records(journal, section))], [])
    for key in _journal.file_keys(journal, section):
        if key == where.target.key:
            continue
        volume, _sep, relative = key.partition("|")
        now = current_path(volume, relative, disks, partitions)
        if now is None:
            found.unmapped.append(f"{key} (no partition with that identity has a drive letter now: attach the disk "
                                  "this journal belongs to, or give its partition a letter)")
        else:
            found.elsewhere.append(now)
    return found


JOURNAL_ATTEMPTS = 8
PAUSE_S = (0.2, 1.0)        # a random pause, times the attempt number, before reading again
T = t.TypeVar("T")


def pause_before_attempt(attempt: int) -> None:
    """Two runs that retried at once would meet again: a random, growing pause lets one of them through."""
    time.sleep(random.uniform(*PAUSE_S) * (attempt - 1))


def retrying_on_journal_change(run: t.Callable[[], T]) -> T:
    """Run a task's read-plan-write again while another run wrote the journal between its read and its write.

    The write command stopped before any change each time (``journal-guard``), so a new read and plan is safe."""
    for attempt in range(1, JOURNAL_ATTEMPTS + 1):
        if attempt > 1:
            pause_before_attempt(attempt)
        try:
            return run()
        except JournalChangedError as exc:
            if attempt == JOURNAL_ATTEMPTS:
                raise VmrescueError(f"{exc.msg}, {JOURNAL_ATTEMPTS} times in a row: another run keeps writing it. "
                                    "Run one job at a time against this disk.") from None
    raise AssertionError("unreachable")


def require_known_journal(journal_path: str, journal_hash: str | None) -> None:
    """A restore needs the journal file itself (an absent one would silently restore nothing)."""
    if journal_hash is None:
        raise VmrescueError(f"journal {journal_path!r} does not exist (or is not a file), so nothing can be restored "
                            "from it: give the path of the journal that was written on this disk "
                            "(<windows drive>\\vmrescue\\journal.json)", journal=journal_path)


def require_all_restored(result: dict[str, t.Any], what: str) -> None:
    """Fail naming every record (``result["records"]``) that could not be put back; the others were restored."""
    failed = [f"{item['record']}: {item['reason']}" for item in result["records"]
              if item["status"] == _journal.COULD_NOT]
    if failed:
        raise VmrescueError(f"{len(failed)} journal record(s) of {what} could not be restored: " + "; ".join(failed),
                            **result)
