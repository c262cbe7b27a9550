# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the drivers that did not load in the last boot recorded in ``%SystemRoot%\\ntbtlog.txt`` (pure, no I/O).

The kernel (``IopBootLog``, Windows Internals 6th ed., part 2, "Boot logging in safe mode") appends one session per
boot: a header line ``Microsoft (R) Windows (R) Version … (Build …)``, a date line, then one line per driver it
considered, ``<status text> <path>``: ``Loaded driver \\SystemRoot\\…`` or ``Did not load driver \\SystemRoot\\…`` in
English. The status text is translated with the display language, so it is never compared with a table here.

How "did not load" is found without the text: the log is written by the kernel itself, so the kernel image
(``ntoskrnl.exe``) was loaded in every session, and the status text on its line is this language's "loaded" text.
Every driver line of the session with a different status text did not load. A session without a kernel line (cut
short) falls back to its first driver line, which the loader also writes for a loaded image (ntoskrnl, then hal).
A driver line is told from a header line by its path, which starts with ``\\`` or a drive letter (paths are not
translated).
"""

from __future__ import annotations

import dataclasses
import re

# A path at the end of the line: \SystemRoot\…, \??\C:\…, or C:\…; the status text before it is anything.
_DRIVER_LINE = re.compile(r"^(?P<status>.*?)\s*(?P<path>(?:\\|[A-Za-z]:\\)\S.*?)\s*$")
_KERNEL_FILE = "ntoskrnl.exe"


@dataclasses.dataclass(frozen=True)
class BootLog:
    sessions: int
    loaded: tuple[str, ...]            # paths, in log order, of the last session
    not_loaded: tuple[str, ...]
    reason: str                        # stable code: ok, empty, not-utf16

    def as_dict(self) -> dict:
        return {"sessions": self.sessions, "loaded_count": len(self.loaded),
                "not_loaded": list(self.not_loaded), "reason": self.reason}


def decode_boot_log(data: bytes) -> str | None:
    """ntbtlog.txt is UTF-16LE with a byte-order mark; None when it is not."""
    if data[:2] != b"\xff\xfe" or len(data) % 2:
        return None
    return data[2:].decode("utf-16-le", errors="replace")


def parse_boot_log(data: bytes) -> BootLog:
    text = decode_boot_log(data)
    if text is None:
        return BootLog(0, (), (), "not-utf16")
    sessions = _sessions(text.splitlines())
    if not sessions:
        return BootLog(0, (), (), "empty")
    last = sessions[-1]
    loaded_status = _loaded_status(last)
    loaded = tuple(path for status, path in last if status == loaded_status)
    not_loaded = tuple(path for status, path in last if status != loaded_status)
    return BootLog(len(sessions), loaded, not_loaded, "ok")


def driver_file_name(path: str) -> str:
    """The file name a log path ends with, lower-case (for matching against services)."""
    return path.rsplit("\\", 1)[-1].strip().lower()


def _sessions(lines: list[str]) -> list[list[tuple[str, str]]]:
    """Driver lines grouped by boot: a line without a path (the header or date) starts a new session."""
    sessions: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] | None = None
    for line in lines:
        match = _DRIVER_LINE.match(line)
        if match is None or not match.group("status"):
            if line.strip() and (current is None or current):
                current = []
                sessions.append(current)
            continue
        if current is None:
            current = []
            sessions.append(current)
        current.append((match.group("status"), match.group("path")))
    return [session for session in sessions if session]


def _loaded_status(session: list[tuple[str, str]]) -> str:
    for status, path in session:
        if driver_file_name(path) == _KERNEL_FILE:
            return status
    return session[0][0]
