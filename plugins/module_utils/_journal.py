# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the change journal: original values, kept in a JSON file on the broken disk (it travels with the disk).

``bcd`` and ``offline_registry`` read it in their read command and, when they are about to change something, write it
back in the same write command before the first change, adding the original value of every element or value they
change that is not recorded yet. The first record wins: a later run never overwrites it, so the journal always holds
the state from before vmrescue touched the disk.

Format 2 keys every file by what identifies it on the disk, not by the recovery VM's drive letters, which change
whenever the disk is attached again or the EFI partition gets another temporary letter (``_volume_identity``):
``<volume>|<path below the volume root>``, the volume being ``gpt:{disk guid}:{partition guid}`` or
``mbr:{signature, 8 hex}:{partition offset}``. Compact JSON, ASCII only; GUIDs, paths and key paths lower-case
because Windows compares them case-insensitively::

    {"format": 2,
     "bcd": {"<file key>": {"<{guid}>": {"<element code, 8 hex>":
                 {"present": true, "type": "REG_BINARY", "data": "<hex of the registry bytes>"}}}},
     "registry": {"<file key>": {
         "values": {"<key below the hive root>": {"<value name>":
                 {"name": "<as written>", "key": "<as written>", "present": true, "type": "REG_DWORD",
                  "data": "<hex>"}}},
         "keys": {"<key below the hive root>": {"present": true, "key": "<as written>"}}}},
     "drivers": {"<file key>": {...}},                  # driver swaps (driver_file)
     "format1": {"bcd": {...}, "registry": {...}}}      # only while format-1 records are not mapped yet

``present: false`` (with ``type``/``data`` null) records that the element, value or key did not exist. A deleted key's
values and subkeys are not recorded, only that it existed. A value written into a missing key records that key as
absent too (reg add creates it), so a restore removes it again; its missing parents are not recorded. ``key`` keeps
the spelling a restore recreates (records without it fall back to the lower-case path). Readers ignore top-level
sections they do not know, so a section can be added without a new format number.

Format 1 had the same sections keyed by the recovery VM's path (``f:\\windows\\system32\\config\\system``). Such a
journal is read into ``format1`` and its records are moved to their file key only where ``_journal_location`` can
prove which file they belong to; the next journal write stores format 2 with the records not mapped yet still under
``format1``.

A restore (``restore_journal``) reads records and never writes the journal, so restoring twice changes nothing.

``drivers`` holds one record per driver file ``driver_file`` replaced, keyed by the original's location
(``_volume_identity.locate(path).key``: ``<volume>|<path below the volume root>``, so it survives new drive letters),
written before the backup is taken and the file replaced::

    "drivers": {"<volume>|windows\\system32\\drivers\\x.sys":
        {"path": "<below the volume root>", "name": "x.sys", "sha256": "<hex of the original>",
         "sddl": "O:<owner>G:<group>D:<DACL> (Get-Acl, SIDs only)",
         "backup_volume": "<volume>", "backup": "<backup copy below its volume root>", "acl": "<icacls /save file>"}}
"""

from __future__ import annotations

import json
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

FORMAT = 2
FORMAT_1 = 1
# What a restore reports for each record.
RESTORED, ALREADY, COULD_NOT = "restored", "already original", "could not"
SECTIONS = ("bcd", "registry")          # the sections format 1 had


def empty() -> dict[str, t.Any]:
    return {"format": FORMAT, "bcd": {}, "registry": {}, "drivers": {}}


def parse(text: str | None) -> dict[str, t.Any]:
    """The journal (format 2) from the file's text; an absent or empty file is an empty journal."""
    if text is None or not text.strip().lstrip("\ufeff"):
        return empty()
    try:
        data = json.loads(text.strip().lstrip("\ufeff"))
    except ValueError as exc:
        raise VmrescueError(f"the journal is not valid JSON ({exc}); it is left untouched: move it away or fix it") from None
    if not isinstance(data, dict) or data.get("format") not in (FORMAT_1, FORMAT):
        raise VmrescueError(f"the journal has an unknown format (expected format {FORMAT_1} or {FORMAT}); it is left "
                            "untouched")
    if data["format"] == FORMAT_1:
        journal = empty()
        journal["format1"] = {section: data.get(section) or {} for section in SECTIONS}
        return journal
    for section in (*SECTIONS, "drivers"):
        data.setdefault(section, {})
    return data


