# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_disk_info: find the attached Windows volume and its BCD store.

Commands: disk discovery (read); when needed, bring disks online and discover again; then the chosen volume's facts
(hives, BCD store, dump files), in the same command that gives the boot partition a temporary letter when it has none.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_disk as catalogue
from ansible_collections.vmrescue.windows.plugins.module_utils import _disk_discovery as discovery
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "windows_drive": {"type": "str"},
        "bcd_store": {"type": "str"},
        "disk_number": {"type": "int"},
        "bring_online": {"type": "bool", "default": True},
        "assign_esp_letter": {"type": "bool", "default": True},
    }

    def _discover(self) -> tuple[discovery.Layout, dict[str, bool]]:
        return catalogue.read_discovery(self.run_script(catalogue.discovery_script()))

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        windows_drive = discovery.normalize_drive(params["windows_drive"]) if params["windows_drive"] else None
        disk_number = params["disk_number"]
        skipped: list[str] = []          # changes check mode did not make
        brought_online: list[int] = []

        layout, probe = self._discover()
        selection = discovery.select_windows_volume(layout, probe, windows_drive=windows_drive, disk_number=disk_number)
        to_prepare = discovery.disks_to_prepare(layout, selection.windows, disk_number)
        if to_prepare and params["bring_online"]:
            numbers = [disk.number for disk in to_prepare]
            if self.check_mode:
                skipped.append(f"bring disk(s) {numbers} online and writable")
            else:
                self._prepare(to_prepare)
                brought_online = numbers
                layout, probe = self._discover()
                selection = discovery.select_windows_volume(layout, probe, windows_drive=windows_drive,
                                                            disk_number=disk_number)
        base = {
            "changed": bool(skipped or brought_online), "brought_online": brought_online,
            "skipped_in_check_mode": skipped, "candidates": selection.candidates, "ignored": selection.ignored,
            "disks": [disk.as_dict() for disk in layout.disks], "temporary_letters": [],
            "recovery_vm_generation": layout.recovery_vm_generation(),
        }
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
        return self._facts(params, layout, selection.windows, base)

    def _prepare(self, disks: list[discovery.Disk]) -> None:
        result = self.run_script(catalogue.prepare_disks_script([(d.number, d.offline, d.read_only) for d in disks]))
        after = {d["Number"]: d for d in discovery.parse_json_objects(result.step("disks").text, "disks")}
        failed = [d.number for d in disks if after.get(d.number, {}).get("IsOffline") or
                  after.get(d.number, {}).get("IsReadOnly")]
        if failed:
            raise VmrescueError(f"disk(s) {failed} could not be brought online and writable", stderr=result.stderr)

    def _facts(self, params: dict[str, t.Any], layout: discovery.Layout, windows: discovery.Partition,
               base: dict[str, t.Any]) -> dict[str, t.Any]:
        drive = windows.drive
        assign: catalogue.AccessPath | None = None
        location = discovery.boot_location(layout, windows) if not params["bcd_store"] else None
        if params["bcd_store"]:
            bcd_paths = [self._checked_store(layout, params["bcd_store"])]
        elif location.partition.letter:
            bcd_paths = [location.store_on(location.partition.letter)]
        elif not params["assign_esp_letter"]:
            bcd_paths = []
            base.setdefault("warnings", []).append(
                f"partition {location.partition.number} of disk {windows.disk_number} holds the BCD store but has no "
                "drive letter; set assign_esp_letter: true or bcd_store")
        elif self.check_mode:
            bcd_paths = []
            base["changed"] = True
            base["skipped_in_check_mode"].append(
                f"give partition {location.partition.number} of disk {windows.disk_number} a temporary drive letter")
        else:
            assign = catalogue.AccessPath(windows.disk_number, location.partition.number, discovery.free_letter(layout))
            bcd_paths = [location.store_on(assign.letter)]
        fallback = f"{drive}\\{discovery.BIOS_BCD}"
        if location is not None and location.generation == 1 and fallback not in bcd_paths:
            bcd_paths.append(fallback)      # Gen1 stores sometimes live on the Windows volume itself

        result = self.run_script(catalogue.volume_facts_script(drive, bcd_paths, assign))
        facts = catalogue.read_volume_facts(result, bcd_paths, assign)
        if assign is not None:
            if facts.assigned_letter != assign.letter:
                raise VmrescueError(f"partition {assign.partition_number} of disk {assign.disk_number} did not get "
                                    f"the drive letter {assign.letter}:", **base)
            base["changed"] = True
            base["temporary_letters"] = [assign.as_dict()]
        bcd_store = next((path for path in bcd_paths if facts.bcd.get(path)), None)
        if params["bcd_store"] and bcd_store is None:
            raise VmrescueError(f"bcd_store {params['bcd_store']} does not exist on the recovery VM", **base)
        if bcd_paths and bcd_store is None:
            raise VmrescueError(f"no BCD store was found on disk {windows.disk_number} (looked at "
                                f"{', '.join(bcd_paths)}); set bcd_store", **base)
        if not facts.system_hive:
            raise VmrescueError(f"{drive}\\{discovery.SYSTEM_HIVE} disappeared during discovery", **base)
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
            "software_hive": f"{drive}\\{discovery.SOFTWARE_HIVE}" if facts.software_hive else None,
            "dump_files": discovery.dump_files(facts.memory_dump_json, facts.minidump_json),
        }

    @staticmethod
    def _checked_store(layout: discovery.Layout, store: str) -> str:
        letter = discovery.drive_of_path(store)
        if letter is None:
            raise VmrescueError(f"bcd_store {store!r} must be an absolute drive-letter path such as S:\\EFI\\Microsoft"
                                "\\Boot\\BCD")
        part = layout.partition_with_letter(letter)
        if part is None:
            raise VmrescueError(f"bcd_store {store}: drive {letter}: does not exist on the recovery VM")
        if layout.protected(part):
            raise VmrescueError(f"refusing bcd_store {store}: drive {letter}: belongs to the recovery VM's own system")
        return store
