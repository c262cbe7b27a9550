# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: BCD element values: raw registry data <-> values, user input -> values, values -> bcdedit arguments.

Internal values per kind: boolean -> bool, integer -> int, integer_list -> list[int], string -> str,
object -> lower-case braced GUID, object_list -> list of those, device/binary -> lower-case hex (opaque).
Reading is tolerant (bcd-and-registry.md section 1: any non-zero first byte is true; short integers are
zero-extended), writing goes through bcdedit, which chooses the encoding itself.
"""

from __future__ import annotations

import difflib
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._elements import (
    CUSTOM_PATTERN, GUID_PATTERN, Element, applicable_elements, code_applies, custom_name, element_for_code, kind_of,
    object_type_name,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import InternalError, VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._numbers import parse_unsigned

_TRUE_WORDS = {"yes", "on", "true", "1"}
_FALSE_WORDS = {"no", "off", "false", "0"}


def suggestions(word: str, candidates: t.Iterable[str], limit: int = 3) -> list[str]:
    """The nearest spellings of ``word`` among ``candidates`` (case-insensitive)."""
    by_lower = {c.lower(): c for c in candidates}
    return [by_lower[m] for m in difflib.get_close_matches(word.lower(), list(by_lower), n=limit, cutoff=0.6)]


def _did_you_mean(word: str, candidates: t.Iterable[str]) -> str:
    near = suggestions(word, candidates)
    return f" Did you mean: {', '.join(near)}?" if near else ""


# --- element names -----------------------------------------------------------------------------------------------

class ElementRef(t.NamedTuple):
    code: int
    element: Element | None          # None for a custom element the catalogue does not name

    @property
    def kind(self) -> str:
        return kind_of(self.code)

    @property
    def bcdedit_name(self) -> str:
        return self.element.name if self.element else custom_name(self.code)


def resolve_element(object_type: int, text: str, object_label: str) -> ElementRef:
    """Turn a user's element name (any case) or ``custom:XXXXXXXX`` into a code valid on this object."""
    if not isinstance(text, str) or not text:
        raise VmrescueError(f"element names must be non-empty strings; got {text!r} for {object_label}")
    custom = CUSTOM_PATTERN.match(text)
    if custom:
        code = int(custom.group(1), 16)
        if not code_applies(object_type, code):
            raise VmrescueError(
                f"element {text} does not apply to {object_label} ({object_type_name(object_type)})",
                element=text, object=object_label)
        return ElementRef(code, element_for_code(object_type, code))
    valid = applicable_elements(object_type)
    for element in valid:
        if element.name.lower() == text.lower():
            return ElementRef(element.code, element)
    raise VmrescueError(
        f"unknown element {text!r} for {object_label} ({object_type_name(object_type)})."
        f"{_did_you_mean(text, [e.name for e in valid])} Elements the catalogue does not name can be given as "
        "custom:XXXXXXXX (the 8-hex-digit element type).",
        element=text, object=object_label, suggestions=suggestions(text, [e.name for e in valid]))


# --- raw registry data -> values --------------------------------------------------------------------------------

def decode(code: int, reg_type: str, data: t.Any) -> t.Any:
    """Value of an element from its registry view (``data`` as _reg_query gives it)."""
    kind = kind_of(code)
    if isinstance(data, bytes):
        if kind == "boolean":
            return bool(data) and data[0] != 0
        if kind == "integer":
            return int.from_bytes(data[:8], "little")
        if kind == "integer_list":
            return [int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data) - len(data) % 8, 8)]
        return data.hex()
    if isinstance(data, int):
        return bool(data) if kind == "boolean" else data
    if isinstance(data, list):
        return [item.lower() if GUID_PATTERN.match(item) else item for item in data]
    if isinstance(data, str):
        return data.lower() if kind == "object" and GUID_PATTERN.match(data) else data
    return data


def display(ref: ElementRef, value: t.Any) -> t.Any:
    """A value as results show it: enum names instead of numbers where the catalogue has them."""
    if ref.element and ref.element.enum and isinstance(value, int) and not isinstance(value, bool):
        for name, number in ref.element.enum:
            if number == value:
                return name
    return value


# --- user input -> values -----------------------------------------------------------------------------------------

def _parse_bool(value: t.Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise VmrescueError(f"{label} takes a boolean (yes/no, on/off, true/false); got {value!r}")


def _parse_enum(element: Element, value: t.Any, label: str) -> int:
    names = [name for name, _number in element.enum]
    if isinstance(value, str):
        for name, number in element.enum:
            if name.lower() == value.strip().lower():
                return number
    if isinstance(value, int) and not isinstance(value, bool):
        for _name, number in element.enum:
            if number == value:
                return number
    raise VmrescueError(
        f"{label} takes one of {', '.join(names)}; got {value!r}.{_did_you_mean(str(value), names)}",
        suggestions=suggestions(str(value), names))


def _parse_text(value: t.Any, label: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise VmrescueError(f"{label} takes a string; got {value!r}")
    text = str(value)
    if any(ord(ch) < 0x20 for ch in text):
        raise VmrescueError(f"{label}: control characters (line breaks, tabs) cannot be stored and verified; got {text!r}")
    return text


def parse_value(ref: ElementRef, value: t.Any, label: str, resolve_object: t.Callable[[str], str]) -> t.Any:
    """The internal value for a user's value; ``resolve_object`` turns an alias or GUID into a store GUID."""
    kind = ref.kind
    if kind == "boolean":
        return _parse_bool(value, label)
    if kind == "integer":
        if ref.element and ref.element.enum:
            return _parse_enum(ref.element, value, label)
        return parse_unsigned(value, 64, label)
    if kind == "integer_list":
        items = value if isinstance(value, list) else [value]
        return [parse_unsigned(item, 64, label) for item in items]
    if kind == "string":
        return _parse_text(value, label)
    if kind == "object":
        return resolve_object(_parse_text(value, label))
    if kind == "object_list":
        items = value if isinstance(value, list) else [value]
        if not items:
            raise VmrescueError(f"{label} takes a non-empty list of objects")
        return [resolve_object(_parse_text(item, label)) for item in items]
    raise VmrescueError(
        f"{label} is a {kind} element; this module does not write {kind} elements (bcdedit's device syntax "
        "is not supported). It can still be removed.")


def bcdedit_arguments(ref: ElementRef, value: t.Any) -> list[str]:
    """The value arguments of ``bcdedit /set <id> <element> ...`` for an internal value."""
    kind = ref.kind
    if kind == "boolean":
        return ["Yes" if value else "No"]
    if kind == "integer":
        shown = display(ref, value)
        return [str(shown)]
    if kind == "integer_list":
        return [str(item) for item in value]
    if kind in ("string", "object"):
        return [value]
    if kind == "object_list":
        return list(value)
    raise InternalError(f"{kind} elements are not written")


def same_value(ref: ElementRef, current: t.Any, wanted: t.Any) -> bool:
    if ref.kind == "object":
        return isinstance(current, str) and current.lower() == wanted.lower()
    if ref.kind == "object_list":
        return isinstance(current, list) and [c.lower() for c in current] == [w.lower() for w in wanted]
    return current == wanted
