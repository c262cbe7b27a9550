"""bcdedit device elements: `/enum` decodes the 88-byte blob against the machine's disks, `/set … partition=X:`
encodes it (reference §1 "Device elements"); the bytes are read back with regipy, the expected layout is written
out here from the reference, not taken from the simulator."""
from __future__ import annotations

import shutil
import struct
import uuid
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.simulator.powershell import run_powershell
from tests.simulator.windows import bcdedit, i18n
from tests.simulator.windows.build import build_machine
from tests.simulator.windows.machine import Machine

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"
BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
GEN2_STORE = "S:\\EFI\\Microsoft\\Boot\\BCD"
GEN1_STORE = "E:\\boot\\BCD"


def _gen2(tmp_path: Path) -> Machine:
    build_machine(tmp_path / "m", generation=2)
    machine = Machine.load(tmp_path / "m")
    machine.add_access_path(1, 1, "S:\\")
    return machine


def _gen1(tmp_path: Path) -> Machine:
    build_machine(tmp_path / "m", generation=1)
    return Machine.load(tmp_path / "m")


def _element_bytes(host: Path, guid: str, code: str) -> tuple[str, bytes]:
    key = RegistryHive(str(host)).get_key(f"\\Objects\\{guid}\\Elements\\{code}")
    value = next(v for v in key.iter_values(as_json=False) if v.name == "Element")
    return value.value_type, bytes.fromhex(value.value)


def _default_loader(host: Path) -> str:
    key = RegistryHive(str(host)).get_key(f"\\Objects\\{BOOTMGR}\\Elements\\23000003")
    return next(v.value for v in key.iter_values() if v.name == "Element")


def _gpt_blob(disk_guid: str, partition_guid: str) -> bytes:
    blob = bytearray(0x58)
    struct.pack_into("<I", blob, 0x10, 6)       # partition
    struct.pack_into("<I", blob, 0x18, 0x48)
    blob[0x20:0x30] = uuid.UUID(partition_guid).bytes_le
    struct.pack_into("<I", blob, 0x34, 0)       # GPT
    blob[0x38:0x48] = uuid.UUID(disk_guid).bytes_le
    return bytes(blob)


def _mbr_blob(signature: int, offset: int) -> bytes:
    blob = bytearray(0x58)
    struct.pack_into("<I", blob, 0x10, 6)
    struct.pack_into("<I", blob, 0x18, 0x48)
    struct.pack_into("<Q", blob, 0x20, offset)
    struct.pack_into("<I", blob, 0x34, 1)       # MBR
    struct.pack_into("<I", blob, 0x38, signature)
    return bytes(blob)


def _enum_devices(machine: Machine, store: str, identifier: str) -> dict[str, str]:
    rc, out, _err = bcdedit.run(["/store", store, "/enum", identifier], machine)
    assert rc == 0
    return {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines()
            if line.split()[:1] in (["device"], ["osdevice"])}


def test_enum_decodes_gpt_partitions_to_letters(tmp_path):
    machine = _gen2(tmp_path)
    assert _enum_devices(machine, GEN2_STORE, "{default}") == {"device": "partition=F:", "osdevice": "partition=F:"}
    assert _enum_devices(machine, GEN2_STORE, "{bootmgr}") == {"device": "partition=S:"}


def test_enum_shows_an_unlettered_partition_as_a_volume_path_and_a_vanished_one_as_unknown(tmp_path):
    machine = _gen2(tmp_path)
    machine.remove_access_path(1, 1, "S:\\")  # the ESP has no letter now; reach its store through a copy on C:
    esp = machine.dir / machine.disks[1].partitions[0].volume_dir
    shutil.copyfile(esp / "EFI/Microsoft/Boot/BCD", machine.resolve_path("C:\\") / "BCD.copy")
    devices = _enum_devices(machine, "C:\\BCD.copy", "{bootmgr}")
    assert devices["device"].startswith("partition=\\Device\\HarddiskVolume")
    # A disk whose GUID changed (what Windows does to a colliding disk) no longer holds the partition.
    machine.disks[1].guid = "{" + str(uuid.uuid4()).upper() + "}"
    assert _enum_devices(machine, "C:\\BCD.copy", "{default}") == {"device": "unknown", "osdevice": "unknown"}


