"""What Windows PowerShell 5.1 would refuse or mangle, the simulated host refuses or mangles too: unquoted braces,
unknown commands, PS 5.1 native argument passing with hostile values, and the process exit code."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulator_tests.pshost import run
from regipy.registry import RegistryHive

from tests.simulator.powershell import host as host_module
from tests.simulator.windows.hivefile import open_hive
from tests.simulator.windows.machine import Machine

STORE = "S:\\EFI\\Microsoft\\Boot\\BCD"
BROKEN_SYSTEM = "F:\\Windows\\System32\\config\\SYSTEM"
LETTER_THE_ESP = "Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'S:\\'\n"


# --- braces -------------------------------------------------------------------------------------------------------


def test_unquoted_braces_fail_bcdedit_and_the_process_and_leave_the_store_identical(machine: Machine) -> None:
    assert run(machine, LETTER_THE_ESP)[0] == 0
    store = machine.resolve_path(STORE)
    before = store.read_bytes()
    code, out, _err = run(machine, f"bcdedit /store {STORE} /set {{default}} bootlog yes")
    assert code == 1                                   # no `exit`: the failed native program decides
    assert out.startswith("The set command specified is not valid.")
    assert store.read_bytes() == before
    # The same command with the identifier quoted does write: the comparison above can see a change.
    assert run(machine, f"bcdedit /store {STORE} /set '{{default}}' bootlog yes")[0] == 0
    assert store.read_bytes() != before


def test_unquoted_braces_in_a_value_position_are_a_script_block_too(machine: Machine) -> None:
    run(machine, LETTER_THE_ESP)
    store = machine.resolve_path(STORE)
    before = store.read_bytes()
    code, _out, _err = run(machine, f"bcdedit /store '{STORE}' /set '{{bootmgr}}' default {{default}}\nexit $LASTEXITCODE")
    assert code == 1 and store.read_bytes() == before


# --- unknown commands ---------------------------------------------------------------------------------------------
# Unknown names, and names PowerShell knows but the contract's subset does not (Invoke-Expression must never run).


@pytest.mark.parametrize("command", ["Get-Foo", "diskpart /s x.txt", "cmd /c echo hi",
                                     "& 'C:\\Temp\\reg.exe' query HKLM", "Invoke-Expression 'Remove-Item C:\\'",
                                     "powershell -Command Get-Disk"])
def test_commands_outside_the_subset_fail_the_process_and_keep_lastexitcode(machine: Machine, command: str) -> None:
    code, _out, err = run(machine, f"reg query HKLM\\NoSuchKey\n{command}")
    assert code == 1 and "is not recognized as the name of a cmdlet" in err
    code, out, _err = run(machine, f"{command}\n\"rc=$LASTEXITCODE\"")
    assert out == "rc=0\r\n"


@pytest.mark.parametrize("argv", ["/export 'C:\\bcd.bak'", "/delete '{default}'", "/copy '{default}' /d x",
                                  "/create /d x /application osloader", "/bootsequence '{default}'", "/frob"])
def test_bcdedit_commands_outside_the_contract_fail_and_change_nothing(machine: Machine, argv: str) -> None:
    run(machine, LETTER_THE_ESP)
    store = machine.resolve_path(STORE)
    before = store.read_bytes()
    code, out, _err = run(machine, f"bcdedit /store '{STORE}' {argv}\nexit $LASTEXITCODE")
    assert code == 1 and out
    assert store.read_bytes() == before


# --- PS 5.1 native argument passing --------------------------------------------------------------------------------
# Each case: the value that must arrive, and the PowerShell literal that carries it, escaped by hand following the
# contract (section 3): wrap in "…", `"` -> `\"`, backslashes doubled before a quote or the closing quote.
HOSTILE = [
    ("Injection", "'; Remove-Item C:\\ -Recurse;'", "'\"''; Remove-Item C:\\ -Recurse;''\"'"),
    ("Quotes", 'say "hi" to C:\\dir\\', "'\"say \\\"hi\\\" to C:\\dir\\\\\"'"),
    ("QuotesNoSpace", 'a"b\\"c\\\\', "'\"a\\\"b\\\\\\\"c\\\\\\\\\"'"),
    ("TrailingBackslashes", "C:\\a\\b\\\\", "'C:\\a\\b\\\\'"),
    ("Dollars", "$env:TEMP $(whoami) `n", "'\"$env:TEMP $(whoami) `n\"'"),
]


def _raw_value(path: Path, key: str, name: str) -> tuple[int, bytes]:
    hive = open_hive(path, write=False)
    node = hive.root()
    for part in key.split("\\"):
        node = hive.node_get_child(node, part)
    return hive.value_value(hive.node_get_value(node, name))


def test_hostile_values_round_trip_byte_exact_through_the_whole_host(machine: Machine) -> None:
    lines = [f"reg load HKLM\\VMR_SYS '{BROKEN_SYSTEM}'"]
    for name, _expected, literal in HOSTILE:
        lines.append(f"reg add 'HKLM\\VMR_SYS\\Vmr Test' /v {name} /t REG_SZ /d {literal} /f")
        lines.append(f"\"rc:{name}:$LASTEXITCODE\"")
    lines += ["reg unload HKLM\\VMR_SYS", "\"rc:unload:$LASTEXITCODE\"", "exit 0"]
    code, out, err = run(machine, "\n".join(lines))
    assert (code, err) == (0, "")
    assert all(f"rc:{name}:0" in out for name, _expected, _literal in HOSTILE) and "rc:unload:0" in out
    assert machine.resolve_path("C:\\Windows").is_dir()          # nothing ran
    hive_file = machine.resolve_path(BROKEN_SYSTEM)
    values = {v.name: v for v in RegistryHive(str(hive_file)).get_key("\\Vmr Test").iter_values(as_json=False)}
    for name, expected, _literal in HOSTILE:
        assert (values[name].value_type, values[name].value) == ("REG_SZ", expected)
        assert _raw_value(hive_file, "Vmr Test", name) == (1, (expected + "\0").encode("utf-16-le"))


@pytest.mark.parametrize(("naive", "arrives"), [
    # Embedded quotes are not escaped by PS 5.1, and the trailing backslash escapes the quote PowerShell adds:
    # the quoted run never closes, so even the `/f` after it becomes part of the data (and the value, which did not
    # exist, is written without /f).
    ("'say \"hi\" to C:\\dir\\'", 'say hi to C:\\dir" /f'),
    ("'C:\\my dir\\'", 'C:\\my dir" /f'),
])
def test_naive_quoting_is_mangled_as_on_windows(machine: Machine, naive: str, arrives: str) -> None:
    script = (f"reg load HKLM\\VMR_SYS '{BROKEN_SYSTEM}'\nreg add HKLM\\VMR_SYS\\T /v V /t REG_SZ /d {naive} /f\n"
              "reg unload HKLM\\VMR_SYS")
    run(machine, script)
    values = {v.name: v.value for v in RegistryHive(str(machine.resolve_path(BROKEN_SYSTEM))).get_key("\\T")
              .iter_values()}
    assert values["V"] == arrives


def test_empty_argument_is_dropped_so_the_next_switch_becomes_the_data(machine: Machine) -> None:
    script = (f"reg load HKLM\\VMR_SYS '{BROKEN_SYSTEM}'\n"
              "reg add HKLM\\VMR_SYS\\T /v Empty /t REG_SZ /d '' /f\n\"rc:$LASTEXITCODE\"\n"
              "reg add HKLM\\VMR_SYS\\T /v Empty /t REG_SZ /d '\"\"' /f\n\"rc:$LASTEXITCODE\"\n"
              "reg unload HKLM\\VMR_SYS")
    _code, out, _err = run(machine, script)
    # First: argv is `/d /f`, data "/f" and no /f switch: the value did not exist, so it is written as "/f".
    assert "rc:0\r\nThe operation completed successfully.\r\nrc:0" in out
    values = {v.name: v.value for v in RegistryHive(str(machine.resolve_path(BROKEN_SYSTEM))).get_key("\\T")
              .iter_values()}
    assert values["Empty"] == ""


# --- process exit code ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("native_code", [2, 5, -1073741819, 1])
def test_process_exit_code_collapses_to_one_unless_exit_passes_it_on(machine: Machine, monkeypatch,
                                                                     native_code: int) -> None:
    monkeypatch.setattr(host_module, "run_native", lambda *args, **kwargs: (native_code, "", ""))
    assert run(machine, "reg query HKLM\\X")[0] == 1
    assert run(machine, "reg query HKLM\\X\nexit $LASTEXITCODE")[0] == native_code
    assert run(machine, "reg query HKLM\\X\n\"rc=$LASTEXITCODE\"")[1] == f"rc={native_code}\r\n"
    assert run(machine, "reg query HKLM\\X\nWrite-Output 'after'")[0] == 0   # $? of the last statement only
