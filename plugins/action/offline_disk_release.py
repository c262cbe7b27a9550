# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_disk_release: put back every temporary change offline_disk_info made.

The temporary drive letters (given as ``temporary_letters`` and/or named by the record of temporary changes on the
recovery VM, _temporary_changes) and a temporary identity of the recovery VM's own disk: the attached disk that
came online thanks to it is taken offline again, the original identity is put back, and both are verified before
success is reported; then the record is deleted. Safe to call always (also after a failure): a letter already gone
is left alone, a letter that now belongs to another partition is never removed, and with nothing to put back it
sends one read-only command.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _bcd_devices as bcd_devices
from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_disk as catalogue
from ansible_collections.vmrescue.windows.plugins.module_utils import _disk_discovery as discovery
from ansible_collections.vmrescue.windows.plugins.module_utils import _temporary_undo as undo
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import listed_store, read_store
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import target_facts
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_target_path, json_objects
from ansible_collections.vmrescue.windows.plugins.module_utils._volume_identity import locate, volume_identity
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "temporary_letters": {
            "type": "list", "elements": "dict", "default": [],
            "options": {
                "drive": {"type": "str", "required": True},
                "disk_number": {"type": "int", "required": True},
                "partition_number": {"type": "int", "required": True},
            },
        },
        "bcd_store": {"type": "str"},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        wanted = [catalogue.AccessPath(e["disk_number"], e["partition_number"],
                                       discovery.normalize_drive(e["drive"], "temporary_letters.drive")[0])
                  for e in params["temporary_letters"]]
        devices, unreadable = None, None
        if params["bcd_store"]:
            try:
                devices = self._check_devices(params["bcd_store"])
            except VmrescueError as error:      # the temporary changes are put back all the same
                unreadable = error.msg
        before = self.run_script(catalogue.partitions_script())
        record = catalogue.read_record(before)
        plan = undo.plan_undo(record, self._layout(before), wanted)
        result = {"changed": plan.needed, "released": [a.as_dict() for a in plan.letters],
                  "already_released": [a.as_dict() for a in plan.already_released],
                  "identity_restored": plan.restore.as_dict() if plan.restore else None,
                  "disk_taken_offline": plan.take_offline, "bcd_devices": devices}
        if not (self.check_mode or (not plan.needed and record.empty)):
            self._put_back(plan, record, result)
        if unreadable is not None:
            raise VmrescueError(f"the device elements of {params['bcd_store']} could not be checked: {unreadable}",
                                **result)
        if devices is not None and (devices["unresolved"] or not devices["resolved"]):
            names = ", ".join(f"{e['object']} {e['element']} ({e['volume'] or 'not a partition'})"
                              for e in devices["unresolved"]) or "none names a partition"
            raise VmrescueError(f"the device elements of {params['bcd_store']} do not all name partitions of the disk "
                                f"that holds it: {names}. The disk would not find its boot device; compare them with "
                                "Get-Disk/Get-Partition before detaching it.", **result)
        return result

    def _put_back(self, plan: undo.UndoPlan, record, result: dict[str, t.Any]) -> None:
        after = self.run_script(catalogue.release_script(plan.letters, plan.take_offline, plan.restore,
                                                         forget_record=not record.empty))
        layout = self._layout(after)
        problems = undo.problems_after(plan, layout)
        if problems or (not record.empty and not after.ran("forget")):
            still = [a.as_dict() for a in undo.letters_still(plan, layout)]
            raise VmrescueError("the temporary changes could not all be put back: "
                                f"{'; '.join(problems) or 'a step failed'}. The record of them stays on the recovery "
                                "VM; run offline_disk_release (or the release role) again.",
                                **{**result, "not_released": still, "released": [
                                    a.as_dict() for a in plan.letters if a.as_dict() not in still]},
                                stderr=after.stderr)

    def _check_devices(self, store: str) -> dict[str, list[dict[str, t.Any]]]:
        """One read of the store (and of the disks): which device/osdevice elements name the store's own disk."""
        check_target_path(store, "bcd_store")
        result = self.run_script(read_store(store, None))
        facts = target_facts(result)
        disks, partitions = json_objects(facts.disks), json_objects(facts.partitions)
        location = locate(store, "bcd_store", disks, partitions)
        bcd, _outcome = listed_store(result, "", store)
        disk = next(d for d in disks if d.get("Number") == location.disk_number)
        volumes = {volume_identity(disk, p) for p in partitions if p.get("DiskNumber") == location.disk_number}
        return bcd_devices.check(bcd, volumes - {None})

    @staticmethod
    def _layout(result) -> discovery.Layout:
        if any(result.step(name) is None or not result.step(name).completed for name in ("disks", "partitions")):
            raise VmrescueError("the recovery VM did not list its disks and partitions", stderr=result.stderr)
        return catalogue.read_layout(result)
