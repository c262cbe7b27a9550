"""Quoting must turn every user value into inert data, whatever it contains."""

from __future__ import annotations

import pytest

import random

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import (
    DOTNET_WHITESPACE, UnsafeValueError, check_native_value, check_option_text, native_arg, powershell_adds_quotes,
    ps_literal,
)
from tests.hostile_values import HOSTILE as SWEEP_VALUES
from tests.simulator.powershell.native_args import native_argv

HOSTILE = [
    "'; Remove-Item C:\\ -Recurse;'",
    "`$(calc)`",
    "$(Remove-Item C:\\)",
    "${env:windir}",
    "{default}",
    "a\u2019; calc; \u2018",
    "tab\there",
    "line1\nline2",
    "cr\rlf",
    "\u65e5\u672c\u8a9e \u00e5\u00e4\u00f6",
    '"quoted" & | < >',
    "",
]


def _ps_single_quoted_value(literal: str) -> str:
    """Read back a single-quoted PowerShell literal by PowerShell's rules (any of the four single quotes)."""
    quotes = "'\u2018\u2019\u201a\u201b"
    assert literal[0] == "'" and literal[-1] == "'"
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch in quotes:
            assert i + 1 < len(body) and body[i + 1] in quotes, f"unescaped quote in {literal!r}"
            out.append(ch)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _ps_double_quoted_value(literal: str) -> str:
    escapes = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    assert literal[0] == '"' and literal[-1] == '"'
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "`":
            nxt = body[i + 1]
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        assert ch not in '$"\u201c\u201d\u201e', f"unescaped {ch!r} in {literal!r}"
        out.append(ch)
        i += 1
    return "".join(out)


@pytest.mark.parametrize("value", HOSTILE)
def test_ps_literal_reads_back_as_the_value(value):
    literal = ps_literal(value)
    assert "\n" not in literal and "\r" not in literal
    if literal.startswith("'"):
        assert _ps_single_quoted_value(literal) == value
    else:
        assert _ps_double_quoted_value(literal) == value


@pytest.mark.parametrize("value", ["a\u2028b", "x\x85y", "nul\x01"])
def test_ps_literal_refuses_what_cannot_be_carried(value):
    with pytest.raises(UnsafeValueError):
        ps_literal(value)


def _command_line_to_argv_single(cmdline: str) -> str:
    """CommandLineToArgvW for one argument (the MSVC runtime rules)."""
    out, i, in_quotes = [], 0, False
    while i < len(cmdline):
        ch = cmdline[i]
        if ch == "\\":
            n = 0
            while i < len(cmdline) and cmdline[i] == "\\":
                n += 1
                i += 1
            if i < len(cmdline) and cmdline[i] == '"':
                out.append("\\" * (n // 2))
                if n % 2:
                    out.append('"')
                    i += 1
            else:
                out.append("\\" * n)
            continue
        if ch == '"':
            if in_quotes and i + 1 < len(cmdline) and cmdline[i + 1] == '"':
                out.append('"')
                i += 2
                continue
            in_quotes = not in_quotes
            i += 1
            continue
        assert in_quotes or ch not in " \t", f"argument split at {i} in {cmdline!r}"
        out.append(ch)
        i += 1
    return "".join(out)


@pytest.mark.parametrize("value", [
    "plain", "C:\\dir\\", "C:\\my dir\\", 'say "hi"', 'back\\"slash', "", " ", "\\\\server\\share\\x y\\",
    "%SystemRoot%\\MEMORY.DMP", "trailing\\\\",
])
def test_native_arg_survives_the_windows_command_line(value):
    escaped = native_arg(value)
    # PowerShell 5.1 wraps an argument with white space only when it is not already quoted; ours always is.
    assert not any(ch in escaped for ch in " \t") or escaped.startswith('"')
    assert _command_line_to_argv_single(escaped) == value


def test_every_collection_exception_has_one_root():
    assert issubclass(UnsafeValueError, VmrescueError)


def test_dotnet_white_space_is_the_documented_set():
    # char.IsWhiteSpace: Zs, Zl, Zp, U+0009..U+000D, U+0085; U+180E as a precaution (Zs before Unicode 6.3).
    for ch in "\t\n\v\f\r \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\u180e":
        assert ch in DOTNET_WHITESPACE, hex(ord(ch))
    for ch in "\x1c\x1f\u200b\ufeff\u00ad_a":
        assert ch not in DOTNET_WHITESPACE, hex(ord(ch))


@pytest.mark.parametrize("ch", sorted(DOTNET_WHITESPACE))
def test_native_arg_quotes_for_every_dotnet_white_space(ch):
    value = f"a{ch}b\\"
    escaped = native_arg(value)
    assert escaped == f'"a{ch}b\\\\"'
    assert not powershell_adds_quotes(escaped, backslash_escapes_quote=False)


@pytest.mark.parametrize(("argument", "legacy", "backslash_aware"), [
    ('"say \\"hi there\\""', True, False),     # the escaped quote counts in 5.1 only (commit 8bca1f50c5)
    ('a"b c"d', False, False),
    ("x\u3000y", True, True),
    ('"x y"', False, False),
])
def test_both_quote_rules(argument, legacy, backslash_aware):
    assert powershell_adds_quotes(argument, backslash_escapes_quote=False) is legacy
    assert powershell_adds_quotes(argument, backslash_escapes_quote=True) is backslash_aware


@pytest.mark.parametrize("value", ['" x', 'x " y', 'say "hi there"', "CrashDumpEnabled\0", "a\u2028b", "\ud800"])
def test_values_that_51_cannot_pass_intact_are_refused_naming_the_option(value):
    with pytest.raises(UnsafeValueError, match=r"^values\[2\]\.name: "):
        check_native_value(value, "values[2].name")


@pytest.mark.parametrize("value", ["Windows\u3000Server\\", "name\u3000x\\", 'say "hi" there', "a\u00a0b"])
def test_the_issues_stray_quote_cases_now_pass_intact(value):
    assert native_argv([check_native_value(value, "x")]) == [value]


def test_option_text_refuses_control_characters_and_command_lines_windows_cannot_start():
    for value in ("tab\there", "x\ny", "\x01"):
        with pytest.raises(UnsafeValueError, match="store: .*control characters"):
            check_option_text(value, "store")
    with pytest.raises(UnsafeValueError, match="does not fit in a Windows command line"):
        check_option_text("a" * 32768, "store")


def test_every_value_is_refused_or_reaches_the_program_intact_under_the_simulators_51_model():
    # The collection's prediction against the simulator's independent model of PowerShell 5.1 + CommandLineToArgvW.
    rng = random.Random(5)
    alphabet = ['"', "\\", " ", "\t", "\u3000", "\u00a0", "a", "'", "\u2028", "\x85"]
    values = list(SWEEP_VALUES) + ["".join(rng.choice(alphabet) for _position in range(rng.randint(0, 8))) for _value in range(3000)]
    accepted = 0
    for value in values:
        if len(value) > 30000:
            continue                      # the command line length is check_option_text's and RemoteScript's test
        try:
            argument = check_native_value(value, "v")
        except UnsafeValueError:
            continue
        accepted += 1
        assert native_argv(["/v", argument, "/f"]) == ["/v", value, "/f"], repr(value)
    assert accepted > 1000
