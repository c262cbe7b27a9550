"""Run a vmrescue action plugin with a scripted connection: every remote command goes to a responder."""

from __future__ import annotations

import typing as t
from unittest.mock import MagicMock

from ansible_collections.vmrescue.windows.tests.unit.plugins.scripted_host import Responder, run_script

from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import STDIN_BOOTSTRAP


class Recorder:
    def __init__(self, responders: list[Responder], cut_after_step: str | None = None) -> None:
        self.responders = list(responders)
        self.scripts: list[str] = []
        self.cut_after_step = cut_after_step

    def __call__(self, command: str, *args: t.Any, in_data: bytes | None = None, **kwargs: t.Any) -> dict[str, t.Any]:
        assert command == STDIN_BOOTSTRAP and in_data, "catalogue scripts travel on stdin"
        script = in_data.decode("utf-8")
        self.scripts.append(script)
        if not self.responders:
            raise AssertionError(f"unexpected remote command #{len(self.scripts)}:\n{script}")
        return run_script(script, self.responders.pop(0), self.cut_after_step)


def run_action(action_class: type, args: dict[str, t.Any], responders: list[Responder], *, check_mode: bool = False,
               diff: bool = False, cut_after_step: str | None = None) -> tuple[dict[str, t.Any], Recorder]:
    task = MagicMock()
    task.args = args
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = 0
    connection = MagicMock()
    connection._shell.tmpdir = "C:\\tmp"
    action = action_class(task, connection, MagicMock(), MagicMock(), MagicMock(), MagicMock())
    recorder = Recorder(responders, cut_after_step)
    action._low_level_execute_command = recorder
    return action.run(task_vars={}), recorder
