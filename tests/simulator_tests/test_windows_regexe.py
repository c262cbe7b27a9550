"""reg.exe in the simulated recovery VM: on a built machine and on a copy of the real SYSTEM hive; regipy reads back."""
from __future__ import annotations

import lzma
import re
import shutil

import pytest
from regipy.registry import RegistryHive

from tests.simulator.faults import FaultPlan
from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine
from tests.simulator.windows.native import run_native
from tests.simulator_tests.test_windows_hives import _data

VALUE_LINE = re.compile(r"^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$")
BROKEN_SYSTEM = "F:\\Windows\\System32\\config\\SYSTEM"


class DenyUnload:
    def __init__(self, denied: set[int]) -> None:
        self.denied = denied

    def unload_denied(self, command_index: int) -> bool:
        return command_index in self.denied

    def write_denied(self, _command_index: int) -> bool:
        return False


@pytest.fixture(scope="session")
def real_system_hive(tmp_path_factory):
    source = _data("hives/system/regipy-SYSTEM.xz")
    target = tmp_path_factory.mktemp("real") / "SYSTEM"
    with lzma.open(source) as compressed, target.open("wb") as out:
        shutil.copyfileobj(compressed, out)
    return target


@pytest.fixture
def machine(tmp_path):
    build_machine(tmp_path / "m", generation=2)
    return Machine.load(tmp_path / "m")


@pytest.fixture
def real_machine(tmp_path, real_system_hive):
    build_machine(tmp_path / "m", generation=2, system=real_system_hive)
    return Machine.load(tmp_path / "m")


def reg(machine, *argv, **kwargs):
    return run_native("reg.exe", list(argv), machine, **kwargs)


def test_load_add_unload_on_real_system_hive(real_machine):
    assert reg(real_machine, "load", "HKLM\\BROKENSYSTEM", BROKEN_SYSTEM) == (
        0, "The operation completed successfully.\r\n", "")
    host = real_machine.resolve_path(BROKEN_SYSTEM)
    assert real_machine.registry.is_file_loaded(host)
    crash = "HKLM\\BROKENSYSTEM\\ControlSet001\\Control\\CrashControl"
    assert reg(real_machine, "add", crash, "/v", "AutoReboot", "/t", "REG_DWORD", "/d", "0", "/f")[0] == 0
    assert reg(real_machine, "add", crash, "/v", "CrashDumpEnabled", "/t", "REG_DWORD", "/d", "0x2", "/f")[0] == 0
    assert reg(real_machine, "add", crash, "/v", "DumpFile", "/t", "REG_EXPAND_SZ", "/d",
               "%SystemRoot%\\MEMORY.DMP", "/f")[0] == 0
    assert reg(real_machine, "add", crash, "/v", "Big", "/t", "REG_QWORD", "/d", "0x100000000", "/f")[0] == 0
    assert reg(real_machine, "add", crash, "/v", "Blob", "/t", "REG_BINARY", "/d", "00ff10", "/f")[0] == 0
    assert reg(real_machine, "add", crash, "/v", "List", "/t", "REG_MULTI_SZ", "/d", "a.sys#b.sys", "/s", "#",
               "/f")[0] == 0
    assert reg(real_machine, "add", "HKLM\\BROKENSYSTEM\\New\\Deep", "/ve", "/d", "x", "/f")[0] == 0
    assert reg(real_machine, "unload", "HKLM\\BROKENSYSTEM")[0] == 0
    assert not real_machine.registry.is_file_loaded(host)

    hive = RegistryHive(str(host))
    values = {v.name: v for v in hive.get_key("\\ControlSet001\\Control\\CrashControl").iter_values()}
    assert (values["AutoReboot"].value_type, values["AutoReboot"].value) == ("REG_DWORD", 0)
    assert values["CrashDumpEnabled"].value == 2
    assert values["DumpFile"].value_type == "REG_EXPAND_SZ" and values["DumpFile"].value == "%SystemRoot%\\MEMORY.DMP"
    assert values["Big"].value_type == "REG_QWORD" and values["Big"].value == 0x100000000
    assert values["Blob"].value_type == "REG_BINARY" and values["Blob"].value == "00ff10"
    assert values["List"].value_type == "REG_MULTI_SZ" and values["List"].value == ["a.sys", "b.sys"]
    default = {v.name: v.value for v in hive.get_key("\\New\\Deep").iter_values()}
    assert default == {"(default)": "x"} or default == {"": "x"}


