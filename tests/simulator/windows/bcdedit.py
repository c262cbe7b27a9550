"""The simulated bcdedit.exe: `/store <file>` with /set, /deletevalue, /ems, /emssettings and /enum.

Edits the real hive file through hivex with the encodings real stores use (`bcd-and-registry.md` §1): booleans
1-byte REG_BINARY, integers 8-byte little-endian REG_BINARY, objects REG_SZ `{guid}`, object lists REG_MULTI_SZ,
strings REG_SZ, devices 88-byte REG_BINARY (`partition=X:` and `boot`, resolved against the machine's disks).
An element that already exists keeps its stored type and size.
Like real bcdedit, every message (success or error) goes to stdout, translated; the exit code is 0 or 1.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Any, Callable

from . import i18n
from .bcd_elements import (
    ALIAS_OF_GUID,
    CURRENT_GUID,
    REG_BINARY,
    REG_MULTI_SZ,
    REG_SZ,
    REGISTRY_TYPE_OF_KIND,
    VIRTUAL_OBJECTS,
    WELL_KNOWN_OBJECTS,
    Element,
    Kind,
    custom_code,
    describe_device,
    display_name,
    element_kind,
    encode_device,
    find_by_code,
    find_by_name,
    header_key,
    object_category,
)
from .hivefile import DirtyHiveError, NotAHiveError, open_hive

EXIT_SUCCESS = 0
EXIT_FAILURE = 1
NEWLINE = "\r\n"
NAME_COLUMN = 24  # element values start in this console column
CONTINUATION = " " * NAME_COLUMN

DEFAULT_ELEMENT = 0x23000003  # {bootmgr}'s `default`
DISPLAY_ORDER_ELEMENT = 0x24000001
EMS_ELEMENT = 0x260000B0
EMS_PORT_ELEMENT = 0x15000022
EMS_BAUDRATE_ELEMENT = 0x15000023
EMS_BAUDRATES = frozenset({9600, 19200, 38400, 57600, 115200})

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_TRUE_WORDS = frozenset({"1", "on", "yes", "true"})
_FALSE_WORDS = frozenset({"0", "off", "no", "false"})
_MAX_U64 = (1 << 64) - 1
_INTEGER = re.compile(r"^(?:0[xX][0-9a-fA-F]+|[0-9]+)$")


class BcdeditFailure(Exception):
    """Ends the command with exit 1 and these message keys (translated, one per line) on stdout."""

    def __init__(self, *keys: str | tuple[str, dict[str, str]], note: str = "") -> None:
        super().__init__(keys)
        self.keys = keys
        self.note = note  # a simulator remark for stderr; real bcdedit writes nothing there


def _usage_failure(command: str) -> BcdeditFailure:
    """What bcdedit prints for arguments it cannot parse (e.g. `default` after PowerShell ate the braces)."""
    return BcdeditFailure(
        ("bcdedit.command_invalid", {"command": command}), "bcdedit.run_help", "bcdedit.parameter_incorrect"
    )


def _unknown_element() -> BcdeditFailure:
    return BcdeditFailure("bcdedit.element_unknown", "bcdedit.run_help", "bcdedit.element_not_found")


def _missing_entry() -> BcdeditFailure:
    return BcdeditFailure("bcdedit.entry_reference_failed", "bcdedit.file_not_found")


def run(argv: list[str], machine: Any, *, language: str = "en-US") -> tuple[int, str, str]:
    """Run `bcdedit <argv>` against `machine`; returns (exit code, stdout, stderr)."""
    try:
        output = _dispatch(argv, machine, language)
    except BcdeditFailure as failure:
        lines = []
        for key in failure.keys:
            name, fmt = key if isinstance(key, tuple) else (key, {})
            lines.append(i18n.text(language, name, **fmt))
        stderr = failure.note + NEWLINE if failure.note else ""
        return EXIT_FAILURE, NEWLINE.join(lines) + NEWLINE, stderr
    return EXIT_SUCCESS, output, ""


# --- command line ---------------------------------------------------------------------------------------------


def _is_switch(argument: str, name: str) -> bool:
    """bcdedit accepts `/name` and `-name`, case-insensitively."""
    return argument[:1] in ("/", "-") and argument[1:].lower() == name


def _dispatch(argv: list[str], machine: Any, language: str) -> str:
    arguments = list(argv)
    store_path = None
    for index, argument in enumerate(arguments):
        if _is_switch(argument, "store"):
            if index + 1 >= len(arguments):
                raise _usage_failure("store")
            store_path = arguments[index + 1]
            del arguments[index : index + 2]
            break
    if not arguments:
        arguments = ["/enum"]  # plain `bcdedit` lists the active entries
    command, rest = arguments[0], arguments[1:]
    handlers = {
        "set": _command_set,
        "deletevalue": _command_deletevalue,
        "ems": _command_ems,
        "emssettings": _command_emssettings,
        "enum": _command_enum,
    }
    for name, handler in handlers.items():
        if _is_switch(command, name):
            if store_path is None:
                # Without /store bcdedit opens the recovery VM's own system store, which the simulator never offers.
                raise BcdeditFailure(
                    "bcdedit.store_open_failed", "bcdedit.access_denied",
                    note="simulator: bcdedit without /store would edit the recovery VM's own boot store",
                )
            return handler(rest, machine, store_path, language)
    raise BcdeditFailure(
        "bcdedit.run_help", "bcdedit.parameter_incorrect",
        note=f"simulator: bcdedit command {command!r} is not simulated",
    )


def _command_set(rest: list[str], machine: Any, store_path: str, language: str) -> str:
    if len(rest) < 3:
        raise _usage_failure("set")
    with _Store.open(machine, store_path, write=True) as store:
        guid = store.resolve_identifier(rest[0], "set")
        object_type = store.object_type(guid)
        code, element = _resolve_element(rest[1], object_type)
        kind = element_kind(code)
        if kind is None:
            raise _unknown_element()
        values = rest[2:]
        if kind not in (Kind.OBJECT_LIST, Kind.INTEGER_LIST) and len(values) != 1:
            raise _usage_failure("set")
        store.set_element(guid, code, kind, _parse_value(kind, element, values, store))
        store.commit()
    return i18n.text(language, "bcdedit.success") + NEWLINE


def _command_deletevalue(rest: list[str], machine: Any, store_path: str, language: str) -> str:
    if len(rest) != 2:
        raise _usage_failure("deletevalue")
    with _Store.open(machine, store_path, write=True) as store:
        guid = store.resolve_identifier(rest[0], "deletevalue")
        code, _element = _resolve_element(rest[1], store.object_type(guid))
        if not store.delete_element(guid, code):
            raise BcdeditFailure("bcdedit.delete_failed", "bcdedit.element_not_found")
        store.commit()
    return i18n.text(language, "bcdedit.success") + NEWLINE


def _command_ems(rest: list[str], machine: Any, store_path: str, language: str) -> str:
    if len(rest) != 2 or rest[1].lower() not in ("on", "off"):
        raise _usage_failure("ems")
    with _Store.open(machine, store_path, write=True) as store:
        guid = store.resolve_identifier(rest[0], "ems")
        if find_by_code(EMS_ELEMENT, store.object_type(guid)) is None:  # `ems` exists only on OS loaders
            raise _unknown_element()
        store.set_element(guid, EMS_ELEMENT, Kind.BOOLEAN, rest[1].lower() == "on")
        store.commit()
    return i18n.text(language, "bcdedit.success") + NEWLINE


def _command_emssettings(rest: list[str], machine: Any, store_path: str, language: str) -> str:
    port: int | None = None
    baudrate: int | None = None
    use_bios = False
    for argument in rest:
        keyword, _separator, value = argument.partition(":")
        keyword = keyword.upper()
        if keyword == "BIOS" and not value:
            use_bios = True
        elif keyword == "EMSPORT" and port is None and value.isdigit() and 1 <= int(value) <= 4:
            port = int(value)
        elif keyword == "EMSBAUDRATE" and baudrate is None and value.isdigit() and int(value) in EMS_BAUDRATES:
            baudrate = int(value)
        else:
            raise _usage_failure("emssettings")
    if use_bios == (port is not None) or (baudrate is not None and port is None):
        raise _usage_failure("emssettings")  # exactly one of BIOS / EMSPORT:n, and a baud rate only with a port
    with _Store.open(machine, store_path, write=True) as store:
        guid = store.resolve_identifier("{emssettings}", "emssettings")
        if use_bios:
            # [INFERENCE] BIOS = take the port from the firmware, so no explicit port or rate stays in the store.
            store.delete_element(guid, EMS_PORT_ELEMENT)
            store.delete_element(guid, EMS_BAUDRATE_ELEMENT)
        else:
            assert port is not None
            store.set_element(guid, EMS_PORT_ELEMENT, Kind.INTEGER, port)
            if baudrate is not None:
                store.set_element(guid, EMS_BAUDRATE_ELEMENT, Kind.INTEGER, baudrate)
        store.commit()
    return i18n.text(language, "bcdedit.success") + NEWLINE


_ENUM_TYPES: dict[str, Callable[[int], bool]] = {
    "bootmgr": lambda object_type: object_type == 0x10100002,
    "osloader": lambda object_type: object_type == 0x10200003,
    "resume": lambda object_type: object_type == 0x10200004,
    "memdiag": lambda object_type: object_type == 0x10200005,
    "ntldr": lambda object_type: object_type == 0x10300006,
    "inherit": lambda object_type: object_category(object_type) == 2,
    "device": lambda object_type: object_category(object_type) == 3,
}


def _command_enum(rest: list[str], machine: Any, store_path: str, language: str) -> str:
    verbose = any(_is_switch(argument, "v") for argument in rest)
    selectors = [argument for argument in rest if not _is_switch(argument, "v")]
    if len(selectors) > 1:
        raise _usage_failure("enum")
    selector = selectors[0] if selectors else "active"
    with _Store.open(machine, store_path, write=False) as store:
        if selector.lower() == "all":
            guids = store.all_objects()
        elif selector.lower() == "active":
            guids = store.active_objects()
        elif selector.lower() in _ENUM_TYPES:
            wanted = _ENUM_TYPES[selector.lower()]
            guids = [guid for guid in store.all_objects() if wanted(store.object_type(guid))]
        else:
            guids = [store.resolve_identifier(selector, "enum")]
        blocks = [_EnumWriter(store, language, verbose).object_block(guid) for guid in guids]
    return "".join(NEWLINE + block for block in blocks)


# --- element names and values ----------------------------------------------------------------------------------


def _resolve_element(name: str, object_type: int) -> tuple[int, Element | None]:
    code = custom_code(name)
    if code is not None:
        return code, find_by_code(code, object_type)
    element = find_by_name(name, object_type)
    if element is None:
        raise _unknown_element()  # unknown name, or a name that belongs to another object type
    return element.code, element


def _parse_integer(text: str) -> int:
    """Decimal or 0x-hexadecimal, unsigned 64-bit, nothing else (no sign, blanks or digit separators)."""
    if not _INTEGER.match(text):
        raise BcdeditFailure("bcdedit.integer_invalid", "bcdedit.run_help", "bcdedit.parameter_incorrect")
    value = int(text, 16) if text[:2].lower() == "0x" else int(text, 10)
    if value > _MAX_U64:
        raise BcdeditFailure("bcdedit.integer_invalid", "bcdedit.run_help", "bcdedit.parameter_incorrect")
    return value


def _parse_value(kind: Kind, element: Element | None, values: list[str], store: "_Store") -> Any:
    text = values[0] if values else ""
    if kind == Kind.BOOLEAN:
        if text.lower() in _TRUE_WORDS:
            return True
        if text.lower() in _FALSE_WORDS:
            return False
        raise BcdeditFailure("bcdedit.boolean_invalid", "bcdedit.run_help", "bcdedit.parameter_incorrect")
    if kind == Kind.INTEGER:
        if element is not None and element.choices:
            for name, number in element.choices.items():
                if name.lower() == text.lower():
                    return number
            raise BcdeditFailure("bcdedit.integer_invalid", "bcdedit.run_help", "bcdedit.parameter_incorrect")
        return _parse_integer(text)
    if kind == Kind.INTEGER_LIST:
        if not values:
            raise _usage_failure("set")
        return [_parse_integer(value) for value in values]
    if kind == Kind.STRING:
        return text
    if kind == Kind.OBJECT:
        return store.reference_identifier(text)
    if kind == Kind.OBJECT_LIST:
        if not values:
            raise _usage_failure("set")
        return [store.reference_identifier(value) for value in values]
    if kind == Kind.DEVICE:
        blob = encode_device(text, store.machine)
        if blob is None:  # no such letter, or a device form the simulator does not model (ramdisk=, vhd=, locate)
            raise BcdeditFailure("bcdedit.device_invalid", "bcdedit.run_help", "bcdedit.parameter_incorrect")
        return blob
    raise BcdeditFailure("bcdedit.element_unknown", "bcdedit.run_help", "bcdedit.element_not_found")


def _utf16z(text: str) -> bytes:
    return text.encode("utf-16-le") + b"\x00\x00"


def encode_value(kind: Kind, value: Any, existing: tuple[int, bytes] | None) -> tuple[int, bytes]:
    """(registry type, data) for a new value; an existing value's type and size are kept where the value fits."""
    if kind in (Kind.BOOLEAN, Kind.INTEGER):
        number = int(value)
        size = 1 if kind == Kind.BOOLEAN else 8
        reg_type = REG_BINARY
        if existing is not None:
            reg_type = existing[0]
            if existing[1] and number < (1 << (8 * len(existing[1]))):
                size = len(existing[1])
        return reg_type, number.to_bytes(size, "little")
    if kind == Kind.INTEGER_LIST:
        return REG_BINARY, b"".join(struct.pack("<Q", number) for number in value)
    if kind in (Kind.STRING, Kind.OBJECT):
        return REG_SZ, _utf16z(value)
    if kind == Kind.OBJECT_LIST:
        return REG_MULTI_SZ, b"".join(_utf16z(item) for item in value) + b"\x00\x00"
    if kind == Kind.DEVICE:
        return REG_BINARY, bytes(value)
    raise ValueError(f"cannot encode a {kind.name} element")


