"""reg.exe: load, unload, query, add and delete on hives mounted in the simulated recovery VM.

Output follows reg.exe: results on stdout, `ERROR: …` on stderr, exit code 0 or 1. Decisions are made on codes
(`RegistryError.reason`, hivex types), never on message text.
"""
from __future__ import annotations

import dataclasses

import hivex

from . import messages
from .hivefile import DirtyHiveError, HiveError
from .registry import LOADABLE_ROOTS, ROOT_ALIASES, ROOT_FULL_NAMES, Mount, RegistryError
from .regvalues import ADDABLE_TYPES, REG_MULTI_SZ, BadValueData, encode_data, format_data, type_name

Result = tuple[int, str, str]

_REASON_TO_MESSAGE = {
    "not-found": "reg.not_found",
    "access-denied": "reg.access_denied",
    "invalid-syntax": "reg.invalid_syntax",
    "invalid-type": "reg.invalid_type",
    "invalid-data": "reg.invalid_data",
    "invalid-key": "reg.invalid_key",
    "invalid-root": "reg.invalid_key",
    "file-in-use": "reg.file_in_use",
    "name-in-use": "reg.key_exists_name_in_use",
    "file-not-found": "reg.file_not_found",
    "not-a-hive": "reg.not_a_hive",
    "canceled": "reg.canceled",
}


@dataclasses.dataclass
class KeyPath:
    root: str  # HKLM, HKU, …
    parts: list[str]  # components after the root; parts[0] is the mount name
    display: str  # full spelling for output: HKEY_LOCAL_MACHINE\…

    @property
    def mount_name(self) -> str | None:
        return self.parts[0] if self.parts else None


def parse_key(text: str) -> KeyPath:
    stripped = text[:-1] if text.endswith("\\") else text
    root_text, _separator, rest = stripped.partition("\\")
    root = ROOT_ALIASES.get(root_text.upper())
    if root is None:
        raise RegistryError("invalid-key", text)
    parts = rest.split("\\") if rest else []
    if any(part == "" for part in parts):
        raise RegistryError("invalid-key", text)
    display = "\\".join([ROOT_FULL_NAMES[root], *parts])
    return KeyPath(root, parts, display)


@dataclasses.dataclass
class Options:
    positional: list[str]
    flags: set[str]
    values: dict[str, str]


def parse_options(argv: list[str], flags: set[str], with_value: set[str]) -> Options:
    """Split reg.exe arguments; unknown or repeated switches are invalid syntax, like reg.exe."""
    options = Options([], set(), {})
    index = 0
    while index < len(argv):
        argument = argv[index]
        if argument[:1] in ("/", "-") and len(argument) > 1:
            switch = argument[1:].lower()
            if switch in ("reg:32", "reg:64"):
                pass
            elif switch in with_value and switch not in options.values:
                if index + 1 >= len(argv):
                    raise RegistryError("invalid-syntax", argument)
                options.values[switch] = argv[index + 1]
                index += 1
            elif switch in flags and switch not in options.flags:
                options.flags.add(switch)
            else:
                raise RegistryError("invalid-syntax", argument)
        else:
            options.positional.append(argument)
        index += 1
    return options


