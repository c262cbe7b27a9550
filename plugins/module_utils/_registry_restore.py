# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a hive's journal records as offline_registry requests that put back the original type and bytes.

Values recorded present get ``reg add`` with their recorded type and the data that makes reg.exe store exactly the
recorded bytes (refused before anything is written when no such data exists); values and keys recorded absent are
deleted. A key recorded absent is deleted with its whole subtree, so values below it are not restored one by one.
The keys to read are only known from the journal, which the catalogue's PowerShell subset cannot turn into
further queries inside one command: a restore reads the journal first, then the recorded keys.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal, _registry_plan as rp
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import add_target_facts
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import raw_bytes, restorable_data
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript


def read_journal(hive: str, journal: str) -> RemoteScript:
    """One command: the safety facts of the hive and the journal's text."""
    script = RemoteScript("registry-journal")
    add_target_facts(script, hive, journal)
    return script


def _under(key: str, ancestor: str) -> bool:
    return key.lower() == ancestor.lower() or key.lower().startswith(ancestor.lower() + "\\")


def _recorded_bytes(record: dict[str, t.Any], label: str) -> bytes:
    try:
        return bytes.fromhex(record["data"])
    except (KeyError, TypeError, ValueError):
        raise VmrescueError(f"the journal record of {label} has no readable data; it is left untouched") from None


def targets(journal: dict[str, t.Any], hive: str) -> tuple[list[rp.ValueItem], list[rp.KeyItem]]:
    """The journaled values and keys of this hive as requests for their original state."""
    records = _journal.registry_hive_records(journal, hive)
    keys = [rp.KeyItem(record.get("key") or path, "present" if record.get("present") else "absent")
            for path, record in sorted(records.get("keys", {}).items())]
    gone = [item.key for item in keys if item.state == "absent"]
    values: list[rp.ValueItem] = []
    problems: list[str] = []
    for path, names in sorted(records.get("values", {}).items()):
        for lower_name, record in sorted(names.items()):
            key, name = record.get("key") or path, record.get("name") or lower_name
            if any(_under(key, ancestor) for ancestor in gone):
                continue                    # the key did not exist: deleting it restores everything below it
            if not record.get("present"):
                values.append(rp.ValueItem(key, name, "absent", None, None))
                continue
            raw = _recorded_bytes(record, f"{key}\\{name}")
            data = restorable_data(str(record.get("type")), raw)
            if data is None:
                problems.append(f"{key}\\{name} was {record.get('type')} {raw.hex()}, which reg.exe cannot write "
                                "back exactly")
            values.append(rp.ValueItem(key, name, "present", str(record.get("type")), data))
    if problems:
        raise VmrescueError("the journal cannot be restored exactly, nothing was written: " + "; ".join(problems))
    return values, keys


def keys_to_read(values: list[rp.ValueItem], keys: list[rp.KeyItem]) -> list[str]:
    return list(dict.fromkeys([item.key for item in values] + [item.key for item in keys]))


def mismatches(values: list[rp.ValueItem], keys: list[rp.KeyItem], after: dict[str, rp.KeyState]) -> list[str]:
    """What the read-back shows differently from the journal, by type and bytes (empty: verified)."""
    problems = []
    for item in values:
        now = rp.current_value(after, item.key, item.name)
        wanted = None if item.state == "absent" else (item.type, raw_bytes(item.type or "", item.data))
        found = None if now is None else (now[0], raw_bytes(now[0], now[1]))
        if found != wanted:
            problems.append(f"{item.key}\\{item.name} is {_shown(found)}, expected {_shown(wanted)}")
    for key in keys:
        if rp.key_exists(after, key.key) != (key.state == "present"):
            problems.append(f"key {key.key} is {'present' if rp.key_exists(after, key.key) else 'absent'}, "
                            f"expected {key.state}")
    return problems


def _shown(value: tuple[str | None, bytes] | None) -> str:
    return "absent" if value is None else f"{value[0]} {value[1].hex()}"