def _decode_strings(data: bytes) -> list[str]:
    text = data.decode("utf-16-le", errors="replace")
    return [item for item in text.split("\x00") if item]


def _decode_integer(data: bytes) -> int:
    return int.from_bytes(data[:8], "little")  # short values are zero-extended (reference §1)


# --- the store --------------------------------------------------------------------------------------------------


@dataclass
class _Store:
    hive: Any
    machine: Any = None  # device elements name the machine's partitions

    @classmethod
    def open(cls, machine: Any, windows_path: str, *, write: bool) -> "_Store":
        try:
            host_path = machine.resolve_path(windows_path)
        except (OSError, KeyError, ValueError):
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.file_not_found") from None
        if host_path.exists() and machine.registry.is_file_loaded(host_path):
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.file_in_use")
        disk = machine.disk_of_host_path(host_path) if hasattr(machine, "disk_of_host_path") else None
        if write and disk is not None and disk.read_only:
            # Windows: "The media is write protected." (ERROR_WRITE_PROTECT); the message table has no such key yet.
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.access_denied",
                                 note="simulator: the store's disk is read-only (Set-Disk -IsReadOnly)")
        try:
            hive = open_hive(host_path, write=write)
        except FileNotFoundError:
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.file_not_found") from None
        except DirtyHiveError as error:
            raise BcdeditFailure(
                "bcdedit.store_open_failed", "bcdedit.file_corrupt",
                note=f"simulator: refusing a dirty hive (its logs are not replayed): {error}",
            ) from None
        except NotAHiveError:
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.not_a_registry_file") from None
        except (IsADirectoryError, PermissionError):
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.access_denied") from None
        store = cls(hive, machine)
        if store._objects_node() is None:
            raise BcdeditFailure("bcdedit.store_open_failed", "bcdedit.file_not_found")
        return store

    def __enter__(self) -> "_Store":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.hive = None  # hivex closes the file when the handle is released

    def commit(self) -> None:
        self.hive.commit(None)

    # Keys are compared case-insensitively; the stored case is kept.
    def _child(self, node: int, name: str) -> int | None:
        for child in self.hive.node_children(node):
            if self.hive.node_name(child).lower() == name.lower():
                return child
        return None

    def _objects_node(self) -> int | None:
        return self._child(self.hive.root(), "Objects")

    def _object_node(self, guid: str) -> int | None:
        objects = self._objects_node()
        return self._child(objects, guid) if objects is not None else None

    def all_objects(self) -> list[str]:
        """Every object's GUID (lower case), in bcdedit's `/enum all` order: by object type, then GUID."""
        objects = self._objects_node()
        assert objects is not None
        guids = [self.hive.node_name(node).lower() for node in self.hive.node_children(objects)]
        return sorted(guids, key=lambda guid: (self.object_type(guid), guid))

    def active_objects(self) -> list[str]:
        """{bootmgr} followed by the entries of its display order that exist (`bcdedit` / `/enum active`)."""
        bootmgr = WELL_KNOWN_OBJECTS["bootmgr"]
        if self._object_node(bootmgr) is None:
            return []
        order = self.read_element(bootmgr, DISPLAY_ORDER_ELEMENT)
        entries = _decode_strings(order[1]) if order else []
        return [bootmgr] + [guid.lower() for guid in entries if self._object_node(guid) is not None]

    def object_type(self, guid: str) -> int:
        node = self._object_node(guid)
        assert node is not None
        description = self._child(node, "Description")
        if description is None:
            return 0
        value = self.hive.node_get_value(description, "Type")
        return self.hive.value_dword(value) if value else 0

    def default_guid(self) -> str | None:
        """The GUID {bootmgr}'s `default` element names, if any."""
        value = self.read_element(WELL_KNOWN_OBJECTS["bootmgr"], DEFAULT_ELEMENT)
        strings = _decode_strings(value[1]) if value else []
        return strings[0].lower() if strings else None

    def reference_identifier(self, text: str) -> str:
        """A `{guid}` or well-known alias given as an element value, as the GUID string to store."""
        if not (text.startswith("{") and text.endswith("}")):
            raise _usage_failure("set")
        inner = text[1:-1].lower()
        if inner in WELL_KNOWN_OBJECTS:
            return WELL_KNOWN_OBJECTS[inner]
        if inner == "default":
            guid = self.default_guid()
            if guid is None:
                raise _missing_entry()
            return guid
        if inner in VIRTUAL_OBJECTS:  # {current} has no meaning in an offline store
            raise _missing_entry()
        if not _GUID.match(inner):
            raise _usage_failure("set")
        return "{" + inner + "}"

    def resolve_identifier(self, text: str, command: str) -> str:
        """The GUID of an existing object named by `{guid}` or an alias; bcdedit's errors otherwise."""
        if not (text.startswith("{") and text.endswith("}")):
            raise _usage_failure(command)  # e.g. `default`: PowerShell turned an unquoted {default} into a block
        inner = text[1:-1].lower()
        if inner in WELL_KNOWN_OBJECTS:
            guid = WELL_KNOWN_OBJECTS[inner]
        elif inner == "default":
            guid = self.default_guid() or ""
        elif inner == "current":
            guid = CURRENT_GUID  # virtual: never an object in a store, so the lookup below fails
        elif _GUID.match(inner):
            guid = "{" + inner + "}"
        else:
            raise _usage_failure(command)
        if not guid or self._object_node(guid) is None:
            raise _missing_entry()
        return guid

    def _element_node(self, guid: str, code: int) -> int | None:
        node = self._object_node(guid)
        elements = self._child(node, "Elements") if node is not None else None
        return self._child(elements, f"{code:08x}") if elements is not None else None

    def read_element(self, guid: str, code: int) -> tuple[int, bytes] | None:
        node = self._element_node(guid, code)
        if node is None:
            return None
        value = self.hive.node_get_value(node, "Element")
        if not value:
            return None
        reg_type, data = self.hive.value_value(value)
        return reg_type, data

    def element_codes(self, guid: str) -> list[int]:
        node = self._object_node(guid)
        elements = self._child(node, "Elements") if node is not None else None
        if elements is None:
            return []
        codes = []
        for child in self.hive.node_children(elements):
            try:
                codes.append(int(self.hive.node_name(child), 16))
            except ValueError:
                continue  # not an element key; bcdedit ignores it too
        return sorted(codes)

    def set_element(self, guid: str, code: int, kind: Kind, value: Any) -> None:
        node = self._object_node(guid)
        assert node is not None
        elements = self._child(node, "Elements")
        if elements is None:
            elements = self.hive.node_add_child(node, "Elements")
        element_node = self._child(elements, f"{code:08x}")
        existing = self.read_element(guid, code) if element_node is not None else None
        if element_node is None:
            element_node = self.hive.node_add_child(elements, f"{code:08x}")
        if existing is not None and existing[0] != REGISTRY_TYPE_OF_KIND[kind] and kind not in (
            Kind.BOOLEAN, Kind.INTEGER
        ):
            existing = None
        reg_type, data = encode_value(kind, value, existing)
        self.hive.node_set_value(element_node, {"key": "Element", "t": reg_type, "value": data})

    def delete_element(self, guid: str, code: int) -> bool:
        """Remove the element's whole key (as bcdedit does); False when it was not set."""
        node = self._element_node(guid, code)
        if node is None:
            return False
        self.hive.node_delete_child(node)
        return True


