"""Driver files of a built machine belong to TrustedInstaller: a plain copy is refused, takeown + icacls open them."""

from __future__ import annotations

import hashlib
import json

from tests.simulator.windows.acl import ADMINISTRATORS, TRUSTED_INSTALLER
from tests.simulator.windows.machine import Machine
from tests.simulator_tests.pshost import run

DRIVER = "F:\\Windows\\System32\\drivers\\filecrypt.sys"
GOOD = "C:\\Windows\\System32\\drivers\\volmgr.sys"
COPY = f"Copy-Item -LiteralPath '{GOOD}' -Destination '{DRIVER}' -Force\n" + "if (-not $?) { 'copy failed' }"
RC = '"rc:$LASTEXITCODE"'  # the last native program's exit code


def digest(machine: Machine, path: str) -> str:
    return hashlib.sha256(machine.resolve_path(path).read_bytes()).hexdigest()


def test_a_plain_copy_onto_a_driver_is_refused_and_changes_nothing(machine: Machine) -> None:
    before = digest(machine, DRIVER)
    _code, out, err = run(machine, COPY)
    assert f"Access to the path '{DRIVER}' is denied." in err
    assert "copy failed" in out
    assert digest(machine, DRIVER) == before
    _code, _out, err = run(machine, f"Remove-Item -LiteralPath '{DRIVER}' -Force")
    assert "is denied" in err and machine.resolve_path(DRIVER).is_file()


def test_takeown_grant_then_copy_then_setowner(machine: Machine) -> None:
    script = (f"takeown.exe /F '{DRIVER}' /A\n{RC}\n"
              f"icacls.exe '{DRIVER}' /grant '*S-1-5-32-544:F'\n{RC}\n{COPY}\n"
              f"icacls.exe '{DRIVER}' /setowner 'NT SERVICE\\TrustedInstaller'\n{RC}")
    _code, out, err = run(machine, script)
    assert err == ""
    assert out.count("rc:0") == 3 and "copy failed" not in out
    assert f'SUCCESS: The file (or folder): "{DRIVER}" now owned by the administrators group.' in out
    assert f"processed file: {DRIVER}\r\nSuccessfully processed 1 files; Failed processing 0 files" in out
    assert digest(machine, DRIVER) == digest(machine, GOOD)
    acl = Machine.load(machine.dir).acls.get(machine.resolve_path(DRIVER))  # persisted in acls.json
    assert acl.owner == TRUSTED_INSTALLER and "F" in acl.rights_of(ADMINISTRATORS)


def test_a_grant_without_ownership_is_access_denied(machine: Machine) -> None:
    _code, out, err = run(machine, f"icacls.exe '{DRIVER}' /grant '*S-1-5-32-544:F'\n{RC}\n{COPY}")
    assert "rc:1" in out and f"{DRIVER}: Access is denied." in err and "copy failed" in out


def test_takeown_and_icacls_on_a_missing_file_fail(machine: Machine) -> None:
    missing = "F:\\Windows\\System32\\drivers\\nope.sys"
    _code, out, err = run(machine, f"takeown.exe /F '{missing}' /A\n{RC}\n"
                                   f"icacls.exe '{missing}' /setowner 'NT SERVICE\\TrustedInstaller'\n{RC}")
    assert "rc:1" in out and "rc:2" in out and "cannot find the file" in err


def test_icacls_save_writes_the_dacl_without_the_owner(machine: Machine) -> None:
    _code, out, _err = run(machine, f"icacls.exe '{DRIVER}' /save 'C:\\filecrypt.sys.acl'\n{RC}")
    assert "rc:0" in out
    saved = machine.resolve_path("C:\\filecrypt.sys.acl").read_bytes().decode("utf-16-le")
    assert saved.startswith("filecrypt.sys\r\nD:") and f"(A;;FA;;;{TRUSTED_INSTALLER})" in saved
    assert "(A;;0x1200a9;;;BA)" in saved


