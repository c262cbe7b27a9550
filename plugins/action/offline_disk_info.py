# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_disk_info: find the attached Windows volume and its BCD store.

Commands: one discovery (layout; for every drive letter the hives, BCD stores and dump files; the record of
temporary changes on the recovery VM). Only when something has to change, one more command each: put back what an
interrupted earlier run left (its record, _temporary_undo), bring disks online/writable (and read again), give the
boot partition a temporary letter (and test the store there). When no store is found after that letter was given,
one more command removes the letter again before the task fails. Check mode sends only the discovery.

A disk whose identity collides (_disk_collision) is never brought online by letting Windows re-sign it: the
recovery VM's own disk gets a temporary identity first, recorded on the recovery VM before it is made. With
``change_identities: false`` (the discover role sets it under --check) or in check mode, that is reported, not done.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_disk as catalogue
from ansible_collections.vmrescue.windows.plugins.module_utils import _disk_collision as collision
from ansible_collections.vmrescue.windows.plugins.module_utils import _disk_discovery as discovery
from ansible_collections.vmrescue.windows.plugins.module_utils import _temporary_undo as undo
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._temporary_changes import IdentityChange, Record
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "windows_drive": {"type": "str"},
        "bcd_store": {"type": "str"},
        "disk_number": {"type": "int"},
        "bring_online": {"type": "bool", "default": True},
        "assign_esp_letter": {"type": "bool", "default": True},
        "change_identities": {"type": "bool", "default": True},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        windows_drive = discovery.normalize_drive(params["windows_drive"]) if params["windows_drive"] else None
        disk_number = params["disk_number"]
        store = params["bcd_store"]
        if store is not None and discovery.drive_of_path(store) is None:
            raise VmrescueError(f"bcd_store {store!r} must be an absolute drive-letter path such as S:\\EFI\\Microsoft"
                                "\\Boot\\BCD")
        skipped: list[str] = []          # changes check mode did not make
        brought_online: list[int] = []

        found = catalogue.read_discovery(self.run_script(catalogue.discovery_script(store)), store)
        put_back: dict[str, t.Any] = {}
        if not found.record.empty:
            report_only = self.check_mode or not params["change_identities"]
            found, put_back = self._put_back(found, store, skipped, report_only)
        selection = discovery.select_windows_volume(found.layout, found.has_system_hive, windows_drive=windows_drive,
                                                    disk_number=disk_number)
        to_prepare = discovery.disks_to_prepare(found.layout, selection.windows, disk_number)
        change = None
        if to_prepare and params["bring_online"]:
            change = collision.plan(found.layout, to_prepare)       # refuses, before any write, what it cannot do
            if change is not None and (self.check_mode or not params["change_identities"]):
                skipped.append(collision.check_mode_report(change))
                to_prepare = [d for d in to_prepare if d.number != change.attached_disk_number]
                change = None
            numbers = [disk.number for disk in to_prepare]
            if self.check_mode and to_prepare:
                skipped.append(f"bring disk(s) {numbers} online and writable")
            elif to_prepare:
                found = self._prepare(to_prepare, found, store, change)
                brought_online = numbers
                selection = discovery.select_windows_volume(found.layout, found.has_system_hive,
                                                            windows_drive=windows_drive, disk_number=disk_number)
        layout = found.layout
        base = {
            "changed": bool(skipped or brought_online or put_back), "brought_online": brought_online,
            "skipped_in_check_mode": skipped, "candidates": selection.candidates, "ignored": selection.ignored,
            "disks": [disk.as_dict() for disk in layout.disks], "temporary_letters": [],
            "temporary_identity": change.as_dict() if change else None, "put_back": put_back,
            "recovery_vm_generation": layout.recovery_vm_generation(),
        }
        self._record = found.record
        if selection.windows is None:
            if skipped:
                # Check mode: the Windows volume may be on a disk that is still offline; report what would happen.
                return {**base, "windows_drive": None, "bcd_store": None, "msg": "check mode: disks would be "
                        "brought online before the Windows volume can be found"}
            offline = [d.number for d in to_prepare]
            hint = (f" Disk(s) {offline} are offline or read-only; set bring_online: true." if offline else "")
            raise VmrescueError("no attached Windows volume was found: no lettered volume outside the recovery VM's "
                                f"own disk holds \\{discovery.SYSTEM_HIVE}.{hint}", **base)
        if not brought_online and to_prepare and not params["bring_online"]:
            base["warnings"] = [f"disk {selection.windows.disk_number} is read-only; the repair cannot write to it"]
        return self._facts(params, found, selection.windows, base)

    def _put_back(self, found: catalogue.Discovery, store: str | None, skipped: list[str],
                  report_only: bool) -> tuple[catalogue.Discovery, dict[str, t.Any]]:
        """An earlier run was interrupted before it put back its temporary changes: undo them (one command that
        also runs the discovery again), verify, and start from the state before that run."""
        plan = undo.plan_undo(found.record, found.layout)
        report = {"letters": [a.as_dict() for a in plan.letters],
                  "identity": plan.restore.as_dict() if plan.restore else None, "disk_taken_offline": plan.take_offline}
        if report_only:         # putting back a disk identity is an identity change too
            if plan.needed:
                skipped.append(f"put back the temporary changes of an interrupted run: {report}")
            return found, {}
        result = self.run_script(catalogue.release_script(
            plan.letters, plan.take_offline, plan.restore, forget_record=True, bcd_store=store, then_discover=True))
        after = catalogue.read_discovery(result, store)
        problems = undo.problems_after(plan, after.layout)
        if problems or not result.ran("forget"):
            raise VmrescueError("an interrupted earlier run left temporary changes on the recovery VM that could not "
                                f"be put back: {'; '.join(problems) or 'the record was not removed'}. Nothing else "
                                "was changed.", put_back=report, stderr=result.stderr)
        return dataclasses.replace(after, record=Record()), report if plan.needed else {}

    def _prepare(self, disks: list[discovery.Disk], before: catalogue.Discovery,
                 store: str | None, change: IdentityChange | None = None) -> catalogue.Discovery:
        """Bring the disks online and writable in one command that also reads again what that changed; a colliding
        disk only after the recovery VM's own disk got its recorded temporary identity."""
        record = dataclasses.replace(before.record, identity=change) if change else None
        script = catalogue.prepare_disks_script([(d.number, d.offline, d.read_only) for d in disks], store,
                                                change, record)
        result = self.run_script(script)
        after = catalogue.disks_after(result)
        failed = [d.number for d in disks if d.number not in after or after[d.number].get("IsOffline")
                  or after[d.number].get("IsReadOnly")]
        if change is not None:
            self._check_identities(change, after, result.stderr)
        if failed:
            raise VmrescueError(f"disk(s) {failed} could not be brought online and writable", stderr=result.stderr)
        if result.ran("partitions"):
            return dataclasses.replace(catalogue.read_discovery(result, store), record=record or before.record)
        # Only made writable: the letters and files are as discovered, the disks' flags are new.
        layout = dataclasses.replace(before.layout, disks=catalogue.read_disks(result))
        return dataclasses.replace(before, layout=layout)

    @staticmethod
    def _check_identities(change: IdentityChange, after: dict[int, dict[str, t.Any]], stderr: str) -> None:
        """The recovery VM's disk carries the temporary identity and the attached disk its own, unchanged."""
        own, attached = (discovery.disk_from_json(after[number]) if number in after else None
                         for number in (change.disk_number, change.attached_disk_number))
        if attached is not None and not collision.same_identity(collision.identity(attached), change.attached_identity):
            raise VmrescueError(
                f"Windows gave disk {change.attached_disk_number} another identity when it came online; its BCD "
                f"device elements name its original {collision.describe(change.attached_identity)} and no longer "
                "find it. Run offline_disk_release (it puts back the recovery VM's own disk and takes this one "
                "offline), then give the disk its original identity back while it is offline (diskpart: select "
                "disk, uniqueid disk id=...) before detaching it.", temporary_identity=change.as_dict(),
                stderr=stderr)
        if own is None or not collision.same_identity(collision.identity(own), change.temporary):
            raise VmrescueError(f"the recovery VM's disk {change.disk_number} did not take the temporary "
                                f"{collision.describe(change.temporary)}; disk {change.attached_disk_number} was not "
                                "brought online intact", temporary_identity=change.as_dict(), stderr=stderr)

    def _facts(self, params: dict[str, t.Any], found: catalogue.Discovery, windows: discovery.Partition,
               base: dict[str, t.Any]) -> dict[str, t.Any]:
        layout = found.layout
        drive = windows.drive
        location = None
        if params["bcd_store"]:
            self._check_store(layout, params["bcd_store"])
            if not found.bcd_store_exists:
                raise VmrescueError(f"bcd_store {params['bcd_store']} does not exist on the recovery VM", **base)
            bcd_store = params["bcd_store"]
        else:
            location = discovery.boot_location(layout, windows)
            bcd_store = self._find_store(params, found, windows, location, base)
        probe = found.volumes[windows.letter]
        disk = layout.disk(windows.disk_number)
        return {
            **base,
            "windows_drive": drive,
            "bcd_store": bcd_store,
            "generation": location.generation if location else {"GPT": 2, "MBR": 1}.get(disk.partition_style),
            "disk_number": windows.disk_number,
            "partition_number": windows.number,
            "partitions": layout.partitions_report(windows.disk_number),
            "system_hive": f"{drive}\\{discovery.SYSTEM_HIVE}",
            "software_hive": f"{drive}\\{discovery.SOFTWARE_HIVE}" if probe.software_hive else None,
            "dump_files": list(probe.dump_files),
        }

    def _find_store(self, params: dict[str, t.Any], found: catalogue.Discovery, windows: discovery.Partition,
                    location: discovery.BootLocation, base: dict[str, t.Any]) -> str | None:
        """The store on the boot partition (given a temporary letter when it has none), else Gen1's OS-volume store."""
        looked: dict[str, bool] = {}        # path -> exists, in order of preference
        skipped = False
        if location.partition.letter:
            path = location.store_on(location.partition.letter)
            looked[path] = found.bcd_exists(path)
        elif not params["assign_esp_letter"]:
            skipped = True
            base.setdefault("warnings", []).append(
                f"partition {location.partition.number} of disk {windows.disk_number} holds the BCD store but has no "
                "drive letter; set assign_esp_letter: true or bcd_store")
        elif self.check_mode:
            skipped = True
            base["changed"] = True
            base["skipped_in_check_mode"].append(
                f"give partition {location.partition.number} of disk {windows.disk_number} a temporary drive letter")
        else:
            path, exists = self._assign(layout=found.layout, windows=windows, location=location, base=base)
            looked[path] = exists
        if location.generation == 1:
            # BIOS boots the active partition's store; on disks without System Reserved that is the OS volume's.
            on_windows_volume = f"{windows.drive}\\{discovery.BIOS_BCD}"
            looked.setdefault(on_windows_volume, found.bcd_exists(on_windows_volume))
        store = next((path for path, exists in looked.items() if exists), None)
        if store is None and not skipped:
            message = (f"no BCD store was found on disk {windows.disk_number} (looked at {', '.join(looked)}); "
                       "set bcd_store")
            if base["temporary_letters"]:
                message += self._release_after_failure(base)
            raise VmrescueError(message, **base)
        return store

    def _release_after_failure(self, base: dict[str, t.Any]) -> str:
        """Remove the letters this run gave (one command) before failing; the sentence that tells the user so."""
        given = [catalogue.AccessPath(e["disk_number"], e["partition_number"], e["drive"][0])
                 for e in base["temporary_letters"]]
        # The record goes too unless it also names a temporary identity, which the release role puts back.
        forget = self._record.identity is None
        step = self.run_script(catalogue.release_script(given, forget_record=forget)).step("partitions")
        letters = {}
        if step is not None and step.completed:
            letters = {(int(p["DiskNumber"]), int(p["PartitionNumber"])): discovery.drive_letter(p.get("DriveLetter"))
                       for p in discovery.parse_json_objects(step.text, "partitions")}
        kept = [a.as_dict() for a in given if letters.get((a.disk_number, a.partition_number), a.letter) == a.letter]
        drives = ", ".join(e["drive"] for e in base["temporary_letters"])
        base["released"] = [a.as_dict() for a in given if a.as_dict() not in kept]
        base["temporary_letters"] = kept
        if kept:
            return (f"; the temporary drive letter(s) {', '.join(k['drive'] for k in kept)} could not be removed "
                    "again: release them with offline_disk_release")
        return f"; the temporary drive letter(s) {drives} given for the search were removed again"

    def _assign(self, layout: discovery.Layout, windows: discovery.Partition, location: discovery.BootLocation,
                base: dict[str, t.Any]) -> tuple[str, bool]:
        """Give the boot partition a temporary letter (reported, for offline_disk_release); (store path, exists)."""
        assign = catalogue.AccessPath(windows.disk_number, location.partition.number, discovery.free_letter(layout))
        self._record = self._record.with_letter(assign)
        letter, exists = catalogue.read_assigned(
            self.run_script(catalogue.assign_letter_script(assign, location.relative_path, self._record)), assign)
        if letter != assign.letter:
            raise VmrescueError(f"partition {assign.partition_number} of disk {assign.disk_number} did not get "
                                f"the drive letter {assign.letter}:", **base)
        base["changed"] = True
        base["temporary_letters"] = [assign.as_dict()]
        return location.store_on(assign.letter), exists

    @staticmethod
    def _check_store(layout: discovery.Layout, store: str) -> None:
        letter = discovery.drive_of_path(store)
        part = layout.partition_with_letter(letter)
        if part is None:
            raise VmrescueError(f"bcd_store {store}: drive {letter}: does not exist on the recovery VM")
        if layout.protected(part):
            raise VmrescueError(f"refusing bcd_store {store}: drive {letter}: belongs to the recovery VM's own system")
