# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.bcd: read the store (one command), plan, write and verify (one command)."""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _bcd_restore, _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_plan import BcdPlan, mismatches, plan
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import (
    RAW, VERIFY, command_lines, listed_store, read_store, write_store,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    command_lines as reg_command_lines, first_failed_change, require_journal_written, target_facts,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import ScriptResult, StepResult
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import (
    check_offline_target, check_target_path, json_objects,
)
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "store": {"type": "str", "required": True},
        "objects": {"type": "list", "elements": "dict"},
        "journal": {"type": "str"},
        "restore_journal": {"type": "bool", "default": False},
    }
    MUTUALLY_EXCLUSIVE = [["objects", "restore_journal"]]
    REQUIRED_ONE_OF = [["objects", "restore_journal"]]
    REQUIRED_IF = [("restore_journal", True, ["journal"])]

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        store_path, journal_path = params["store"], params["journal"]
        check_target_path(store_path, "BCD store")
        if journal_path:
            check_target_path(journal_path, "journal")
        read = self.run_script(read_store(store_path, journal_path))
        facts = target_facts(read)
        check_offline_target(store_path, "BCD store", facts.exists, json_objects(facts.disks),
                             json_objects(facts.partitions))
        before, outcome = listed_store(read, "", store_path)
        warnings = outcome.warnings(store_path)
        journal = _journal.parse(facts.journal_text) if journal_path else None
        if params["restore_journal"]:   # REQUIRED_IF: a journal path comes with it
            return self._restore(store_path, journal, before, warnings)
        the_plan = plan(before, params["objects"])
        changes = the_plan.bcdedit_changes()
        out: dict[str, t.Any] = {"changed": bool(changes), "bcdedit_commands": [], "warnings": warnings}
        after = None
        if changes and not self.check_mode:
            journal_text = self._journal_text(journal, store_path, the_plan) if journal is not None else None
            written = self.run_script(write_store(store_path, changes, journal_path, journal_text))
            require_journal_written(written, journal_path)
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

    def _restore(self, store_path: str, journal: dict[str, t.Any], before: BcdStore,
                 warnings: list[str]) -> dict[str, t.Any]:
        """Put every journaled element of this store back to its recorded type and bytes (one write command)."""
        restores = _bcd_restore.plan(journal, store_path, before)
        todo = [item for item in restores if item.method is not None]
        changes = [item.bcdedit() for item in todo if item.method == _bcd_restore.BCDEDIT]
        raw = [item.reg() for item in todo if item.method == _bcd_restore.REG]
        out: dict[str, t.Any] = {"changed": bool(todo), "bcdedit_commands": [], "reg_commands": [],
                                 "warnings": warnings, "restored": [item.report() for item in restores]}
        if todo and not self.check_mode:
            written = self.run_script(write_store(store_path, changes, None, None, raw))
            out["bcdedit_commands"] = command_lines(store_path, changes)
            out["reg_commands"] = reg_command_lines(store_path, raw)
            after, verify_outcome = listed_store(written, VERIFY, store_path)
            warnings.extend(verify_outcome.warnings(store_path))
            out["restored"] = [item.report(registry_value_of(after, item), planned=False) for item in restores]
            failure = _first_failure(written, out["bcdedit_commands"], out["reg_commands"])
            if failure is not None:
                label, step = failure
                raise VmrescueError(f"the restore failed (exit code {step.rc}) on: {label}; the changes after it "
                                    "were not made", output=step.lines, **out)
            problems = _bcd_restore.mismatches(restores, after)
            if problems:
                raise VmrescueError("the store does not show the journaled values after the restore: "
                                    + "; ".join(problems), **out)
        if self.diff_mode:
            out["diff"] = {"before": {f"{r['guid']}\\{r['element']}": r["before"] for r in out["restored"]},
                           "after": {f"{r['guid']}\\{r['element']}": r["after"] for r in out["restored"]}}
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


def registry_value_of(store: BcdStore, item: _bcd_restore.ElementRestore) -> _bcd_restore.RegistryValue:
    obj = store.objects.get(item.guid)
    return _bcd_restore.registry_value(obj.elements.get(item.code)) if obj else None


def _first_failure(written: ScriptResult, bcdedit_lines: list[str], reg_lines: list[str]) \
        -> tuple[str, StepResult] | None:
    """The command line and step of the first restore step that failed (the ones after it did not run)."""
    failed = first_failed_change(written, len(bcdedit_lines))
    if failed is not None:
        return bcdedit_lines[failed[0] - 1], failed[1]
    steps = [(f"{RAW}load", "reg.exe load of the store")]
    steps += [(f"{RAW}change.{number}", line) for number, line in enumerate(reg_lines, 1)]
    for step_name, label in steps if reg_lines else []:
        step = written.step(step_name)
        if step is None:
            return None
        if not step.ok:
            return label, step
    return None
