"""Dispatch of the native programs the simulated recovery VM has: bcdedit.exe, reg.exe, takeown.exe, icacls.exe."""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import aclexe, regexe

if TYPE_CHECKING:
    from .machine import Machine

NATIVE_PROGRAMS = ("bcdedit", "reg", "takeown", "icacls")


def program_name(command: str) -> str | None:
    """'C:\\Windows\\System32\\reg.exe', 'REG.EXE', 'reg' -> 'reg'; None for anything that is not a native program."""
    base = command.replace("/", "\\").rsplit("\\", 1)[-1].lower()
    if base.endswith(".exe"):
        base = base[:-4]
    return base if base in NATIVE_PROGRAMS else None


def run_native(
    program: str, argv: list[str], machine: "Machine", *, language: str = "en-US", command_index: int = 0
) -> tuple[int, str, str]:
    """Run one native program; returns (exit code, stdout text, stderr text)."""
    name = program_name(program)
    if name == "reg":
        return regexe.run(argv, machine, language=language, command_index=command_index)
    if name == "takeown":
        return aclexe.takeown(argv, machine)
    if name == "icacls":
        return aclexe.icacls(argv, machine)
    if name == "bcdedit":
        from . import bcdedit  # written separately; imported late so reg.exe works without it

        with machine.lock:
            return bcdedit.run(argv, machine, language=language)
    raise ValueError(f"not a native program of the simulated machine: {program!r}")