# --- /enum output -----------------------------------------------------------------------------------------------


class _EnumWriter:
    def __init__(self, store: _Store, language: str, verbose: bool) -> None:
        self.store = store
        self.language = language
        self.verbose = verbose
        self.default_guid = store.default_guid()

    def identifier(self, guid: str) -> str:
        """How /enum names an object: GUIDs with /v; else {default} for the default loader, or its alias."""
        guid = guid.lower()
        if self.verbose:
            return guid
        if guid == self.default_guid:
            return "{default}"
        if guid in ALIAS_OF_GUID:
            return "{" + ALIAS_OF_GUID[guid] + "}"
        return guid

    def _line(self, label: str, value: str) -> str:
        padding = max(1, NAME_COLUMN - i18n.display_width(label))
        return label + " " * padding + value

    def object_block(self, guid: str) -> str:
        object_type = self.store.object_type(guid)
        key, fmt = header_key(guid, object_type)
        lines = [
            i18n.text(self.language, key, **fmt),
            i18n.underline(self.language, key, **fmt),
            self._line(i18n.text(self.language, "bcdedit.label.identifier"), self.identifier(guid)),
        ]
        for code in self.store.element_codes(guid):
            stored = self.store.read_element(guid, code)
            if stored is None:
                continue
            values = self.format_value(code, object_type, stored[1])
            lines.append(self._line(display_name(code, object_type), values[0]))
            lines.extend(CONTINUATION + value for value in values[1:])
        return NEWLINE.join(lines) + NEWLINE

    def format_value(self, code: int, object_type: int, data: bytes) -> list[str]:
        """The display lines of one element value (object and integer lists take one line per item)."""
        kind = element_kind(code)
        if kind == Kind.BOOLEAN:
            return ["Yes" if data[:1] not in (b"", b"\x00") else "No"]
        if kind == Kind.INTEGER:
            number = _decode_integer(data)
            element = find_by_code(code, object_type)
            name = element.choice_name(number) if element else None
            return [name or str(number)]
        if kind == Kind.INTEGER_LIST:
            numbers = [number for (number,) in struct.iter_unpack("<Q", data[: len(data) // 8 * 8])]
            return [f"0x{number:x}" for number in numbers] or [""]
        if kind == Kind.STRING:
            strings = _decode_strings(data)
            return [strings[0] if strings else ""]
        if kind in (Kind.OBJECT, Kind.OBJECT_LIST):
            return [self.identifier(item) for item in _decode_strings(data)] or [""]
        if kind == Kind.DEVICE:
            return [describe_device(data, self.store.machine)]
        return [data.hex()]
