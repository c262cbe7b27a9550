# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: from a read store and the task's ``objects`` to the bcdedit changes, and the check of the result.

Everything is validated before anything is written: unknown objects and elements, values, ``{current}``.
"""

from __future__ import annotations

import dataclasses
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdObject, BcdStore
from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_values import (
    ElementRef, bcdedit_arguments, display, parse_value, resolve_element, same_value,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import BcdeditChange
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError


@dataclasses.dataclass
class ElementChange:
    guid: str
    ref: ElementRef
    action: str                 # set | deletevalue
    wanted: t.Any               # internal value for set, None for delete
    object_label: str

    def bcdedit(self) -> BcdeditChange:
        values = tuple(bcdedit_arguments(self.ref, self.wanted)) if self.action == "set" else ()
        return BcdeditChange(self.action, self.guid, self.ref.bcdedit_name, values)


@dataclasses.dataclass
class ObjectRequest:
    identifier: str
    obj: BcdObject
    touched: list[tuple[ElementRef, str, t.Any]]     # (element, action, wanted)


@dataclasses.dataclass
class BcdPlan:
    requests: list[ObjectRequest]
    changes: list[ElementChange]

    def object(self, guid: str) -> BcdObject:
        return next(request.obj for request in self.requests if request.obj.guid == guid)

    def bcdedit_changes(self) -> list[BcdeditChange]:
        return [change.bcdedit() for change in self.changes]

    def report(self, before: BcdStore, after: BcdStore | None) -> list[dict[str, t.Any]]:
        """Per requested id: guid and before/after of every element it touched (``after`` None: as planned)."""
        out = []
        for request in self.requests:
            was: dict[str, t.Any] = {}
            now: dict[str, t.Any] = {}
            for ref, action, wanted in request.touched:
                was[ref.bcdedit_name] = display(ref, before.objects[request.obj.guid].value(ref.code))
                if after is None:
                    now[ref.bcdedit_name] = display(ref, wanted) if action == "set" else None
                else:
                    obj = after.objects.get(request.obj.guid)
                    now[ref.bcdedit_name] = display(ref, obj.value(ref.code)) if obj else None
            out.append({"id": request.identifier, "guid": request.obj.guid, "before": was, "after": now})
        return out


def _as_list(value: t.Any, label: str) -> list[t.Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise VmrescueError(f"{label} must be a list")


def plan(store: BcdStore, objects: list[dict[str, t.Any]]) -> BcdPlan:
    """Validate every request against the store, then list the changes that make it so."""
    requests: list[ObjectRequest] = []
    changes: list[ElementChange] = []
    seen: dict[tuple[str, int], t.Any] = {}

    def resolve_reference(text: str) -> str:
        return store.resolve(text).guid

    for index, entry in enumerate(objects):
        option = f"objects[{index}]"
        if not isinstance(entry, dict) or "id" not in entry:
            raise VmrescueError(f"{option}: each item of objects needs an id; got {entry!r}")
        unknown = set(entry) - {"id", "set", "remove"}
        if unknown:
            raise VmrescueError(f"{option}: unknown keys {sorted(unknown)} in objects item {entry.get('id')!r} "
                                "(allowed: id, set, remove)")
        obj = store.resolve(entry["id"])
        label = f"{entry['id']} ({obj.guid})" if entry["id"].lower() != obj.guid else obj.guid
        request = ObjectRequest(entry["id"], obj, [])
        settings = entry.get("set") or {}
        if not isinstance(settings, dict):
            raise VmrescueError(f"{option}.set: set of {label} must be a mapping of element names to values")
        wanted: list[tuple[ElementRef, str, t.Any]] = []
        for name, value in settings.items():
            ref = resolve_element(obj.type_code, name, label)
            wanted.append((ref, "set", parse_value(ref, value, f"{option}.set.{name} ({name} of {label})",
                                                   resolve_reference)))
        for name in _as_list(entry.get("remove"), f"{option}.remove: remove of {label}"):
            wanted.append((resolve_element(obj.type_code, name, label), "deletevalue", None))
        for ref, action, value in wanted:
            key = (obj.guid, ref.code)
            if key in seen and seen[key] != (action, value):
                raise VmrescueError(f"element {ref.bcdedit_name} of {obj.guid} is given conflicting values")
            seen[key] = (action, value)
            request.touched.append((ref, action, value))
            present = ref.code in obj.elements
            if action == "deletevalue" and present:
                changes.append(ElementChange(obj.guid, ref, action, None, label))
            elif action == "set" and not (present and same_value(ref, obj.value(ref.code), value)):
                changes.append(ElementChange(obj.guid, ref, action, value, label))
        requests.append(request)
    unique: dict[tuple[str, int], ElementChange] = {}
    for change in changes:
        unique.setdefault((change.guid, change.ref.code), change)
    return BcdPlan(requests, list(unique.values()))


def mismatches(plan_: BcdPlan, after: BcdStore) -> list[str]:
    """What the store read after the write shows differently from the plan (empty: verified)."""
    problems = []
    for change in plan_.changes:
        obj = after.objects.get(change.guid)
        current = obj.value(change.ref.code) if obj else None
        present = obj is not None and change.ref.code in obj.elements
        if change.action == "deletevalue" and present:
            problems.append(f"{change.ref.bcdedit_name} of {change.object_label} is still set "
                            f"({display(change.ref, current)!r})")
        elif change.action == "set" and not (present and same_value(change.ref, current, change.wanted)):
            problems.append(f"{change.ref.bcdedit_name} of {change.object_label} is "
                            f"{display(change.ref, current)!r}, expected {display(change.ref, change.wanted)!r}")
    return problems
