"""Starting a process on the simulated machine: decode the WinRS command line, pick who runs it, log it."""

from __future__ import annotations

import base64
import binascii
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import ansible_internal
from .commandlog import CommandLog, CommandRecord
from .faults import FaultPlan
from .fingerprint import FingerprintLog
from .windows.i18n import LANGUAGES

KIND_CATALOGUE = "catalogue"
KIND_INTERNAL = "ansible-internal"
KIND_OTHER = "other"
_CATALOGUE_HEADER = re.compile(r"^# vmrescue\.windows (\S+)")
_POWERSHELL_NAMES = {"powershell", "powershell.exe"}
# WinRS starts every command through cmd.exe, whose command line holds at most 8191 characters.
MAX_COMMAND_LINE = 8191
# The one command line the collection sends: it runs the catalogue script it reads from stdin (docs/dev/remote-commands.md §1).
STDIN_BOOTSTRAP = "& ([ScriptBlock]::Create(($input | Out-String)))"

RunPowerShell = Callable[..., Any]   # run_powershell(script, machine, *, language, faults, command_index)


class UnsupportedCommandLine(Exception):
    """A WinRS command line this recovery VM does not run (reported to the client like cmd.exe would)."""


def decode_command_line(command: str, arguments: str) -> str:
    """The script of ``PowerShell -NoProfile … -EncodedCommand <b64>`` (UTF-16-LE base64)."""
    if len(f"{command} {arguments}") > MAX_COMMAND_LINE:
        raise UnsupportedCommandLine("The command line is too long.\r\n")
    parts = command.split() + arguments.split()
    if not parts or parts[0].lower() not in _POWERSHELL_NAMES:
        raise UnsupportedCommandLine(
            f"'{parts[0] if parts else ''}' is not recognized as an internal or external command,\r\n"
            "operable program or batch file.\r\n")
    lowered = [part.lower() for part in parts]
    for flag in ("-encodedcommand", "-enc", "-e"):
        if flag in lowered:
            position = lowered.index(flag)
            break
    else:
        raise UnsupportedCommandLine("vmrescue simulator: only 'PowerShell … -EncodedCommand <base64>' is supported "
                                     "(ANSIBLE_KEEP_REMOTE_FILES and '-Command -' are not)\r\n")
    if position + 1 >= len(parts):
        raise UnsupportedCommandLine("Missing argument for parameter EncodedCommand.\r\n")
    try:
        return base64.b64decode(parts[position + 1], validate=True).decode("utf-16-le")
    except (binascii.Error, UnicodeDecodeError):
        raise UnsupportedCommandLine("Cannot process the command because the value specified with -EncodedCommand "
                                     "is not properly encoded. The value must be Base64 encoded.\r\n")


def catalogue_name(script: str) -> str | None:
    first_line = script.split("\n", 1)[0].strip()
    match = _CATALOGUE_HEADER.match(first_line)
    return match[1] if match else None


@dataclass
class Process:
    """One command line waiting to run or running."""
    shell_id: str
    script: str | None                 # None when the command line could not be decoded
    decode_error: str | None
    kind: str
    name: str | None
    catalogue_index: int = 0           # 1-based among catalogue commands; 0 for the others
    reads_stdin: bool = False          # the stdin bootstrap: the script arrives on stdin


class Launcher:
    def __init__(self, machine: Any, *, run_powershell: RunPowerShell, language: str = "en-US",
                 faults: FaultPlan | None = None, latency_s: float = 0.0, log: CommandLog | None = None,
                 fingerprints: FingerprintLog | None = None) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}; supported: {', '.join(LANGUAGES)}")
        self.machine = machine
        self.faults = faults or FaultPlan()
        self.language = language
        self.latency_s = latency_s
        self.log = log or CommandLog(None)
        self._run_powershell = run_powershell
        self.fingerprints = fingerprints
        self._catalogue_count = 0
        self._count_lock = threading.Lock()

    def prepare(self, shell_id: str, command: str, arguments: str) -> Process:
        try:
            script = decode_command_line(command, arguments)
        except UnsupportedCommandLine as error:
            return Process(shell_id, None, str(error), KIND_OTHER, None)
        if ansible_internal.recognise(script) is not None:
            return Process(shell_id, script, None, KIND_INTERNAL, None)
        if script.strip() == STDIN_BOOTSTRAP:
            return Process(shell_id, None, None, KIND_CATALOGUE, None, reads_stdin=True)
        name = catalogue_name(script)
        return Process(shell_id, script, None, KIND_CATALOGUE if name else KIND_OTHER, name)

    def number(self, process: Process, stdin: bytes = b"") -> None:
        """Give a catalogue command its index; called once, when the process starts (fault specs count these).

        By then all stdin has arrived, so a stdin-bootstrapped script is read here: PowerShell's ``$input`` gives the
        lines of stdin (UTF-8, the shell's code page 65001)."""
        if process.reads_stdin:
            try:
                process.script = stdin.decode("utf-8").lstrip("\ufeff")
            except UnicodeDecodeError:
                process.script, process.decode_error = None, "stdin is not UTF-8 text\r\n"
            process.name = catalogue_name(process.script or "")
            process.kind = KIND_CATALOGUE if process.name else KIND_OTHER
        if process.kind == KIND_CATALOGUE:
            with self._count_lock:
                self._catalogue_count += 1
                process.catalogue_index = self._catalogue_count

    def execute(self, process: Process, stdin: bytes) -> ansible_internal.Outcome:
        """Run the process to completion (one at a time per machine) and log it."""
        if self.latency_s:
            time.sleep(self.latency_s)
        started = time.time()
        clock = time.monotonic()
        with self.machine.lock:
            outcome = self._run(process, stdin)
        self.log.write(CommandRecord(
            seq=self.log.next_seq(), time=started, shell_id=process.shell_id, kind=process.kind,
            name=process.name, text=process.script if process.script is not None else "",
            exit_code=outcome.exit_code, duration_ms=round((time.monotonic() - clock) * 1000, 3),
            stdin_bytes=len(stdin)))
        return outcome

    def _run(self, process: Process, stdin: bytes) -> ansible_internal.Outcome:
        if process.script is None:
            return ansible_internal.Outcome(1, b"", (process.decode_error or "").encode("utf-8"))
        internal = ansible_internal.recognise(process.script)
        if internal is not None:
            process.name, outcome = ansible_internal.run(internal, stdin, self.machine)
            return outcome
        hook = {}
        if self.fingerprints is not None and process.kind == KIND_CATALOGUE:
            hook["after_statement"] = self.fingerprints.after_statement(
                self.machine, process.catalogue_index, process.name)
        result = self._run_powershell(process.script, self.machine, language=self.language, faults=self.faults,
                                      command_index=process.catalogue_index, **hook)
        return ansible_internal.Outcome(int(result.exit_code), bytes(result.stdout), bytes(result.stderr))
