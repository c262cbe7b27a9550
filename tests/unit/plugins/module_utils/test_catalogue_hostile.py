"""Hostile values inside complete catalogue scripts reach bcdedit/reg.exe unchanged and never become code.

The check reads each rendered command line back independently: PowerShell literal rules, then Windows PowerShell
5.1's legacy joining of native arguments, then CommandLineToArgvW splitting. The whole script must also parse with
the simulator's PowerShell parser (when present) after ansible-core's line stripping.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_bcd as cb
from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_registry as cr

HOSTILE = [
    "'; Remove-Item C:\\ -Recurse;'",
    "`$(calc)` $x ${env:windir}",
    "$(Remove-Item C:\\)",
    "{default} } { ( ) ;|&<>",
    "a\u2019; calc; \u2018 \u201cq\u201d",
    "\u65e5\u672c\u8a9e \u00e5\u00e4\u00f6 \u0441\u0438\u0441",
    '"quoted" & | < > \\"',
    "trailing backslash \\",
    "\\\\server\\share\\",
    "",
    " leading and trailing ",
]
SINGLE, DOUBLE = "'\u2018\u2019\u201a\u201b", '"\u201c\u201d\u201e'
BACKTICK = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _ps_tokens(line: str) -> list[str]:
    """Values of the literals/barewords of one PowerShell command line (no variables allowed)."""
    out, i = [], 0
    while i < len(line):
        ch = line[i]
        if ch == " ":
            i += 1
        elif ch in SINGLE:
            value, i = [], i + 1
            while True:
                if line[i] in SINGLE:
                    if i + 1 < len(line) and line[i + 1] in SINGLE:
                        value.append(line[i])
                        i += 2
                        continue
                    i += 1
                    break
                value.append(line[i])
                i += 1
            out.append("".join(value))
        elif ch in DOUBLE:
            value, i = [], i + 1
            while line[i] not in DOUBLE:
                assert line[i] != "$", f"expandable variable in {line!r}"
                if line[i] == "`":
                    value.append(BACKTICK.get(line[i + 1], line[i + 1]))
                    i += 2
                    continue
                value.append(line[i])
                i += 1
            out.append("".join(value))
            i += 1
        else:
            start = i
            while i < len(line) and line[i] != " ":
                assert line[i] not in "'\"`$;|&(){}<>,", f"unquoted special character in {line!r}"
                i += 1
            out.append(line[start:i])
    return out


def _ps51_command_line(args: list[str]) -> str:
    parts = []
    for arg in args:
        if arg == "":
            continue
        wrapped = len(arg) >= 2 and arg[0] == '"' and arg[-1] == '"'
        parts.append(f'"{arg}"' if (" " in arg or "\t" in arg) and not wrapped else arg)
    return " ".join(parts)


def _argv(command_line: str) -> list[str]:
    args, i, n = [], 0, len(command_line)
    while i < n:
        while i < n and command_line[i] in " \t":
            i += 1
        if i >= n:
            break
        current, quoted = [], False
        while i < n and (quoted or command_line[i] not in " \t"):
            if command_line[i] == "\\":
                count = 0
                while i < n and command_line[i] == "\\":
                    count += 1
                    i += 1
                if i < n and command_line[i] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2:
                        current.append('"')
                        i += 1
                else:
                    current.append("\\" * count)
            elif command_line[i] == '"':
                if quoted and i + 1 < n and command_line[i + 1] == '"':
                    current.append('"')
                    i += 2
                else:
                    quoted = not quoted
                    i += 1
            else:
                current.append(command_line[i])
                i += 1
        args.append("".join(current))
    return args


def _native_calls(script: str) -> list[list[str]]:
    calls = []
    for line in script.splitlines():
        line = line.strip()
        if line.startswith(("bcdedit.exe ", "reg.exe ")):
            program, *literals = _ps_tokens(line)
            calls.append(_argv(_ps51_command_line(literals)))
    return calls


def _parses_in_simulator(script: str) -> None:
    try:
        from tests.simulator.powershell.parser import parse_script
    except ImportError:
        return
    stripped = "\n".join(line.strip() for line in script.splitlines() if line.strip())
    parse_script(stripped)


@pytest.mark.parametrize("value", HOSTILE)
def test_bcd_write_carries_hostile_values(value):
    store = f"F:\\{value}\\BCD" if value else "F:\\BCD"
    change = cb.BcdeditChange("set", "{9dea862c-5cdd-4e70-acc1-f32b344d4795}", "description", (value,))
    script = cb.write_store(store, [change], f"F:\\j {value}.json", '{"x": "' + value + '"}', "AB" * 32).render()
    calls = _native_calls(script)
    assert calls[0] == ["/store", store, "/set", "{9dea862c-5cdd-4e70-acc1-f32b344d4795}", "description", value]
    assert calls[-1][:2] == ["unload", cr.mount_key(store)]
    assert ["load", cr.mount_key(store), store] in calls
    _parses_in_simulator(script)


@pytest.mark.parametrize("value", HOSTILE)
def test_registry_write_carries_hostile_values(value):
    hive = "F:\\Windows\\System32\\config\\SYSTEM"
    changes = [cr.RegChange("add-value", f"ControlSet001\\{value or 'k'}", value or "n", "REG_SZ", value),
               cr.RegChange("add-value", "k", "m", "REG_MULTI_SZ", f"a{value}|b", "|"),
               cr.RegChange("delete-key", f"k\\{value}")]
    script = cr.write_registry(hive, changes, [cr.KeyQuery("verify.1", f"k\\{value}", False)], None, None,
                               None).render()
    calls = _native_calls(script)
    root = cr.mount_key(hive)
    assert ["add", f"{root}\\ControlSet001\\{value or 'k'}", "/v", value or "n", "/t", "REG_SZ", "/d", value, "/f"] in calls
    assert ["add", f"{root}\\k", "/v", "m", "/t", "REG_MULTI_SZ", "/s", "|", "/d", f"a{value}|b", "/f"] in calls
    assert ["delete", f"{root}\\k\\{value}", "/f"] in calls
    assert ["query", f"{root}\\k\\{value}"] in calls
    _parses_in_simulator(script)


@pytest.mark.parametrize("value", HOSTILE)
def test_cmdlet_arguments_are_literals(value):
    store, journal = f"F:\\{value}", f"F:\\{value}\\journal.json"
    script = cb.read_store(store, journal).render()
    lines = script.splitlines()
    exists = next(line for line in lines if line.startswith("Test-Path"))
    assert _ps_tokens(exists) == ["Test-Path", "-LiteralPath", store, "-PathType", "Leaf"]
    guarded = next(line for line in lines if line.startswith("if ((Test-Path") and "Get-Content" in line)
    condition, _sep, body = guarded[len("if (("):].partition(")) { ")
    assert _ps_tokens(condition) == ["Test-Path", "-LiteralPath", journal, "-PathType", "Leaf"]
    assert _ps_tokens(body.rstrip(" }")) == ["Get-Content", "-LiteralPath", journal, "-Raw"]
    write = cb.write_store(store, [], journal, f"{{{value}}}", "AB" * 32).render().splitlines()
    guard = next(line for line in write if line.startswith("if ((Get-FileHash"))
    assert _ps_tokens(guard[len("if (("):].partition(").Hash")[0]) == \
        ["Get-FileHash", "-Algorithm", "SHA256", "-LiteralPath", journal]
    _parses_in_simulator("\n".join(write))
    assert _ps_tokens(next(line for line in write if line.startswith("Set-Content"))) == \
        ["Set-Content", "-LiteralPath", journal, "-Value", f"{{{value}}}", "-Encoding", "UTF8"]
    _parses_in_simulator(script)


def test_every_script_names_itself_and_ends_with_exit_0():
    script = cb.read_store("F:\\boot\\BCD", None)
    text = script.render()
    assert text.splitlines()[0] == "# vmrescue.windows bcd-read"
    assert text.splitlines()[-1] == "exit 0"
    assert script.step_names[-3:] == ["unload", "unload.2", "unload.3"]


def test_mount_name_is_stable_per_path_and_case_insensitive():
    assert cr.mount_name(r"F:\boot\BCD") == cr.mount_name(r"f:\BOOT\bcd")
    assert cr.mount_name(r"F:\boot\BCD") != cr.mount_name(r"E:\boot\BCD")
    assert len(cr.mount_name("x")) == len("vmrescue_") + 12
