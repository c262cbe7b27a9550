# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the base of every vmrescue.windows action plugin.

Windows hosts do not run Python, so each module of this collection is an action plugin: it validates its options
against the argument spec kept in ``module_utils``, sends catalogue commands with ``_low_level_execute_command``,
and plans in Python. This base does the parts every plugin shares: validation (every string of every option is
checked before any command: ``_quoting.check_option_text``), the one place where ``VmrescueError`` -- the root of
every exception the collection raises -- becomes a failed result, and the record of every remote command (for audit
and round-trip counts).
"""

from __future__ import annotations

import abc
import typing as t

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import check_option_text
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import (
    STDIN_BOOTSTRAP, RemoteScript, ScriptResult, parse_output,
)


class VmrescueAction(ActionBase, metaclass=abc.ABCMeta):
    """Subclasses set ``ARGUMENT_SPEC`` (and optionally the validator's constraints) and implement ``run_module``."""

    TRANSFERS_FILES = False
    _requires_connection = True
    ARGUMENT_SPEC: dict[str, t.Any] = {}
    MUTUALLY_EXCLUSIVE: list[list[str]] = []
    REQUIRED_ONE_OF: list[list[str]] = []
    REQUIRED_IF: list[tuple] = []
    REQUIRED_BY: dict[str, list[str]] = {}
    REQUIRED_TOGETHER: list[list[str]] = []

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars or {})
        validator = ArgumentSpecValidator(
            self.ARGUMENT_SPEC,
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE or None,
            required_one_of=self.REQUIRED_ONE_OF or None,
            required_if=self.REQUIRED_IF or None,
            required_by=self.REQUIRED_BY or None,
            required_together=self.REQUIRED_TOGETHER or None,
        )
        self.remote_commands: list[dict[str, t.Any]] = []
        # Every result says which remote commands ran (for audit and round-trip counts), failures included.
        result["remote_commands"] = self.remote_commands
        validation = validator.validate(self._task.args)
        if validation.error_messages:
            result.update(failed=True, changed=False, msg="; ".join(validation.error_messages))
            return result
        try:
            check_option_texts(validation.validated_parameters)
            result.update(self.run_module(validation.validated_parameters, task_vars or {}))
        except VmrescueError as exc:
            result.update(exc.details)
            result.update(failed=True, msg=exc.msg)
        result.setdefault("changed", False)
        return result

    @property
    def check_mode(self) -> bool:
        return bool(self._task.check_mode)

    @property
    def diff_mode(self) -> bool:
        return bool(self._task.diff)

    @abc.abstractmethod
    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        """Do the work; return the result keys; raise VmrescueError for a clear failure."""

    def run_script(self, script: RemoteScript) -> ScriptResult:
        """Send one catalogue command (one round trip) and cut its output into steps."""
        response = self._low_level_execute_command(STDIN_BOOTSTRAP, in_data=script.render().encode("utf-8"))
        parsed = parse_output(script, response.get("stdout", ""), response.get("stderr", ""))
        self.remote_commands.append({"name": script.name, "steps": script.step_names, "finished": parsed.finished})
        if not parsed.finished:
            raise VmrescueError(
                f"the remote command {script.name} did not finish (exit code {response.get('rc')}); "
                "nothing after the last completed step ran. Re-run the task: it reads the state again first.",
                rc=response.get("rc"), stderr=response.get("stderr", ""), completed_steps=list(parsed.steps),
            )
        return parsed


def check_option_texts(value: t.Any, label: str = "") -> None:
    """Refuse, naming the option (``values[2].name``), any string no target can store and read back exactly."""
    if isinstance(value, str):
        check_option_text(value, label)
    elif isinstance(value, dict):
        for key, item in value.items():
            item_label = f"{label}.{key}" if label else str(key)
            if isinstance(key, str):
                check_option_text(key, f"{item_label} (the name)")
            check_option_texts(item, item_label)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_option_texts(item, f"{label}[{index}]")
