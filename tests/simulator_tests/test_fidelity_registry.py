"""reg.exe and bcdedit refuse what Windows refuses, and a refusal changes no file: bad types and data, overwrites
without /f, hives in use, live hives, dirty hives, read-only disks and denied unloads (through the PowerShell host
where the quoting matters)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.simulator.faults import FaultPlan
from tests.simulator.powershell import run_powershell
from tests.simulator.windows.machine import Machine
from tests.simulator.windows.native import run_native

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"
BROKEN_SYSTEM = "F:\\Windows\\System32\\config\\SYSTEM"
STORE = "S:\\EFI\\Microsoft\\Boot\\BCD"


def reg(machine: Machine, *argv: str, command_index: int = 0) -> tuple[int, str, str]:
    return run_native("reg.exe", list(argv), machine, command_index=command_index)


def run(machine: Machine, script: str, command_index: int = 0) -> tuple[int, str, str]:
    result = run_powershell(script, machine, command_index=command_index)
    return result.exit_code, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


def _values(machine: Machine, key: str) -> dict[str, object]:
    hive = RegistryHive(str(machine.resolve_path(BROKEN_SYSTEM)))
    return {v.name: v.value for v in hive.get_key(key).iter_values()}


# --- reg add: types and data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name", ["REG_FOO", "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_RESOURCE_LIST",
                                       "REG_FULL_RESOURCE_DESCRIPTOR", "DWORD", "REG_DWORD "])
def test_reg_add_refuses_types_outside_reg_add_help(machine: Machine, type_name: str) -> None:
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    rc, out, err = reg(machine, "add", "HKLM\\B\\Select", "/v", "New", "/t", type_name, "/d", "1", "/f")
    assert (rc, out) == (1, "") and err.startswith("ERROR: Invalid syntax. Specify a valid registry data type")
    assert reg(machine, "query", "HKLM\\B\\Select", "/v", "New")[0] == 1


# Only cases reg.exe refuses for sure (its wcstoul leaves characters over, or the value overflows). The simulator is
# stricter still (it also refuses " 1", "+1", "" and non-ASCII digits, whose fate on Windows is not documented).
@pytest.mark.parametrize("data", ["1 ", "1_0", "-1", "0x", "0x1_0", "1.5", "1e3", "4294967296", "0x100000000", "0b1",
                                  "ten"])
def test_reg_add_refuses_bad_dword_data(machine: Machine, data: str) -> None:
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    rc, _out, err = reg(machine, "add", "HKLM\\B\\Select", "/v", "Current", "/t", "REG_DWORD", "/d", data, "/f")
    assert rc == 1 and err.startswith("ERROR: ")
    assert reg(machine, "unload", "HKLM\\B")[0] == 0
    assert _values(machine, "\\Select")["Current"] == 1


@pytest.mark.parametrize(("data", "number"), [("0", 0), ("4294967295", 0xFFFFFFFF), ("0xFFFFFFFF", 0xFFFFFFFF),
                                              ("0X1a", 26), ("010", 10)])
def test_reg_add_accepts_decimal_and_hex_dwords(machine: Machine, data: str, number: int) -> None:
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    assert reg(machine, "add", "HKLM\\B\\Select", "/v", "Current", "/t", "REG_DWORD", "/d", data, "/f")[0] == 0
    reg(machine, "unload", "HKLM\\B")
    assert _values(machine, "\\Select")["Current"] == number


@pytest.mark.parametrize("data", ["18446744073709551616", "0x10000000000000000", "1 ", "-0"])
def test_reg_add_refuses_bad_qword_data(machine: Machine, data: str) -> None:
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    assert reg(machine, "add", "HKLM\\B\\T", "/v", "Q", "/t", "REG_QWORD", "/d", data, "/f")[0] == 1
    assert reg(machine, "query", "HKLM\\B\\T")[0] == 1     # not even the key was created


def test_reg_add_without_f_never_overwrites_an_existing_value(machine: Machine) -> None:
    script = (f"reg load HKLM\\B '{BROKEN_SYSTEM}'\n"
              "reg add HKLM\\B\\Select /v Current /t REG_DWORD /d 2\n\"rc:over:$LASTEXITCODE\"\n"
              "reg add HKLM\\B\\Select /v Brand /t REG_DWORD /d 2\n\"rc:new:$LASTEXITCODE\"\n"
              "reg unload HKLM\\B\nexit 0")
    code, out, err = run(machine, script)
    assert "rc:over:1" in out and "rc:new:0" in out and err.startswith("ERROR: ")
    assert _values(machine, "\\Select")["Current"] == 1 and _values(machine, "\\Select")["Brand"] == 2


# --- hives in use --------------------------------------------------------------------------------------------------


def test_bcd_store_loaded_by_reg_load_is_refused_by_bcdedit_through_the_host(machine: Machine) -> None:
    run(machine, "Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'S:\\'")
    store = machine.resolve_path(STORE)
    before = store.read_bytes()
    script = (f"reg load HKLM\\BCDX '{STORE}'\n"
              f"bcdedit /store '{STORE}' /set '{{default}}' bootlog yes\n\"rc:set:$LASTEXITCODE\"\n"
              f"bcdedit /store '{STORE}' /enum all\n\"rc:enum:$LASTEXITCODE\"\n"
              "reg unload HKLM\\BCDX\nexit 0")
    _code, out, _err = run(machine, script)
    assert "rc:set:1" in out and "rc:enum:1" in out
    assert "being used by another process" in out     # bcdedit writes its errors to stdout
    assert store.read_bytes() == before
    assert run(machine, f"bcdedit /store '{STORE}' /set '{{default}}' bootlog yes")[0] == 0   # free again


@pytest.mark.parametrize("spelling", [
    "f:\\WINDOWS\\system32\\CONFIG\\system",
    "F:\\Windows\\System32\\..\\System32\\config\\SYSTEM",
    "F:/Windows/System32/config/SYSTEM",
    "F:\\Windows\\.\\System32\\config\\SYSTEM",
])
def test_the_same_file_cannot_be_loaded_twice_under_another_spelling(machine: Machine, spelling: str) -> None:
    assert reg(machine, "load", "HKLM\\A", BROKEN_SYSTEM)[0] == 0
    rc, _out, err = reg(machine, "load", "HKLM\\B", spelling)
    assert rc == 1 and "being used by another process" in err
    assert machine.registry.get("HKLM", "B") is None


@pytest.mark.parametrize("hive", ["SYSTEM", "SOFTWARE", "SAM", "SECURITY", "DEFAULT"])
def test_the_recovery_vms_own_hives_cannot_be_loaded(machine: Machine, hive: str) -> None:
    path = f"c:\\windows\\system32\\config\\{hive.lower()}"
    before = machine.resolve_path(path).read_bytes()
    code, _out, err = run(machine, f"reg load HKLM\\VMR_X '{path}'\nexit $LASTEXITCODE")
    assert code == 1 and "being used by another process" in err
    assert machine.resolve_path(path).read_bytes() == before


def test_the_recovery_vms_own_bcd_store_is_in_use(machine: Machine) -> None:
    assert run(machine, "Add-PartitionAccessPath -DiskNumber 0 -PartitionNumber 1 -AccessPath 'S:\\'")[0] == 0
    store = machine.resolve_path(STORE)
    before = store.read_bytes()
    assert run(machine, f"reg load HKLM\\VMR_BCD '{STORE}'\nexit $LASTEXITCODE")[0] == 1
    assert run(machine, f"bcdedit /store '{STORE}' /set '{{default}}' bootlog yes\nexit $LASTEXITCODE")[0] == 1
    assert run(machine, f"Set-Content -LiteralPath '{STORE}' -Value 'x' -Encoding UTF8")[0] == 1
    assert store.read_bytes() == before


def test_dirty_hive_is_refused_by_reg_and_bcdedit_and_no_file_changes(machine: Machine) -> None:
    source = DATA / "hives" / "dirty" / "NewDirtyHive1"
    if not source.is_dir():
        pytest.skip(f"real dirty hive {source} is not available (the shared data folder is missing)")
    target = machine.resolve_path("F:\\dirty")
    shutil.copytree(source, target)
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in target.iterdir()}
    script = ("reg load HKLM\\VMR_D 'F:\\dirty\\NewDirtyHive'\n\"rc:load:$LASTEXITCODE\"\n"
              "reg query HKLM\\VMR_D\n\"rc:query:$LASTEXITCODE\"\n"
              "bcdedit /store 'F:\\dirty\\NewDirtyHive' /enum all\n\"rc:enum:$LASTEXITCODE\"\n"
              "bcdedit /store 'F:\\dirty\\NewDirtyHive' /set '{bootmgr}' timeout 5\n\"rc:set:$LASTEXITCODE\"\n"
              "exit 0")
    _code, out, _err = run(machine, script)
    assert all(f"rc:{step}:1" in out for step in ("load", "query", "enum", "set"))
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in target.iterdir()} == digests


# --- unload denied and read-only disks -----------------------------------------------------------------------------


def test_unload_denied_by_the_fault_plan_keeps_the_hive_loaded_through_the_host(machine: Machine) -> None:
    machine.faults = FaultPlan.from_specs(["unload-denied@2"])
    host = machine.resolve_path(BROKEN_SYSTEM)
    before = host.read_bytes()
    assert run(machine, f"reg load HKLM\\VMR_SYS '{BROKEN_SYSTEM}'\n"
                        "reg add HKLM\\VMR_SYS\\Select /v Current /t REG_DWORD /d 2 /f", command_index=1)[0] == 0
    code, out, err = run(machine, "reg unload HKLM\\VMR_SYS", command_index=2)
    assert (code, out, err) == (1, "", "ERROR: Access is denied.\r\n")
    assert host.read_bytes() == before                                 # nothing flushed
    assert run(machine, "reg query HKLM\\VMR_SYS\\Select /v Current", command_index=3)[1].count("0x2") == 1
    assert reg(machine, "load", "HKLM\\OTHER", BROKEN_SYSTEM)[0] == 1    # still in use
    assert run(machine, "reg unload HKLM\\VMR_SYS", command_index=3)[0] == 0
    assert _values(machine, "\\Select")["Current"] == 2


def test_bcdedit_cannot_write_a_store_on_a_read_only_disk(machine: Machine) -> None:
    setup = ("Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'S:\\'\n"
             "Set-Disk -Number 1 -IsReadOnly $true")
    assert run(machine, setup)[0] == 0
    store = machine.resolve_path(STORE)
    before = store.read_bytes()
    assert run(machine, f"bcdedit /store '{STORE}' /set '{{default}}' bootlog yes\nexit $LASTEXITCODE")[0] == 1
    assert run(machine, f"bcdedit /store '{STORE}' /deletevalue '{{default}}' nx\nexit $LASTEXITCODE")[0] == 1
    assert run(machine, f"bcdedit /store '{STORE}' /enum '{{default}}'\nexit $LASTEXITCODE")[0] == 0
    assert store.read_bytes() == before
    assert run(machine, "Set-Disk -Number 1 -IsReadOnly $false")[0] == 0
    assert run(machine, f"bcdedit /store '{STORE}' /set '{{default}}' bootlog yes\nexit $LASTEXITCODE")[0] == 0


def test_reg_cannot_write_a_hive_on_a_read_only_disk(machine: Machine) -> None:
    assert run(machine, "Set-Disk -Number 1 -IsReadOnly $true")[0] == 0
    host = machine.resolve_path(BROKEN_SYSTEM)
    before = host.read_bytes()
    reg(machine, "load", "HKLM\\B", BROKEN_SYSTEM)
    assert reg(machine, "add", "HKLM\\B\\Select", "/v", "Current", "/t", "REG_DWORD", "/d", "2", "/f")[0] == 1
    reg(machine, "unload", "HKLM\\B")
    assert host.read_bytes() == before
