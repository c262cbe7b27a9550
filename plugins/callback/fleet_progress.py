# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback ``vmrescue.windows.fleet_progress``: one progress line per phase boundary of critical_service_repair."""

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet_progress
type: aggregate
short_description: Hosts done, failed, unreachable and remaining at each phase boundary of critical_service_repair
description:
  - >-
    Adds one line when the play enters a phase (an C(Enter phase ...) task of C(critical_service_repair), which sets
    C(_vmrescue_phase)) and one when the run ends, for example
    C(vmrescue progress: phase backup - 10 hosts: 0 done, 1 failed, 1 unreachable, 8 remaining).
  - A host is done once its C(vmrescue_outcome) says so, failed once a task failed on it (ignored errors do not
    count), unreachable once a connection to it failed; the others remain.
  - It only adds lines; the stdout callback's output is unchanged. With the default C(linear) strategy every host has
    finished the previous phase when the line appears.
  - Enable it with C(callbacks_enabled = vmrescue.windows.fleet_progress) in C(ansible.cfg), or
    C(ANSIBLE_CALLBACKS_ENABLED=vmrescue.windows.fleet_progress) (in AWX, an environment variable of the job
    template's settings or of the execution environment).
author:
  - vmrescue.windows contributors (@vmrescue)
requirements:
  - enabled in callbacks_enabled
"""

from ansible.plugins.callback import CallbackBase

PHASE_FACT = "_vmrescue_phase"
OUTCOME_FACT = "vmrescue_outcome"
SET_FACT = ("set_fact", "ansible.builtin.set_fact", "ansible.legacy.set_fact")


def _set_fact_args(task) -> dict:
    return dict(task.args) if task.action in SET_FACT and isinstance(task.args, dict) else {}


class FleetProgress:
    """The counts of one play, fed with the runner events (kept apart from the callback so it can be tested alone)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.done: set[str] = set()
        self.failed: set[str] = set()
        self.unreachable: set[str] = set()

    def line(self, where: str) -> str:
        # A connection lost after a failure makes the host unreachable; a failure after "done" makes it failed.
        unreachable = self.unreachable
        failed = self.failed - unreachable
        done = self.done - failed - unreachable
        remaining = self.seen - done - failed - unreachable
        hosts = f"{len(self.seen)} host{'' if len(self.seen) == 1 else 's'}"
        return (f"vmrescue progress: {where} - {hosts}: {len(done)} done, {len(failed)} failed, "
                f"{len(unreachable)} unreachable, {len(remaining)} remaining")

    def ok(self, host: str, task) -> None:
        self.seen.add(host)
        outcome = _set_fact_args(task).get(OUTCOME_FACT)
        if isinstance(outcome, dict) and outcome.get("status") == "done":
            self.done.add(host)

    def other(self, host: str) -> None:
        self.seen.add(host)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "vmrescue.windows.fleet_progress"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._progress: FleetProgress | None = None
        self._phases_seen = False

    def v2_playbook_on_play_start(self, play) -> None:
        self._progress, self._phases_seen = FleetProgress(), False

    def v2_playbook_on_task_start(self, task, is_conditional) -> None:
        phase = _set_fact_args(task).get(PHASE_FACT)
        if self._progress is not None and isinstance(phase, str):
            self._phases_seen = True
            self._display.display(self._progress.line(f"phase {phase}"))

    def v2_runner_on_ok(self, result) -> None:
        if self._progress is not None:
            self._progress.ok(result._host.get_name(), result._task)

    def v2_runner_on_failed(self, result, ignore_errors=False) -> None:
        if self._progress is not None:
            self._progress.other(result._host.get_name())
            if not ignore_errors:
                self._progress.failed.add(result._host.get_name())

    def v2_runner_on_unreachable(self, result) -> None:
        if self._progress is not None:
            self._progress.other(result._host.get_name())
            self._progress.unreachable.add(result._host.get_name())

    def v2_runner_on_skipped(self, result) -> None:
        if self._progress is not None:
            self._progress.other(result._host.get_name())

    def v2_playbook_on_stats(self, stats) -> None:
        if self._progress is not None and self._phases_seen:
            self._display.display(self._progress.line("end of the run"))
