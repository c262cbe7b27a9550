"""Quoting must turn every user value into inert data, whatever it contains."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import (
    UnsafeValueError, native_arg, ps_literal,
)

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
