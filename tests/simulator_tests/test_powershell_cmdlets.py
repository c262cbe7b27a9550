"""Every cmdlet of the contract's table on a real simulated machine, and ConvertTo-Json's PS 5.1 shapes."""

from __future__ import annotations

import codecs
import hashlib
import json
from pathlib import Path

import pytest

from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine
from tests.simulator_tests.pshost import run


def json_of(machine: Machine, script: str) -> object:
    code, out, err = run(machine, script)
    assert (code, err) == (0, "")
    return json.loads(out)


# ---- files -------------------------------------------------------------------------------------------------------

def test_set_content_utf8_has_bom_and_crlf(machine: Machine) -> None:
    run(machine, "Set-Content -LiteralPath 'C:\\t.txt' -Value 'héllo' -Encoding UTF8")
    assert machine.resolve_path("C:\\t.txt").read_bytes() == codecs.BOM_UTF8 + "héllo\r\n".encode("utf-8")
    run(machine, "Set-Content -LiteralPath 'C:\\t.txt' -Value \"a`nb\" -Encoding UTF8 -NoNewline")
    assert machine.resolve_path("C:\\t.txt").read_bytes() == codecs.BOM_UTF8 + b"a\nb"


def test_get_content_raw_lines_and_bytes(machine: Machine) -> None:
    machine.resolve_path("C:\\d.txt").write_bytes(codecs.BOM_UTF8 + "x1\r\nÿ2\r\n".encode("utf-8"))
    assert run(machine, "Get-Content -LiteralPath 'C:\\d.txt' -Raw")[1] == "x1\r\nÿ2\r\n\r\n"
    assert run(machine, "Get-Content -LiteralPath 'C:\\d.txt'")[1] == "x1\r\nÿ2\r\n"
    assert run(machine, "Get-Content -LiteralPath 'C:\\d.txt' -Encoding Byte -TotalCount 3")[1] == "239\r\n187\r\n191\r\n"


def test_test_path(machine: Machine) -> None:
    script = ("Test-Path -LiteralPath 'C:\\Windows'; Test-Path -LiteralPath 'C:\\Windows' -PathType Leaf;"
              "Test-Path -LiteralPath 'C:\\Windows\\System32\\config\\SYSTEM' -PathType Leaf;"
              "Test-Path -LiteralPath 'C:\\nope'; Test-Path -LiteralPath 'S:\\'")
    assert run(machine, script)[1] == "True\r\nFalse\r\nTrue\r\nFalse\r\nFalse\r\n"


def test_new_item_copy_hash_remove(machine: Machine) -> None:
    code, out, err = run(machine, "New-Item -ItemType Directory -Path 'C:\\vmr\\backup' -Force | Out-Null\n"
                                  "New-Item -ItemType Directory -Path 'C:\\vmr\\backup' -Force | Out-Null\n"
                                  "Copy-Item -LiteralPath 'F:\\Windows\\System32\\config\\SYSTEM' "
                                  "-Destination 'C:\\vmr\\backup\\SYSTEM.bak' -Force")
    assert (code, out, err) == (0, "", "")
    copied = machine.resolve_path("C:\\vmr\\backup\\SYSTEM.bak")
    assert copied.read_bytes() == machine.resolve_path("F:\\Windows\\System32\\config\\SYSTEM").read_bytes()
    found = json_of(machine, "Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\vmr\\backup\\SYSTEM.bak' "
                             "| ConvertTo-Json -Compress")
    assert found == {"Algorithm": "SHA256", "Hash": hashlib.sha256(copied.read_bytes()).hexdigest().upper(),
                     "Path": "C:\\vmr\\backup\\SYSTEM.bak"}
    assert run(machine, "Remove-Item -LiteralPath 'C:\\vmr' -Recurse -Force")[0] == 0
    assert not machine.resolve_path("C:\\vmr").exists()


