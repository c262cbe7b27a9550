"""PowerShell 5.1 legacy native argument passing, then MSVCRT splitting: what argv the program receives.

The PowerShell side follows NativeCommandParameterBinder.cs as it was before commit 8bca1f50c5 (2016-09-03, "Fix
passing escaped double quoted spaces to native executables"): appendOneNativeArgument counts EVERY double quote
(`if (arg[i] == '"') quoteCount += 1;`), wraps an argument with `char.IsWhiteSpace` outside an odd count in `"…"`,
never escapes a trailing backslash, and appends nothing for an empty string but its separator.
"""

from __future__ import annotations

import pytest

from tests.simulator.powershell.native_args import (
    MAX_COMMAND_LINE, CommandLineTooLong, build_command_line, native_argv, needs_quotes, resolve_native,
    split_command_line,
)


@pytest.mark.parametrize(("values", "command_line", "argv"), [
    (["/store", "F:\\boot\\BCD"], "/store F:\\boot\\BCD", ["/store", "F:\\boot\\BCD"]),
    (["My Disk"], '"My Disk"', ["My Disk"]),
    (["tab\there"], '"tab\there"', ["tab\there"]),
    (['"already quoted"'], '"already quoted"', ["already quoted"]),
    (["a", "", "b"], "a  b", ["a", "b"]),                               # empty strings vanish in PS 5.1
    (['""'], '""', [""]),                                               # how the catalogue passes an empty value
    (['say "hi"'], '"say "hi""', ["say hi"]),                           # embedded quotes are not escaped
    (['say \\"hi\\"'], '"say \\"hi\\""', ['say "hi"']),                 # the catalogue's escaping survives
    (["C:\\dir with space\\"], '"C:\\dir with space\\"', ['C:\\dir with space"']),   # trailing backslash eats the quote
    (["C:\\dir with space\\\\"], '"C:\\dir with space\\\\"', ["C:\\dir with space\\"]),
    (["C:\\no_space\\"], "C:\\no_space\\", ["C:\\no_space\\"]),
    (["a\\\\\\\"b"], 'a\\\\\\"b', ['a\\"b']),                            # 2n+1 backslashes before a quote
    (["default"], "default", ["default"]),
    (["中文 値"], '"中文 値"', ["中文 値"]),
    # 5.1 counts the escaped quote too: the space after it is "outside" quotes, so PowerShell wraps the argument.
    (['"say \\"hi there\\""'], '""say \\"hi there\\"""', ["say", '"hi', 'there"']),
    (['"\\" x"'], '""\\" x""', ['"', "x"]),
    # Ideographic space is char.IsWhiteSpace: PowerShell wraps, and the trailing backslash then escapes its quote.
    (["Windows\u3000Server\\", "next"], '"Windows\u3000Server\\" next', ['Windows\u3000Server" next']),
    (["nbsp\u00a0x"], '"nbsp\u00a0x"', ["nbsp\u00a0x"]),
    (["line\u2028x"], '"line\u2028x"', ["line\u2028x"]),
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


@pytest.mark.parametrize(("argument", "wrapped"), [
    ('a"b c"d', False),               # the source comment's own example: the space is inside quotes
    ('"x\\" y"', True),              # 5.1: the quote after the backslash counts (PowerShell 6 would not wrap)
    ("x\u0085y", True), ("x\u00a0y", True), ("x\u3000y", True), ("x\u2029y", True), ("x\vy", True),
    ("x\u200by", False),              # zero-width space is not white space for .NET
    ("x\x1fy", False),                # Python calls U+001F space, .NET does not
])
def test_powershell_51_quote_test(argument: str, wrapped: bool) -> None:
    assert needs_quotes(argument) is wrapped


def test_a_nul_ends_the_command_line_createprocess_sees() -> None:
    assert native_argv(["/v", "CrashDumpEnabled\0", "/f"]) == ["/v", "CrashDumpEnabled"]


def test_a_command_line_over_32767_characters_does_not_start() -> None:
    path = "C:\\Windows\\system32\\reg.exe"
    fits = "x" * (MAX_COMMAND_LINE - len(path) - 4)
    assert native_argv([fits], path) == [fits]
    with pytest.raises(CommandLineTooLong):
        native_argv([fits + "x"], path)
