"""Test helpers: build a machine and run the simulator as a separate process.

    with running_simulator(machine_dir, scheme="https") as sim:
        subprocess.run([ansible, "-i", sim.inventory_path, "all", "-m", "ansible.builtin.raw", "-a", "…"])
        sim.commands()   # parsed command-log lines
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .commandlog import read_log
from .windows.i18n import LANGUAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
DEFAULT_USERNAME = "vmradmin"
DEFAULT_PASSWORD = "Sim-Passw0rd!"


class SimulatorError(RuntimeError):
    pass


@dataclass
class Simulator:
    url: str
    port: int
    scheme: str
    inventory_path: Path
    log_path: Path
    ca_path: Path | None
    username: str
    password: str
    process: subprocess.Popen = field(repr=False)
    stderr_lines: list[str] = field(default_factory=list, repr=False)

    def commands(self) -> list[dict]:
        return read_log(self.log_path)

    def stderr(self) -> str:
        return "".join(self.stderr_lines)


def _module_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.simulator", *args]


def build(machine_dir: Path, **kwargs: object) -> None:
    """``python -m tests.simulator build`` with keyword options (``generation=1``, ``scenario="clean"``, …)."""
    args = [str(machine_dir)]
    for name, value in kwargs.items():
        if value is not None:
            args += [f"--{name.replace('_', '-')}", str(value)]
    completed = subprocess.run(_module_command("build", *args), cwd=REPO_ROOT, capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        raise SimulatorError(f"build failed (rc {completed.returncode}): {completed.stderr}")


def _drain(stream, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)


@contextlib.contextmanager
def running_simulator(machine_dir: Path, *, scheme: str = "http", language: str = "en-US", latency_ms: int = 0,
                      faults: tuple[str, ...] | list[str] = (), log_path: Path | None = None,
                      username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD,
                      fingerprint_log: Path | None = None) -> Iterator[Simulator]:
    if language not in LANGUAGES:
        raise SimulatorError(f"unsupported simulator language {language!r}; supported: {', '.join(LANGUAGES)}")
    with tempfile.TemporaryDirectory(prefix="vmrescue-sim-") as scratch:
        scratch_dir = Path(scratch)
        log = log_path or scratch_dir / "commands.jsonl"
        inventory = scratch_dir / "inventory.ini"
        tls_dir = scratch_dir / "tls"
        args = [str(machine_dir), "--port", "0", "--scheme", scheme, "--language", language,
                "--latency-ms", str(latency_ms), "--log", str(log), "--inventory-out", str(inventory),
                "--username", username, "--password", password, "--tls-dir", str(tls_dir)]
        for spec in faults:
            args += ["--fault", spec]
        if fingerprint_log is not None:
            args += ["--fingerprint-log", str(fingerprint_log)]
        process = subprocess.Popen(_module_command("serve", *args), cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        stderr_lines: list[str] = []
        threading.Thread(target=_drain, args=(process.stderr, stderr_lines), daemon=True).start()
        first_line: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: first_line.put(process.stdout.readline()), daemon=True).start()
        try:
            try:
                line = first_line.get(timeout=STARTUP_TIMEOUT_S)
            except queue.Empty:
                line = ""
            prefix = "listening on "
            if not line.startswith(prefix):
                process.kill()
                process.wait()
                raise SimulatorError(f"simulator did not start (rc {process.returncode}): {line!r} "
                                     f"{''.join(stderr_lines)}")
            url = line[len(prefix):].strip()
            yield Simulator(
                url=url, port=int(url.rsplit(":", 1)[1].split("/", 1)[0]), scheme=scheme, inventory_path=inventory,
                log_path=log, ca_path=tls_dir / "ca.pem" if scheme == "https" else None, username=username,
                password=password, process=process, stderr_lines=stderr_lines)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
