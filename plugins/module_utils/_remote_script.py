# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: one remote command that carries several steps, and the parser for its output.

Every catalogue command is a ``RemoteScript``: a list of steps (one native program or one cmdlet pipeline each),
framed by markers that carry a per-command random nonce. ``parse_output`` cuts the output back into steps and
gives each its lines and, for native programs, its exit code. Nothing here reads Windows' own (translated) words:
only our markers, exit codes and the data lines between them. The PowerShell subset used here is the contract in
``docs/dev/remote-commands.md``; the simulator implements exactly that subset.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import InternalError, VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import (
    MAX_COMMAND_LINE, PROGRAM_PATH_LENGTH, UnsafeValueError, check_native_value, ps_literal,
)

_STEP_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
NATIVE_PROGRAMS = ("bcdedit.exe", "reg.exe", "takeown.exe", "icacls.exe")
# The command line of every catalogue command. The script itself travels on stdin: WinRS starts commands through
# cmd.exe, whose 8191-character limit would otherwise cap a script at about 3,000 characters once ansible-core has
# encoded it (UTF-16-LE, base64). PowerShell's $input yields the lines of stdin.
STDIN_BOOTSTRAP = "& ([ScriptBlock]::Create(($input | Out-String)))"


class RemoteScriptError(VmrescueError):
    """The output of a remote command cannot be read as the command's result."""


@dataclasses.dataclass
class StepResult:
    name: str
    lines: list[str]
    rc: int | None          # exit code of a native program; None for a cmdlet step
    completed: bool         # the step's closing marker was seen
    failed: bool = False    # a cmdlet step wrote an error and stopped the script (abort_on_error)

    @property
    def ok(self) -> bool:
        return self.completed and not self.failed and self.rc in (None, 0)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclasses.dataclass
class ScriptResult:
    steps: dict[str, StepResult]
    finished: bool          # the script reached its end marker: nothing was cut off
    stdout: str
    stderr: str

    def step(self, name: str) -> StepResult | None:
        return self.steps.get(name)

    def ran(self, name: str) -> bool:
        return name in self.steps


class RemoteScript:
    """Builds the text of one remote command."""

    def __init__(self, name: str, nonce: str | None = None) -> None:
        if not _STEP_NAME.match(name):
            raise InternalError(f"bad command name {name!r}")
        self.name = name
        self.nonce = nonce or secrets.token_hex(8)
        self._lines: list[str] = [f"# vmrescue.windows {name}"]
        self._steps: list[str] = []

    @property
    def step_names(self) -> list[str]:
        return list(self._steps)

    def _marker(self, kind: str, step: str | None = None) -> str:
        parts = ["@@vmr", self.nonce, kind] + ([step] if step else [])
        return ":".join(parts)

    def _register(self, step: str) -> None:
        if not _STEP_NAME.match(step):
            raise InternalError(f"bad step name {step!r}")
        if step in self._steps:
            raise InternalError(f"step {step!r} appears twice in {self.name}")
        self._steps.append(step)

    def native(self, step: str, program: str, *args: str, only_if_ok: bool = False) -> None:
        """Run a native program with user values as arguments; ``only_if_ok`` skips it after a failed one."""
        if program not in NATIVE_PROGRAMS:
            raise InternalError(f"{program} is not in the catalogue")
        self._register(step)
        body = [
            f"Write-Output {ps_literal(self._marker('begin', step))}",
            _native_line(step, program, args),
            '"' + self._marker("rc", step) + ':$LASTEXITCODE"',
        ]
        self._emit(body, only_if_ok)

    def cmdlet(self, step: str, pipeline: str, only_if_ok: bool = False, abort_on_error: bool = False) -> None:
        """Run one cmdlet pipeline; its text must come from the catalogue with every value through ps_literal.

        ``abort_on_error`` ends the whole script right there when the pipeline wrote an error (PowerShell's ``$?``),
        so nothing after it runs: for steps that later steps must not outlive (the journal before a change)."""
        self._register(step)
        body = [f"Write-Output {ps_literal(self._marker('begin', step))}", pipeline]
        if abort_on_error:
            body.append(f"if (-not $?) {{ Write-Output {ps_literal(self._marker('failed', step))}; "
                        f"Write-Output {ps_literal(self._marker('done'))}; exit 0 }}")
        body.append(f"Write-Output {ps_literal(self._marker('end', step))}")
        self._emit(body, only_if_ok)

    def stop_if(self, step: str, condition: str) -> None:
        """End the whole script right there when ``condition`` (catalogue text) holds: the step is then ``failed``."""
        self._register(step)
        self._lines.append(f"Write-Output {ps_literal(self._marker('begin', step))}")
        self._lines.append(f"if ({condition}) {{ Write-Output {ps_literal(self._marker('failed', step))}; "
                           f"Write-Output {ps_literal(self._marker('done'))}; exit 0 }}")
        self._lines.append(f"Write-Output {ps_literal(self._marker('end', step))}")

    def retry_native(self, step: str, program: str, *args: str, attempts: int, pause_ms: int,
                     only_if_ok: bool = False) -> None:
        """Run a native program, and again after a pause while it keeps failing (``step``, ``step.2``, …);
        ``only_if_ok`` skips all of it after a failed one."""
        if only_if_ok:
            self._lines.append("if ($LASTEXITCODE -eq 0) {")
        self.native(step, program, *args)
        for attempt in range(2, attempts + 1):
            retry = f"{step}.{attempt}"
            self._register(retry)
            self._lines.append("if ($LASTEXITCODE -ne 0) {")
            self._lines.append(f"Start-Sleep -Milliseconds {int(pause_ms)}")
            self._lines.append(f"Write-Output {ps_literal(self._marker('begin', retry))}")
            self._lines.append(_native_line(step, program, args))
            self._lines.append('"' + self._marker("rc", retry) + ':$LASTEXITCODE"')
            self._lines.append("}")
        if only_if_ok:
            self._lines.append("}")

    def _emit(self, body: list[str], only_if_ok: bool) -> None:
        if only_if_ok:
            self._lines.append("if ($LASTEXITCODE -eq 0) {")
            self._lines.extend(body)
            self._lines.append("}")
        else:
            self._lines.extend(body)

    def render(self) -> str:
        return "\n".join(self._lines + [f"Write-Output {ps_literal(self._marker('done'))}", "exit 0"]) + "\n"


