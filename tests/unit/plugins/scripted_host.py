"""A scripted stand-in for the recovery VM in unit tests: runs the *structure* of a catalogue script.

It follows the markers, ``if ($LASTEXITCODE -eq/-ne N) { ... }`` blocks and ``exit``, and asks a responder for the
output and exit code of every step (``responder(step, command_line) -> (lines, rc)``; rc None for cmdlets, or
``CMDLET_ERROR`` for a cmdlet that wrote an error, which the ``if (-not $?)`` guard of an abort_on_error step sees).
So a test scripts what Windows would answer, and the collection's own parser and planner do the rest.
"""

from __future__ import annotations

import re
import typing as t

Responder = t.Callable[[str, str], tuple[list[str], t.Optional[int]]]
_BEGIN = re.compile(r"^Write-Output '(@@vmr:[0-9a-f]{16}):begin:(.+)'$")
_RC = re.compile(r'^"(@@vmr:[0-9a-f]{16}):rc:(.+):\$LASTEXITCODE"$')
_END = re.compile(r"^Write-Output '(@@vmr:[0-9a-f]{16}):(end:.+|done)'$")
_IF = re.compile(r"^if \(\$LASTEXITCODE -(eq|ne) (\d+)\) \{$")
_ABORT = re.compile(r"^if \(-not \$\?\) \{ Write-Output '(@@vmr:[0-9a-f]{16}:failed:.+)'; "
                    r"Write-Output '(@@vmr:[0-9a-f]{16}:done)'; exit 0 \}$")
_STOP_IF = re.compile(r"^if \((.+)\) \{ Write-Output '(@@vmr:[0-9a-f]{16}:failed:.+)'; "
                      r"Write-Output '(@@vmr:[0-9a-f]{16}:done)'; exit 0 \}$")
CMDLET_ERROR = "cmdlet-error"
STOP = "stop"       # a responder's answer to a stop_if condition (journal-guard) that holds


def run_script(script: str, responder: Responder, cut_after_step: str | None = None) -> dict[str, t.Any]:
    """stdout/stderr/rc as _low_level_execute_command returns them. ``cut_after_step`` simulates a killed command."""
    out: list[str] = []
    last_rc = 0
    last_ok = True
    skipping: list[bool] = []
    step = None
    for line in script.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line == "}":
            skipping.pop()
            continue
        if any(skipping):
            if _IF.match(line):
                skipping.append(True)
            continue
        match = _IF.match(line)
        if match:
            equal = last_rc == int(match.group(2))
            skipping.append(not (equal if match.group(1) == "eq" else not equal))
            continue
        if line == "exit 0":
            break
        abort = _ABORT.match(line)
        if abort:
            if not last_ok:
                out.extend([abort.group(1), abort.group(2)])
                break
            continue
        stop = _STOP_IF.match(line)
        if stop:
            if responder(step or "", stop.group(1))[1] == STOP:
                out.extend([stop.group(2), stop.group(3)])
                break
            continue
        begin, rc_marker, end = _BEGIN.match(line), _RC.match(line), _END.match(line)
        if begin:
            step = begin.group(2)
            out.append(f"{begin.group(1)}:begin:{step}")
        elif rc_marker:
            out.append(f"{rc_marker.group(1)}:rc:{rc_marker.group(2)}:{last_rc}")
            if rc_marker.group(2) == cut_after_step:
                return {"rc": 1, "stdout": "\n".join(out) + "\n", "stderr": ""}
        elif end:
            out.append(f"{end.group(1)}:{end.group(2)}")
        elif line.startswith("Start-Sleep"):
            continue
        else:
            lines, rc = responder(step or "", line)
            out.extend(lines)
            last_ok = rc != CMDLET_ERROR and rc in (None, 0)
            if rc is not None and rc != CMDLET_ERROR:
                last_rc = rc
    return {"rc": 0, "stdout": "\n".join(out) + "\n", "stderr": ""}


def reg_query_text(keys: dict[str, dict[str, tuple[str, str]]]) -> list[str]:
    """reg.exe's layout for {full key path: {value name: (REG_TYPE, data column)}}."""
    lines: list[str] = []
    for path, values in keys.items():
        lines.append("")
        lines.append(path)
        for name, (reg_type, data) in values.items():
            lines.append(f"    {name}    {reg_type}    {data}")
    lines.append("")
    return lines
