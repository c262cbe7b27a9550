# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: quoting of user values for the remote command catalogue, and refusal of values that cannot be sent.

Two layers stand between a value and the Windows program that must receive it unchanged:

1. PowerShell parses the script text, so every value becomes a string literal that can never be code.
2. Windows PowerShell 5.1 (what WinRM runs) joins a native program's arguments into one command line, and the
   program splits it again with the MSVC runtime rules (CommandLineToArgvW). ``native_arg`` pre-escapes a value for
   that round trip; ``check_native_value`` refuses a value the round trip cannot carry intact under either rule
   PowerShell has used (docs/dev/remote-commands.md section 3).

Line breaks matter too: ansible-core strips every line of a script before encoding it, so a value with a line
break is written as a double-quoted string with backtick escapes instead of a single-quoted one.
"""

from __future__ import annotations

import unicodedata

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

# PowerShell accepts these as single and double quotes as well as the ASCII ones.
_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_BACKTICK_ESCAPES = {"\n": "`n", "\r": "`r", "\t": "`t", "\0": "`0", "\a": "`a", "\b": "`b", "\f": "`f", "\v": "`v"}
# str.splitlines() (used by ansible-core when it encodes a script) breaks lines on these as well; Windows
# PowerShell 5.1 has no escape for them, so they cannot be carried inside a literal at all.
_UNREPRESENTABLE = {"\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}

# .NET's char.IsWhiteSpace, which PowerShell's NeedQuotes asks: Unicode Zs, Zl and Zp, U+0009..U+000D, U+0085 (and
# U+00A0, which is Zs). U+180E is added as a precaution: it was Zs before Unicode 6.3, and .NET Framework's character
# tables may predate that. Only UTF-16 code units matter: .NET tests one char at a time.
DOTNET_WHITESPACE = frozenset(
    [chr(code) for code in range(0x10000) if unicodedata.category(chr(code)) in ("Zs", "Zl", "Zp")]
    + ["\t", "\n", "\v", "\f", "\r", "\x85", "\u180e"])


# CreateProcess takes at most 32,767 characters (NUL included); .NET starts `"C:\Windows\system32\<program>" <args>`.
# A longer line does not start the program at all, and $LASTEXITCODE would keep the previous program's code.
MAX_COMMAND_LINE = 32767
PROGRAM_PATH_LENGTH = len('"C:\\Windows\\system32\\icacls.exe" ')


class UnsafeValueError(VmrescueError, ValueError):
    """A value that cannot be written as an inert PowerShell literal or passed intact to a native program."""


def _codes(chars: set[str]) -> str:
    return ", ".join(f"U+{ord(ch):04X}" for ch in sorted(chars))


def unsendable_reason(value: str) -> str | None:
    """Why ``value`` cannot travel in a catalogue script at all (None when it can)."""
    surrogates = {ch for ch in value if "\ud800" <= ch <= "\udfff"}
    if surrogates:
        return f"it contains lone UTF-16 surrogates ({_codes(surrogates)}), which are not text"
    bad = {ch for ch in value if ch in _UNREPRESENTABLE or (ord(ch) < 0x20 and ch not in _BACKTICK_ESCAPES)}
    if bad:
        return f"it contains control characters ({_codes(bad)}) that cannot be sent safely"
    return None


def ps_literal(value: str, label: str = "a value") -> str:
    """Return a PowerShell string literal that evaluates to exactly ``value``."""
    if not isinstance(value, str):
        raise UnsafeValueError(f"{label}: expected a string, got {type(value).__name__}")
    reason = unsendable_reason(value)
    if reason:
        raise UnsafeValueError(f"{label}: the value {value!r} is refused: {reason}")
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

    A value without .NET white space or double quotes passes through as it is (backslashes are literal unless they
    precede a quote). Anything else is enclosed in double quotes here, which stops PowerShell from adding its own,
    with embedded quotes and the backslashes before them escaped for CommandLineToArgvW. Whether PowerShell then
    leaves it alone is ``check_native_value``'s question.
    """
    if value and not any(ch == '"' or ch in DOTNET_WHITESPACE for ch in value):
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


def powershell_adds_quotes(argument: str, backslash_escapes_quote: bool) -> bool:
    """PowerShell's NeedQuotes: white space where an even number of double quotes precede it.

    Windows PowerShell 5.1 counts every ``"`` (``backslash_escapes_quote=False``); PowerShell 6 and later skip a
    ``"`` right after a backslash (commit 8bca1f50c5, 2016-09-03).
    """
    quote_count = 0
    following_backslash = False
    for ch in argument:
        if ch == '"' and not (backslash_escapes_quote and following_backslash):
            quote_count += 1
        elif ch in DOTNET_WHITESPACE and quote_count % 2 == 0:
            return True
        following_backslash = ch == "\\"
    return False


def check_native_value(value: str, label: str) -> str:
    """``native_arg(value)``, or UnsafeValueError (naming ``label``) when PowerShell could not pass it intact.

    A CreateProcess command line ends at the first NUL, and PowerShell wraps an argument it thinks holds unquoted
    white space in another pair of quotes, which CommandLineToArgvW then splits or mangles.
    """
    reason = unsendable_reason(value)
    if reason is None and "\0" in value:
        reason = "a Windows command line ends at a NUL character, so the program would get a shorter value"
    argument = native_arg(value) if reason is None else ""
    if reason is None and any(powershell_adds_quotes(argument, rule) for rule in (False, True)):
        reason = ("Windows PowerShell 5.1 would split it before the program sees it: white space follows an odd "
                  "number of double quotes")
    if reason:
        raise UnsafeValueError(f"{label}: the value {value!r} is refused: {reason}", option=label)
    return argument


def check_option_text(value: str, label: str) -> None:
    """UnsafeValueError (naming the option ``label``) for text no target can store and read back exactly.

    Applied to every string of every option before any command: control characters (NUL, tab, line breaks) and
    the other line separators cannot be read back from reg query or bcdedit output, and a value that Windows
    PowerShell 5.1 would split cannot reach a native program intact.
    """
    controls = {ch for ch in value if ord(ch) < 0x20}
    if controls:
        raise UnsafeValueError(f"{label}: the value {value!r} is refused: it contains control characters "
                               f"({_codes(controls)}) that Windows cannot store and read back exactly", option=label)
    if PROGRAM_PATH_LENGTH + len(check_native_value(value, label)) + 1 > MAX_COMMAND_LINE:
        raise UnsafeValueError(f"{label}: the value ({len(value)} characters) is refused: it does not fit in a Windows "
                               f"command line ({MAX_COMMAND_LINE} characters)", option=label)
