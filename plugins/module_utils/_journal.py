# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the change journal: original values, kept in a JSON file on the broken disk (it travels with the disk).

``bcd`` and ``offline_registry`` read it in their read command and, when they are about to change something, write it
back in the same write command before the first change, adding the original value of every element or value they
change that is not recorded yet. The first record wins: a later run never overwrites it, so the journal always holds
the state from before vmrescue touched the disk.

Format 1 (compact JSON, ASCII only; paths, GUIDs and key paths are stored lower-case because Windows compares them
case-insensitively)::

    {"format": 1,
     "bcd": {"<store path>": {"<{guid}>": {"<element code, 8 hex>":
                 {"present": true, "type": "REG_BINARY", "data": "<hex of the registry bytes>"}}}},
     "registry": {"<hive path>": {
         "values": {"<key below the hive root>": {"<value name>":
                 {"name": "<as written>", "key": "<as written>", "present": true, "type": "REG_DWORD",
                  "data": "<hex>"}}},
         "keys": {"<key below the hive root>": {"present": true, "key": "<as written>"}}}}}

``present: false`` (with ``type``/``data`` null) records that the element, value or key did not exist. A deleted key's
values and subkeys are not recorded, only that it existed. A value written into a missing key records that key as
absent too (reg add creates it), so a restore removes it again; its missing parents are not recorded. ``key`` keeps
the spelling a restore recreates (records without it fall back to the lower-case path).

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

FORMAT = 1


def empty() -> dict[str, t.Any]:
    return {"format": FORMAT, "bcd": {}, "registry": {}}


def parse(text: str | None) -> dict[str, t.Any]:
    """The journal from the file's text; an absent or empty file is an empty journal."""
    if text is None or not text.strip().lstrip("\ufeff"):
        return empty()
    try:
        data = json.loads(text.strip().lstrip("\ufeff"))
    except ValueError as exc:
        raise VmrescueError(f"the journal is not valid JSON ({exc}); it is left untouched: move it away or fix it") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise VmrescueError(f"the journal has an unknown format (expected format {FORMAT}); it is left untouched")
    data.setdefault("bcd", {})
    data.setdefault("registry", {})
    return data


def render(journal: dict[str, t.Any]) -> str:
    return json.dumps(journal, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _record(present: bool, reg_type: str | None, data_hex: str | None) -> dict[str, t.Any]:
    return {"present": present, "type": reg_type if present else None, "data": data_hex if present else None}


def record_bcd(journal: dict[str, t.Any], store: str, guid: str, code: int, present: bool,
               reg_type: str | None, data_hex: str | None) -> bool:
    """Record an element's original value unless already recorded; True when something was added."""
    elements = journal["bcd"].setdefault(store.lower(), {}).setdefault(guid.lower(), {})
    key = f"{code:08x}"
    if key in elements:
        return False
    elements[key] = _record(present, reg_type, data_hex)
    return True


def record_registry_value(journal: dict[str, t.Any], hive: str, key: str, name: str, present: bool,
                          reg_type: str | None, data_hex: str | None) -> bool:
    values = journal["registry"].setdefault(hive.lower(), {}).setdefault("values", {}).setdefault(key.lower(), {})
    if name.lower() in values:
        return False
    values[name.lower()] = dict(_record(present, reg_type, data_hex), name=name, key=key)
    return True


def record_registry_key(journal: dict[str, t.Any], hive: str, key: str, present: bool) -> bool:
    keys = journal["registry"].setdefault(hive.lower(), {}).setdefault("keys", {})
    if key.lower() in keys:
        return False
    keys[key.lower()] = {"present": present, "key": key}
    return True


def bcd_store_records(journal: dict[str, t.Any], store: str) -> dict[str, dict[str, t.Any]]:
    """{guid: {element code: record}} of one store (empty when nothing of it was recorded)."""
    return journal["bcd"].get(store.lower(), {})


def registry_hive_records(journal: dict[str, t.Any], hive: str) -> dict[str, t.Any]:
    """{"values": {key: {name: record}}, "keys": {key: record}} of one hive (empty when nothing was recorded)."""
    return journal["registry"].get(hive.lower(), {})


def bcd_record(journal: dict[str, t.Any], store: str, guid: str, code: int) -> dict[str, t.Any] | None:
    return bcd_store_records(journal, store).get(guid.lower(), {}).get(f"{code:08x}")


def registry_value_record(journal: dict[str, t.Any], hive: str, key: str, name: str) -> dict[str, t.Any] | None:
    return registry_hive_records(journal, hive).get("values", {}).get(key.lower(), {}).get(name.lower())


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
