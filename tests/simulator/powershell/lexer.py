"""Character-level scanning of PowerShell literals, shared by the parser.

PowerShell's tokenizer is driven by the parser (command mode and expression mode read the same characters
differently), so these are small functions that read one literal starting at a given offset.
"""

from __future__ import annotations

from .errors import ParseError, unsupported
from .syntax import ExpandableString, LastExitCode

SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
DOUBLE_QUOTES = '"\u201c\u201d\u201e'
DASHES = "-\u2013\u2014\u2015"
NEWLINES = "\r\n"
# Characters that end a bareword (besides white space); quotes, `$` and the backtick are handled separately.
BAREWORD_STOP = ";|&(){}\"',<>" + SINGLE_QUOTES + DOUBLE_QUOTES
BACKTICK_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def is_blank(char: str) -> bool:
    """White space inside a line (newlines separate statements and are not blank)."""
    return char not in NEWLINES and char.isspace()


def is_name_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def scan_single_quoted(text: str, pos: int) -> tuple[str, int]:
    """Read a verbatim string whose opening quote is at `pos`; return (value, offset after the closing quote)."""
    value: list[str] = []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char in SINGLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] in SINGLE_QUOTES:
                value.append(text[i + 1])  # a doubled quote stands for the second one
                i += 2
                continue
            return "".join(value), i + 1
        value.append(char)
        i += 1
    raise ParseError(pos, "The string is missing the terminator: '.", "TerminatorExpectedAtEndOfString",
                     len(text) - pos)


def _variable_name_end(text: str, pos: int) -> int:
    i = pos
    while i < len(text) and is_name_char(text[i]):
        i += 1
    return i


def scan_double_quoted(text: str, pos: int) -> tuple[ExpandableString, int]:
    """Read an expandable string; only `$LASTEXITCODE` may be expanded, any other `$` use is rejected."""
    parts: list[str | LastExitCode] = []
    literal: list[str] = []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char == "`":
            if i + 1 >= len(text):
                break
            escaped = text[i + 1]
            literal.append(BACKTICK_ESCAPES.get(escaped, escaped))
            i += 2
            continue
        if char in DOUBLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] in DOUBLE_QUOTES:
                literal.append(text[i + 1])
                i += 2
                continue
            if literal:
                parts.append("".join(literal))
            return ExpandableString(tuple(parts)), i + 1
        if char == "$" and i + 1 < len(text):
            following = text[i + 1]
            if following in "({":
                raise unsupported(i, f"'${following}' inside a double-quoted string", 2)
            if following in "?^$":
                raise unsupported(i, f"The variable '${following}' inside a double-quoted string", 2)
            if is_name_char(following):
                end = _variable_name_end(text, i + 1)
                name = text[i + 1:end]
                if end + 1 < len(text) and text[end] == ":" and is_name_char(text[end + 1]):
                    raise unsupported(i, f"The variable '${name}:' inside a double-quoted string", end - i + 1)
                if name.lower() != "lastexitcode":
                    raise unsupported(i, f"The variable '${name}' inside a double-quoted string", end - i)
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(LastExitCode())
                i = end
                continue
        literal.append(char)
        i += 1
    raise ParseError(pos, 'The string is missing the terminator: ".', "TerminatorExpectedAtEndOfString",
                     len(text) - pos)


def skip_double_quoted_raw(text: str, pos: int) -> int:
    """Skip a double-quoted string without interpreting `$` (used inside script blocks, which never run)."""
    i = pos + 1
    while i < len(text):
        char = text[i]
        if char == "`":
            i += 2
            continue
        if char in DOUBLE_QUOTES:
            if i + 1 < len(text) and text[i + 1] in DOUBLE_QUOTES:
                i += 2
                continue
            return i + 1
        i += 1
    raise ParseError(pos, 'The string is missing the terminator: ".', "TerminatorExpectedAtEndOfString",
                     len(text) - pos)


def scan_script_block(text: str, pos: int) -> tuple[str, int]:
    """Read `{…}` starting at `pos`; return (the text between the braces, offset after the closing brace)."""
    depth = 0
    i = pos
    while i < len(text):
        char = text[i]
        if char in SINGLE_QUOTES:
            _literal, i = scan_single_quoted(text, i)
            continue
        if char in DOUBLE_QUOTES:
            i = skip_double_quoted_raw(text, i)
            continue
        if char == "`":
            i += 2
            continue
        if char == "#":
            while i < len(text) and text[i] not in NEWLINES:
                i += 1
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[pos + 1:i], i + 1
        i += 1
    raise ParseError(pos, "Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace")


def scan_bareword(text: str, pos: int) -> int:
    """Return the offset where a bareword starting at `pos` ends."""
    i = pos
    while i < len(text):
        char = text[i]
        if char.isspace() or char in BAREWORD_STOP:
            break
        if char == "`":
            raise unsupported(i, "A backtick outside a double-quoted string")
        if char == "$":
            raise unsupported(i, "A variable inside a bareword argument")
        i += 1
    return i
