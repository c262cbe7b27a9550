"""The WinRS shell service: shells, commands, lazy start, chunked output, wire faults.

Transport-free: ``ShellService.handle(payload)`` returns what the HTTP layer must do.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field

from . import wsman
from .ansible_internal import Outcome
from .launcher import Launcher, Process

OUTPUT_CHUNK_BYTES = 64 * 1024       # per stream and Receive, so big outputs take several Receives
RECEIVE_MARGIN_S = 2.0               # reply this long before the client's operation timeout
MIN_RECEIVE_WAIT_S = 0.2


@dataclass(frozen=True)
class Reply:
    status: int          # HTTP status
    body: bytes


class Drop:
    """Close the TCP connection without any reply (fault ``drop``)."""


@dataclass
class _Command:
    command_id: str
    process: Process
    console_mode_stdin: bool
    stdin: bytearray = field(default_factory=bytearray)
    stdin_closed: bool = False
    stdin_arrived: threading.Event = field(default_factory=threading.Event)
    started: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None
    stdout_sent: int = 0
    stderr_sent: int = 0

    def ready_to_start(self) -> bool:
        return self.console_mode_stdin or self.stdin_closed


@dataclass
class _Shell:
    shell_id: str
    commands: dict[str, _Command] = field(default_factory=dict)


class ShellService:
    def __init__(self, launcher: Launcher, *, endpoint: str = "http://localhost/wsman",
                 latency_s: float = 0.0) -> None:
        self.launcher = launcher
        self.endpoint = endpoint
        self.latency_s = latency_s
        self._shells: dict[str, _Shell] = {}
        self._lock = threading.Lock()

    # -- entry point ----------------------------------------------------------------------------------------------
    def handle(self, payload: bytes) -> Reply | Drop:
        if self.latency_s:
            time.sleep(self.latency_s)
        try:
            request = wsman.parse_request(payload)
            operation = self._operations().get(request.action)
            if operation is None:
                raise wsman.SoapError(wsman.CODE_ACTION_NOT_SUPPORTED, "a:ActionNotSupported",
                                      f"The action {request.action} is not supported by the service.",
                                      request.message_id)
            return operation(request)
        except wsman.SoapError as error:
            return Reply(500, wsman.fault_response(error))
        except Exception as error:   # a simulator bug: answer like a broken service, and leave a trace
            traceback.print_exc(file=sys.stderr)
            return Reply(500, wsman.fault_response(wsman.SoapError(
                wsman.CODE_INTERNAL_ERROR, "w:InternalError", f"vmrescue simulator internal error: {error!r}")))

    def _operations(self):
        return {
            wsman.ACTION_CREATE: self._create,
            wsman.ACTION_COMMAND: self._command,
            wsman.ACTION_SEND: self._send,
            wsman.ACTION_RECEIVE: self._receive,
            wsman.ACTION_SIGNAL: self._signal,
            wsman.ACTION_DELETE: self._delete,
        }

    # -- lookups --------------------------------------------------------------------------------------------------
    def _shell(self, request: wsman.Request) -> _Shell:
        with self._lock:
            shell = self._shells.get(request.shell_id or "")
        if shell is None:
            raise wsman.SoapError(wsman.CODE_SHELL_NOT_FOUND, "w:InvalidSelectors",
                                  f"The request for the Windows Remote Shell with ShellId {request.shell_id} failed "
                                  "because the shell was not found on the server.", request.message_id)
        return shell

    @staticmethod
    def _command_of(shell: _Shell, command_id: str, request: wsman.Request) -> _Command:
        command = shell.commands.get(command_id)
        if command is None:
            raise wsman.SoapError(wsman.CODE_SHELL_NOT_FOUND, "w:InvalidSelectors",
                                  f"The command {command_id} was not found in shell {shell.shell_id}.",
                                  request.message_id)
        return command

    # -- operations -----------------------------------------------------------------------------------------------
    def _create(self, request: wsman.Request) -> Reply:
        shell = _Shell(str(uuid.uuid4()).upper())
        with self._lock:
            self._shells[shell.shell_id] = shell
        return Reply(200, wsman.create_response(request, shell.shell_id, self.endpoint))

    def _command(self, request: wsman.Request) -> Reply:
        shell = self._shell(request)
        command_text, arguments = wsman.command_line(request)
        process = self.launcher.prepare(shell.shell_id, command_text, arguments)
        console_mode = request.options.get("WINRS_CONSOLEMODE_STDIN", "TRUE").upper() == "TRUE"
        command = _Command(str(uuid.uuid4()).upper(), process, console_mode_stdin=console_mode)
        shell.commands[command.command_id] = command
        return Reply(200, wsman.command_response(request, command.command_id))

    def _send(self, request: wsman.Request) -> Reply:
        shell = self._shell(request)
        for chunk in wsman.send_chunks(request):
            command = self._command_of(shell, chunk.command_id, request)
            if command.stdin_closed or command.started:
                raise wsman.SoapError(wsman.CODE_INVALID_SOAP, "w:InvalidParameter",
                                      "The stdin stream of this command is already closed.", request.message_id)
            command.stdin += chunk.data
            if chunk.end:
                command.stdin_closed = True
                command.stdin_arrived.set()
        return Reply(200, wsman.send_response(request))

    def _receive(self, request: wsman.Request) -> Reply | Drop:
        shell = self._shell(request)
        command = self._command_of(shell, wsman.receive_command_id(request), request)
        wait_s = max(MIN_RECEIVE_WAIT_S, request.operation_timeout_s - RECEIVE_MARGIN_S)
        deadline = time.monotonic() + wait_s

        if not command.started:
            if not command.ready_to_start() and not command.stdin_arrived.wait(wait_s):
                return self._operation_timeout(request)
            self._start(command)

        wire_fault = self.launcher.faults.wire_fault(command.process.catalogue_index) \
            if command.process.catalogue_index else None
        if wire_fault == "drop":
            return Drop()
        if wire_fault == "http500":
            return Reply(500, wsman.fault_response(wsman.SoapError(
                wsman.CODE_INTERNAL_ERROR, "w:InternalError", "The WS-Management service cannot process the "
                "request because of an internal error (injected fault).", request.message_id)))
        if wire_fault == "timeout":
            return self._operation_timeout(request)

        if not command.finished.wait(max(0.0, deadline - time.monotonic())):
            return self._operation_timeout(request)
        return Reply(200, self._next_output(request, command))

    def _start(self, command: _Command) -> None:
        command.started = True
        self.launcher.number(command.process, bytes(command.stdin))

        def run() -> None:
            try:
                command.outcome = self.launcher.execute(command.process, bytes(command.stdin))
            except Exception as error:   # a simulator bug must surface to the client, not hang it
                command.outcome = Outcome(1, b"", f"vmrescue simulator internal error: {error!r}\r\n".encode())
                raise
            finally:
                command.finished.set()

        threading.Thread(target=run, name=f"process-{command.command_id}", daemon=True).start()

    @staticmethod
    def _next_output(request: wsman.Request, command: _Command) -> bytes:
        assert command.outcome is not None
        outcome = command.outcome
        stdout = outcome.stdout[command.stdout_sent:command.stdout_sent + OUTPUT_CHUNK_BYTES]
        stderr = outcome.stderr[command.stderr_sent:command.stderr_sent + OUTPUT_CHUNK_BYTES]
        command.stdout_sent += len(stdout)
        command.stderr_sent += len(stderr)
        if stdout or stderr:
            # Output always travels in Running replies; the single Done reply comes after the last chunk.
            return wsman.receive_response(request, command.command_id, stdout, stderr, None)
        return wsman.receive_response(request, command.command_id, b"", b"", outcome.exit_code)

    @staticmethod
    def _operation_timeout(request: wsman.Request) -> Reply:
        return Reply(500, wsman.fault_response(wsman.SoapError(
            wsman.CODE_OPERATION_TIMEOUT, "w:TimedOut",
            "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.",
            request.message_id)))

    def _signal(self, request: wsman.Request) -> Reply:
        shell = self._shell(request)
        command_id, _code = wsman.signal_command(request)
        self._command_of(shell, command_id, request)
        # terminate (and ctrl_c) end the command; a process still running finishes on its own thread.
        shell.commands.pop(command_id, None)
        return Reply(200, wsman.signal_response(request))

    def _delete(self, request: wsman.Request) -> Reply:
        shell = self._shell(request)
        with self._lock:
            self._shells.pop(shell.shell_id, None)
        return Reply(200, wsman.delete_response(request))
