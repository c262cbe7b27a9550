"""Hostile text for the sweeps: every kind of value that has broken (or could break) the way from a task option to
a Windows program: line separators, NUL, lone surrogates, quotes of every kind, PowerShell and cmd syntax, trailing
backslashes, .NET white space, 32 KiB strings, plus generated mixtures of them (seeded: the same list every run)."""

from __future__ import annotations

import random

FIXED = [
    "\u2028", "x\u2029y", "x\u0085y", "\0", "CrashDumpEnabled\0", "\ud800", "x\udfff", "\t", "\n", "x\r\ny", "\x1c",
    "'", '"', "\u2018", "\u2019", "\u201a", "\u201b", "\u201c", "\u201d", "\u201e", "`", "``x`", '" x', 'x " y',
    'say "hi there"', 'a"b c"d', '\\" x', "%SystemRoot%", "%VAR%", "$(calc)", "${env:windir}", "$x", "@(1)",
    "\\", "x\\", "x\\\\", "Windows\u3000Server\\", "name\u3000x\\", "trailing ", " leading", "\u00a0", "\u180e",
    "{default}", "{bootmgr}", "-Force", "/f", "|", ";", "&", "<>", "\x7f", "\ufeff", "", " ", "F:\\..\\x",
    "\\\\server\\share\\x", "C:\\Windows\\System32\\config\\SYSTEM", "F:\\Windows\\System32\\config\\SYSTEM",
    "a" * 32768, "\u00e9" * 32768, "x    REG_SZ    y", "\U0001f600",
]
_ALPHABET = ['"', "\\", " ", "\u3000", "'", "`", "$", "(", ")", "{", "}", "%", "a", "\u2028", "\0", "\n", "\t", ";",
             "|", "\u00a0", "\u201c", "\u2019", "é"]


def generated(count: int, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _position in range(rng.randint(1, 10))) for _value in range(count)]


# Unique values only, so every count is a count of different values.
HOSTILE = list(dict.fromkeys(FIXED + generated(120)))
