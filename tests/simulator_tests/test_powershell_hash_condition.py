"""`(Get-FileHash …).Hash -ceq|-cne '…'` in conditions: the journal guard of a write command (nothing else)."""

from __future__ import annotations

import hashlib

import pytest

from tests.simulator_tests.pshost import run

FILE = "F:\\Windows\\System32\\config\\SYSTEM"


def _run(machine, script):
    rc, stdout, stderr = run(machine, script)
    return rc, stdout.splitlines(), stderr


def _condition(operator: str, value: str, path: str = FILE) -> str:
    return f"if ((Get-FileHash -Algorithm SHA256 -LiteralPath '{path}').Hash -{operator} '{value}') " \
           "{ Write-Output 'yes' } else { Write-Output 'no' }"


def test_compares_the_files_hash_case_sensitively(machine):
    digest = hashlib.sha256(machine.resolve_path(FILE).read_bytes()).hexdigest().upper()
    assert _run(machine, _condition("ceq", digest))[1] == ["yes"]
    assert _run(machine, _condition("cne", digest))[1] == ["no"]
    assert _run(machine, _condition("ceq", digest.lower()))[1] == ["no"]     # -ceq: case matters
    assert _run(machine, _condition("cne", "0" * 64))[1] == ["yes"]


def test_a_missing_file_has_no_hash_and_writes_an_error(machine):
    rc, lines, stderr = _run(machine, _condition("cne", "0" * 64, "F:\\no-such-file"))
    assert lines == ["yes"] and rc == 0 and "Get-FileHash" in stderr


@pytest.mark.parametrize("script", [
    "if ((Get-FileHash -Algorithm SHA256 -LiteralPath 'F:\\x').Hash -ne 'A') { 1 }",        # case-insensitive
    "if ((Get-FileHash -Algorithm SHA256 -LiteralPath 'F:\\x').Path -ceq 'A') { 1 }",
    "if ((Get-FileHash -Algorithm SHA256 -LiteralPath 'F:\\x').Hash -ceq \"A\") { 1 }",
    "if (-not (Get-FileHash -Algorithm SHA256 -LiteralPath 'F:\\x')) { 1 }",
    "if ((Get-Item -LiteralPath 'F:\\x').Hash -ceq 'A') { 1 }",
])
def test_other_forms_stay_unsupported(machine, script):
    rc, _lines, _stderr = _run(machine, script)
    assert rc == 1
