# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: put a BCD store's journaled elements back to their original registry type and bytes.

Per element, from the journal record and the element as the read found it:

- recorded absent and now present: ``bcdedit /deletevalue`` (it removes the element's whole key).
- recorded present and different now: ``bcdedit /set`` only when bcdedit's encoding gives exactly the recorded type
  and bytes whatever it does with the element's current encoding (bcd-and-registry.md section 1: it may keep an
  existing value's size and type). Otherwise, or for kinds bcdedit cannot write (device, binary) and values it
  would spell differently (an upper-case GUID, an integer with no enumeration name), a raw ``reg add`` of the
  element's ``Element`` value on the loaded store with the recorded type and data.

Every record ends as ``restored``, ``already original`` or ``could not`` (with the reason): an object that is gone
or a value reg.exe cannot write back exactly is reported and not written; the others are still put back. The same
plan undoes a write that verified wrong, from the values the write's read found.

The restore never touches the journal: a second restore finds nothing to do.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore, RawElement
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_values import ElementRef, bcdedit_arguments, decode
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import BcdeditChange
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import RegChange
from ansible_collections.vmrescue.windows.plugins.module_utils._elements import GUID_PATTERN, element_for_code
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import add_data, restorable_data

BCDEDIT, REG = "bcdedit", "reg"
ALREADY, COULD_NOT, RESTORED = _journal.ALREADY, _journal.COULD_NOT, _journal.RESTORED
RegistryValue = t.Optional[t.Tuple[str, bytes]]      # (type, bytes), None = absent


@dataclasses.dataclass
class ElementRestore:
    guid: str
    code: int
    ref: ElementRef
    before: RegistryValue
    wanted: RegistryValue
    method: str | None = None       # bcdedit | reg | None (already as recorded, or cannot be written)
    bcdedit_values: tuple[str, ...] = ()
    problem: str | None = None      # why it cannot be put back

    @property
    def label(self) -> str:
        return f"{self.ref.bcdedit_name} ({self.code:08x}) of {self.guid}"

    def bcdedit(self) -> BcdeditChange:
        action = "set" if self.wanted is not None else "deletevalue"
        return BcdeditChange(action, self.guid, self.ref.bcdedit_name, self.bcdedit_values)

    def reg(self) -> RegChange:
        reg_type, raw = self.wanted or ("REG_BINARY", b"")     # only elements recorded present are written raw
        text, separator = add_data(reg_type, restorable_data(reg_type, raw))
        return RegChange("add-value", element_key(self.guid, self.code), "Element", reg_type, text, separator)

    def report(self, after: RegistryValue | None = None, planned: bool = True) -> dict[str, t.Any]:
        now = (self.wanted if self.problem is None else self.before) if planned else after
        status, reason = self.status(now)
        return {"guid": self.guid, "element": f"{self.code:08x}", "name": self.ref.bcdedit_name, "method": self.method,
                "before": _shown(self.before), "after": _shown(now), "status": status, "reason": reason}

    def status(self, now: RegistryValue) -> tuple[str, str | None]:
        if self.problem is not None:
            return COULD_NOT, self.problem
        if self.method is None:
            return ALREADY, None
        if now != self.wanted:
            return COULD_NOT, f"after the write it is {_shown(now)}, expected {_shown(self.wanted)}"
        return RESTORED, None


def element_key(guid: str, code: int) -> str:
    """The element's key below the store's root (bcdedit names element keys in lower-case hex)."""
    return f"Objects\\{guid}\\Elements\\{code:08x}"


def _shown(value: RegistryValue) -> dict[str, str] | None:
    return None if value is None else {"type": value[0], "data": value[1].hex()}


def registry_value(raw: RawElement | None) -> RegistryValue:
    return None if raw is None else (raw.reg_type, bytes.fromhex(raw.data_hex))


def _utf16z(text: str) -> bytes:
    return (text + "\0").encode("utf-16-le")


def _bcdedit_encoding(kind: str, value: t.Any) -> RegistryValue:
    """What ``bcdedit /set`` writes for a new element of this kind (bcd-and-registry.md section 1)."""
    if kind == "boolean":
        return "REG_BINARY", bytes([int(value)])
    if kind == "integer":
        return "REG_BINARY", value.to_bytes(8, "little")
    if kind == "integer_list":
        return "REG_BINARY", b"".join(item.to_bytes(8, "little") for item in value)
    if kind in ("string", "object"):
        return "REG_SZ", _utf16z(value)
    if kind == "object_list":
        return "REG_MULTI_SZ", b"".join(_utf16z(item) for item in value) + b"\0\0"
    return None


def _spelled_by_bcdedit(ref: ElementRef, value: t.Any) -> bool:
    """Whether bcdedit takes this value and stores it in exactly this spelling."""
    kind = ref.kind
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        enum = ref.element.enum if ref.element is not None else ()
        return not enum or value in [number for _name, number in enum]      # bcdedit takes only the enum's names
    if kind == "integer_list":
        return isinstance(value, list) and bool(value)
    if kind == "string":
        return isinstance(value, str) and bool(value) and all(ord(ch) >= 0x20 for ch in value)
    texts = [value] if kind == "object" else value if kind == "object_list" else None
    # bcdedit stores the GUID it resolved, in lower case
    return isinstance(texts, list) and bool(texts) and all(
        isinstance(text, str) and GUID_PATTERN.match(text) is not None and text == text.lower() for text in texts)


def bcdedit_values(ref: ElementRef, wanted: tuple[str, bytes], before: RegistryValue) -> tuple[str, ...] | None:
    """The ``bcdedit /set`` value arguments that give exactly ``wanted``, or None when only a raw write does."""
    reg_type, raw = wanted
    if ref.kind in ("boolean", "integer") and (not raw or len(raw) > 8):
        return None
    # strings as stored (decode() would lower-case a GUID that bcdedit would write in lower case)
    value = raw if reg_type == "REG_BINARY" else restorable_data(reg_type, raw)
    value = decode(ref.code, reg_type, value) if isinstance(value, (bytes, int)) else value
    if ref.kind in ("boolean", "integer") and before is not None and (before[0], len(before[1])) != (reg_type, len(raw)):
        return None                                     # bcdedit may keep the current size and type
    if value is None or not _spelled_by_bcdedit(ref, value) or _bcdedit_encoding(ref.kind, value) != wanted:
        return None
    return tuple(bcdedit_arguments(ref, value))


def _record_value(record: dict[str, t.Any]) -> RegistryValue:
    """The recorded value; ValueError when the record has no readable type and data."""
    if not record.get("present"):
        return None
    try:
        return str(record["type"]), bytes.fromhex(record["data"])
    except (KeyError, TypeError):
        raise ValueError("no readable type and data") from None


def plan(records: dict[str, dict[str, t.Any]], store: BcdStore) -> list[ElementRestore]:
    """Every record ({guid: {element code: record}}) with what puts it back (method None: nothing to write)."""
    restores: list[ElementRestore] = []
    for guid, elements in sorted(records.items()):
        obj = store.objects.get(guid.lower())
        for code_hex, record in sorted(elements.items()):
            code = int(code_hex, 16)
            ref = ElementRef(code, element_for_code(obj.type_code, code) if obj else None)
            try:
                wanted = _record_value(record)
            except ValueError:
                wanted = None
                problem: str | None = "the journal record has no readable type and data"
            else:       # an element recorded absent is absent from a gone object too
                problem = None if obj or wanted is None else f"object {guid} is no longer in the store"
            item = ElementRestore(obj.guid if obj else guid.lower(), code, ref,
                                  registry_value(obj.elements.get(code)) if obj else None, wanted, problem=problem)
            if problem is None and item.before != item.wanted:
                values = None if item.wanted is None else bcdedit_values(ref, item.wanted, item.before)
                item.method = BCDEDIT if item.wanted is None or values is not None else REG
                item.bcdedit_values = values or ()
                if item.method == REG and restorable_data(item.wanted[0], item.wanted[1]) is None:
                    item.method, item.bcdedit_values = None, ()
                    item.problem = (f"it was {item.wanted[0]} {item.wanted[1].hex()}, which reg.exe cannot write back "
                                    "exactly")
            restores.append(item)
    return restores


def originals(changed: t.Iterable[tuple[str, int, RawElement | None]]) -> dict[str, dict[str, t.Any]]:
    """Records ({guid: {code: record}}) of the elements a write changed ((guid, code, element as its read found it)),
    to undo that write."""
    journal = _journal.empty()
    for guid, code, raw in changed:
        _journal.record_bcd(journal, "undo", guid, code, raw is not None, raw.reg_type if raw else None,
                            raw.data_hex if raw else None)
    return _journal.bcd_store_records(journal, "undo")


def mismatches(restores: list[ElementRestore], after: BcdStore) -> list[str]:
    """Elements whose type or bytes differ from the journal after the write (empty: verified)."""
    problems = []
    for item in restores:
        if item.problem is not None:
            continue
        obj = after.objects.get(item.guid)
        now = registry_value(obj.elements.get(item.code)) if obj else None
        if now != item.wanted:
            problems.append(f"{item.ref.bcdedit_name} of {item.guid} is {_shown(now)}, expected {_shown(item.wanted)}")
    return problems