def test_enum_decodes_mbr_partitions_and_boot_devices(tmp_path):
    machine = _gen1(tmp_path)
    assert _enum_devices(machine, GEN1_STORE, "{default}") == {"device": "partition=F:", "osdevice": "partition=F:"}
    assert _enum_devices(machine, GEN1_STORE, "{bootmgr}") == {"device": "partition=E:"}
    real = DATA / "hives/bcd/windeploy-bios-BCD"
    if not real.is_file():
        pytest.skip(f"real BCD store {real} is not available")
    shutil.copyfile(real, machine.resolve_path("C:\\") / "real.bcd")
    # The real setup store names {bootmgr}'s device as a type-5 (boot) device: bcdedit shows `boot`.
    assert _enum_devices(machine, "C:\\real.bcd", "{bootmgr}") == {"device": "boot"}


def test_set_device_and_osdevice_encode_the_gpt_partition_of_that_letter(tmp_path):
    machine = _gen2(tmp_path)
    host = machine.resolve_path(GEN2_STORE)
    loader = _default_loader(host)
    data_disk = machine.disks[1]
    target = data_disk.partitions[2]  # the OS partition, F:
    for element, code in (("device", "11000001"), ("osdevice", "21000001")):
        # First point it elsewhere (the ESP, S:) so the write is visible, then back to F:.
        rc, out, _err = bcdedit.run(["/store", GEN2_STORE, "/set", "{default}", element, "partition=s:"], machine)
        assert (rc, out) == (0, i18n.text("en-US", "bcdedit.success") + "\r\n")
        assert _element_bytes(host, loader, code) == (
            "REG_BINARY", _gpt_blob(data_disk.guid, data_disk.partitions[0].guid))
        assert bcdedit.run(["/store", GEN2_STORE, "/set", "{default}", element, "partition=F:"], machine)[0] == 0
        assert _element_bytes(host, loader, code) == ("REG_BINARY", _gpt_blob(data_disk.guid, target.guid))
    assert _enum_devices(machine, GEN2_STORE, "{default}") == {"device": "partition=F:", "osdevice": "partition=F:"}


def test_set_device_encodes_an_mbr_partition(tmp_path):
    machine = _gen1(tmp_path)
    host = machine.resolve_path(GEN1_STORE)
    disk = machine.disks[1]
    assert bcdedit.run(["/store", GEN1_STORE, "/set", "{bootmgr}", "device", "partition=F:"], machine)[0] == 0
    assert _element_bytes(host, BOOTMGR, "11000001") == ("REG_BINARY", _mbr_blob(disk.signature,
                                                                                 disk.partitions[1].offset))


@pytest.mark.parametrize("value", ["partition=Q:", "partition=F", "partition=", "partition=FF:", "ramdisk=[F:]\\x.wim",
                                   "F:", "partition=1:"])
def test_unresolvable_device_is_refused_and_the_store_untouched(tmp_path, value):
    machine = _gen2(tmp_path)
    host = machine.resolve_path(GEN2_STORE)
    before = host.read_bytes()
    rc, out, _err = bcdedit.run(["/store", GEN2_STORE, "/set", "{default}", "osdevice", value], machine)
    assert rc == 1 and out.startswith(i18n.text("en-US", "bcdedit.device_invalid") + "\r\n")
    assert host.read_bytes() == before


def test_a_letter_on_an_offline_disk_is_not_a_device(tmp_path):
    build_machine(tmp_path / "m", generation=2, scenario="offline-disk")
    machine = Machine.load(tmp_path / "m")
    esp = machine.dir / machine.disks[1].partitions[0].volume_dir
    shutil.copyfile(esp / "EFI/Microsoft/Boot/BCD", machine.resolve_path("C:\\") / "store.bcd")
    devices = _enum_devices(machine, "C:\\store.bcd", "{default}")
    assert devices == {"device": "unknown", "osdevice": "unknown"}   # disk 1 is offline: no such partition
    rc, _out, _err = bcdedit.run(["/store", "C:\\store.bcd", "/set", "{default}", "osdevice", "partition=F:"], machine)
    assert rc == 1                                                    # F: does not exist while it is offline


def test_set_device_through_the_powershell_host(tmp_path):
    machine = _gen2(tmp_path)
    host = machine.resolve_path(GEN2_STORE)
    loader = _default_loader(host)
    script = (f"bcdedit /store '{GEN2_STORE}' /set '{{default}}' osdevice 'partition=S:'\n"
              "\"rc=$LASTEXITCODE\"\nexit 0")
    result = run_powershell(script, machine)
    assert result.stdout.decode().endswith("rc=0\r\n")
    disk = machine.disks[1]
    assert _element_bytes(host, loader, "21000001")[1] == _gpt_blob(disk.guid, disk.partitions[0].guid)
