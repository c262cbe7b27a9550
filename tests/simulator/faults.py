"""Injected failures (``--fault SPEC``) keyed by the index of a catalogue command.

Spec syntax (one fault per ``--fault``; repeat the option for several)::

    KIND@N            fire once on the N-th catalogue command (1-based)
    KIND@NxCOUNT      fire COUNT times on the N-th catalogue command
    kill@N:S          kill the N-th catalogue command after its S-th top-level statement
    write-denied@N:S  refuse the S-th registry change (reg add / reg delete) of the N-th catalogue command
    KIND@random:SEED:PROBABILITY
                      fire once on each catalogue command with that probability; the draw depends only on
                      (SEED, KIND, command index), so a run is reproducible. ``kill`` then kills after a
                      statement drawn from 1..8.

Kinds:
    drop           the first Receive of the command closes the TCP connection without a reply (the command
                   itself still runs: its effects happen, its result is lost)
    http500        the first Receive answers HTTP 500 with a WS-Management internal-error fault
    timeout        the first Receive answers the WinRM operation-timeout fault, which clients re-poll
    unload-denied  ``reg unload`` answers "Access is denied" (rc 1) and the hive stays loaded
    write-denied   ``reg add``/``reg delete`` answers "Access is denied" (rc 1) and changes nothing, as on a key whose
                   ACL denies Administrators write access (``:S`` picks the change; without it, the first)
    kill           the PowerShell process stops after the given statement

A *catalogue command* is a decoded script whose first line is ``# vmrescue.windows <name>``; ansible-core's
own helper commands are not counted.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field

WIRE_KINDS = ("drop", "http500", "timeout")
PROCESS_KINDS = ("unload-denied", "write-denied", "kill")
KINDS = WIRE_KINDS + PROCESS_KINDS
RANDOM_KILL_MAX_STATEMENT = 8

_SPEC = re.compile(
    r"^(?P<kind>[a-z0-9-]+)@(?:"
    r"random:(?P<seed>[^:]+):(?P<probability>[0-9.]+)"
    r"|(?P<index>[1-9][0-9]*)(?:x(?P<count>[1-9][0-9]*)|:(?P<statement>[1-9][0-9]*))?"
    r")$"
)


class FaultSpecError(ValueError):
    """A ``--fault`` value that does not follow the documented syntax."""


@dataclass(frozen=True)
class FaultSpec:
    kind: str
    index: int | None = None          # None for random faults
    count: int = 1
    statement: int | None = None      # kill only
    seed: str | None = None
    probability: float = 0.0

    def fires_on(self, command_index: int) -> bool:
        if self.seed is None:
            return command_index == self.index
        draw = random.Random(f"{self.seed}:{self.kind}:{command_index}").random()
        return draw < self.probability

    def kill_statement(self, command_index: int) -> int:
        if self.statement is not None:
            return self.statement
        return random.Random(f"{self.seed}:kill-statement:{command_index}").randint(1, RANDOM_KILL_MAX_STATEMENT)


def parse_fault(spec: str) -> FaultSpec:
    match = _SPEC.match(spec.strip())
    if match is None:
        raise FaultSpecError(f"bad fault spec {spec!r}: expected KIND@N, KIND@NxCOUNT, kill@N:STATEMENT "
                             "or KIND@random:SEED:PROBABILITY")
    kind = match["kind"]
    if kind not in KINDS:
        raise FaultSpecError(f"unknown fault kind {kind!r} in {spec!r}; known: {', '.join(KINDS)}")
    if match["seed"] is not None:
        probability = float(match["probability"])
        if not 0.0 <= probability <= 1.0:
            raise FaultSpecError(f"probability must be between 0 and 1 in {spec!r}")
        return FaultSpec(kind=kind, seed=match["seed"], probability=probability)
    if match["statement"] is not None and kind not in ("kill", "write-denied"):
        raise FaultSpecError(f"':STATEMENT' only applies to kill and write-denied faults: {spec!r}")
    if kind == "kill" and match["statement"] is None:
        raise FaultSpecError(f"kill needs the statement after which the process dies, e.g. kill@3:2: {spec!r}")
    return FaultSpec(
        kind=kind,
        index=int(match["index"]),
        count=int(match["count"] or 1),
        statement=int(match["statement"]) if match["statement"] else None,
    )


@dataclass
class FaultPlan:
    """Thread-safe record of which faults are still to fire. Each firing consumes one."""

    specs: tuple[FaultSpec, ...] = ()
    _fired: dict[tuple[int, int], int] = field(default_factory=dict)   # (spec position, command index) -> times
    _changes: dict[int, int] = field(default_factory=dict)             # command index -> registry changes so far
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_specs(cls, specs: list[str] | tuple[str, ...]) -> "FaultPlan":
        return cls(specs=tuple(parse_fault(spec) for spec in specs))

    def _consume(self, kind: str, command_index: int) -> FaultSpec | None:
        with self._lock:
            for position, spec in enumerate(self.specs):
                if spec.kind != kind or not spec.fires_on(command_index):
                    continue
                key = (position, command_index)
                if self._fired.get(key, 0) < spec.count:
                    self._fired[key] = self._fired.get(key, 0) + 1
                    return spec
        return None

    def wire_fault(self, command_index: int) -> str | None:
        """The wire-level fault (drop/http500/timeout) for one Receive of that command, consuming it."""
        for kind in WIRE_KINDS:
            if self._consume(kind, command_index) is not None:
                return kind
        return None

    def unload_denied(self, command_index: int) -> bool:
        """True if this ``reg unload`` attempt must fail with Access is denied (consumes one)."""
        return self._consume("unload-denied", command_index) is not None

    def write_denied(self, command_index: int) -> bool:
        """True if this registry change must fail with Access is denied (counts the command's changes)."""
        with self._lock:
            self._changes[command_index] = self._changes.get(command_index, 0) + 1
            nth = self._changes[command_index]
        return any(spec.kind == "write-denied" and spec.fires_on(command_index) and (spec.statement or 1) == nth
                   for spec in self.specs)

    def kill_after_statement(self, command_index: int) -> int | None:
        """The top-level statement after which the process is killed, or None."""
        spec = self._consume("kill", command_index)
        return None if spec is None else spec.kill_statement(command_index)
