# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a hive's journal records as offline_registry requests that put back the original type and bytes.

Values recorded present get ``reg add`` with their recorded type and the data that makes reg.exe store exactly the
recorded bytes (refused before anything is written when no such data exists); values and keys recorded absent are
deleted. A key recorded absent is deleted with its whole subtree, so values below it are not restored one by one.
The keys to read are only known from the journal, which the catalogue's PowerShell subset cannot turn into
further queries inside one command: a restore reads the journal first, then the recorded keys.

Every record ends as ``restored``, ``already original`` or ``could not`` (with the reason), as in ``_bcd_restore``.
The same requests undo a write that verified wrong, from the values the write's read found.
"""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal, _registry_plan as rp
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import add_target_facts
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import raw_bytes, restorable_data
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript

ALREADY, COULD_NOT, RESTORED = _journal.ALREADY, _journal.COULD_NOT, _journal.RESTORED


def read_journal(hive: str, journal: str) -> RemoteScript:
    """One command: the safety facts of the hive and the journal's text."""
    script = RemoteScript("registry-journal")
    add_target_facts(script, hive, journal)
    return script


def _under(key: str, ancestor: str) -> bool:
    return key.lower() == ancestor.lower() or key.lower().startswith(ancestor.lower() + "\\")


def _recorded_bytes(record: dict[str, t.Any]) -> bytes | None:
    try:
        return bytes.fromhex(record["data"])
    except (KeyError, TypeError, ValueError):
        return None


def targets(records: dict[str, t.Any]) -> tuple[list[rp.ValueItem], list[rp.KeyItem], list[dict[str, t.Any]]]:
    """A hive's records ({"values": …, "keys": …}) as requests for their original state, and those that cannot be.

    The third list holds ``could not`` reports of values reg.exe cannot write back exactly (they are not requested)."""
    keys = [rp.KeyItem(record.get("key") or path, "present" if record.get("present") else "absent")
            for path, record in sorted(records.get("keys", {}).items())]
    gone = [item.key for item in keys if item.state == "absent"]
    values: list[rp.ValueItem] = []
    could_not: list[dict[str, t.Any]] = []
    for path, names in sorted(records.get("values", {}).items()):
        for lower_name, record in sorted(names.items()):
            key, name = record.get("key") or path, record.get("name") or lower_name
            if any(_under(key, ancestor) for ancestor in gone):
                continue                    # the key did not exist: deleting it restores everything below it
            if not record.get("present"):
                values.append(rp.ValueItem(key, name, "absent", None, None))
                continue
            raw = _recorded_bytes(record)
            data = None if raw is None else restorable_data(str(record.get("type")), raw)
            if data is None:
                reason = ("the journal record has no readable data" if raw is None else
                          f"it was {record.get('type')} {raw.hex()}, which reg.exe cannot write back exactly")
                could_not.append(status_report(f"{key}\\{name}", COULD_NOT, reason))
                continue
            values.append(rp.ValueItem(key, name, "present", str(record.get("type")), data))
    return values, keys, could_not


def status_report(record: str, status: str, reason: str | None = None) -> dict[str, t.Any]:
    return {"record": record, "status": status, "reason": reason}


def statuses(values: list[rp.ValueItem], keys: list[rp.KeyItem], before: dict[str, rp.KeyState],
             after: dict[str, rp.KeyState] | None) -> list[dict[str, t.Any]]:
    """restored / already original / could not of every requested value and key (``after`` None: as planned)."""
    out = []
    for item in values:
        wanted = _wanted(item)
        was = _found(before, item)
        now = wanted if after is None else _found(after, item)
        out.append(_status(f"{item.key}\\{item.name}", was == wanted, now == wanted, _shown(now), _shown(wanted)))
    for key in keys:
        wanted_present = key.state == "present"
        now = wanted_present if after is None else rp.key_exists(after, key.key)
        out.append(_status(f"key {key.key}", rp.key_exists(before, key.key) == wanted_present, now == wanted_present,
                           "present" if now else "absent", key.state))
    return out


def _status(label: str, already: bool, done: bool, now: str, wanted: str) -> dict[str, t.Any]:
    if already:
        return status_report(label, ALREADY)
    if done:
        return status_report(label, RESTORED)
    return status_report(label, COULD_NOT, f"after the write it is {now}, expected {wanted}")


def _wanted(item: rp.ValueItem) -> tuple[str | None, bytes] | None:
    return None if item.state == "absent" else (item.type, raw_bytes(item.type or "", item.data))


def _found(states: dict[str, rp.KeyState], item: rp.ValueItem) -> tuple[str | None, bytes] | None:
    now = rp.current_value(states, item.key, item.name)
    return None if now is None else (now[0], raw_bytes(now[0], now[1]))


def keys_to_read(values: list[rp.ValueItem], keys: list[rp.KeyItem]) -> list[str]:
    return list(dict.fromkeys([item.key for item in values] + [item.key for item in keys]))


def mismatches(values: list[rp.ValueItem], keys: list[rp.KeyItem], after: dict[str, rp.KeyState]) -> list[str]:
    """What the read-back shows differently from the journal, by type and bytes (empty: verified)."""
    return [f"{item['record']}: {item['reason']}" for item in statuses(values, keys, {}, after)
            if item["status"] == COULD_NOT]


def _shown(value: tuple[str | None, bytes] | None) -> str:
    return "absent" if value is None else f"{value[0]} {value[1].hex()}"