def test_query_output_layout_matches_reg_exe(real_machine):
    reg(real_machine, "load", "HKLM\\S", BROKEN_SYSTEM)
    rc, out, err = reg(real_machine, "query", "HKLM\\S\\Select")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "" and lines[1] == "HKEY_LOCAL_MACHINE\\S\\Select"
    parsed = {m.group(1): (m.group(2), m.group(3)) for m in map(VALUE_LINE.match, lines[2:]) if m}
    assert parsed["Current"] == ("REG_DWORD", "0x1")
    assert len(parsed) == 4
    # keys with subkeys: value block, blank line, full subkey paths, like the real sample en_1.txt
    rc, out, _err = reg(real_machine, "query", "HKLM\\S\\ControlSet001\\Services\\Tcpip")
    assert rc == 0
    lines = out.splitlines()
    assert any(VALUE_LINE.match(line) and "REG_EXPAND_SZ" in line for line in lines)  # ImagePath
    subkeys = [line for line in lines if line.startswith("HKEY_LOCAL_MACHINE\\S\\ControlSet001\\Services\\Tcpip\\")]
    assert "HKEY_LOCAL_MACHINE\\S\\ControlSet001\\Services\\Tcpip\\Parameters" in subkeys
    first_subkey = lines.index(subkeys[0])
    assert lines[first_subkey - 1] == ""


def test_query_recursive_ends_with_end_of_search(machine):
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    rc, out, _err = reg(machine, "query", "HKLM\\B\\ControlSet001\\Control\\CrashControl", "/s")
    assert rc == 0 and out.rstrip("\r\n").splitlines()[-1] == "End of search: 8 match(es) found."
    rc, out, _err = reg(machine, "query", "HKLM\\B\\ControlSet001\\Services\\FileCrypt", "/v", "errorcontrol")
    assert rc == 0 and "    ErrorControl    REG_DWORD    0x3" in out.splitlines()


def test_query_hklm_lists_mounts(machine):
    reg(machine, "load", "HKLM\\BROKENSYSTEM", BROKEN_SYSTEM)
    rc, out, _err = reg(machine, "query", "HKEY_LOCAL_MACHINE")
    assert rc == 0
    keys = [line for line in out.splitlines() if line]
    assert "HKEY_LOCAL_MACHINE\\BROKENSYSTEM" in keys and "HKEY_LOCAL_MACHINE\\SYSTEM" in keys


@pytest.mark.parametrize(
    "argv",
    [
        ("add", "HKLM\\B\\X", "/v", "A", "/t", "REG_WORD", "/d", "1", "/f"),  # bad type name
        ("add", "HKLM\\B\\X", "/v", "A", "/t", "REG_DWORD", "/d", "abc", "/f"),  # bad DWORD
        ("add", "HKLM\\B\\X", "/v", "A", "/t", "REG_DWORD", "/d", "4294967296", "/f"),  # DWORD overflow
        ("add", "HKLM\\B\\X", "/v", "A", "/t", "REG_BINARY", "/d", "0g", "/f"),  # bad hex
        ("add", "HKLM\\B\\X", "/v", "A", "/ve", "/d", "1", "/f"),  # /v and /ve
        ("query", "HKLM\\B\\NoSuchKey"),
        ("query", "HKLM\\B\\Select", "/v", "NoSuchValue"),
        ("delete", "HKLM\\B\\Select", "/v", "NoSuchValue", "/f"),
        ("delete", "HKLM\\B\\Select", "/v", "Current"),  # no /f: reg.exe would prompt, nobody answers
        ("query", "HKLM\\NOTLOADED\\X"),
        ("frobnicate", "HKLM\\B"),
        ("query", "HKXX\\B"),
    ],
)
def test_errors_exit_1_with_reg_error_on_stderr(machine, argv):
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    rc, out, err = reg(machine, *argv)
    assert rc == 1 and out == "" and err.startswith("ERROR: ")