def test_rename_item_moves_a_folder_with_its_contents_and_never_over_an_existing_item(machine: Machine) -> None:
    folder = machine.resolve_path("C:\\vmr\\20261201T000000Z.partial")
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")
    machine.resolve_path("C:\\vmr\\TAKEN").mkdir()
    code, out, err = run(machine, "Rename-Item -LiteralPath 'C:\\vmr\\20261201T000000Z.partial' -NewName 'taken'\n"
                                  "Rename-Item -LiteralPath 'C:\\vmr\\20261201T000000Z.partial' -NewName 'C:\\x\\y'\n"
                                  "Rename-Item -LiteralPath 'C:\\vmr\\nope' -NewName 'z'")
    assert "Cannot create a file when that file already exists." in err and "RenameItemIOError" in err
    assert "because it represents a path or device name" in err
    assert "Cannot rename because item at 'C:\\vmr\\nope' does not exist." in err
    assert folder.is_dir()
    assert run(machine, "Rename-Item -LiteralPath 'C:\\vmr\\20261201T000000Z.partial' -NewName '20261201T000000Z'")[2] == ""
    assert not folder.exists()
    assert machine.resolve_path("C:\\vmr\\20261201T000000Z\\manifest.json").read_text() == "{}"


@pytest.mark.parametrize("command", [
    "Get-Item -LiteralPath 'C:\\missing.txt'",
    "Copy-Item -LiteralPath 'C:\\missing.txt' -Destination 'C:\\x'",
    "Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\missing.txt'",
    "Remove-Item -LiteralPath 'C:\\missing.txt'",
])
def test_missing_path_is_a_non_terminating_error(machine: Machine, command: str) -> None:
    code, out, err = run(machine, command + "\nWrite-Output 'went on'")
    assert out == "went on\r\n"
    assert "Cannot find path 'C:\\missing.txt' because it does not exist." in err
    assert "ItemNotFoundException" in err


def test_missing_drive(machine: Machine) -> None:
    err = run(machine, "Get-Item -LiteralPath 'S:\\EFI'")[2]
    assert "Cannot find drive. A drive with the name 'S' does not exist." in err


def test_get_item_object(machine: Machine) -> None:
    item = json_of(machine, "Get-Item -LiteralPath 'f:\\windows\\system32\\config\\SYSTEM' | ConvertTo-Json -Compress")
    host = machine.resolve_path("F:\\Windows\\System32\\config\\SYSTEM")
    assert item["FullName"] == "f:\\windows\\system32\\config\\SYSTEM"
    assert item["Name"] == "SYSTEM" and item["Length"] == host.stat().st_size and item["Attributes"] == 32
    assert item["LastWriteTimeUtc"] == f"/Date({int(host.stat().st_mtime * 1000)})/"
    assert item["VersionInfo"] == {"FileVersion": None, "ProductVersion": None}   # not a PE file
    directory = json_of(machine, "Get-Item -LiteralPath 'C:\\Windows' | ConvertTo-Json -Compress")
    assert directory["Attributes"] == 16 and "Length" not in directory


def test_get_child_item_file_recurse(machine: Machine) -> None:
    root = machine.resolve_path("C:\\")
    (root / "tree" / "sub").mkdir(parents=True)
    (root / "tree" / "b.txt").write_text("b")
    (root / "tree" / "sub" / "a.txt").write_text("a")
    names = json_of(machine, "Get-ChildItem -LiteralPath 'C:\\tree' -File -Recurse | Select-Object -Property "
                             "FullName | ConvertTo-Json -Compress")
    assert names == [{"FullName": "C:\\tree\\b.txt"}, {"FullName": "C:\\tree\\sub\\a.txt"}]
    everything = json_of(machine, "Get-ChildItem -LiteralPath 'C:\\tree' | Select-Object Name | ConvertTo-Json -Compress")
    assert everything == [{"Name": "sub"}, {"Name": "b.txt"}]


def test_live_hive_cannot_be_overwritten(machine: Machine) -> None:
    code, _out, err = run(machine, "Remove-Item -LiteralPath 'C:\\Windows\\System32\\config\\SYSTEM' -Force")
    assert code == 1 and "being used by another process" in err
    assert machine.resolve_path("C:\\Windows\\System32\\config\\SYSTEM").exists()


# ---- storage -----------------------------------------------------------------------------------------------------

