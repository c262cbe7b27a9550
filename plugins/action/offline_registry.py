# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_registry: read (one command), plan, write and verify (one command).

With ``restore_journal`` the journal is read first (its keys are only known from it), then the recorded keys.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal, _registry_restore
from ansible_collections.vmrescue.windows.plugins.module_utils import _registry_plan as rp
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    KeyQuery, command_lines, first_failed_change, mount_outcome, require_journal_written, require_loaded, target_facts,
    write_registry,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import (
    check_offline_target, check_target_path, json_objects,
)
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction

_CONTROL_SETS = {"type": "raw", "default": "current"}


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "hive": {"type": "str", "required": True},
        "control_sets": _CONTROL_SETS,
        "values": {"type": "list", "elements": "dict", "default": [], "options": {
            "key": {"type": "str", "required": True},
            "name": {"type": "str", "required": True},
            "type": {"type": "str"},
            "data": {"type": "raw"},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        }},
        "keys": {"type": "list", "elements": "dict", "default": [], "options": {
            "key": {"type": "str", "required": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        }},
        "journal": {"type": "str"},
        "restore_journal": {"type": "bool", "default": False},
    }
    REQUIRED_IF = [("restore_journal", True, ["journal"])]

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        hive, journal_path = params["hive"], params["journal"]
        check_target_path(hive, "hive")
        if journal_path:
            check_target_path(journal_path, "journal")
        requested = bool(params["values"] or params["keys"])
        if params["restore_journal"]:
            if requested:
                raise VmrescueError("restore_journal puts back what the journal recorded; it takes no values or keys")
            return self._restore(hive, journal_path)
        if not requested:
            raise VmrescueError("one of values or keys is required (or restore_journal: true)")
        option = rp.normalize_option(params["control_sets"])
        keys = [v["key"] for v in params["values"]] + [k["key"] for k in params["keys"]]
        rp.parse_requests(params["values"], params["keys"], ["ControlSet001"])   # bad input fails before any command
        read = rp.read_hive(self.run_script, hive, keys, option, recurse=False, journal=journal_path)
        values, key_items = rp.parse_requests(params["values"], params["keys"], read.control_sets)
        the_plan = rp.plan(values, key_items, read.states)
        journal_text = None
        if journal_path and the_plan.changes and not self.check_mode:
            journal_text = self._journal_text(_journal.parse(read.facts.journal_text), hive, the_plan, read.states)
        out = self._apply(hive, the_plan, read, journal_path, journal_text, rp.mismatches)
        out["control_sets"] = read.control_sets
        return out

    def _restore(self, hive: str, journal_path: str) -> dict[str, t.Any]:
        """Put every journaled value and key of this hive back (journal read, key read, one write)."""
        facts = target_facts(self.run_script(_registry_restore.read_journal(hive, journal_path)))
        check_offline_target(hive, "hive", facts.exists, json_objects(facts.disks), json_objects(facts.partitions))
        values, key_items = _registry_restore.targets(_journal.parse(facts.journal_text), hive)
        if not values and not key_items:
            return {"changed": False, "values": [], "keys": [], "reg_commands": [], "warnings": []}
        read = rp.read_hive(self.run_script, hive, _registry_restore.keys_to_read(values, key_items), "current",
                            recurse=False, journal=None)
        the_plan = rp.plan(values, key_items, read.states)
        return self._apply(hive, the_plan, read, None, None,
                           lambda plan_, after: _registry_restore.mismatches(plan_.values, plan_.keys, after))

    def _apply(self, hive: str, the_plan: rp.RegistryPlan, read: rp.HiveRead, journal_path: str | None,
               journal_text: str | None,
               mismatches: t.Callable[[rp.RegistryPlan, dict[str, rp.KeyState]], list[str]]) -> dict[str, t.Any]:
        """Write the plan's changes and verify them (one command); report before/after of everything requested."""
        values, key_items = the_plan.values, the_plan.keys
        out: dict[str, t.Any] = {"changed": bool(the_plan.changes), "reg_commands": [], "warnings": read.warnings}
        after = None
        if the_plan.changes and not self.check_mode:
            verify = [KeyQuery(f"verify.{n}", key, False) for n, key in enumerate(the_plan.touched_keys(), 1)]
            written = self.run_script(write_registry(hive, the_plan.changes, verify, journal_path, journal_text))
            require_journal_written(written, journal_path)
            out["reg_commands"] = command_lines(hive, the_plan.changes)
            outcome = mount_outcome(written, "")
            require_loaded(outcome, hive, "the hive")
            after = rp.states_after(written, verify, hive)
            out["values"] = [rp.value_report(v, read.states, after) for v in values]
            out["keys"] = [rp.key_report(k, read.states, after) for k in key_items]
            failed = first_failed_change(written, len(the_plan.changes))
            if failed is not None:
                number, step = failed
                raise VmrescueError(f"reg.exe failed (exit code {step.rc}) on: {out['reg_commands'][number - 1]}; "
                                    "the changes after it were not made", output=step.lines, **out)
            if not outcome.unloaded:
                raise VmrescueError(f"the hive could not be unloaded after the change, so it may not be on disk yet: "
                                    f"{'; '.join(outcome.warnings(hive))}. Re-run the task.", **out)
            out["warnings"] = read.warnings + outcome.warnings(hive)
            problems = mismatches(the_plan, after)
            if problems:
                raise VmrescueError("the hive does not show the planned values after reg.exe: " + "; ".join(problems),
                                    **out)
        out["values"] = [rp.value_report(v, read.states, after) for v in values]
        out["keys"] = [rp.key_report(k, read.states, after) for k in key_items]
        if self.diff_mode:
            out["diff"] = {"before": _diff_side(out, "before"), "after": _diff_side(out, "after")}
        return out

    @staticmethod
    def _journal_text(journal: dict[str, t.Any], hive: str, the_plan: rp.RegistryPlan,
                      states: dict[str, rp.KeyState]) -> str | None:
        """The journal with the originals of everything about to change (None: nothing new to record)."""
        added = False
        for change in the_plan.changes:
            if change.name is not None:
                present, reg_type, data = rp.journal_original(states, change.key, change.name)
                added |= _journal.record_registry_value(journal, hive, change.key, change.name, present, reg_type, data)
            if change.name is None or (change.action == "add-value" and not rp.key_exists(states, change.key)):
                # reg add creates a missing key: record that it did not exist, so a restore removes it again
                added |= _journal.record_registry_key(journal, hive, change.key, rp.key_exists(states, change.key))
        return _journal.render(journal) if added else None


def _diff_side(out: dict[str, t.Any], side: str) -> dict[str, t.Any]:
    values = {f"{v['key']}\\{v['name']}": v[side] for v in out["values"]}
    keys = {f"{k['key']}\\": ("present" if k[side] else "absent") for k in out["keys"]}
    return {**keys, **values}
