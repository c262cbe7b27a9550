# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the record of what the collection changes on the recovery VM for a while, kept on the recovery VM itself.

Two kinds of temporary change: a drive letter given to a partition of the broken disk, and a temporary identity
(MBR signature or GPT disk GUID) of the recovery VM's *own* disk, made so that a colliding broken disk comes online
with its identity intact. Each is written to this record *before* the command that makes it, so a run killed at any
statement leaves a record of everything it may have changed; the next discovery (or offline_disk_release) finds the
record and puts everything back. The record lives on the recovery VM's system drive, not in the journal on the
broken disk, because the broken disk is offline until the collision is resolved. The record names letters by disk
and partition number *and* by volume identity, so a letter is only ever taken from the partition it was given to.

Format 1 (JSON)::

    {"format": 1,
     "identity": {"disk_number": 0, "style": "GPT", "original": "{…}", "temporary": "{…}",
                  "attached_disk_number": 1, "attached_identity": "{…}"} | null,
     "letters": [{"drive": "S:", "disk_number": 1, "partition_number": 1}]}

Identities are as Get-Disk shows them: an MBR signature as a number, a GPT disk GUID as ``{…}``.
"""

from __future__ import annotations

import dataclasses
import json
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

# The recovery VM's system drive: Azure's Windows images boot from C:. ProgramData is machine-wide and survives
# the WinRM user's profile.
RECORD_PATH = "C:\\ProgramData\\vmrescue\\temporary-changes.json"
RECORD_DIR = "C:\\ProgramData\\vmrescue"
FORMAT = 1


@dataclasses.dataclass(frozen=True)
class IdentityChange:
    disk_number: int                 # the recovery VM's own disk
    style: str                       # "MBR" | "GPT"
    original: int | str
    temporary: int | str
    attached_disk_number: int        # the colliding (broken) disk brought online with its identity intact
    attached_identity: int | str

    def as_dict(self) -> dict[str, t.Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class AccessPath:
    """A drive letter of one partition: what offline_disk_info gives and offline_disk_release takes back."""
    disk_number: int
    partition_number: int
    letter: str                     # "S"

    @property
    def path(self) -> str:
        return f"{self.letter}:\\"

    def as_dict(self) -> dict[str, t.Any]:
        return {"drive": f"{self.letter}:", "disk_number": self.disk_number, "partition_number": self.partition_number}

    @classmethod
    def from_dict(cls, data: dict[str, t.Any]) -> "AccessPath":
        drive = str(data["drive"])
        if len(drive) != 2 or drive[1] != ":" or not drive[0].isascii() or not drive[0].isalpha():
            raise ValueError(f"bad drive {drive!r}")
        return cls(int(data["disk_number"]), int(data["partition_number"]), drive[0].upper())


@dataclasses.dataclass(frozen=True)
class Record:
    identity: IdentityChange | None = None
    letters: tuple[AccessPath, ...] = ()

    @property
    def empty(self) -> bool:
        return self.identity is None and not self.letters

    def with_letter(self, letter: AccessPath) -> "Record":
        return dataclasses.replace(self, letters=self.letters + (letter,))

    def render(self) -> str:
        return json.dumps({"format": FORMAT, "identity": self.identity.as_dict() if self.identity else None,
                           "letters": [item.as_dict() for item in self.letters]}, sort_keys=True)


def parse(text: str | None) -> Record:
    """The record's JSON (None or blank: no record). A record this version cannot read is a clear error, never
    ignored: it may name a changed identity that only it knows."""
    if text is None or not text.strip():
        return Record()
    try:
        data = json.loads(text.lstrip("\ufeff"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format') if isinstance(data, dict) else None!r}")
        identity = IdentityChange(**data["identity"]) if data.get("identity") else None
        letters = tuple(AccessPath.from_dict(item) for item in data.get("letters") or [])
    except (ValueError, TypeError, KeyError) as error:
        raise VmrescueError(f"the record of temporary changes {RECORD_PATH} on the recovery VM cannot be read "
                            f"({error}); compare it with Get-Disk and Get-Partition, put back what it names, and "
                            "delete it") from None
    return Record(identity, letters)