def test_get_disk_shape(machine: Machine) -> None:
    disks = json_of(machine, "Get-Disk | ConvertTo-Json -Compress")
    assert [disk["Number"] for disk in disks] == [0, 1]
    assert set(disks[0]) >= {"Number", "FriendlyName", "IsOffline", "OfflineReason", "IsReadOnly", "IsSystem",
                             "IsBoot", "PartitionStyle", "Signature", "Guid", "Size"}
    assert disks[0]["PartitionStyle"] == 2 and disks[0]["Signature"] is None and disks[0]["Guid"].startswith("{")
    one = json_of(machine, "Get-Disk -Number 1 | ConvertTo-Json -Compress")
    assert isinstance(one, dict) and one["IsSystem"] is False


def test_get_disk_unknown_number(machine: Machine) -> None:
    code, out, err = run(machine, "Get-Disk -Number 9")
    assert code == 1 and out == ""
    assert "No MSFT_Disk objects found with property 'Number' equal to '9'." in err


def test_partitions_and_access_paths(machine: Machine) -> None:
    esp = json_of(machine, "Get-Partition -DiskNumber 1 | Select-Object -Property PartitionNumber,DriveLetter,GptType "
                           "| ConvertTo-Json -Compress")[0]
    assert esp == {"PartitionNumber": 1, "DriveLetter": "\u0000", "GptType": "{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}"}
    code, _out, err = run(machine, "Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'S:\\'")
    assert (code, err) == (0, "")
    assert run(machine, "Test-Path -LiteralPath 'S:\\EFI\\Microsoft\\Boot\\BCD' -PathType Leaf")[1] == "True\r\n"
    letter = json_of(machine, "Get-Partition -DiskNumber 1 -PartitionNumber 1 | Select-Object DriveLetter "
                              "| ConvertTo-Json -Compress")
    assert letter == {"DriveLetter": "S"}
    code, _out, err = run(machine, "Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 2 -AccessPath 'S:\\'")
    assert code == 1 and err
    run(machine, "Remove-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'S:\\'")
    assert run(machine, "Test-Path -LiteralPath 'S:\\'")[1] == "False\r\n"


def test_set_disk_online_gives_letters(tmp_path: Path) -> None:
    build_machine(tmp_path / "m", scenario="offline-disk")
    machine = Machine.load(tmp_path / "m")
    before = json_of(machine, "Get-Disk -Number 1 | Select-Object IsOffline,OfflineReason | ConvertTo-Json -Compress")
    assert before == {"IsOffline": True, "OfflineReason": 4}
    code, _out, err = run(machine, "Set-Disk -Number 1 -IsOffline $false\nSet-Disk -Number 1 -IsReadOnly:$false")
    assert (code, err) == (0, "")
    letters = json_of(machine, "Get-Partition -DiskNumber 1 | Select-Object DriveLetter | ConvertTo-Json -Compress")
    assert any(entry["DriveLetter"] not in ("\u0000",) for entry in letters)


@pytest.mark.parametrize("generation", [1, 2])
def test_a_colliding_disk_comes_online_intact_once_the_own_disk_has_another_identity(tmp_path: Path,
                                                                                     generation: int) -> None:
    build_machine(tmp_path / "m", generation=generation, scenario="offline-disk")
    machine = Machine.load(tmp_path / "m")
    identity = "Signature" if generation == 1 else "Guid"
    query = f"Get-Disk | Select-Object Number,IsOffline,{identity} | ConvertTo-Json -Compress"
    own, attached = json_of(machine, query)
    assert own[identity] == attached[identity] and attached["IsOffline"]
    temporary = "305419896" if generation == 1 else "'{12345678-1234-4234-8234-123456789ABC}'"
    shown = 305419896 if generation == 1 else "{12345678-1234-4234-8234-123456789ABC}"
    # Not on the offline disk, not of the other style, not mixed with -IsOffline (its own parameter set).
    other = "-Guid '{12345678-1234-4234-8234-123456789ABC}'" if generation == 1 else "-Signature 305419896"
    for script in (f"Set-Disk -Number 1 -{identity} {temporary}", f"Set-Disk -Number 0 {other}",
                   f"Set-Disk -Number 0 -{identity} {temporary} -IsOffline $false"):
        code, _out, err = run(machine, script)
        assert code == 1 and err, script
    assert json_of(machine, query) == [own, attached]
    run(machine, f"Set-Disk -Number 0 -{identity} {temporary}\nSet-Disk -Number 1 -IsOffline $false")
    own_now, attached_now = json_of(machine, query)
    assert own_now[identity] == shown and attached_now == {**attached, "IsOffline": False}
    # The original identity cannot be given back while the twin is online; after it went offline it can.
    original = own[identity] if generation == 1 else f"'{own[identity]}'"
    code, _out, err = run(machine, f"Set-Disk -Number 0 -{identity} {original}")
    assert code == 1 and err
    run(machine, f"Set-Disk -Number 1 -IsOffline $true\nSet-Disk -Number 0 -{identity} {original}")
    assert json_of(machine, query) == [own, {**attached, "IsOffline": True}]