def test_failed_add_changes_nothing(machine):
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    assert reg(machine, "add", "HKLM\\B\\Select", "/v", "Current", "/t", "REG_DWORD", "/d", "x", "/f")[0] == 1
    assert reg(machine, "unload", "HKLM\\B")[0] == 0
    hive = RegistryHive(str(machine.resolve_path(BROKEN_SYSTEM)))
    assert hive.get_key("\\Select").get_value("Current") == 1


def test_error_messages_are_translated_per_language(machine):
    rc, _out, err = reg(machine, "query", "HKLM\\NOTLOADED", language="de-DE")
    assert rc == 1
    assert err.startswith("FEHLER: ")


def test_delete_value_all_values_and_key(machine):
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    key = "HKLM\\B\\ControlSet002\\Control\\CrashControl"
    assert reg(machine, "delete", key, "/v", "AutoReboot", "/f")[0] == 0
    assert reg(machine, "query", key, "/v", "AutoReboot")[0] == 1
    assert reg(machine, "delete", key, "/va", "/f")[0] == 0
    assert reg(machine, "delete", "HKLM\\B\\ControlSet002\\Services\\netvsc", "/f")[0] == 0
    assert reg(machine, "delete", "HKLM\\B", "/f")[0] == 1  # the hive root itself
    assert reg(machine, "unload", "HKLM\\B")[0] == 0
    hive = RegistryHive(str(machine.resolve_path(BROKEN_SYSTEM)))
    assert list(hive.get_key("\\ControlSet002\\Control\\CrashControl").iter_values()) == []
    services = {k.name for k in hive.get_key("\\ControlSet002\\Services").iter_subkeys()}
    assert "netvsc" not in services and "FileCrypt" in services


def test_same_file_and_same_name_cannot_be_loaded_twice(machine):
    assert reg(machine, "load", "HKLM\\A", BROKEN_SYSTEM)[0] == 0
    assert reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)[0] == 1
    assert reg(machine, "load", "HKLM\\A", "F:\\Windows\\System32\\config\\SOFTWARE")[0] == 1
    assert reg(machine, "load", "HKLM\\SYSTEM", "F:\\Windows\\System32\\config\\SOFTWARE")[0] == 1


def test_live_hives_of_the_recovery_vm_cannot_be_loaded_or_changed(machine):
    before = machine.resolve_path("C:\\Windows\\System32\\config\\SYSTEM").read_bytes()
    rc, _out, err = reg(machine, "load", "HKLM\\X", "C:\\Windows\\System32\\config\\SYSTEM")
    assert rc == 1 and "being used by another process" in err
    assert reg(machine, "query", "HKLM\\SYSTEM\\Select", "/v", "Current")[0] == 0
    assert reg(machine, "add", "HKLM\\SYSTEM\\Select", "/v", "Current", "/t", "REG_DWORD", "/d", "2", "/f")[0] == 1
    assert reg(machine, "unload", "HKLM\\SYSTEM")[0] == 1
    assert machine.resolve_path("C:\\Windows\\System32\\config\\SYSTEM").read_bytes() == before
    esp = machine.disks[0].partitions[0]
    assert machine.registry.is_file_loaded(machine.dir / esp.volume_dir / "EFI/Microsoft/Boot/BCD")


