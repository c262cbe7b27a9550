"""build_machine: layouts per generation and scenario, BCD/SYSTEM contents read back with regipy, PE and dumps."""
from __future__ import annotations

import json
import struct
import uuid

import pefile
import pytest
from regipy.registry import RegistryHive

from tests.simulator.windows import bcdstore
from tests.simulator.windows.build import SCENARIOS, build_machine
from tests.simulator.windows.machine import Machine, MachineError

ALL_BUILDS = [(g, s) for g in (1, 2) for s in SCENARIOS if not (s == "bcd-on-os-volume" and g == 2)]


def _element(hive: RegistryHive, guid: str, code: int):
    key = hive.get_key(f"\\Objects\\{guid}\\Elements\\{code:08x}")
    return next(v for v in key.iter_values(as_json=False) if v.name == "Element")


def _raw_element(path, guid: str, code: int) -> bytes:
    from tests.simulator.windows.hivefile import open_hive

    hive = open_hive(path, write=False)
    node = hive.root()
    for part in ("Objects", guid, "Elements", f"{code:08x}"):
        node = hive.node_get_child(node, part)
    return hive.value_value(hive.node_get_value(node, "Element"))[1]


@pytest.mark.parametrize(("generation", "scenario"), ALL_BUILDS)
def test_every_scenario_builds_and_loads(tmp_path, generation, scenario):
    build_machine(tmp_path / "m", generation=generation, scenario=scenario)
    machine = Machine.load(tmp_path / "m")
    assert machine.disks[0].is_system and machine.resolve_path("C:\\Windows\\System32\\config\\SYSTEM").is_file()
    assert machine.resolve_path(machine.temp_dir()).is_dir()
    windows_disks = [d for d in machine.disks[1:] if any(p.role == "os" for p in d.partitions)]
    expected = {"no-windows-disk": 0, "two-windows-disks": 2}.get(scenario, 1)
    assert len(windows_disks) == expected
    for disk in windows_disks:
        assert disk.partition_style == ("GPT" if generation == 2 else "MBR")


def test_unknown_scenario_and_gen2_bcd_on_os_volume_are_refused(tmp_path):
    with pytest.raises(ValueError):
        build_machine(tmp_path / "a", scenario="nope")
    with pytest.raises(ValueError):
        build_machine(tmp_path / "b", generation=2, scenario="bcd-on-os-volume")


def test_gen2_layout_esp_without_letter_and_bcd_elements(tmp_path):
    build_machine(tmp_path / "m", generation=2)
    machine = Machine.load(tmp_path / "m")
    disk = machine.disks[1]
    esp, msr, os_part = disk.partitions
    assert (esp.gpt_type, esp.letter, esp.file_system) == ("{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}", None, "FAT32")
    assert msr.volume_dir is None and os_part.letter == "F"
    bcd_path = tmp_path / "m" / esp.volume_dir / "EFI" / "Microsoft" / "Boot" / "BCD"
    hive = RegistryHive(str(bcd_path))
    assert hive.root.name == "NewStoreRoot"
    assert hive.get_key("\\Description").get_value("KeyName") == "BCD00000000"
    bootmgr_type = hive.get_key(f"\\Objects\\{bcdstore.BOOTMGR}\\Description").get_value("Type")
    assert bootmgr_type == 0x10100002
    loader = _element(hive, bcdstore.BOOTMGR, 0x23000003).value
    assert hive.get_key(f"\\Objects\\{loader}\\Description").get_value("Type") == 0x10200003
    assert _element(hive, loader, 0x12000002).value == "\\Windows\\system32\\winload.efi"
    assert _element(hive, loader, 0x14000006).value_type == "REG_MULTI_SZ"
    assert _raw_element(bcd_path, bcdstore.BOOTMGR, 0x25000004) == bytes.fromhex("1e00000000000000")
    assert _raw_element(bcd_path, loader, 0x16000009) == b"\x00"  # recoveryenabled No, one byte
    assert _raw_element(bcd_path, loader, 0x250000E0) == struct.pack("<Q", 1)  # IgnoreAllFailures
    device = _raw_element(bcd_path, loader, 0x21000001)
    assert len(device) == 88 and struct.unpack_from("<I", device, 0x10)[0] == 6
    assert device[0x20:0x30] == uuid.UUID(os_part.guid).bytes_le
    assert device[0x38:0x48] == uuid.UUID(disk.guid).bytes_le


def test_gen1_system_reserved_holds_boot_bcd_with_mbr_devices(tmp_path):
    build_machine(tmp_path / "m", generation=1)
    machine = Machine.load(tmp_path / "m")
    disk = machine.disks[1]
    reserved, os_part = disk.partitions
    assert reserved.label == "System Reserved" and reserved.active and reserved.letter == "E"
    bcd_path = machine.resolve_path("e:\\BOOT\\bcd")  # case-insensitive like NTFS
    assert bcd_path.is_file()
    hive = RegistryHive(str(bcd_path))
    loader = _element(hive, bcdstore.BOOTMGR, 0x23000003).value
    assert _element(hive, loader, 0x12000002).value == "\\Windows\\system32\\winload.exe"
    device = _raw_element(bcd_path, loader, 0x11000001)
    assert struct.unpack_from("<QxxxxxxxxIIxxxx", device, 0x20)[0] == os_part.offset
    assert struct.unpack_from("<I", device, 0x34)[0] == 1
    assert struct.unpack_from("<I", device, 0x38)[0] == disk.signature


