# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a BCD store as read through the registry (``reg query HKLM\\<mount>\\Objects /s``).

Layout (bcd-and-registry.md section 1): ``Objects\\{guid}\\Description`` value ``Type`` (REG_DWORD) and
``Objects\\{guid}\\Elements\\<8 hex>`` value ``Element``. Nothing here reads bcdedit's (translated) text.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_values import ElementRef, decode, display, suggestions
from ansible_collections.vmrescue.windows.plugins.module_utils._elements import (
    ALIAS_BY_GUID, ALIASES, BOOTMGR_DEFAULT_CODE, CURRENT_ALIAS, DEFAULT_ALIAS, GUID_PATTERN, element_display_name,
    element_for_code,
    object_type_name,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import QueryResult, full_key

_HEX8 = frozenset("0123456789abcdef")


@dataclasses.dataclass
class RawElement:
    code: int
    reg_type: str
    data: t.Any

    @property
    def data_hex(self) -> str:
        """The element's data as hex of its registry bytes (strings as UTF-16-LE with terminators)."""
        if isinstance(self.data, bytes):
            return self.data.hex()
        if isinstance(self.data, list):
            return ("".join(item + "\0" for item in self.data) + "\0").encode("utf-16-le").hex()
        if isinstance(self.data, int):
            return self.data.to_bytes(8 if self.reg_type == "REG_QWORD" else 4, "little").hex()
        return (str(self.data) + "\0").encode("utf-16-le").hex()


@dataclasses.dataclass
class BcdObject:
    guid: str                                   # lower-case braced GUID
    type: int | None
    elements: dict[int, RawElement] = dataclasses.field(default_factory=dict)

    @property
    def alias(self) -> str | None:
        return ALIAS_BY_GUID.get(self.guid)

    @property
    def type_code(self) -> int:
        return self.type or 0

    def value(self, code: int) -> t.Any:
        raw = self.elements.get(code)
        return None if raw is None else decode(code, raw.reg_type, raw.data)

    def label(self) -> str:
        return f"{self.alias} ({self.guid})" if self.alias else self.guid


class BcdStore:
    def __init__(self, objects: dict[str, BcdObject]) -> None:
        self.objects = objects

    @classmethod
    def from_query(cls, result: QueryResult, objects_key: str) -> "BcdStore":
        """Build the model from the output of ``reg query <objects_key> /s``."""
        base = full_key(objects_key).rstrip("\\")
        objects: dict[str, BcdObject] = {}
        for key in result.descendants(base):
            parts = key.path[len(base) + 1:].split("\\") if len(key.path) > len(base) else []
            if not parts or not GUID_PATTERN.match(parts[0]):
                continue
            obj = objects.setdefault(parts[0].lower(), BcdObject(parts[0].lower(), None))
            if len(parts) == 2 and parts[1].lower() == "description":
                type_value = key.value("Type")
                if type_value is not None and isinstance(type_value.data, int):
                    obj.type = type_value.data
            elif len(parts) == 3 and parts[1].lower() == "elements" and len(parts[2]) == 8 \
                    and set(parts[2].lower()) <= _HEX8:
                element = key.value("Element")
                if element is not None:
                    code = int(parts[2], 16)
                    obj.elements[code] = RawElement(code, element.type, element.data)
        return cls(objects)

    @property
    def bootmgr(self) -> BcdObject | None:
        return self.objects.get(ALIASES["{bootmgr}"])

    def default_guid(self) -> str | None:
        """The GUID {default} stands for: the boot manager's ``default`` element."""
        bootmgr = self.bootmgr
        value = bootmgr.value(BOOTMGR_DEFAULT_CODE) if bootmgr else None
        return value.lower() if isinstance(value, str) and GUID_PATTERN.match(value) else None

    def resolve(self, identifier: str) -> BcdObject:
        """The object an alias or braced GUID names in this store, or a VmrescueError saying why not."""
        if not isinstance(identifier, str) or not identifier:
            raise VmrescueError(f"object identifiers must be non-empty strings; got {identifier!r}")
        ident = identifier.strip().lower()
        if ident == CURRENT_ALIAS:
            raise VmrescueError(
                "{current} means the entry the running Windows booted from; an offline store has no running system. "
                "Use {default} (the boot manager's default entry) or the entry's GUID.", object=identifier)
        if ident == DEFAULT_ALIAS:
            guid = self.default_guid()
            if guid is None:
                raise VmrescueError("this store's boot manager has no default entry, so {default} names nothing; "
                                    "use the loader's GUID", object=identifier)
            if guid not in self.objects:
                raise VmrescueError(f"{{default}} points to {guid}, which is not in this store", object=identifier)
            return self.objects[guid]
        if ident in ALIASES:
            guid = ALIASES[ident]
            if guid not in self.objects:
                raise VmrescueError(f"this store has no {ident} object ({guid})", object=identifier)
            return self.objects[guid]
        if GUID_PATTERN.match(ident):
            if ident not in self.objects:
                raise VmrescueError(f"this store has no object {ident}", object=identifier,
                                    objects=sorted(self.objects))
            return self.objects[ident]
        known = list(ALIASES) + [DEFAULT_ALIAS]
        near = suggestions(identifier, known)
        hint = f" Did you mean: {', '.join(near)}?" if near else ""
        raise VmrescueError(f"unknown object identifier {identifier!r}: use a well-known alias such as {{bootmgr}} "
                            f"or {{default}}, or a braced GUID.{hint}", object=identifier, suggestions=near)

    def describe(self, obj: BcdObject) -> dict[str, t.Any]:
        """An object as bcd_info returns it."""
        elements: dict[str, t.Any] = {}
        raw: dict[str, dict[str, str]] = {}
        for code in sorted(obj.elements):
            ref = ElementRef(code, element_for_code(obj.type_code, code))
            elements[element_display_name(obj.type_code, code)] = display(ref, obj.value(code))
            raw[f"{code:08x}"] = {"type": obj.elements[code].reg_type, "data": obj.elements[code].data_hex}
        description = obj.value(0x12000004)
        return {
            "guid": obj.guid,
            "alias": obj.alias,
            "type": f"{obj.type_code:08x}",
            "type_name": object_type_name(obj.type_code),
            "description": description if isinstance(description, str) else None,
            "elements": elements,
            "raw": raw,
        }
