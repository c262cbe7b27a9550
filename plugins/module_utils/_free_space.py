# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: does a memory dump of the failed VM fit on its Windows volume? (pure)

A complete memory dump is as large as the VM's memory and goes to ``%SystemRoot%\\MEMORY.DMP`` on this volume; with
less free space than that it cannot be written (a kernel dump is usually smaller, so the check errs on the safe
side). Issue 8 asks for this warning as one of the checks the Microsoft article implies. The memory size comes from
the crash dump the disk already holds (its header's PhysicalMemoryBlock, ``_dump_header``), else from the operator
(``vm_memory_mb``), else it is not known and the check says so instead of guessing.
"""

from __future__ import annotations

_MIB = 1024 * 1024


def free_space_check(free_bytes: int | None, dump_memory_bytes: int | None, given_memory_mb: int | None) -> dict:
    """``status``: ``ok``, ``low`` (a warning) or ``unknown``; with the figures and where the memory size came from."""
    if dump_memory_bytes:
        memory, source = dump_memory_bytes, "dump-header"
    elif given_memory_mb:
        memory, source = given_memory_mb * _MIB, "vm_memory_mb"
    else:
        memory, source = None, None
    result = {"free_bytes": free_bytes, "memory_bytes": memory, "memory_source": source}
    if free_bytes is None:
        return dict(result, status="unknown", text="The free space of the Windows volume could not be read.")
    if memory is None:
        return dict(result, status="unknown",
                    text="Whether a memory dump fits was not checked: no dump header records the VM's memory size "
                         "and vm_memory_mb was not given.")
    if free_bytes < memory:
        return dict(result, status="low",
                    text=f"The Windows volume has {free_bytes // _MIB} MiB free, less than the VM's memory "
                         f"({memory // _MIB} MiB, from {source}): a memory dump would not fit. Free space or "
                         "extend the disk before enabling the dump.")
    return dict(result, status="ok", text=f"The Windows volume has {free_bytes // _MIB} MiB free, enough for a "
                f"memory dump of {memory // _MIB} MiB.")
