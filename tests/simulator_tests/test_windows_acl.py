"""Driver files of a built machine belong to TrustedInstaller: a plain copy is refused, takeown + icacls open them."""

from __future__ import annotations

import hashlib

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
