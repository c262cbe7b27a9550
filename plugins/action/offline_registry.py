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
from ansible_collections.vmrescue.windows.plugins.module_utils._journal_location import (
    adopt_format1, other_records, places, require_all_restored, require_known_journal, retrying_on_journal_change,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import ScriptResult
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
        rp.parse_requests(params["values"], params["keys"], ["ControlSet001"])   # bad input fails before any command
        return retrying_on_journal_change(lambda: self._run_once(params))

    def _run_once(self, params: dict[str, t.Any]) -> dict[str, t.Any]:
        hive, journal_path = params["hive"], params["journal"]
        option = rp.normalize_option(params["control_sets"])
        keys = [v["key"] for v in params["values"]] + [k["key"] for k in params["keys"]]
        read = rp.read_hive(self.run_script, hive, keys, option, recurse=False, journal=journal_path)
        where = places(hive, "hive", journal_path, json_objects(read.facts.disks),
                       json_objects(read.facts.partitions)) if journal_path else None
        values, key_items = rp.parse_requests(params["values"], params["keys"], read.control_sets)
        the_plan = rp.plan(values, key_items, read.states)
        journal_text = None
        if where is not None and the_plan.changes and not self.check_mode:
            journal = _journal.parse(read.facts.journal_text)
            adopt_format1(journal, "registry", where)
            journal_text = _journal.render(journal) if record_originals(
                journal, where.target.key, the_plan, read.states) else None
        out, _after = self._apply(hive, the_plan, read, journal_path, journal_text, rp.mismatches, undo=True)
        out["control_sets"] = read.control_sets
        return out

    def _restore(self, hive: str, journal_path: str) -> dict[str, t.Any]:
        """Put every journaled value and key of this hive back (journal read, key read, one write)."""
        facts = target_facts(self.run_script(_registry_restore.read_journal(hive, journal_path)))
        disks, partitions = json_objects(facts.disks), json_objects(facts.partitions)
        check_offline_target(hive, "hive", facts.exists, disks, partitions)
        where = places(hive, "hive", journal_path, disks, partitions)
        require_known_journal(journal_path, facts.journal_hash)
        journal = _journal.parse(facts.journal_text)
        adopt_format1(journal, "registry", where)
        others = other_records(journal, "registry", where, disks, partitions)
        values, key_items, could_not = _registry_restore.targets(
            _journal.registry_hive_records(journal, where.target.key))
        could_not += [_registry_restore.status_report(text, _journal.COULD_NOT, "it cannot be mapped to the attached "
                                                      "disk") for text in others.unmapped]
        warnings = [f"the journal also has registry records of {path}, which a task with hive: {path} restores"
                    for path in others.elsewhere]
        out: dict[str, t.Any] = {"changed": False, "values": [], "keys": [], "reg_commands": [], "warnings": warnings}
        if values or key_items:
            read = rp.read_hive(self.run_script, hive, _registry_restore.keys_to_read(values, key_items), "current",
                                recurse=False, journal=None)
            the_plan = rp.plan(values, key_items, read.states)
            read.warnings[:0] = warnings
            try:
                out, after = self._apply(hive, the_plan, read, None, None, lambda plan_, after: [], undo=False)
            except VmrescueError as exc:
                raise VmrescueError(exc.msg, records=could_not, **exc.details) from None
            out["records"] = _registry_restore.statuses(values, key_items, read.states, after)
        out["records"] = out.get("records", []) + could_not
        require_all_restored(out, f"the hive {hive}")
        return out

    def _apply(self, hive: str, the_plan: rp.RegistryPlan, read: rp.HiveRead, journal_path: str | None,
               journal_text: str | None, mismatches: t.Callable[[rp.RegistryPlan, dict[str, rp.KeyState]], list[str]],
               undo: bool) -> tuple[dict[str, t.Any], dict[str, rp.KeyState] | None]:
        """Write the plan's changes and verify them (one command); report before/after of everything requested.

        With ``undo``, a write that fails or verifies wrong is put back to what the read found (one more command)."""
        values, key_items = the_plan.values, the_plan.keys
        out: dict[str, t.Any] = {"changed": bool(the_plan.changes), "reg_commands": [], "warnings": read.warnings}
        after = None
        if the_plan.changes and not self.check_mode:
            written, after = self._write(hive, the_plan, journal_path, journal_text, read.facts.journal_hash)
            out["reg_commands"] = command_lines(hive, the_plan.changes)
            outcome = mount_outcome(written, "")
            out["values"] = [rp.value_report(v, read.states, after) for v in values]
            out["keys"] = [rp.key_report(k, read.states, after) for k in key_items]
            failed = first_failed_change(written, len(the_plan.changes))
            problem = None
            if failed is not None:
                number, step = failed
                problem = (f"reg.exe failed (exit code {step.rc}) on: {out['reg_commands'][number - 1]}; the changes "
                           "after it were not made")
                out["output"] = step.lines
            elif not outcome.unloaded:
                raise VmrescueError(f"the hive could not be unloaded after the change, so it may not be on disk yet: "
                                    f"{'; '.join(outcome.warnings(hive))}. Re-run the task.", **out)
            elif mismatches(the_plan, after):
                problem = "the hive does not show the planned values after reg.exe: " + "; ".join(
                    mismatches(the_plan, after))
            if problem is not None:
                raise VmrescueError(f"{problem}. {self._undo(hive, the_plan, read.states, after)}" if undo
                                    else problem, **out)
            out["warnings"] = read.warnings + outcome.warnings(hive)
        out["values"] = [rp.value_report(v, read.states, after) for v in values]
        out["keys"] = [rp.key_report(k, read.states, after) for k in key_items]
        if self.diff_mode:
            out["diff"] = {"before": _diff_side(out, "before"), "after": _diff_side(out, "after")}
        return out, after

    def _write(self, hive: str, the_plan: rp.RegistryPlan, journal_path: str | None, journal_text: str | None,
               journal_hash: str | None) -> tuple[ScriptResult, dict[str, rp.KeyState]]:
        """One write command and the touched keys as it read them back."""
        verify = [KeyQuery(f"verify.{n}", key, False) for n, key in enumerate(the_plan.touched_keys(), 1)]
        written = self.run_script(write_registry(hive, the_plan.changes, verify, journal_path, journal_text,
                                                 journal_hash))
        require_journal_written(written, journal_path)
        require_loaded(mount_outcome(written, ""), hive, "the hive")
        return written, rp.states_after(written, verify, hive)

    def _undo(self, hive: str, the_plan: rp.RegistryPlan, before: dict[str, rp.KeyState],
              after: dict[str, rp.KeyState]) -> str:
        """Put back what the read found for everything the plan changed; what to say about it."""
        originals = _journal.empty()
        record_originals(originals, "undo", the_plan, before)
        values, key_items, could_not = _registry_restore.targets(_journal.registry_hive_records(originals, "undo"))
        unwritable = "".join(f" {item['record']} cannot be put back: {item['reason']}." for item in could_not)
        undo_plan = rp.plan(values, key_items, after)
        if not undo_plan.changes:
            return ("Nothing of it had been written: the hive is as before." if not could_not
                    else f"{unwritable} Restore it with restore_journal.")
        try:
            written, now = self._write(hive, undo_plan, None, None, None)
        except VmrescueError as exc:
            return f"Putting the original values back failed too ({exc.msg}): restore them with restore_journal."
        wrong = _registry_restore.mismatches(values, key_items, now)
        if first_failed_change(written, len(undo_plan.changes)) is not None or wrong:
            return ("Putting the original values back did not verify either: " + "; ".join(wrong)
                    + ". Restore them with restore_journal.")
        if could_not:
            return f"The other original values were put back and verified.{unwritable} Restore it with restore_journal."
        return "The original values were put back and verified (the journal keeps them too)."


def record_originals(journal: dict[str, t.Any], hive_key: str, the_plan: rp.RegistryPlan,
                     states: dict[str, rp.KeyState]) -> bool:
    """Record the originals of everything about to change; True when something was added."""
    added = False
    for change in the_plan.changes:
        if change.name is not None:
            present, reg_type, data = rp.journal_original(states, change.key, change.name)
            added |= _journal.record_registry_value(journal, hive_key, change.key, change.name, present, reg_type,
                                                    data)
        if change.name is None or (change.action == "add-value" and not rp.key_exists(states, change.key)):
            # reg add creates a missing key: record that it did not exist, so a restore removes it again
            added |= _journal.record_registry_key(journal, hive_key, change.key, rp.key_exists(states, change.key))
    return added


def _diff_side(out: dict[str, t.Any], side: str) -> dict[str, t.Any]:
    values = {f"{v['key']}\\{v['name']}": v[side] for v in out["values"]}
    keys = {f"{k['key']}\\": ("present" if k[side] else "absent") for k in out["keys"]}
    return {**keys, **values}