def render(journal: dict[str, t.Any]) -> str:
    if not any(journal.get("format1", {}).values()):
        journal = {name: section for name, section in journal.items() if name != "format1"}
    return json.dumps(journal, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def format1_records(journal: dict[str, t.Any], section: str) -> dict[str, t.Any]:
    """{recovery VM path: records} of a format-1 section not mapped to a file key yet (changed in place)."""
    return journal.get("format1", {}).get(section, {})


def file_keys(journal: dict[str, t.Any], section: str) -> list[str]:
    """The file keys a format-2 section has records for."""
    return sorted(journal[section])


def _record(present: bool, reg_type: str | None, data_hex: str | None) -> dict[str, t.Any]:
    return {"present": present, "type": reg_type if present else None, "data": data_hex if present else None}


def record_bcd(journal: dict[str, t.Any], store_key: str, guid: str, code: int, present: bool,
               reg_type: str | None, data_hex: str | None) -> bool:
    """Record an element's original value unless already recorded; True when something was added."""
    elements = journal["bcd"].setdefault(store_key.lower(), {}).setdefault(guid.lower(), {})
    key = f"{code:08x}"
    if key in elements:
        return False
    elements[key] = _record(present, reg_type, data_hex)
    return True


def record_registry_value(journal: dict[str, t.Any], hive_key: str, key: str, name: str, present: bool,
                          reg_type: str | None, data_hex: str | None) -> bool:
    values = journal["registry"].setdefault(hive_key.lower(), {}).setdefault("values", {}).setdefault(key.lower(), {})
    if name.lower() in values:
        return False
    values[name.lower()] = dict(_record(present, reg_type, data_hex), name=name, key=key)
    return True


def record_registry_key(journal: dict[str, t.Any], hive_key: str, key: str, present: bool) -> bool:
    keys = journal["registry"].setdefault(hive_key.lower(), {}).setdefault("keys", {})
    if key.lower() in keys:
        return False
    keys[key.lower()] = {"present": present, "key": key}
    return True


def bcd_store_records(journal: dict[str, t.Any], store_key: str) -> dict[str, dict[str, t.Any]]:
    """{guid: {element code: record}} of one store (empty when nothing of it was recorded)."""
    return journal["bcd"].get(store_key.lower(), {})


def registry_hive_records(journal: dict[str, t.Any], hive_key: str) -> dict[str, t.Any]:
    """{"values": {key: {name: record}}, "keys": {key: record}} of one hive (empty when nothing was recorded)."""
    return journal["registry"].get(hive_key.lower(), {})


def bcd_record(journal: dict[str, t.Any], store_key: str, guid: str, code: int) -> dict[str, t.Any] | None:
    return bcd_store_records(journal, store_key).get(guid.lower(), {}).get(f"{code:08x}")


def registry_value_record(journal: dict[str, t.Any], hive_key: str, key: str, name: str) -> dict[str, t.Any] | None:
    return registry_hive_records(journal, hive_key).get("values", {}).get(key.lower(), {}).get(name.lower())


def merge_older(journal: dict[str, t.Any], section: str, file_key: str, older: dict[str, t.Any]) -> None:
    """Merge records of one file that are older than the journal's (a format-1 file's): the older record wins."""
    target = journal[section].setdefault(file_key.lower(), {})
    _merge(target, older)


def _merge(target: dict[str, t.Any], older: dict[str, t.Any]) -> None:
    for name, value in older.items():
        if isinstance(value, dict) and isinstance(target.get(name), dict) and "present" not in value:
            _merge(target[name], value)
        else:
            target[name] = value


def record_driver(journal: dict[str, t.Any], location_key: str, record: dict[str, t.Any]) -> bool:
    """Record a driver file's original (see the module docstring) unless already recorded; True when added."""
    drivers = journal.setdefault("drivers", {})
    if location_key in drivers:
        return False
    drivers[location_key] = dict(record)
    return True


def driver_records(journal: dict[str, t.Any]) -> dict[str, dict[str, t.Any]]:
    """{location key: record} of every replaced driver (empty when none was recorded)."""
    return journal.get("drivers", {})
