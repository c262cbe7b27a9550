"""Fixtures for the simulator's own tests: an in-process WS-Man server over a fake machine and a fake PowerShell."""

from __future__ import annotations

import ntpath
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.simulator.commandlog import CommandLog, read_log
from tests.simulator.faults import FaultPlan
from tests.simulator.launcher import Launcher
from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine
from tests.simulator.server import WsmanHttpServer, start_in_thread
from tests.simulator.shells import ShellService

USERNAME = "vmradmin"
PASSWORD = "Sim-Passw0rd!"
TEMP_DIR = "C:\\Users\\vmradmin\\AppData\\Local\\Temp"


class FakeMachine:
    """Just enough of windows.machine.Machine: one C: drive in a folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        self.faults = None
        (root / "C" / "Users" / "vmradmin" / "AppData" / "Local" / "Temp").mkdir(parents=True)

    def resolve_path(self, windows_path: str) -> Path:
        drive, rest = ntpath.splitdrive(windows_path)
        if drive.upper() != "C:":
            raise FileNotFoundError(windows_path)
        parts = [part for part in rest.split("\\") if part and part != "."]
        return self.root.joinpath("C", *parts)

    def temp_dir(self) -> str:
        return TEMP_DIR


@dataclass
class FakeResult:
    exit_code: int
    stdout: bytes
    stderr: bytes


@dataclass
class FakePowerShell:
    """Runs a toy script language so protocol tests control output and timing:
    ``out TEXT`` / ``err TEXT`` print a line, ``bytes N`` prints N bytes, ``sleep S`` waits, ``exit N``."""

    calls: list[dict] = field(default_factory=list)

    def __call__(self, script: str, machine, *, language: str = "en-US", faults=None,
                 command_index: int = 0) -> FakeResult:
        import time
        self.calls.append({"script": script, "language": language, "faults": faults, "index": command_index})
        stdout, stderr, code = bytearray(), bytearray(), 0
        for line in script.split("\n"):
            verb, _separator, argument = line.partition(" ")
            if verb == "out":
                stdout += argument.encode() + b"\r\n"
            elif verb == "err":
                stderr += argument.encode() + b"\r\n"
            elif verb == "bytes":
                stdout += bytes(i % 251 for i in range(int(argument)))
            elif verb == "sleep":
                time.sleep(float(argument))
            elif verb == "exit":
                code = int(argument)
                break
        return FakeResult(code, bytes(stdout), bytes(stderr))


@dataclass
class InProcessSimulator:
    url: str
    server: WsmanHttpServer
    machine: FakeMachine
    powershell: FakePowerShell
    log_path: Path
    username: str = USERNAME
    password: str = PASSWORD

    def commands(self) -> list[dict]:
        return read_log(self.log_path)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., InProcessSimulator]]:
    servers: list[WsmanHttpServer] = []

    def start(*, faults: tuple[str, ...] = (), latency_ms: int = 0, tls_context=None) -> InProcessSimulator:
        index = len(servers)
        machine = FakeMachine(tmp_path / f"machine{index}")
        powershell = FakePowerShell()
        plan = FaultPlan.from_specs(list(faults))
        machine.faults = plan
        log_path = tmp_path / f"commands{index}.jsonl"
        launcher = Launcher(machine, run_powershell=powershell, faults=plan, latency_s=latency_ms / 1000,
                            log=CommandLog(log_path))
        service = ShellService(launcher, latency_s=latency_ms / 1000)
        server = WsmanHttpServer("127.0.0.1", 0, service, username=USERNAME, password=PASSWORD,
                                 tls_context=tls_context)
        service.endpoint = server.url("127.0.0.1")
        servers.append(server)
        start_in_thread(server)
        return InProcessSimulator(server.url("127.0.0.1"), server, machine, powershell, log_path)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    """A freshly built machine (Gen2, critical-service-failed) for the tests that run the host or its programs."""
    build_machine(tmp_path / "machine")
    return Machine.load(tmp_path / "machine")