def test_bcd_store_loaded_by_reg_is_reported_loaded(machine):
    machine.add_access_path(1, 1, "S:\\")
    store = machine.resolve_path("S:\\EFI\\Microsoft\\Boot\\BCD")
    assert not machine.registry.is_file_loaded(store)
    assert reg(machine, "load", "HKLM\\BCDTEMP", "S:\\EFI\\Microsoft\\Boot\\BCD")[0] == 0
    assert machine.registry.is_file_loaded(store)
    assert reg(machine, "unload", "HKLM\\BCDTEMP")[0] == 0
    assert not machine.registry.is_file_loaded(store)


def test_unload_denied_by_fault_keeps_hive_loaded_and_data_pending(machine):
    machine.faults = DenyUnload({7})
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    reg(machine, "add", "HKLM\\B\\Select", "/v", "Current", "/t", "REG_DWORD", "/d", "2", "/f")
    host = machine.resolve_path(BROKEN_SYSTEM)
    rc, out, err = reg(machine, "unload", "HKLM\\B", command_index=7)
    assert (rc, out, err) == (1, "", "ERROR: Access is denied.\r\n")
    assert machine.registry.is_file_loaded(host)
    assert RegistryHive(str(host)).get_key("\\Select").get_value("Current") == 1  # not flushed yet
    assert reg(machine, "unload", "HKLM\\B", command_index=8)[0] == 0
    assert RegistryHive(str(host)).get_key("\\Select").get_value("Current") == 2


def test_write_denied_by_fault_refuses_that_change_only_and_changes_nothing(machine):
    machine.faults = FaultPlan.from_specs(["write-denied@5:2"])
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    add = ("add", "HKLM\\B\\vmrescue_denied", "/t", "REG_DWORD", "/d", "1", "/f")
    assert reg(machine, *add[:2], "/v", "One", *add[2:], command_index=5)[0] == 0
    assert reg(machine, *add[:2], "/v", "Two", *add[2:], command_index=5) == (1, "", "ERROR: Access is denied.\r\n")
    assert reg(machine, "delete", "HKLM\\B\\vmrescue_denied", "/v", "One", "/f", command_index=5)[0] == 0
    names = reg(machine, "query", "HKLM\\B\\vmrescue_denied", command_index=6)[1]
    assert "One" not in names and "Two" not in names


def test_dirty_hive_is_not_loaded_and_not_touched(machine):
    target = machine.resolve_path("F:\\dirty")
    shutil.copytree(_data("hives/dirty/NewDirtyHive1"), target)
    before = (target / "NewDirtyHive").read_bytes()
    rc, _out, err = reg(machine, "load", "HKLM\\D", "F:\\dirty\\NewDirtyHive")
    assert rc == 1 and err.startswith("ERROR: ")
    assert (target / "NewDirtyHive").read_bytes() == before
    assert machine.registry.get("HKLM", "D") is None


def test_missing_file_and_non_hive_cannot_be_loaded(machine):
    assert reg(machine, "load", "HKLM\\X", "F:\\nope\\SYSTEM")[0] == 1
    machine.resolve_path("F:\\notes.txt").write_text("hello" * 2000)
    assert reg(machine, "load", "HKLM\\X", "F:\\notes.txt")[0] == 1
    assert reg(machine, "load", "HKCU\\X", BROKEN_SYSTEM)[0] == 1  # only HKLM and HKU


def test_binary_and_multi_sz_query_formatting(machine):
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    key = "HKLM\\B\\T"
    reg(machine, "add", key, "/v", "Bin", "/t", "REG_BINARY", "/d", "0100000000000000", "/f")
    reg(machine, "add", key, "/v", "Multi", "/t", "REG_MULTI_SZ", "/d", "a\\0b", "/f")
    reg(machine, "add", key, "/v", "Q", "/t", "REG_QWORD", "/d", "3389", "/f")
    _code, out, _err = reg(machine, "query", key)
    lines = out.splitlines()
    assert "    Bin    REG_BINARY    0100000000000000" in lines
    assert "    Multi    REG_MULTI_SZ    a\\0b" in lines
    assert "    Q    REG_QWORD    0xd3d" in lines


def test_unknown_native_program_is_refused(machine):
    with pytest.raises(ValueError):
        run_native("diskpart", [], machine)
