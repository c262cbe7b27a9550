"""`$?` in conditions: a catalogue script stops before any change when a cmdlet it depends on wrote an error."""

from __future__ import annotations

import pytest

from tests.simulator.powershell import run_powershell
from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine


@pytest.fixture(scope="module")
def machine(tmp_path_factory):
    root = tmp_path_factory.mktemp("success") / "m"
    build_machine(root, generation=2, scenario="clean")
    return Machine.load(root)


def _run(machine, script):
    result = run_powershell(script, machine)
    return result.exit_code, result.stdout.decode("utf-8").splitlines()


def test_failed_cmdlet_makes_dollar_question_false(machine):
    rc, lines = _run(machine, "Get-Item -LiteralPath 'F:\\no-such-file'\n"
                              "if (-not $?) { Write-Output 'stopped' }\nif ($?) { Write-Output 'after' }")
    assert lines == ["stopped", "after"]   # evaluating the `if` itself succeeds, as in PowerShell
    assert rc == 0


def test_successful_cmdlet_keeps_going(machine):
    rc, lines = _run(machine, "Test-Path -LiteralPath 'F:\\Windows' | Out-Null\n"
                              "if (-not $?) { Write-Output 'stopped' } else { Write-Output 'went on' }")
    assert lines == ["went on"] and rc == 0


def test_failed_native_program_makes_dollar_question_false(machine):
    rc, lines = _run(machine, "reg.exe query 'HKLM\\NoSuchKey'\nif ($?) { Write-Output 'ok' } else { Write-Output 'failed' }")
    assert lines[-1] == "failed"


@pytest.mark.parametrize("script", ["if ($? -eq $true) { 1 }", "if ($?x) { 1 }", "if (-not $Error) { 1 }"])
def test_other_uses_stay_unsupported(machine, script):
    rc, _lines = _run(machine, script)
    assert rc == 1
