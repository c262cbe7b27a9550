"""PowerShell 5.1 legacy native argument passing, then MSVCRT splitting: what argv the program receives."""

from __future__ import annotations

import pytest

from tests.simulator.powershell.native_args import (
    build_command_line, native_argv, resolve_native, split_command_line,
)


@pytest.mark.parametrize(("values", "command_line", "argv"), [
    (["/store", "F:\\boot\\BCD"], "/store F:\\boot\\BCD", ["/store", "F:\\boot\\BCD"]),
    (["My Disk"], '"My Disk"', ["My Disk"]),
    (["tab\there"], '"tab\there"', ["tab\there"]),
    (['"already quoted"'], '"already quoted"', ["already quoted"]),
    (["a", "", "b"], "a b", ["a", "b"]),                                # empty strings vanish in PS 5.1
    (['""'], '""', [""]),                                               # how the catalogue passes an empty value
    (['say "hi"'], '"say "hi""', ["say hi"]),                           # embedded quotes are not escaped
    (['say \\"hi\\"'], '"say \\"hi\\""', ['say "hi"']),                 # the catalogue's escaping survives
    (["C:\\dir with space\\"], '"C:\\dir with space\\"', ['C:\\dir with space"']),   # trailing backslash eats the quote
    (["C:\\dir with space\\\\"], '"C:\\dir with space\\\\"', ["C:\\dir with space\\"]),
    (["C:\\no_space\\"], "C:\\no_space\\", ["C:\\no_space\\"]),
    (["a\\\\\\\"b"], 'a\\\\\\"b', ['a\\"b']),                            # 2n+1 backslashes before a quote
    (["default"], "default", ["default"]),
    (["中文 値"], '"中文 値"', ["中文 値"]),
])
def test_round_trip(values: list[str], command_line: str, argv: list[str]) -> None:
    assert build_command_line(values) == command_line
    assert native_argv(values) == argv


@pytest.mark.parametrize(("command_line", "argv"), [
    ('a\\\\"b c"', ["a\\b c"]),          # 2n backslashes + quote: n backslashes, quote toggles
    ('"a""b"', ['a"b']),                  # "" inside quotes: a literal quote
    ('"a""b c"', ['a"b c']),
    ("  lead   trail  ", ["lead", "trail"]),
    ('x "" y', ["x", "", "y"]),
    ("a\\b\\c", ["a\\b\\c"]),            # backslashes not before a quote are literal
])
def test_msvcrt_splitting(command_line: str, argv: list[str]) -> None:
    assert split_command_line(command_line) == argv


@pytest.mark.parametrize(("name", "program"), [
    ("bcdedit", "bcdedit"), ("BCDEDIT.EXE", "bcdedit"), ("reg", "reg"), ("Reg.exe", "reg"),
    ("C:\\Windows\\System32\\bcdedit.exe", "bcdedit"), ("c:\\windows\\system32\\REG.EXE", "reg"),
    ("C:\\Windows\\System32\\bcdedit", "bcdedit"),
    ("cmd", None), ("C:\\Temp\\bcdedit.exe", None), ("bcdedit.com", None), ("powershell", None),
])
def test_native_program_resolution(name: str, program: str | None) -> None:
    assert resolve_native(name) == program