def _native_line(step: str, program: str, args: tuple[str, ...]) -> str:
    """The PowerShell statement that runs ``program``; UnsafeValueError when Windows could not start it intact."""
    arguments = [check_native_value(str(arg), f"argument {index} of {program} in step {step}")
                 for index, arg in enumerate(args, 1)]
    if PROGRAM_PATH_LENGTH + len(" ".join(arguments)) + 1 > MAX_COMMAND_LINE:
        raise UnsafeValueError(f"the {program} command line of step {step} would be longer than the "
                               f"{MAX_COMMAND_LINE} characters Windows can start; shorten the values")
    return " ".join([program] + [ps_literal(argument) for argument in arguments])


def parse_output(script: RemoteScript, stdout: str, stderr: str = "") -> ScriptResult:
    """Cut a command's stdout into its steps by the script's own markers."""
    prefix = f"@@vmr:{script.nonce}:"
    steps: dict[str, StepResult] = {}
    current: StepResult | None = None
    finished = False
    for raw in stdout.splitlines():
        line = raw.rstrip("\r")
        if not line.startswith(prefix):
            if current is not None:
                current.lines.append(line)
            continue
        kind, _sep, rest = line[len(prefix):].partition(":")
        if kind == "begin":
            if rest not in script.step_names or rest in steps:
                raise RemoteScriptError(f"unexpected step marker {rest!r} in the output of {script.name}")
            current = steps[rest] = StepResult(rest, [], None, False)
        elif kind == "failed":
            if current is None or current.name != rest:
                raise RemoteScriptError(f"step {rest!r} failed without beginning in the output of {script.name}")
            current.failed = True
            current = None
        elif kind in ("rc", "end"):
            name, _sep, code = rest.rpartition(":") if kind == "rc" else (rest, "", "")
            if current is None or current.name != name:
                raise RemoteScriptError(f"step {name!r} ended without beginning in the output of {script.name}")
            if kind == "rc":
                try:
                    current.rc = int(code)
                except ValueError:
                    raise RemoteScriptError(f"step {name!r} of {script.name} reported no exit code") from None
            current.completed = True
            current = None
        elif kind == "done":
            finished = True
            current = None
        else:
            raise RemoteScriptError(f"unknown marker {line!r} in the output of {script.name}")
    return ScriptResult(steps=steps, finished=finished, stdout=stdout, stderr=stderr)


def json_objects(text: str, what: str) -> list[dict[str, t.Any]]:
    """Objects from ``ConvertTo-Json`` output: one object -> ``{...}``, several -> ``[...]``, none -> nothing."""
    text = text.strip().lstrip("\ufeff")
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise VmrescueError(f"the {what} reported by the recovery VM could not be read as JSON ({exc})") from None
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise VmrescueError(f"the {what} reported by the recovery VM are not JSON objects")
    return items
