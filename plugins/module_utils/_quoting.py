# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: quoting of user values for the remote command catalogue.

Two layers stand between a value and the Windows program that must receive it unchanged:

1. PowerShell parses the script text, so every value becomes a string literal that can never be code.
2. Windows PowerShell 5.1 (what WinRM runs) joins a native program's arguments into one command line without
   escaping embedded double quotes, and the program splits it again with the MSVC runtime rules
   (CommandLineToArgvW). ``native_arg`` pre-escapes a value for that round trip.

Line breaks matter too: ansible-core strips every line of a script before encoding it, so a value with a line
break is written as a double-quoted string with backtick escapes instead of a single-quoted one.
"""

from __future__ import annotations

# PowerShell accepts these as single and double quotes as well as the ASCII ones.
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_BACKTICK_ESCAPES = {"\n": "`n", "\r": "`r", "\t": "`t", "\0": "`0", "\a": "`a", "\b": "`b", "\f": "`f", "\v": "`v"}
# str.splitlines() (used by ansible-core when it encodes a script) breaks lines on these as well; Windows
# PowerShell 5.1 has no escape for them, so they cannot be carried inside a literal at all.
_UNREPRESENTABLE = {"\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}


class UnsafeValueError(ValueError):
    """A value that cannot be written as an inert PowerShell literal."""


def ps_literal(value: str) -> str:
    """Return a PowerShell string literal that evaluates to exactly ``value``."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    bad = sorted({ch for ch in value if ch in _UNREPRESENTABLE or (ord(ch) < 0x20 and ch not in _BACKTICK_ESCAPES)})
    if bad:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in bad)
        raise UnsafeValueError(f"the value {value!r} contains control characters ({codes}) that cannot be sent safely")
    if not any(ch in _BACKTICK_ESCAPES for ch in value):
        return "'" + "".join(ch * 2 if ch in _SINGLE_QUOTES else ch for ch in value) + "'"
    out = []
    for ch in value:
        if ch in _BACKTICK_ESCAPES:
            out.append(_BACKTICK_ESCAPES[ch])
        elif ch in _DOUBLE_QUOTES or ch in "`$":
            out.append("`" + ch)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def native_arg(value: str) -> str:
    """Escape ``value`` so that a native program started by Windows PowerShell 5.1 receives it unchanged.

    A value without white space or double quotes passes through as it is (backslashes are literal unless they
    precede a quote). Anything else is enclosed in double quotes here, which stops PowerShell from adding its own,
    with embedded quotes and the backslashes before them escaped for CommandLineToArgvW.
    """
    if value and not any(ch in value for ch in ' \t"'):
        return value
    out = ['"']
    backslashes = 0
    for ch in value:
        if ch == "\\":
            backslashes += 1
            continue
        if ch == '"':
            out.append("\\" * (backslashes * 2 + 1) + '"')
        else:
            out.append("\\" * backslashes + ch)
        backslashes = 0
    out.append("\\" * (backslashes * 2) + '"')
    return "".join(out)


def ps_native_arg(value: str) -> str:
    """The PowerShell text of one native-program argument carrying ``value``."""
    return ps_literal(native_arg(value))
