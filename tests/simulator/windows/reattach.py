"""Detach the broken disk and attach it again: Windows gives its volumes the letters that are free then.

What a user of docs/guide.md's flow meets (detach, boot the repaired VM, attach again): the disk keeps its identity
(signature or GUIDs, partition offsets) and its files, but its volumes come back under other letters, and an EFI
partition has no letter until someone gives it one. Run it while no simulator serves the machine.
"""

from __future__ import annotations

from pathlib import Path

from .machine import Machine, MachineError


def reattach(machine_dir: Path, disk_number: int, letters: dict[int, str | None]) -> dict[int, str | None]:
    """Give the disk's partitions (by number) these letters; every other partition of it loses its letter.

    Returns the letters the partitions had before. Refuses a letter another disk's volume uses."""
    machine = Machine.load(machine_dir)
    disk = machine.disk(disk_number)
    taken = {letter for letter, part in machine.letters().items() if part not in disk.partitions}
    clash = {letter.upper() for letter in letters.values() if letter} & taken
    if clash:
        raise MachineError("letter-in-use", f"letter(s) {', '.join(sorted(clash))} belong to another disk's volume")
    before = {part.number: part.letter for part in disk.partitions}
    for part in disk.partitions:
        part.letter = (letters.get(part.number) or "").upper() or None
        part.preferred_letter = part.letter
    machine.save()
    return before