def test_copies_of_a_driver_and_other_files_are_writable(machine: Machine) -> None:
    _code, _out, err = run(machine, f"Copy-Item -LiteralPath '{DRIVER}' -Destination 'F:\\b.sys' -Force\n"
                                    f"Copy-Item -LiteralPath '{GOOD}' -Destination 'F:\\b.sys' -Force")
    assert err == "" and digest(machine, "F:\\b.sys") == digest(machine, GOOD)


GET_SDDL = "Get-Acl -LiteralPath '{}' | Select-Object -Property Sddl | ConvertTo-Json -Compress"


def sddl_of(machine: Machine, path: str) -> str:
    _code, out, err = run(machine, GET_SDDL.format(path))
    assert err == "", err
    return json.loads(out)["Sddl"]


def test_get_acl_shows_owner_group_and_dacl_by_sid(machine: Machine) -> None:
    sddl = sddl_of(machine, DRIVER)
    assert sddl.startswith(f"O:{TRUSTED_INSTALLER}G:{TRUSTED_INSTALLER}D:(A;;")
    assert f"(A;;FA;;;{TRUSTED_INSTALLER})" in sddl and "(A;;0x1200a9;;;BA)" in sddl
    _code, _out, err = run(machine, GET_SDDL.format("F:\\nope.sys"))
    assert "Cannot find path" in err


def test_save_then_restore_puts_the_dacl_back_and_leaves_the_owner(machine: Machine) -> None:
    before = sddl_of(machine, DRIVER)
    folder = DRIVER.rsplit("\\", 1)[0]
    script = (f"icacls.exe '{DRIVER}' /save 'C:\\filecrypt.sys.acl'\n{RC}\n"
              f"takeown.exe /F '{DRIVER}' /A\n{RC}\n"
              f"icacls.exe '{DRIVER}' /grant '*S-1-5-32-544:F'\n{RC}\n"
              f"icacls.exe '{folder}' /restore 'C:\\filecrypt.sys.acl'\n{RC}")
    _code, out, err = run(machine, script)
    assert err == "" and out.count("rc:0") == 4, out + err
    after = sddl_of(machine, DRIVER)
    assert after == before.replace(f"O:{TRUSTED_INSTALLER}", "O:BA"), after   # DACL back, owner not
    run(machine, f"icacls.exe '{DRIVER}' /setowner '*{TRUSTED_INSTALLER}'")
    assert sddl_of(machine, DRIVER) == before


def test_restore_without_write_dac_is_access_denied(machine: Machine) -> None:
    folder = DRIVER.rsplit("\\", 1)[0]
    before = sddl_of(machine, DRIVER)
    machine.resolve_path("C:\\x.acl").write_bytes("filecrypt.sys\r\nD:(A;;FA;;;BA)\r\n".encode("utf-16-le"))
    _code, out, err = run(machine, f"icacls.exe '{folder}' /restore 'C:\\x.acl'\n{RC}")
    assert "rc:0" not in out and "Access is denied." in err
    assert sddl_of(machine, DRIVER) == before


def test_restore_refuses_a_damaged_aclfile_and_a_missing_entry(machine: Machine) -> None:
    folder = DRIVER.rsplit("\\", 1)[0]
    run(machine, f"takeown.exe /F '{DRIVER}' /A")
    before = sddl_of(machine, DRIVER)
    machine.resolve_path("C:\\bad.acl").write_bytes("filecrypt.sys\r\nD:(A;;FA;;;BA\r\n".encode("utf-16-le"))
    machine.resolve_path("C:\\gone.acl").write_bytes("gone.sys\r\nD:(A;;FA;;;BA)\r\n".encode("utf-16-le"))
    _code, out, err = run(machine, f"icacls.exe '{folder}' /restore 'C:\\bad.acl'\n{RC}\n"
                                   f"icacls.exe '{folder}' /restore 'C:\\gone.acl'\n{RC}")
    assert "rc:0" not in out and "invalid" in err and "cannot find the file" in err
    assert sddl_of(machine, DRIVER) == before
