"""ansible-core 2.19's own helper commands, recognised by content and run natively.

ansible-core sends these without our catalogue being involved: ``bootstrap_wrapper.ps1`` with an exec manifest on
stdin (temporary directory, put_file, fetch_file, modules) and two one-line scripts (temp-dir removal and
``shell.exists``). The wrapper texts are compared with the installed ansible-core's own files, so a new ansible-core
that changes them is noticed instead of half-emulated.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import ntpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ansible.executor.powershell.module_manifest import _get_powershell_script

STRICT_MODE_PROLOGUE = "Set-StrictMode -Version Latest"
PRESERVE_RC_EPILOGUE = ("If (-not $?) { If (Get-Variable LASTEXITCODE -ErrorAction SilentlyContinue) "
                        "{ exit $LASTEXITCODE } Else { exit 1 } }")
SENTINEL = "\0\0\0\0"
MKDTEMP = "powershell_mkdtemp.ps1"
PUT_FILE = "winrm_put_file.ps1"
FETCH_FILE = "winrm_fetch_file.ps1"
REMOVE = "remove"
EXISTS = "exists"
UTF8 = "utf-8"

_SQ = "'\u2018\u2019\u201a\u201b"    # characters PowerShell treats as single quotes (doubled inside '...')
_QUOTED = rf"[{_SQ}]((?:[^{_SQ}]|[{_SQ}]{{2}})*)[{_SQ}]"
_REMOVE = re.compile(rf"^Remove-Item {_QUOTED} -Force( -Recurse)?;$")
_EXISTS = re.compile(
    rf"^If \(Test-Path {_QUOTED}\)\n\{{\n\$res = 0;\n\}}\nElse\n\{{\n\$res = 1;\n\}}\nWrite-Output '\$res';\nExit \$res;$"
)


class MachineLike(Protocol):
    def resolve_path(self, windows_path: str) -> Path: ...
    def temp_dir(self) -> str: ...


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: bytes
    stderr: bytes


@dataclass(frozen=True)
class InternalCommand:
    kind: str                   # "bootstrap" | REMOVE | EXISTS
    path: str | None = None     # REMOVE / EXISTS target
    recurse: bool = False


def normalise(script: str) -> str:
    """What ``ShellModule._encode_script`` does to a script: strip lines, drop blank ones."""
    return "\n".join(line.strip() for line in script.splitlines() if line.strip())


@functools.cache
def _installed(name: str) -> str:
    return _get_powershell_script(name).decode(UTF8)


def _unescape(quoted_body: str) -> str:
    return re.sub(f"([{_SQ}])[{_SQ}]", r"\1", quoted_body)


def recognise(script: str) -> InternalCommand | None:
    """The ansible-internal command this decoded script is, or None."""
    lines = script.split("\n")
    if lines and lines[0] == STRICT_MODE_PROLOGUE:
        lines = lines[1:]
    if lines and lines[-1] == PRESERVE_RC_EPILOGUE:
        lines = lines[:-1]
    body = "\n".join(lines)
    if body == normalise(_installed("bootstrap_wrapper.ps1")):
        return InternalCommand("bootstrap")
    if match := _REMOVE.match(body):
        return InternalCommand(REMOVE, path=_unescape(match[1]), recurse=bool(match[2]))
    if match := _EXISTS.match(body):
        return InternalCommand(EXISTS, path=_unescape(match[1]))
    return None


def _ps_error(command: str, message: str) -> bytes:
    return f"{command} : {message}\r\n".encode(UTF8)


def _host_path(machine: MachineLike, windows_path: str) -> Path:
    return machine.resolve_path(ntpath.normpath(windows_path))


def run(command: InternalCommand, stdin: bytes, machine: MachineLike) -> tuple[str, Outcome]:
    """(name for the log, outcome)."""
    if command.kind == REMOVE:
        return REMOVE, _remove(command, machine)
    if command.kind == EXISTS:
        return EXISTS, _exists(command, machine)
    return _bootstrap(stdin, machine)


def _remove(command: InternalCommand, machine: MachineLike) -> Outcome:
    assert command.path is not None
    try:
        target = _host_path(machine, command.path)
    except (FileNotFoundError, ValueError):   # no such drive / not a drive path
        target = None
    if target is None or not (target.exists() or target.is_symlink()):
        return Outcome(1, b"", _ps_error("Remove-Item", f"Cannot find path '{command.path}' because it does not exist."))
    if target.is_dir() and not target.is_symlink():
        if any(target.iterdir()) and not command.recurse:
            message = f"The item at {command.path} has children and the Recurse parameter was not specified."
            return Outcome(1, b"", _ps_error("Remove-Item", message))
        shutil.rmtree(target)
    else:
        target.unlink()
    return Outcome(0, b"", b"")


def _exists(command: InternalCommand, machine: MachineLike) -> Outcome:
    assert command.path is not None
    try:
        found = _host_path(machine, command.path).exists()
    except (FileNotFoundError, ValueError):   # no such drive / not a drive path
        found = False
    # The script prints the literal text '$res' (single quotes do not expand) and exits 0 or 1.
    return Outcome(0 if found else 1, b"$res\r\n", b"")


# ---- bootstrap_wrapper.ps1 + exec_wrapper.ps1 ---------------------------------------------------------------------

class _BadInput(Exception):
    pass


@dataclass(frozen=True)
class _BootstrapInput:
    action: str
    params: dict[str, Any]
    scripts: dict[str, Any]
    action_input: list[str]


def _parse_stdin(stdin: bytes) -> _BootstrapInput:
    lines = [line.rstrip("\r") for line in stdin.decode(UTF8).split("\n")]
    if lines and lines[-1] == "":
        lines.pop()   # a trailing newline does not make an extra pipeline line
    if SENTINEL not in lines:
        raise _BadInput("the bootstrap input has no four-NUL sentinel line")
    first = lines.index(SENTINEL)
    bootstrap = json.loads("\n".join(lines[:first]))
    rest = lines[first + 1:]
    if SENTINEL in rest:
        second = rest.index(SENTINEL)
        manifest_lines, action_input = rest[:second], rest[second + 1:]
    else:
        manifest_lines, action_input = rest, []
    manifest = json.loads("\n".join(manifest_lines))

    if bootstrap.get("name") != "exec_wrapper" or bootstrap.get("script") != _installed("exec_wrapper.ps1"):
        raise _BadInput("the bootstrap input does not carry ansible-core's exec_wrapper.ps1")
    actions = manifest.get("actions") or []
    if not actions:
        raise _BadInput("the exec manifest has no action")
    action = actions[0]
    name = action.get("name")
    params = {**action.get("params", {}), **action.get("secure_params", {})}
    return _BootstrapInput(name, params, manifest.get("scripts", {}), action_input)


def _verify_action_script(scripts: dict[str, Any], name: str) -> None:
    info = scripts.get(name) or {}
    try:
        script = base64.b64decode(info.get("script", ""), validate=True).decode(UTF8)
    except (binascii.Error, UnicodeDecodeError):
        raise _BadInput(f"the manifest's {name} is not base64 text")
    if script != _installed(name):
        raise _BadInput(f"the manifest's {name} differs from ansible-core's")


def _bootstrap(stdin: bytes, machine: MachineLike) -> tuple[str, Outcome]:
    try:
        request = _parse_stdin(stdin)
        handler = _ACTIONS.get(request.action)
        if handler is None:
            return request.action or "bootstrap", Outcome(1, b"", (
                f"vmrescue simulator: ansible-core action {request.action!r} is not supported; this recovery VM "
                "only runs ansible-core's mkdtemp/put_file/fetch_file helpers and vmrescue.windows catalogue "
                "commands (PowerShell modules are not available).\r\n").encode(UTF8))
        _verify_action_script(request.scripts, request.action)
        return request.action, handler(request, machine)
    except (_BadInput, ValueError, KeyError, IndexError, AttributeError) as error:
        return "bootstrap", Outcome(1, b"", f"vmrescue simulator: bad bootstrap input: {error}\r\n".encode(UTF8))


def _expand_environment(text: str, machine: MachineLike) -> str:
    """[Environment]::ExpandEnvironmentVariables: known %NAME% replaced (case-insensitive), unknown left alone."""
    variables = {"TEMP": machine.temp_dir(), "TMP": machine.temp_dir(), "SYSTEMROOT": "C:\\Windows",
                 "WINDIR": "C:\\Windows", "SYSTEMDRIVE": "C:"}
    return re.sub(r"%([^%]+)%", lambda m: variables.get(m[1].upper(), m[0]), text)


def _mkdtemp(request: _BootstrapInput, machine: MachineLike) -> Outcome:
    directory = _expand_environment(str(request.params["Directory"]), machine)
    name = str(request.params["Name"])
    full_name = ntpath.normpath(ntpath.join(directory, name))
    try:
        target = _host_path(machine, full_name)
    except (FileNotFoundError, ValueError):   # no such drive / not a drive path
        drive = ntpath.splitdrive(full_name)[0].rstrip(":")
        return Outcome(1, b"", _ps_error("New-Item", f"Cannot find drive. A drive with the name '{drive}' does "
                                                     "not exist."))
    if target.exists():
        return Outcome(1, b"", _ps_error("New-Item", f"An item with the specified name {full_name} already exists."))
    target.mkdir(parents=True)
    return Outcome(0, f"{full_name}\r\n".encode(UTF8), b"")


def _put_file(request: _BootstrapInput, machine: MachineLike) -> Outcome:
    path = str(request.params["Path"])
    try:
        target = _host_path(machine, path)
        if not target.parent.is_dir():
            raise FileNotFoundError(path)
    except (FileNotFoundError, ValueError):   # no such drive / not a drive path
        return Outcome(1, b"", (f"Exception calling \"Create\" with \"1\" argument(s): \"Could not find a part of "
                                f"the path '{path}'.\"\r\n").encode(UTF8))
    sha1 = hashlib.sha1()
    with target.open("wb") as out:
        for line in request.action_input:
            try:
                chunk = base64.b64decode(line, validate=True)
            except binascii.Error:
                return Outcome(1, b"", b"Exception calling \"FromBase64String\" with \"1\" argument(s): \"The "
                                       b"input is not a valid Base-64 string.\"\r\n")
            sha1.update(chunk)
            out.write(chunk)
    return Outcome(0, json.dumps({"sha1": sha1.hexdigest()}, separators=(",", ":")).encode() + b"\r\n", b"")


def _fetch_file(request: _BootstrapInput, machine: MachineLike) -> Outcome:
    path = str(request.params["Path"])
    buffer_size = int(request.params["BufferSize"])
    offset = int(request.params["Offset"])
    try:
        source = _host_path(machine, path)
    except (FileNotFoundError, ValueError):   # no such drive / not a drive path
        source = None
    if source is not None and source.is_file():
        with source.open("rb") as stream:
            stream.seek(offset)
            data = stream.read(buffer_size)
        return Outcome(0, base64.b64encode(data) + b"\r\n" if data else b"", b"")
    if source is not None and source.is_dir():
        return Outcome(0, b"[DIR]\r\n", b"")
    return Outcome(1, b"", f"{path} does not exist\r\n".encode(UTF8))


_ACTIONS = {MKDTEMP: _mkdtemp, PUT_FILE: _put_file, FETCH_FILE: _fetch_file}