class RegExe:
    def __init__(self, machine, language: str, command_index: int) -> None:
        self.machine = machine
        self.language = language
        self.command_index = command_index
        self.out: list[str] = []

    # --- helpers ---------------------------------------------------------------------------------------------------

    def _text(self, key: str, **fmt: object) -> str:
        return messages.text(self.language, key, **fmt)

    def _success(self) -> Result:
        return 0, self._text("reg.success") + "\n", ""

    def _error(self, reason: str) -> Result:
        message = self._text(_REASON_TO_MESSAGE.get(reason, "reg.invalid_syntax"))
        return 1, "", f"{self._text('reg.error_prefix')} {message}\n"

    def _mount(self, key: KeyPath) -> Mount:
        if key.mount_name is None:
            raise RegistryError("access-denied", key.display)
        mount = self.machine.registry.get(key.root, key.mount_name)
        if mount is None:
            raise RegistryError("not-found", key.display)
        return mount

    def _find_node(self, key: KeyPath) -> tuple[Mount, hivex.Hivex | None, int | None]:
        """The mount and hivex node of a key below a mount; raises not-found for a missing key."""
        mount = self._mount(key)
        hive = mount.hive()
        if hive is None:  # a system hive the simulator has no file for: present but empty
            if len(key.parts) > 1:
                raise RegistryError("not-found", key.display)
            return mount, None, None
        node = hive.root()
        for part in key.parts[1:]:
            node = hive.node_get_child(node, part)
            if node is None:
                raise RegistryError("not-found", key.display)
        return mount, hive, node

    def _writable(self, key: KeyPath) -> tuple[Mount, hivex.Hivex]:
        mount = self._mount(key)
        hive = mount.hive()
        if hive is None or not mount.writable:
            raise RegistryError("access-denied", key.display)
        return mount, hive

    def _default_name(self) -> str:
        return self._text("reg.default_value_name")

    def _value_line(self, hive: hivex.Hivex, value: int) -> str:
        name = hive.value_key(value) or self._default_name()
        type_code, raw = hive.value_value(value)
        data = format_data(type_code, raw)
        return f"    {name}    {type_name(type_code)}    {data}"

    # --- commands --------------------------------------------------------------------------------------------------

    def _refuse_if_denied(self, key: KeyPath) -> None:
        """An injected write-denied fault: Access is denied, nothing changed."""
        faults = self.machine.faults
        if faults is not None and faults.write_denied(self.command_index):
            raise RegistryError("access-denied", key.display)

    def load(self, argv: list[str]) -> Result:
        options = parse_options(argv, set(), set())
        if len(options.positional) != 2:
            raise RegistryError("invalid-syntax")
        key = parse_key(options.positional[0])
        if key.root not in LOADABLE_ROOTS or len(key.parts) != 1:
            raise RegistryError("invalid-key", key.display)
        try:
            host_path = self.machine.resolve_path(options.positional[1])
        except (FileNotFoundError, ValueError) as error:
            raise RegistryError("file-not-found", options.positional[1]) from error
        try:
            self.machine.registry.load(key.root, key.parts[0], host_path)
        except DirtyHiveError as error:
            # Windows would replay the .LOG1/.LOG2 files; the simulator refuses rather than lose their data.
            raise RegistryError("not-a-hive", str(error)) from error
        except HiveError as error:
            raise RegistryError("not-a-hive", str(error)) from error
        return self._success()

    def unload(self, argv: list[str]) -> Result:
        options = parse_options(argv, set(), set())
        if len(options.positional) != 1:
            raise RegistryError("invalid-syntax")
        key = parse_key(options.positional[0])
        if key.root not in LOADABLE_ROOTS or len(key.parts) != 1:
            raise RegistryError("invalid-key", key.display)
        if self.machine.registry.get(key.root, key.parts[0]) is None:
            raise RegistryError("not-found", key.display)
        faults = self.machine.faults
        if faults is not None and faults.unload_denied(self.command_index):
            raise RegistryError("access-denied", key.display)
        self.machine.registry.unload(key.root, key.parts[0])
        return self._success()

    def query(self, argv: list[str]) -> Result:
        options = parse_options(argv, {"ve", "s"}, {"v"})
        if len(options.positional) != 1 or ("v" in options.values and "ve" in options.flags):
            raise RegistryError("invalid-syntax")
        key = parse_key(options.positional[0])
        recursive = "s" in options.flags
        if key.mount_name is None:
            return self._query_root(key, options)
        mount, hive, node = self._find_node(key)
        lines: list[str] = [""]
        if "v" in options.values or "ve" in options.flags:
            wanted = options.values.get("v", "")
            matches = self._query_value(hive, node, key.display, wanted, recursive, lines)
            if recursive:
                lines.append(self._text("reg.end_of_search", count=matches))
            elif matches == 0:
                raise RegistryError("not-found", key.display)
            else:
                lines.append("")
            return 0, "\n".join(lines) + "\n", ""
        if recursive:
            matches = self._query_tree(hive, node, key.display, lines)
            lines.append(self._text("reg.end_of_search", count=matches))
            return 0, "\n".join(lines) + "\n", ""
        lines.append(key.display)
        values = hive.node_values(node) if hive is not None else []
        lines.extend(self._value_line(hive, value) for value in values)
        if values:
            lines.append("")
        children = hive.node_children(node) if hive is not None else []
        lines.extend(f"{key.display}\\{hive.node_name(child)}" for child in children)
        if children:
            lines.append("")
        return 0, "\n".join(lines) + "\n", ""

    def _query_root(self, key: KeyPath, options: Options) -> Result:
        """`reg query HKLM`: the root has no values of its own; its subkeys are the mounted hives."""
        if options.values or options.flags:
            raise RegistryError("invalid-syntax")
        lines = ["", *(f"{key.display}\\{mount.name}" for mount in self.machine.registry.mounts(key.root)), ""]
        return 0, "\n".join(lines) + "\n", ""

    def _query_value(self, hive, node, display: str, wanted: str, recursive: bool, lines: list[str]) -> int:
        found = 0
        if hive is None:
            return 0
        match = next((v for v in hive.node_values(node) if hive.value_key(v).casefold() == wanted.casefold()), None)
        if match is not None:
            lines.extend([display, self._value_line(hive, match), ""])
            found += 1
        elif not wanted and not recursive:
            # /ve on a key without a default value: reg.exe shows it as an empty REG_SZ
            lines.extend([display, f"    {self._default_name()}    REG_SZ    {self._text('reg.value_not_set')}", ""])
            found += 1
        if recursive:
            for child in hive.node_children(node):
                found += self._query_value(hive, child, f"{display}\\{hive.node_name(child)}", wanted, True, lines)
        return found

    def _query_tree(self, hive, node, display: str, lines: list[str]) -> int:
        """Depth-first like reg query /s; counts every value and every subkey listed."""
        lines.append(display)
        if hive is None:
            return 0
        values = hive.node_values(node)
        lines.extend(self._value_line(hive, value) for value in values)
        if values:
            lines.append("")
        count = len(values)
        for child in hive.node_children(node):
            count += 1 + self._query_tree(hive, child, f"{display}\\{hive.node_name(child)}", lines)
        return count

    def add(self, argv: list[str]) -> Result:
        options = parse_options(argv, {"ve", "f"}, {"v", "t", "s", "d"})
        if len(options.positional) != 1 or ("v" in options.values and "ve" in options.flags):
            raise RegistryError("invalid-syntax")
        key = parse_key(options.positional[0])
        type_text = options.values.get("t", "REG_SZ").upper()
        type_code = ADDABLE_TYPES.get(type_text)
        if type_code is None:
            raise RegistryError("invalid-type", type_text)
        if "s" in options.values and (type_code != REG_MULTI_SZ or len(options.values["s"]) != 1):
            raise RegistryError("invalid-syntax")
        writes_value = "v" in options.values or "ve" in options.flags
        data = b""
        if writes_value:
            try:
                data = encode_data(type_code, options.values.get("d", ""), options.values.get("s", "\\0"))
            except BadValueData as error:
                raise RegistryError("invalid-data", str(error)) from error
        mount, hive = self._writable(key)
        self._refuse_if_denied(key)
        node = hive.root()
        for part in key.parts[1:]:
            child = hive.node_get_child(node, part)
            if child is None:
                child = hive.node_add_child(node, part)
                mount.modified = True
            node = child
        if writes_value:
            name = options.values.get("v", "")
            exists = any(hive.value_key(v).casefold() == name.casefold() for v in hive.node_values(node))
            if exists and "f" not in options.flags:
                raise RegistryError("canceled")  # reg.exe would prompt to overwrite; WinRM has no console input
            hive.node_set_value(node, {"key": name, "t": type_code, "value": data})
            mount.modified = True
        return self._success()

    def delete(self, argv: list[str]) -> Result:
        options = parse_options(argv, {"ve", "va", "f"}, {"v"})
        selectors = ("v" in options.values) + ("ve" in options.flags) + ("va" in options.flags)
        if len(options.positional) != 1 or selectors > 1:
            raise RegistryError("invalid-syntax")
        key = parse_key(options.positional[0])
        if "f" not in options.flags:
            raise RegistryError("canceled")  # reg.exe asks for confirmation; WinRM has no console input
        mount, hive = self._writable(key)
        _mount, _hive, node = self._find_node(key)
        self._refuse_if_denied(key)
        if selectors == 0:
            if len(key.parts) == 1:
                raise RegistryError("access-denied", key.display)  # the root of a mounted hive cannot be deleted
            hive.node_delete_child(node)
        else:
            values = hive.node_values(node)
            if "va" in options.flags:
                keep = []
            else:
                wanted = options.values.get("v", "")
                keep = [v for v in values if hive.value_key(v).casefold() != wanted.casefold()]
                if len(keep) == len(values):
                    raise RegistryError("not-found", key.display)
            hive.node_set_values(node, [_value_dict(hive, v) for v in keep])
        mount.modified = True
        return self._success()


def _value_dict(hive: hivex.Hivex, value: int) -> dict[str, object]:
    type_code, raw = hive.value_value(value)
    return {"key": hive.value_key(value), "t": type_code, "value": raw}


_COMMANDS = ("load", "unload", "query", "add", "delete")


def run(argv: list[str], machine, *, language: str = "en-US", command_index: int = 0) -> Result:
    """Run `reg <argv>` against the machine; returns (exit code, stdout, stderr) with console line ends (CRLF)."""
    program = RegExe(machine, language, command_index)
    with machine.lock:
        try:
            if not argv or argv[0].lower() not in _COMMANDS:
                raise RegistryError("invalid-syntax")
            rc, out, err = getattr(program, argv[0].lower())(argv[1:])
        except RegistryError as error:
            rc, out, err = program._error(error.reason)
    return rc, _crlf(out), _crlf(err)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")