def test_a_disk_brought_online_while_it_collides_gets_a_new_identity(tmp_path: Path) -> None:
    build_machine(tmp_path / "m", generation=2, scenario="offline-disk")
    machine = Machine.load(tmp_path / "m")
    run(machine, "Set-Disk -Number 1 -IsOffline $false")
    own, attached = json_of(machine, "Get-Disk | Select-Object Guid | ConvertTo-Json -Compress")
    assert own["Guid"] != attached["Guid"]


def test_get_volume(machine: Machine) -> None:
    volumes = json_of(machine, "Get-Volume | ConvertTo-Json -Compress")
    lettered = {volume["DriveLetter"]: volume for volume in volumes if volume["DriveLetter"]}
    assert {"C", "F"} <= set(lettered)
    assert lettered["C"]["FileSystem"] == "NTFS" and 0 <= lettered["C"]["SizeRemaining"] <= lettered["C"]["Size"]
    assert any(volume["DriveLetter"] is None for volume in volumes)


# ---- pipeline cmdlets and JSON -----------------------------------------------------------------------------------

def test_convert_to_json_shapes(machine: Machine) -> None:
    assert run(machine, "Get-Disk -Number 0 | Select-Object Number | ConvertTo-Json -Compress")[1] == '{"Number":0}\r\n'
    assert run(machine, "Get-Disk | Select-Object Number | ConvertTo-Json -Compress")[1] == \
        '[{"Number":0},{"Number":1}]\r\n'
    assert run(machine, "Get-Partition -DiskNumber 0 -PartitionNumber 77 | ConvertTo-Json -Compress")[1] == ""
    assert run(machine, "Write-Output \"<a & 'b'>`t\" | ConvertTo-Json -Compress")[1] == \
        '"\\u003ca \\u0026 \\u0027b\\u0027\\u003e\\t"\r\n'
    assert run(machine, "Write-Output $true | ConvertTo-Json")[1] == "true\r\n"


def test_convert_to_json_pretty_layout_of_ps51(machine: Machine) -> None:
    out = run(machine, "Get-Disk -Number 0 | Select-Object Number,IsSystem | ConvertTo-Json")[1]
    assert out == '{\r\n    "Number":  0,\r\n    "IsSystem":  true\r\n}\r\n'


def test_convert_to_json_depth_cuts_to_text(machine: Machine) -> None:
    shallow = json_of(machine, "Get-Item -LiteralPath 'C:\\Windows\\System32\\config\\SYSTEM' | Select-Object "
                               "Name,VersionInfo | ConvertTo-Json -Compress -Depth 1")
    assert isinstance(shallow["VersionInfo"], str)


def test_select_object_missing_property_is_null(machine: Machine) -> None:
    assert json_of(machine, "Get-Disk -Number 0 | Select-Object -Property Number,NoSuch | ConvertTo-Json -Compress") \
        == {"Number": 0, "NoSuch": None}


def test_write_output_array_and_out_null(machine: Machine) -> None:
    assert run(machine, "Write-Output a,'b c'")[1] == "a\r\nb c\r\n"
    assert run(machine, "Write-Output 'x' | Out-Null")[1] == ""


def test_start_sleep(machine: Machine) -> None:
    assert run(machine, "Start-Sleep -Milliseconds 10") == (0, "", "")


def test_input_to_a_cmdlet_without_pipeline_input(machine: Machine) -> None:
    code, _out, err = run(machine, "Write-Output 'x' | Get-Disk")
    assert code == 1 and "The input object cannot be bound to any parameters" in err
