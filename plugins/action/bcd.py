# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.bcd: read the store (one command), plan, write and verify (one command).

A write that fails or verifies wrong is undone in the same run (one more command) from the values the read found,
which are the ones the journal recorded. A write whose journal was changed by another run since the read is not
made: the task reads and plans again (``_journal_location.retrying_on_journal_change``).
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _bcd_restore, _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_plan import BcdPlan, mismatches, plan
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import (
    RAW, VERIFY, command_lines, listed_store, read_store, write_store,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    MountOutcome, command_lines as reg_command_lines, first_failed_change, mount_outcome, require_journal_written,
    target_facts,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._journal_location import (
    Places, adopt_format1, other_records, places, require_all_restored, require_known_journal,
    retrying_on_journal_change,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import ScriptResult, StepResult
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import (
    check_offline_target, check_target_path, json_objects,
)
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "store": {"type": "str", "required": True},
        "objects": {"type": "list", "elements": "dict", "options": {
            "id": {"type": "str", "required": True},
            # Element names to values: the names and values are checked against the element catalogue in _bcd_plan.
            "set": {"type": "dict"},
            "remove": {"type": "list", "elements": "str"},
        }},
        "journal": {"type": "str"},
        "restore_journal": {"type": "bool", "default": False},
    }
    MUTUALLY_EXCLUSIVE = [["objects", "restore_journal"]]
    REQUIRED_ONE_OF = [["objects", "restore_journal"]]
    REQUIRED_IF = [("restore_journal", True, ["journal"])]

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        check_target_path(params["store"], "BCD store")
        if params["journal"]:
            check_target_path(params["journal"], "journal")
        return retrying_on_journal_change(lambda: self._run_once(params))

    def _run_once(self, params: dict[str, t.Any]) -> dict[str, t.Any]:
        store_path, journal_path = params["store"], params["journal"]
        read = self.run_script(read_store(store_path, journal_path))
        facts = target_facts(read)
        disks, partitions = json_objects(facts.disks), json_objects(facts.partitions)
        check_offline_target(store_path, "BCD store", facts.exists, disks, partitions)
        where = places(store_path, "BCD store", journal_path, disks, partitions) if journal_path else None
        before, outcome = listed_store(read, "", store_path)
        _require_unloaded(outcome, store_path)
        warnings = outcome.warnings(store_path)
        journal = _journal.parse(facts.journal_text) if where else None
        if journal is not None and where is not None:
            adopt_format1(journal, "bcd", where)
        if params["restore_journal"]:   # REQUIRED_IF: a journal path comes with it
            require_known_journal(journal_path, facts.journal_hash)
            return self._restore(store_path, journal, where, before, warnings, disks, partitions)
        the_plan = plan(before, params["objects"])
        changes = the_plan.bcdedit_changes()
        out: dict[str, t.Any] = {"changed": bool(changes), "bcdedit_commands": [], "warnings": warnings}
        after = None
        if changes and not self.check_mode:
            journal_text = (self._journal_text(journal, where.target.key, the_plan)
                            if journal is not None and where is not None else None)
            written = self.run_script(write_store(store_path, changes, journal_path, journal_text, facts.journal_hash))
            require_journal_written(written, journal_path)
            out["bcdedit_commands"] = command_lines(store_path, changes)
            failed = first_failed_change(written, len(changes))
            after, verify_outcome = listed_store(written, VERIFY, store_path)
            warnings.extend(verify_outcome.warnings(store_path))
            problem = None
            wrong = mismatches(the_plan, after) if failed is None else []
            if failed is not None:
                number, step = failed
                problem = (f"bcdedit failed (exit code {step.rc}) on: {out['bcdedit_commands'][number - 1]}; the "
                           "changes after it were not made")
                out["output"] = step.lines
            elif wrong:
                problem = "the store does not show the planned values after bcdedit: " + "; ".join(wrong)
            if problem is not None:
                undone = self._undo(store_path, the_plan, before, after)
                raise VmrescueError(f"{problem}. {undone}", objects=the_plan.report(before, after), **out)
            _require_unloaded(verify_outcome, store_path)
        out["objects"] = the_plan.report(before, after if changes and not self.check_mode else None)
        if self.diff_mode:
            out["diff"] = {"before": {o["id"]: o["before"] for o in out["objects"]},
                           "after": {o["id"]: o["after"] for o in out["objects"]}}
        return out

    def _restore(self, store_path: str, journal: dict[str, t.Any], where: Places, before: BcdStore,
                 warnings: list[str], disks: list[dict[str, t.Any]],
                 partitions: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        """Put every journaled element of this store back to its recorded type and bytes (one write command)."""
        others = other_records(journal, "bcd", where, disks, partitions)
        warnings.extend(f"the journal also has BCD records of {path}, which a task with store: {path} restores"
                        for path in others.elsewhere)
        restores = _bcd_restore.plan(_journal.bcd_store_records(journal, where.target.key), before)
        out: dict[str, t.Any] = {"changed": False, "bcdedit_commands": [], "reg_commands": [], "warnings": warnings,
                                 "restored": [item.report() for item in restores]}
        if not self.check_mode:
            out.update(self._put_back(store_path, restores))
        else:
            out["changed"] = any(item.method for item in restores)
        out["records"] = [{"record": item.label, "status": entry["status"], "reason": entry["reason"]}
                          for item, entry in zip(restores, out["restored"])]
        out["records"] += [{"record": text, "status": _journal.COULD_NOT, "reason": "it cannot be mapped to the "
                            "attached disk"} for text in others.unmapped]
        if self.diff_mode:
            out["diff"] = {"before": {f"{r['guid']}\\{r['element']}": r["before"] for r in out["restored"]},
                           "after": {f"{r['guid']}\\{r['element']}": r["after"] for r in out["restored"]}}
        require_all_restored(out, f"the BCD store {store_path}")
        return out

    def _put_back(self, store_path: str, restores: list[_bcd_restore.ElementRestore]) -> dict[str, t.Any]:
        """Write the restores' elements (one command) and read them back; VmrescueError when a step failed."""
        todo = [item for item in restores if item.method is not None]
        if not todo:
            return {"changed": False}
        changes = [item.bcdedit() for item in todo if item.method == _bcd_restore.BCDEDIT]
        raw = [item.reg() for item in todo if item.method == _bcd_restore.REG]
        written = self.run_script(write_store(store_path, changes, None, None, None, raw))
        out: dict[str, t.Any] = {"changed": True, "bcdedit_commands": command_lines(store_path, changes),
                                 "reg_commands": reg_command_lines(store_path, raw)}
        after, verify_outcome = listed_store(written, VERIFY, store_path)
        out["restored"] = [item.report(registry_value_of(after, item), planned=False) for item in restores]
        failure = _first_failure(written, out["bcdedit_commands"], out["reg_commands"])
        if failure is not None:
            label, step = failure
            raise VmrescueError(f"writing the original values failed (exit code {step.rc}) on: {label}; the changes "
                                "after it were not made", output=step.lines, **out)
        _require_unloaded(verify_outcome, store_path)
        if raw:
            _require_unloaded(mount_outcome(written, RAW), store_path)
        return out

    def _undo(self, store_path: str, the_plan: BcdPlan, before: BcdStore, after: BcdStore) -> str:
        """Put back what the read found for every element the plan changed; what to say about it."""
        originals = _bcd_restore.originals(
            (change.guid, change.ref.code, the_plan.object(change.guid).elements.get(change.ref.code))
            for change in the_plan.changes)
        restores = _bcd_restore.plan(originals, after)
        try:
            done = self._put_back(store_path, restores)
        except VmrescueError as exc:
            return f"Putting the original values back failed too ({exc.msg}): restore them with restore_journal."
        wrong = [entry for entry in done.get("restored", []) if entry["status"] == _journal.COULD_NOT]
        if wrong:
            return ("Putting the original values back did not verify either: "
                    + "; ".join(f"{entry['name']} of {entry['guid']}: {entry['reason']}" for entry in wrong)
                    + ". Restore them with restore_journal.")
        return ("The original values were put back and verified (the journal keeps them too)." if done["changed"]
                else "Nothing of it had been written: the store is as before.")

    @staticmethod
    def _journal_text(journal: dict[str, t.Any], store_key: str, the_plan: BcdPlan) -> str | None:
        """The journal with the originals of every element about to change (None: nothing new to record)."""
        added = False
        for change in the_plan.changes:
            raw = the_plan.object(change.guid).elements.get(change.ref.code)
            added |= _journal.record_bcd(journal, store_key, change.guid, change.ref.code, raw is not None,
                                         raw.reg_type if raw else None, raw.data_hex if raw else None)
        return _journal.render(journal) if added else None


def _require_unloaded(outcome: MountOutcome, store_path: str) -> None:
    """A store left loaded cannot be opened by bcdedit nor by Windows at boot: the task fails (a re-run unloads it)."""
    if outcome.loaded and not outcome.unloaded:
        raise VmrescueError(f"the BCD store {store_path!r} could not be unloaded after it was read, so it is still "
                            f"loaded: {'; '.join(outcome.warnings(store_path))}. Re-run the task.")


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
