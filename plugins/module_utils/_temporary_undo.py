# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: put back what the record of temporary changes names, planned from Get-Disk/Get-Partition and verified.

Order (one command, _catalogue_disk.undo_script): remove the letters still on the partitions they were given to;
take the attached disk offline again when it is online with the identity that would collide; give the recovery VM's
own disk its original identity back. Only what still differs is changed, so the undo of an undo changes nothing,
and a run killed at any statement of the undo is finished by the next one.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._disk_collision import describe, identity, same_identity
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import Disk, Layout
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import (
    AccessPath, IdentityChange, Record,
)


@dataclasses.dataclass(frozen=True)
class UndoPlan:
    letters: tuple[AccessPath, ...]             # still on the partitions they were given to
    already_released: tuple[AccessPath, ...]
    take_offline: int | None                    # the attached disk, online with its (colliding) original identity
    restore: IdentityChange | None              # the recovery VM's own disk still has the temporary identity
    change: IdentityChange | None               # what the record names (for verification)

    @property
    def needed(self) -> bool:
        return bool(self.letters) or self.take_offline is not None or self.restore is not None


def _find(layout: Layout, number: int) -> Disk | None:
    return next((disk for disk in layout.disks if disk.number == number), None)


def _letters_now(layout: Layout) -> dict[tuple[int, int], str | None]:
    return {(p.disk_number, p.number): p.letter for p in layout.partitions}


def plan_undo(record: Record, layout: Layout, extra_letters: t.Sequence[AccessPath] = ()) -> UndoPlan:
    wanted = list(dict.fromkeys(tuple(record.letters) + tuple(extra_letters)))
    now = _letters_now(layout)
    letters = tuple(a for a in wanted if now.get((a.disk_number, a.partition_number)) == a.letter)
    gone = tuple(a for a in wanted if a not in letters)
    change = record.identity
    if change is None:
        return UndoPlan(letters, gone, None, None, None)
    own = _find(layout, change.disk_number)
    if own is None or not own.recovery_vm_own:
        raise VmrescueError(f"the record of temporary changes names disk {change.disk_number} as the recovery VM's "
                            "own disk, but it is not; put its identity back by hand "
                            f"({describe(change.original)}) and delete the record")
    current = identity(own)
    if same_identity(current, change.original):
        restore = None
    elif same_identity(current, change.temporary):
        restore = change
    else:
        raise VmrescueError(f"the recovery VM's disk {own.number} has {describe(current) if current else 'no identity'}"
                            f", neither its original {describe(change.original)} nor the temporary "
                            f"{describe(change.temporary)} this collection gave it; refusing to guess")
    attached = _find(layout, change.attached_disk_number)
    take_offline = (attached.number if attached is not None and not attached.offline
                    and same_identity(identity(attached), change.attached_identity) else None)
    return UndoPlan(letters, gone, take_offline, restore, change)


def letters_still(plan: UndoPlan, layout: Layout) -> list[AccessPath]:
    now = _letters_now(layout)
    return [a for a in plan.letters if now.get((a.disk_number, a.partition_number)) == a.letter]


def problems_after(plan: UndoPlan, layout: Layout) -> list[str]:
    """What the undo did not achieve, from Get-Disk/Get-Partition read after it (empty: all put back)."""
    problems = [f"the drive letter {a.letter}: is still on partition {a.partition_number} of disk {a.disk_number}"
                for a in letters_still(plan, layout)]
    change = plan.change
    if change is None:
        return problems
    own = _find(layout, change.disk_number)
    if own is None or not same_identity(identity(own), change.original):
        problems.append(f"the recovery VM's disk {change.disk_number} did not get its {describe(change.original)} "
                        "back")
    attached = _find(layout, change.attached_disk_number)
    if plan.take_offline is not None and attached is not None and not attached.offline:
        problems.append(f"disk {attached.number} is still online")
    if attached is not None and identity(attached) is not None and \
            not same_identity(identity(attached), change.attached_identity):
        problems.append(f"disk {attached.number} no longer has its {describe(change.attached_identity)}")
    return problems