def test_bcd_on_os_volume(tmp_path):
    build_machine(tmp_path / "m", generation=1, scenario="bcd-on-os-volume")
    machine = Machine.load(tmp_path / "m")
    assert [p.role for p in machine.disks[1].partitions] == ["os"]
    assert machine.resolve_path("F:\\boot\\BCD").is_file()


def test_system_hive_select_crashcontrol_services(tmp_path):
    build_machine(tmp_path / "m")
    machine = Machine.load(tmp_path / "m")
    hive = RegistryHive(str(machine.resolve_path("F:\\Windows\\System32\\config\\SYSTEM")))
    select = {v.name: v.value for v in hive.get_key("\\Select").iter_values()}
    assert select == {"Current": 1, "Default": 1, "Failed": 0, "LastKnownGood": 2}
    for control_set in ("ControlSet001", "ControlSet002"):
        crash = {v.name: v for v in hive.get_key(f"\\{control_set}\\Control\\CrashControl").iter_values()}
        assert crash["CrashDumpEnabled"].value == 7 and crash["AutoReboot"].value == 1
        assert (crash["DumpFile"].value_type, crash["DumpFile"].value) == ("REG_EXPAND_SZ", "%SystemRoot%\\MEMORY.DMP")
    filecrypt = {v.name: v.value for v in hive.get_key("\\ControlSet001\\Services\\FileCrypt").iter_values()}
    assert filecrypt["ErrorControl"] == 3 and filecrypt["Start"] == 1
    driver = machine.resolve_path("F:\\Windows\\System32\\drivers\\filecrypt.sys").read_bytes()
    pe = pefile.PE(data=driver)
    assert pe.FILE_HEADER.Machine == 0x8664 and pe.verify_checksum()
    assert pe.OPTIONAL_HEADER.Subsystem == 1  # native


def test_software_hive_current_version(tmp_path):
    build_machine(tmp_path / "m")
    machine = Machine.load(tmp_path / "m")
    hive = RegistryHive(str(machine.resolve_path("F:\\Windows\\System32\\config\\SOFTWARE")))
    current = {v.name: v.value for v in hive.get_key("\\Microsoft\\Windows NT\\CurrentVersion").iter_values()}
    assert current["CurrentBuild"] == "17763" and current["ProductName"].startswith("Windows Server")


@pytest.mark.parametrize(("scenario", "has_dump"), [("critical-service-failed", True), ("clean", False)])
def test_crash_dump_header(tmp_path, scenario, has_dump):
    build_machine(tmp_path / "m", scenario=scenario)
    machine = Machine.load(tmp_path / "m")
    dump = machine.resolve_path("F:\\Windows\\MEMORY.DMP")
    assert dump.exists() == has_dump
    minidumps = list(machine.resolve_path("F:\\Windows\\Minidump").iterdir())
    assert len(minidumps) == (1 if has_dump else 0)
    for path in [dump, *minidumps] if has_dump else []:
        header = path.read_bytes()[:0x60]
        assert header[:8] == b"PAGEDU64"
        assert struct.unpack_from("<I", header, 0x38)[0] == 0x5A
        assert struct.unpack_from("<4Q", header, 0x40)[3] == 0xFFFFFFFFC0000428


def test_offline_collision_disk_gets_letters_and_new_signature_when_online(tmp_path):
    build_machine(tmp_path / "m", generation=1, scenario="offline-disk")
    machine = Machine.load(tmp_path / "m")
    disk = machine.disks[1]
    assert disk.offline and disk.offline_reason == "Collision" and disk.signature == machine.disks[0].signature
    with pytest.raises(FileNotFoundError):
        machine.resolve_path("F:\\Windows")
    machine.set_disk_offline(1, False)
    reloaded = Machine.load(tmp_path / "m")  # persisted
    assert [p.letter for p in reloaded.disks[1].partitions] == ["E", "F"]
    assert reloaded.disks[1].signature != reloaded.disks[0].signature
    assert reloaded.resolve_path("F:\\Windows\\System32\\config\\SYSTEM").is_file()


def test_access_paths(tmp_path):
    build_machine(tmp_path / "m", generation=2)
    machine = Machine.load(tmp_path / "m")
    with pytest.raises(MachineError) as used:
        machine.add_access_path(1, 1, "F:\\")
    assert used.value.reason == "letter-in-use"
    machine.add_access_path(1, 1, "S:\\")
    assert machine.resolve_path("S:\\EFI\\Microsoft\\Boot\\BCD").is_file()
    machine.remove_access_path(1, 1, "S:\\")
    with pytest.raises(FileNotFoundError):
        machine.resolve_path("S:\\EFI")
    assert json.loads((tmp_path / "m" / "machine.json").read_text())["disks"][1]["partitions"][0]["letter"] is None


def test_real_files_replace_generated_ones(tmp_path):
    from tests.simulator_tests.test_windows_hives import _data

    bcd = _data("hives/bcd/windeploy-efi-BCD")
    build_machine(tmp_path / "m", generation=2, bcd=bcd)
    machine = Machine.load(tmp_path / "m")
    esp = machine.disks[1].partitions[0]
    assert (tmp_path / "m" / esp.volume_dir / "EFI/Microsoft/Boot/BCD").read_bytes() == bcd.read_bytes()
