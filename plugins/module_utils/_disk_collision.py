# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: plan how a disk whose identity collides comes online without Windows re-signing it.

What Windows does (VDS_DISK_OFFLINE_REASON, learn.microsoft.com/windows/win32/api/vds/ne-vds-vds_disk_offline_reason):
a disk is offline with reason Collision (4) when its MBR signature equals that of another online disk, or (GPT)
its disk GUID equals another disk's, or two of its partitions share a partition GUID. Bringing it online gives it a
new signature/GUID; the disk's own BCD ``device``/``osdevice`` elements name the old one, so the repaired VM no
longer finds its boot device (gce-rescue PR #149, 0xc000000e).

What the collection does instead, after Azure/repair-script-library win-LKGC.ps1 1.3 (PR #137): give the
*disposable* recovery VM's own disk a temporary identity, so the broken disk no longer collides and comes online
with its identity intact; at the end take the broken disk offline again and put the recovery VM's identity back,
verified. (win-LKGC 1.3 does this for GPT; for MBR it gives the *source* disk a temporary signature. This
collection never writes the customer's disk's identity, so it uses the recovery VM's disk for MBR too.) Rewriting
the BCD device elements instead was judged unsafe in gce-rescue PR #149 (BitLocker recovery, custom entries lost).

Where only the customer's disks could be changed (it collides with another attached disk, or with nothing Windows
lists, as duplicate partition GUIDs), the run stops before any write and says to use a recovery VM from another
image, as gce-rescue does.
"""

from __future__ import annotations

import secrets
import typing as t
import uuid

from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import Disk, Layout
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import IdentityChange

OFFLINE_REASON_COLLISION = 4
ANOTHER_IMAGE = ("Create the recovery VM from an image of another family (for example another Windows Server "
                 "version from the marketplace, whose disk carries another signature and GUID), attach the disk "
                 "there and run again.")


def identity(disk: Disk) -> int | str | None:
    """The disk's identity as Get-Disk shows it: MBR signature (number) or GPT GUID (``{…}``); None without one."""
    if disk.partition_style == "MBR" and isinstance(disk.signature, int) and disk.signature:
        return disk.signature
    if disk.partition_style == "GPT" and isinstance(disk.guid, str) and disk.guid.strip("{} "):
        return "{" + disk.guid.strip("{} ").upper() + "}"
    return None


def same_identity(a: int | str | None, b: int | str | None) -> bool:
    if a is None or b is None:
        return False
    return str(a).lower() == str(b).lower()


def describe(value: int | str) -> str:
    return f"signature {value:08X}" if isinstance(value, int) else f"GUID {value}"


def _reported_collision(disk: Disk) -> bool:
    return disk.offline_reason in (OFFLINE_REASON_COLLISION, "Collision")


def would_be_resigned(layout: Layout, disk: Disk) -> bool:
    """Onlining this offline disk would make Windows change its identity."""
    return disk.offline and (_reported_collision(disk) or bool(_online_twins(layout, disk)))


def _online_twins(layout: Layout, disk: Disk) -> list[Disk]:
    return [other for other in layout.disks
            if other.number != disk.number and not other.offline and same_identity(identity(other), identity(disk))]


def plan(layout: Layout, to_prepare: t.Sequence[Disk]) -> IdentityChange | None:
    """The temporary identity change that lets the colliding disk among ``to_prepare`` come online intact.

    None when none would be re-signed; VmrescueError when the collision cannot be resolved without touching a
    customer's disk.
    """
    colliding = [disk for disk in to_prepare if would_be_resigned(layout, disk)]
    if not colliding:
        return None
    if len(colliding) > 1:
        names = ", ".join(f"disk {d.number}" for d in colliding)
        raise VmrescueError(f"{names} would all get a new identity when brought online; only one colliding disk can "
                            f"be brought online intact per run. Attach one at a time, or set disk_number. Nothing was "
                            "changed.")
    disk = colliding[0]
    value = identity(disk)
    twins = _online_twins(layout, disk)
    own = [twin for twin in twins if twin.recovery_vm_own]
    offline_twins = [other for other in layout.disks if other.number != disk.number and other.offline
                     and same_identity(identity(other), value)]
    if value is None or not own or len(twins) != len(own) or offline_twins:
        with_what = (", ".join(f"disk {d.number}" for d in twins + offline_twins) if twins or offline_twins
                     else "no other disk Windows lists (duplicate partition GUIDs on the disk itself?)")
        raise VmrescueError(
            f"disk {disk.number} is offline because its identity collides with {with_what}. Bringing it online "
            "would make Windows give it a new signature/GUID, and its BCD device elements would no longer find its "
            "boot partition; that cannot be avoided by changing only the recovery VM's own disk. " + ANOTHER_IMAGE
            + " Nothing was changed.", disk_number=disk.number)
    return IdentityChange(disk_number=own[0].number, style=disk.partition_style, original=identity(own[0]),
                          temporary=_temporary_identity(layout, disk.partition_style),
                          attached_disk_number=disk.number, attached_identity=value)


def _temporary_identity(layout: Layout, style: str) -> int | str:
    taken = {str(identity(disk)).lower() for disk in layout.disks}
    while True:
        value: int | str = (secrets.randbits(32) if style == "MBR"
                            else "{" + str(uuid.uuid4()).upper() + "}")
        if value and str(value).lower() not in taken:
            return value


def check_mode_report(change: IdentityChange) -> str:
    """What a real run would do, and why (check mode changes no disk's identity)."""
    return (f"disk {change.attached_disk_number} is offline because its {describe(change.attached_identity)} "
            f"collides with the recovery VM's own disk {change.disk_number}; bringing it online now would make "
            "Windows give it a new identity, and its BCD device elements would no longer find it. A real run gives "
            f"disk {change.disk_number} a temporary {describe(change.temporary).split(' ')[0]}, brings disk "
            f"{change.attached_disk_number} online with its identity unchanged, and puts both back at release")
