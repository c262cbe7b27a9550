# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_disk_release: remove the temporary drive letters offline_disk_info gave.

Safe to call always (also after a failure): an empty list sends nothing, a letter already gone is left alone, and a
letter that now belongs to another partition is never removed.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_disk as catalogue
from ansible_collections.vmrescue.windows.plugins.module_utils import _disk_discovery as discovery
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "temporary_letters": {
            "type": "list", "elements": "dict", "required": True,
            "options": {
                "drive": {"type": "str", "required": True},
                "disk_number": {"type": "int", "required": True},
                "partition_number": {"type": "int", "required": True},
            },
        },
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        wanted = [catalogue.AccessPath(e["disk_number"], e["partition_number"],
                                       discovery.normalize_drive(e["drive"], "temporary_letters.drive")[0])
                  for e in params["temporary_letters"]]
        if not wanted:
            return {"changed": False, "released": [], "already_released": []}
        before = self._letters(self.run_script(catalogue.partitions_script()))
        to_remove = [a for a in wanted if before.get((a.disk_number, a.partition_number)) == a.letter]
        gone = [a.as_dict() for a in wanted if a not in to_remove]
        result = {"changed": bool(to_remove), "released": [a.as_dict() for a in to_remove], "already_released": gone}
        if not to_remove or self.check_mode:
            return result
        after = self._letters(self.run_script(catalogue.release_script(to_remove)))
        still = [a.as_dict() for a in to_remove if after.get((a.disk_number, a.partition_number)) == a.letter]
        if still:
            raise VmrescueError(f"the temporary drive letter(s) {[s['drive'] for s in still]} could not be removed",
                                **{**result, "released": [a.as_dict() for a in to_remove if a.as_dict() not in still],
                                   "not_released": still})
        return result

    @staticmethod
    def _letters(result) -> dict[tuple[int, int], str | None]:
        step = result.step("partitions")
        if step is None or not step.completed:
            raise VmrescueError("the recovery VM did not list its partitions", stderr=result.stderr)
        return {(int(p["DiskNumber"]), int(p["PartitionNumber"])): discovery.drive_letter(p.get("DriveLetter"))
                for p in discovery.parse_json_objects(step.text, "partitions")}
