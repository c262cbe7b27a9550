"""The ``--log FILE`` command log: one JSON object per executed command, appended and flushed."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class CommandRecord:
    seq: int                 # order of execution in this server, from 1
    time: float              # Unix time the process started
    shell_id: str
    kind: str                # "catalogue" | "ansible-internal" | "other"
    name: str | None         # catalogue command name, ansible helper name, or None
    text: str                # the decoded script
    exit_code: int | None    # None when the reply never left (the process was still running at Signal)
    duration_ms: float
    stdin_bytes: int


class CommandLog:
    """Appends records to a file. One ``write`` per line on an O_APPEND descriptor keeps lines whole even when
    several servers share the file."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._seq = 0

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def write(self, record: CommandRecord) -> None:
        if self._path is None:
            return
        line = (json.dumps(asdict(record), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)


def read_log(path: Path) -> list[dict]:
    """Parsed records of a log file (empty list when the file does not exist yet)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
