"""How Windows PowerShell 5.1 hands arguments to a native program, and how the program splits them again.

PowerShell 5.1 (legacy argument passing) builds ONE command line (NativeCommandParameterBinder.BindParameters and
appendOneNativeArgument, as imported into PowerShell's open-source history in commit 60b3b304f2, 2016-03-30, and
unchanged until 8bca1f50c5, 2016-09-03, after v6.0.0-alpha.9): arguments joined by spaces; an empty string adds
nothing but its separator (`if (!String.IsNullOrEmpty(arg))`); an argument with white space (`char.IsWhiteSpace`)
where an even number of double quotes precede it is wrapped in `"…"` — every `"` counts, also one after a backslash
(the backslash-aware count is PowerShell 6's); embedded quotes and trailing backslashes are left as they are.
Process start (CreateProcess) then cuts the command line at its first NUL and refuses one longer than 32,767
characters. The program splits the line with the MSVC runtime rules (CommandLineToArgvW for everything but `""`
inside quotes).
"""

from __future__ import annotations

import ntpath

NATIVE_PROGRAMS = {"bcdedit": "bcdedit", "bcdedit.exe": "bcdedit", "reg": "reg", "reg.exe": "reg",
                   "takeown": "takeown", "takeown.exe": "takeown", "icacls": "icacls", "icacls.exe": "icacls"}
SYSTEM32 = "c:\\windows\\system32"


def resolve_native(name: str) -> str | None:
    """Map a command name (bare or a full System32 path, any case) to its program ('reg', 'icacls', …), or None."""
    lowered = name.lower()
    if lowered in NATIVE_PROGRAMS:
        return NATIVE_PROGRAMS[lowered]
    directory, base = ntpath.split(lowered)
    if ntpath.normpath(directory) == SYSTEM32 and base in NATIVE_PROGRAMS:
        return NATIVE_PROGRAMS[base]
    return None


def _is_dotnet_whitespace(char: str) -> bool:
    # char.IsWhiteSpace: Python's isspace() also counts the separators U+001C..U+001F, .NET does not.
    return char.isspace() and not "\x1c" <= char <= "\x1f"


def needs_quotes(argument: str) -> bool:
    """Windows PowerShell 5.1's quote test: white space after an even number of double quotes (every `"` counts)."""
    quote_count = 0
    for char in argument:
        if char == '"':
            quote_count += 1
        elif _is_dotnet_whitespace(char) and quote_count % 2 == 0:
            return True
    return False


# CreateProcess: lpCommandLine holds at most 32,767 characters, its terminating NUL included.
MAX_COMMAND_LINE = 32767


class CommandLineTooLong(Exception):
    """CreateProcess refuses the command line: the program does not start."""


def build_command_line(arguments: list[str]) -> str:
    """The argument part of the command line PowerShell 5.1 builds (after the program path)."""
    pieces = []
    for argument in arguments:
        # An empty string adds nothing but the separator; CommandLineToArgvW skips the extra blank.
        pieces.append(f'"{argument}"' if needs_quotes(argument) else argument)
    return " ".join(pieces)


def start_command_line(program_path: str, arguments: list[str]) -> str:
    """The argument part as the started program sees it: cut at the first NUL, or CommandLineTooLong."""
    line = build_command_line(arguments)
    # .NET starts the process with the command line `"<program path>" <arguments>`.
    if len(program_path) + 3 + len(line) + 1 > MAX_COMMAND_LINE:
        raise CommandLineTooLong(program_path)
    return line.split("\0", 1)[0]


def split_command_line(command_line: str) -> list[str]:
    """Split arguments like the Microsoft C runtime (backslash/quote rules of CommandLineToArgvW)."""
    argv: list[str] = []
    i = 0
    length = len(command_line)
    while True:
        while i < length and command_line[i] in " \t":
            i += 1
        if i >= length:
            return argv
        current: list[str] = []
        in_quotes = False
        while i < length:
            char = command_line[i]
            if char in " \t" and not in_quotes:
                break
            if char == "\\":
                run_end = i
                while run_end < length and command_line[run_end] == "\\":
                    run_end += 1
                count = run_end - i
                if run_end < length and command_line[run_end] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2 == 1:
                        current.append('"')       # 2n+1 backslashes + quote: a literal quote
                        i = run_end + 1
                    else:
                        i = run_end               # 2n backslashes: the quote is handled below
                    continue
                current.append("\\" * count)      # backslashes not before a quote are literal
                i = run_end
                continue
            if char == '"':
                if in_quotes and i + 1 < length and command_line[i + 1] == '"':
                    current.append('"')           # "" inside quotes: a literal quote, still quoted
                    i += 2
                    continue
                in_quotes = not in_quotes
                i += 1
                continue
            current.append(char)
            i += 1
        argv.append("".join(current))


def native_argv(arguments: list[str], program_path: str = "C:\\Windows\\system32\\reg.exe") -> list[str]:
    """What the native program finds in argv[1:] for the given PowerShell argument values."""
    return split_command_line(start_command_line(program_path, arguments))
