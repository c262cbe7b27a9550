"""The cmdlets the simulator knows, by lower-case name (PowerShell command names ignore case)."""

from __future__ import annotations

from ..binding import CmdletSpec
from . import core, events, files, security, storage

REGISTRY: dict[str, CmdletSpec] = {spec.name.lower(): spec
                                   for spec in core.SPECS + events.SPECS + files.SPECS + security.SPECS + storage.SPECS}


def find_cmdlet(name: str) -> CmdletSpec | None:
    return REGISTRY.get(name.lower())
