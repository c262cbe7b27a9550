# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.bcd: read the store (one command), plan, write and verify (one command)."""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_plan import BcdPlan, mismatches, plan
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import (
    VERIFY, command_lines, listed_store, read_store, write_store,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import first_failed_change, target_facts
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target, json_objects
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "store": {"type": "str", "required": True},
        "objects": {"type": "list", "elements": "dict", "required": True},
        "journal": {"type": "str"},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        store_path, journal_path = params["store"], params["journal"]
        read = self.run_script(read_store(store_path, journal_path))
        facts = target_facts(read)
        check_offline_target(store_path, "BCD store", facts.exists, json_objects(facts.disks),
                             json_objects(facts.partitions))
        before, outcome = listed_store(read, "", store_path)
        warnings = outcome.warnings(store_path)
        journal = _journal.parse(facts.journal_text) if journal_path else None
        the_plan = plan(before, params["objects"])
        changes = the_plan.bcdedit_changes()
        out: dict[str, t.Any] = {"changed": bool(changes), "bcdedit_commands": [], "warnings": warnings}
        after = None
        if changes and not self.check_mode:
            journal_text = self._journal_text(journal, store_path, the_plan) if journal is not None else None
            written = self.run_script(write_store(store_path, changes, journal_path, journal_text))
            out["bcdedit_commands"] = command_lines(store_path, changes)
            failed = first_failed_change(written, len(changes))
            after, verify_outcome = listed_store(written, VERIFY, store_path)
            warnings.extend(verify_outcome.warnings(store_path))
            if failed is not None:
                number, step = failed
                raise VmrescueError(
                    f"bcdedit failed (exit code {step.rc}) on: {out['bcdedit_commands'][number - 1]}; the changes "
                    "after it were not made", output=step.lines, objects=the_plan.report(before, after), **out)
            problems = mismatches(the_plan, after)
            if problems:
                raise VmrescueError("the store does not show the planned values after bcdedit: " + "; ".join(problems),
                                    objects=the_plan.report(before, after), **out)
        out["objects"] = the_plan.report(before, after if changes and not self.check_mode else None)
        if self.diff_mode:
            out["diff"] = {"before": {o["id"]: o["before"] for o in out["objects"]},
                           "after": {o["id"]: o["after"] for o in out["objects"]}}
        return out

    @staticmethod
    def _journal_text(journal: dict[str, t.Any], store_path: str, the_plan: BcdPlan) -> str | None:
        """The journal with the originals of every element about to change (None: nothing new to record)."""
        added = False
        for change in the_plan.changes:
            raw = the_plan.object(change.guid).elements.get(change.ref.code)
            added |= _journal.record_bcd(journal, store_path, change.guid, change.ref.code, raw is not None,
                                         raw.reg_type if raw else None, raw.data_hex if raw else None)
        return _journal.render(journal) if added else None

