"""Run a script on a simulated machine's PowerShell host: (exit code, stdout, stderr) as text."""

from __future__ import annotations

from tests.simulator.powershell import run_powershell
from tests.simulator.windows.machine import Machine


def run(machine: Machine, script: str) -> tuple[int, str, str]:
    result = run_powershell(script, machine)
    return result.exit_code, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
