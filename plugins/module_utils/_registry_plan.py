# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: control sets, key paths and the plan of an offline-registry task.

An offline SYSTEM hive has no ``CurrentControlSet`` (a link that exists only on a running system): keys that start
with ``CurrentControlSet\\`` are applied to the control sets the task names (``current``: ``Select\\Current``, or
``Default`` when Current is absent or 0; ``default``; ``all`` present ``ControlSetNNN``; or an explicit list).
Key paths are relative to the hive root.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    KeyQuery, RegChange, TargetFacts, mount_name, mount_outcome, read_registry, require_loaded, target_facts,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import QueryResult, RegKey, full_key
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import parse as parse_reg_query
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import (
    add_data, check_key_names, check_value_name, parse_data, raw_bytes, reg_type, same, shown,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_offline_target, json_objects

CCS = "currentcontrolset"
_CONTROL_SET = re.compile(r"^controlset(\d{3})$", re.IGNORECASE)
SPECULATIVE_SETS = ("ControlSet001", "ControlSet002", "ControlSet003")


def control_set_name(number: int) -> str:
    return f"ControlSet{number:03d}"


def existing_control_sets(root_subkeys: t.Iterable[str]) -> list[str]:
    return sorted(control_set_name(int(m.group(1))) for m in map(_CONTROL_SET.match, root_subkeys) if m)


def _select_number(select: RegKey | None, name: str) -> int:
    value = select.value(name) if select else None
    return value.data if value is not None and value.type == "REG_DWORD" and isinstance(value.data, int) else 0


def select_values(select: RegKey | None) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for name in ("Current", "Default", "Failed", "LastKnownGood"):
        value = select.value(name) if select else None
        out[name] = value.data if value is not None and isinstance(value.data, int) else None
    return out


def normalize_option(option: t.Any) -> str | list[str]:
    """``current``/``default``/``all`` or a list of ControlSetNNN names (ints accepted)."""
    if isinstance(option, str) and option.lower() in ("current", "default", "all"):
        return option.lower()
    items = option if isinstance(option, list) else [option]
    names = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and 0 < item < 1000:
            names.append(control_set_name(item))
            continue
        match = _CONTROL_SET.match(item) if isinstance(item, str) else None
        if not match:
            raise VmrescueError(f"control_sets takes current, default, all or a list such as [ControlSet001]; "
                                f"got {item!r}")
        names.append(control_set_name(int(match.group(1))))
    if not names:
        raise VmrescueError("control_sets must not be an empty list")
    return list(dict.fromkeys(names))


def wanted_before_read(option: str | list[str]) -> list[str]:
    """Control sets to query speculatively in the first read (before Select is known)."""
    extra = option if isinstance(option, list) else []
    return list(dict.fromkeys(list(SPECULATIVE_SETS) + extra))


def resolve_control_sets(option: str | list[str], select: RegKey | None, existing: list[str]) -> list[str]:
    if option == "all":
        if not existing:
            raise VmrescueError("the hive has no ControlSetNNN key: is it a SYSTEM hive?")
        return existing
    if option in ("current", "default"):
        number = _select_number(select, "Current") if option == "current" else 0
        number = number or _select_number(select, "Default")
        if not number:
            raise VmrescueError("the hive's Select key has no usable Current/Default value: is it a SYSTEM hive?")
        names = [control_set_name(number)]
    else:
        names = list(option)
    missing = [name for name in names if name not in existing]
    if missing:
        raise VmrescueError(f"control set(s) {', '.join(missing)} not present in the hive (present: "
                            f"{', '.join(existing) or 'none'})", control_sets_present=existing)
    return names


def split_key(key: t.Any, label: str = "key") -> tuple[bool, str]:
    """(relative to CurrentControlSet?, the rest). Keys are relative to the hive root."""
    if not isinstance(key, str) or not key.strip("\\"):
        raise VmrescueError(f"{label}: a key must be a non-empty path below the hive root; got {key!r}")
    clean = key.strip("\\")
    parts = clean.split("\\")
    if any(part == "" for part in parts) or parts[0].upper() in ("HKLM", "HKEY_LOCAL_MACHINE", "HKU", "HKEY_USERS"):
        raise VmrescueError(f"{label}: key {key!r} must be relative to the hive root, like "
                            "CurrentControlSet\\Services\\x")
    check_key_names(parts, label)
    if parts[0].lower() == CCS:
        return True, "\\".join(parts[1:])
    return False, clean


def expand_key(key: str, control_sets: list[str]) -> list[str]:
    relative, rest = split_key(key)
    if not relative:
        return [rest]
    return [f"{cs}\\{rest}" if rest else cs for cs in control_sets]


def read_queries(keys: list[str], control_sets: list[str], recurse: bool) -> list[KeyQuery]:
    """One query per resolved key (duplicates merged)."""
    resolved = list(dict.fromkeys(k for key in keys for k in expand_key(key, control_sets)))
    return [KeyQuery(f"key.{n}", k, recurse) for n, k in enumerate(resolved, 1)]


def needs_control_sets(keys: list[str]) -> bool:
    return any(split_key(key)[0] for key in keys)


# --- the state of the keys a read returned ------------------------------------------------------------------------

@dataclasses.dataclass
class KeyState:
    path: str                                # below the hive root, as reg printed it (or as queried)
    exists: bool
    values: dict[str, tuple[str, t.Any]]     # lower name -> (type, data)
    names: dict[str, str]                    # lower name -> name as stored
    subkeys: list[str]


def key_state(query: KeyQuery, rc: int | None, output: str, mount: str, parse: t.Callable[[str], QueryResult]) \
        -> dict[str, KeyState]:
    """States of the queried key (and, for /s, its descendants), keyed by lower-case path below the hive root."""
    if rc != 0:
        return {query.key.lower(): KeyState(query.key, False, {}, {}, [])}
    result = parse(output)
    base = f"HKLM\\{mount}"
    out = {}
    prefix_len = len(f"HKEY_LOCAL_MACHINE\\{mount}\\")
    found = result.descendants(f"{base}\\{query.key}")
    if not query.recurse:   # without /s the subkeys are only listed: their values are unknown, not empty
        found = found[:1] if found and found[0].path.lower() == full_key(f"{base}\\{query.key}").lower() else []
    for key in found:
        relative = key.path[prefix_len:]
        out[relative.lower()] = KeyState(
            relative,
            True,
            {name.lower(): (value.type, value.data) for name, value in key.values.items()},
            {name.lower(): name for name in key.values},
            result.subkeys(key.path),
        )
    out.setdefault(query.key.lower(), KeyState(query.key, True, {}, {}, result.subkeys(f"{base}\\{query.key}")))
    return out


# --- plan of offline_registry ----------------------------------------------------------------------------------------

@dataclasses.dataclass
class ValueItem:
    key: str              # resolved, below the hive root
    name: str
    state: str            # present | absent
    type: str | None
    data: t.Any


@dataclasses.dataclass
class KeyItem:
    key: str
    state: str


@dataclasses.dataclass
class RegistryPlan:
    values: list[ValueItem]
    keys: list[KeyItem]
    changes: list[RegChange]

    def touched_keys(self) -> list[str]:
        return list(dict.fromkeys([v.key for v in self.values] + [k.key for k in self.keys]))


def parse_requests(values: list[dict[str, t.Any]], keys: list[dict[str, t.Any]], control_sets: list[str]) \
        -> tuple[list[ValueItem], list[KeyItem]]:
    """Validate the task's values/keys and resolve their control sets."""
    value_items: list[ValueItem] = []
    for index, spec in enumerate(values):
        state = spec.get("state") or "present"
        name = spec.get("name")
        if not isinstance(name, str) or not name:
            raise VmrescueError(f"values[{index}].name: each value needs a non-empty name (default values are not "
                                f"supported); got {spec!r}")
        check_value_name(name, f"values[{index}].name")
        split_key(spec["key"], f"values[{index}].key")
        label = f"values[{index}].data ({spec['key']}\\{name})"
        if state == "present":
            if spec.get("type") is None:
                raise VmrescueError(f"values[{index}].type: value {spec['key']}\\{name} needs a type when state is "
                                    "present")
            type_name = reg_type(spec["type"], f"values[{index}].type")
            data = parse_data(type_name, spec.get("data"), label)
        else:
            type_name, data = None, None
        for key in expand_key(spec["key"], control_sets):
            value_items.append(ValueItem(key, name, state, type_name, data))
    for index, spec in enumerate(keys):
        split_key(spec["key"], f"keys[{index}].key")
    key_items = [KeyItem(key, spec.get("state") or "present")
                 for spec in keys for key in expand_key(spec["key"], control_sets)]
    _check_conflicts(value_items, key_items)
    return value_items, key_items


def _check_conflicts(values: list[ValueItem], keys: list[KeyItem]) -> None:
    seen: dict[tuple[str, str], tuple[str, str | None, t.Any]] = {}
    for item in values:
        marker = (item.key.lower(), item.name.lower())
        if marker in seen and seen[marker] != (item.state, item.type, item.data):
            raise VmrescueError(f"value {item.key}\\{item.name} is given twice with different settings")
        seen[marker] = (item.state, item.type, item.data)
    states: dict[str, str] = {}
    for item in keys:
        if states.get(item.key.lower(), item.state) != item.state:
            raise VmrescueError(f"key {item.key} is given as both present and absent")
        states[item.key.lower()] = item.state
    for gone in (k.key.lower() for k in keys if k.state == "absent"):
        for item in values:
            if item.state == "present" and (item.key.lower() == gone or item.key.lower().startswith(gone + "\\")):
                raise VmrescueError(f"value {item.key}\\{item.name} is set under key {item.key}, which is to be absent")
        for other in keys:
            if other.state == "present" and other.key.lower().startswith(gone + "\\"):
                raise VmrescueError(f"key {other.key} is to be present under {gone}, which is to be absent")


def current_value(states: dict[str, KeyState], key: str, name: str) -> tuple[str, t.Any] | None:
    state = states.get(key.lower())
    return state.values.get(name.lower()) if state and state.exists else None


def key_exists(states: dict[str, KeyState], key: str) -> bool:
    state = states.get(key.lower())
    return bool(state and state.exists)


def plan(values: list[ValueItem], keys: list[KeyItem], states: dict[str, KeyState]) -> RegistryPlan:
    adds_key: list[RegChange] = []
    adds: list[RegChange] = []
    deletes: list[RegChange] = []
    deletes_key: list[RegChange] = []
    gone = [k.key.lower() for k in keys if k.state == "absent" and key_exists(states, k.key)]
    for item in keys:
        if item.state == "present" and not key_exists(states, item.key):
            adds_key.append(RegChange("add-key", item.key))
        elif item.state == "absent" and key_exists(states, item.key):
            deletes_key.append(RegChange("delete-key", item.key))
    for item in values:
        current = current_value(states, item.key, item.name)
        if item.state == "present":
            if current is None or not same(current[0], current[1], item.type or "", item.data):
                text, separator = add_data(item.type or "", item.data)
                adds.append(RegChange("add-value", item.key, item.name, item.type, text, separator))
        elif current is not None and not any(item.key.lower() == g or item.key.lower().startswith(g + "\\")
                                             for g in gone):
            deletes.append(RegChange("delete-value", item.key, item.name))
    changes = list(dict.fromkeys(adds_key + adds + deletes + deletes_key))
    return RegistryPlan(values, keys, changes)


def value_report(item: ValueItem, before: dict[str, KeyState], after: dict[str, KeyState] | None) -> dict[str, t.Any]:
    """before/after of one value (``after`` None: as planned)."""
    was = current_value(before, item.key, item.name)
    if after is None:
        now = (item.type, item.data) if item.state == "present" else None
    else:
        now = current_value(after, item.key, item.name)
    return {"key": item.key, "name": item.name, "state": item.state,
            "before": shown(*was) if was else None, "after": shown(*now) if now else None}


def key_report(item: KeyItem, before: dict[str, KeyState], after: dict[str, KeyState] | None) -> dict[str, t.Any]:
    now = (item.state == "present") if after is None else key_exists(after, item.key)
    return {"key": item.key, "state": item.state, "before": key_exists(before, item.key), "after": now}


def mismatches(plan_: RegistryPlan, after: dict[str, KeyState]) -> list[str]:
    """What the read-back shows differently from the plan, type-exactly (empty: verified)."""
    problems = []
    for item in plan_.values:
        now = current_value(after, item.key, item.name)
        if item.state == "present" and (now is None or not same(now[0], now[1], item.type or "", item.data)):
            problems.append(f"{item.key}\\{item.name} is {shown(*now) if now else 'absent'}, expected "
                            f"{shown(item.type or '', item.data)}")
        elif item.state == "absent" and now is not None:
            problems.append(f"{item.key}\\{item.name} still exists ({shown(*now)})")
    for key in plan_.keys:
        if key_exists(after, key.key) != (key.state == "present"):
            problems.append(f"key {key.key} is {'present' if key_exists(after, key.key) else 'absent'}, "
                            f"expected {key.state}")
    return problems


def journal_original(states: dict[str, KeyState], key: str, name: str) -> tuple[bool, str | None, str | None]:
    current = current_value(states, key, name)
    if current is None:
        return False, None, None
    return True, current[0], raw_bytes(current[0], current[1]).hex()


# --- the read of a task (one command; a second one only when Select names a control set not queried) -------------

@dataclasses.dataclass
class HiveRead:
    select: dict[str, int | None]
    control_sets: list[str]           # resolved; empty when no key is CurrentControlSet-relative
    states: dict[str, KeyState]
    facts: TargetFacts
    warnings: list[str]


def read_hive(run_script: t.Callable[[RemoteScript], ScriptResult], hive: str, keys: list[str],
              option: str | list[str], recurse: bool, journal: str | None) -> HiveRead:
    uses_sets = needs_control_sets(keys)
    queried_sets = wanted_before_read(option) if uses_sets else []
    while True:
        queries = read_queries(keys, queried_sets, recurse)
        result = run_script(read_registry(hive, queries, journal))
        facts = target_facts(result)
        check_offline_target(hive, "hive", facts.exists, json_objects(facts.disks), json_objects(facts.partitions))
        outcome = mount_outcome(result, "")
        require_loaded(outcome, hive, "the hive")
        mount = mount_name(hive)
        select_step, root_step = result.step("select"), result.step("root")
        select_key = (parse_reg_query(select_step.text).key(f"HKLM\\{mount}\\Select")
                      if select_step and select_step.ok else None)
        root_keys = parse_reg_query(root_step.text).subkeys(f"HKLM\\{mount}") if root_step and root_step.ok else []
        sets = resolve_control_sets(option, select_key, existing_control_sets(root_keys)) if uses_sets else []
        if set(sets) <= set(queried_sets):
            break
        queried_sets = sets          # Select named a control set the first read did not query
    return HiveRead(select_values(select_key), sets, states_after(result, queries, hive), facts,
                    outcome.warnings(hive))


def states_after(result: ScriptResult, queries: list[KeyQuery], hive: str) -> dict[str, KeyState]:
    states: dict[str, KeyState] = {}
    for query in queries:
        step = result.step(query.step)
        for path, state in key_state(query, step.rc if step else None, step.text if step else "",
                                     mount_name(hive), parse_reg_query).items():
            if state.exists or path not in states:
                states[path] = state
    return states
