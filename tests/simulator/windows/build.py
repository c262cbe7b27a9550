"""build_machine: a recovery VM with its own disk 0 and the broken Windows disk(s) attached, per scenario."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
import shutil
import uuid
from pathlib import Path

from . import bcdstore, crashdump, eventlogs, signed_evidence
from .acl import AclStore, windows_file_acl
from .machine import MACHINE_FILE, Disk, Machine, Partition
from .pefile_min import build_driver_image
from .regf import filetime, write_empty_hive
from .systemhive import SERVICES, write_software_hive, write_system_hive

# The one list of scenarios (tests and the CLI read it from here).
SCENARIOS: tuple[str, ...] = (
    "critical-service-failed",  # default: the broken disk crashed with 0x5A (dump files present)
    "clean",  # same layout, no crash evidence
    "offline-disk",  # the broken disk is offline: its signature/GUID collides with the recovery VM's disk
    "two-windows-disks",  # two attached disks carry Windows: the collection must not guess
    "no-windows-disk",  # only a data disk is attached
    "bcd-on-os-volume",  # Gen1 without System Reserved: \boot\BCD on the OS volume
)
SCENARIOS_WITH_CRASH = frozenset({"critical-service-failed", "offline-disk", "two-windows-disks", "bcd-on-os-volume"})

GPT_ESP = "{c12a7328-f81f-11d2-ba4b-00a0c93ec93b}"
GPT_MSR = "{e3c9e316-0b5c-4db8-817d-f92df00215ae}"
GPT_BASIC_DATA = "{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}"
MBR_NTFS = 0x07
MIB = 1024 * 1024
DISK_SIZE = 136365211648  # 127 GiB, an Azure OS disk
RECOVERY_HOSTNAME = "RESCUE-01"
BROKEN_HOSTNAME = "WEB-01"
WINRM_USER = "vmradmin"
CRASH_TIME = dt.datetime(2024, 7, 19, 4, 9, 0, tzinfo=dt.timezone.utc)
CONFIG_HIVES = ("SYSTEM", "SOFTWARE", "SAM", "SECURITY", "DEFAULT")


@dataclasses.dataclass
class _Plan:
    """What one Windows disk looks like, before it is written."""

    disk: Disk
    boot_partition: Partition
    os_partition: Partition
    loader_guid: str
    firmware: str


class _Ids:
    """Deterministic GUIDs and signatures per scenario, so two builds of one scenario are identical."""

    def __init__(self, seed: str) -> None:
        self._random = random.Random(seed)

    def guid(self) -> str:
        return "{" + str(uuid.UUID(int=self._random.getrandbits(128), version=4)) + "}"

    def signature(self) -> int:
        return self._random.getrandbits(32) | 1


def _volume_dir(disk_number: int, partition_number: int, letter: str | None) -> str:
    return letter if letter else f"volumes/disk{disk_number}-part{partition_number}"


def _partition(disk_number: int, number: int, role: str, size: int, offset: int, *, gpt: bool, letter: str | None,
               preferred_letter: str | None = None, guid: str | None = None, active: bool = False) -> Partition:
    has_volume = role != "msr"
    gpt_type = {"esp": GPT_ESP, "msr": GPT_MSR}.get(role, GPT_BASIC_DATA) if gpt else None
    file_system = None if not has_volume else ("FAT32" if role == "esp" else "NTFS")
    label = {"system-reserved": "System Reserved", "os": "Windows", "data": "Data"}.get(role, "")
    partition = Partition(
        number=number,
        gpt_type=gpt_type,
        mbr_type=None if gpt else MBR_NTFS,
        letter=letter,
        volume_dir=_volume_dir(disk_number, number, letter) if has_volume else None,
        file_system=file_system,
        label=label,
        size=size,
        offset=offset,
        active=active,
        role=role,
        preferred_letter=preferred_letter or letter,
        guid=guid,
    )
    return partition


def _plan_windows_disk(number: int, generation: int, ids: _Ids, letters: tuple[str, str], *, online: bool,
                       system_reserved: bool, recovery_vm: bool = False) -> _Plan:
    """Partitions of a Windows disk: Gen2 ESP+MSR+OS (GPT), Gen1 [System Reserved+]OS (MBR)."""
    boot_letter, os_letter = letters
    gpt = generation == 2
    parts: list[Partition] = []
    offset = MIB

    def add(role: str, size: int, letter: str | None, active: bool = False) -> Partition:
        nonlocal offset
        part = _partition(number, len(parts) + 1, role, size, offset, gpt=gpt,
                          letter=letter if online else None, preferred_letter=letter,
                          guid=ids.guid() if gpt else None, active=active)
        parts.append(part)
        offset += size
        return part

    if gpt:
        boot = add("esp", 100 * MIB, None)
        add("msr", 16 * MIB, None)
        windows = add("os", DISK_SIZE - offset - MIB, os_letter)
    elif system_reserved:
        boot = add("system-reserved", 500 * MIB, None if recovery_vm else boot_letter, active=True)
        windows = add("os", DISK_SIZE - offset - MIB, os_letter)
    else:
        windows = boot = add("os", DISK_SIZE - offset - MIB, os_letter, active=True)
    if recovery_vm:
        boot.is_system = True
        windows.is_boot = True
    disk = Disk(
        number=number,
        friendly_name="Virtual HD" if recovery_vm else "Msft Virtual Disk",
        partition_style="GPT" if gpt else "MBR",
        guid=ids.guid().upper() if gpt else None,
        signature=None if gpt else ids.signature(),
        offline=not online,
        offline_reason=None if online else "Policy",
        read_only=False,
        is_system=recovery_vm,
        is_boot=recovery_vm,
        size=DISK_SIZE,
        partitions=parts,
    )
    return _Plan(disk, boot, windows, ids.guid(), "uefi" if gpt else "bios")


def _data_disk(number: int, ids: _Ids, letter: str) -> Disk:
    part = _partition(number, 1, "data", 64 * 1024 * MIB, MIB, gpt=True, letter=letter, guid=ids.guid())
    return Disk(number, "Msft Virtual Disk", "GPT", ids.guid().upper(), None, False, None, False, False, False,
                64 * 1024 * MIB + 2 * MIB, [part])


def _device_of(plan: _Plan, partition: Partition) -> bcdstore.PartitionDevice:
    if plan.disk.partition_style == "GPT":
        return bcdstore.PartitionDevice("GPT", disk_guid=plan.disk.guid, partition_guid=partition.guid)
    return bcdstore.PartitionDevice("MBR", disk_signature=plan.disk.signature, partition_offset=partition.offset)


def _bcd_relative_path(plan: _Plan) -> str:
    return "EFI/Microsoft/Boot/BCD" if plan.firmware == "uefi" else "boot/BCD"


def _write_boot_volume(machine_dir: Path, plan: _Plan, bcd_source: Path | None) -> Path:
    root = machine_dir / plan.boot_partition.volume_dir
    bcd_path = root / _bcd_relative_path(plan)
    bcd_path.parent.mkdir(parents=True, exist_ok=True)
    if plan.firmware == "uefi":
        (root / "EFI/Microsoft/Boot/bootmgfw.efi").write_bytes(build_driver_image("bootmgfw.efi"))
        (root / "EFI/Boot").mkdir(parents=True, exist_ok=True)
        (root / "EFI/Boot/bootx64.efi").write_bytes(build_driver_image("bootx64.efi"))
    else:
        (root / "bootmgr").write_bytes(build_driver_image("bootmgr"))
    if bcd_source is not None:
        shutil.copyfile(bcd_source, bcd_path)
    else:
        layout = bcdstore.BcdLayout(plan.firmware, _device_of(plan, plan.boot_partition),
                                    _device_of(plan, plan.os_partition), plan.loader_guid)
        bcdstore.write_bcd_store(bcd_path, layout)
    return bcd_path


def _write_windows_volume(machine_dir: Path, plan: _Plan, hostname: str, system_source: Path | None,
                          crashed: bool, signed_evidence_dir: Path | None = None) -> None:
    windows = machine_dir / plan.os_partition.volume_dir / "Windows"
    config = windows / "System32" / "config"
    config.mkdir(parents=True, exist_ok=True)
    if system_source is not None:
        shutil.copyfile(system_source, config / "SYSTEM")
    else:
        write_system_hive(config / "SYSTEM", hostname)
    write_software_hive(config / "SOFTWARE")
    for name in ("SAM", "SECURITY", "DEFAULT"):
        write_empty_hive(config / name, "ROOT")
    drivers = windows / "System32" / "drivers"
    drivers.mkdir(parents=True, exist_ok=True)
    acls = AclStore(machine_dir)
    for service in SERVICES:
        if service.driver_file:
            driver = drivers / service.driver_file.lower()
            driver.write_bytes(build_driver_image(service.driver_file.lower()) if signed_evidence_dir is None else
                               signed_evidence.driver_bytes(signed_evidence_dir, service.driver_file, crashed))
            # As installed by Windows: only TrustedInstaller may change it (offline replacement needs takeown).
            acls.put(driver, windows_file_acl())
    loader = "winload.efi" if plan.firmware == "uefi" else "winload.exe"
    (windows / "System32" / loader).write_bytes(build_driver_image(loader))
    (windows / "Minidump").mkdir(exist_ok=True)
    if signed_evidence_dir is not None:
        signed_evidence.write_catalogs(signed_evidence_dir, windows)
        signed_evidence.write_boot_log(windows, [s.driver_file for s in SERVICES if s.driver_file and s.start <= 1],
                                       crashed)
        eventlogs.write_scenario_logs(windows, crashed)
    if crashed:
        when = filetime(CRASH_TIME)
        (windows / "MEMORY.DMP").write_bytes(crashdump.critical_service_failed_dump(system_time=when) + bytes(0x1000))
        minidump = crashdump.critical_service_failed_dump(dump_type=crashdump.DUMP_TYPE_TRIAGE, system_time=when)
        (windows / "Minidump" / f"{CRASH_TIME:%m%d%y}-9875-01.dmp").write_bytes(minidump)


def _make_volume_dirs(machine_dir: Path, disks: list[Disk]) -> None:
    for disk in disks:
        for part in disk.partitions:
            if part.volume_dir:
                (machine_dir / part.volume_dir).mkdir(parents=True, exist_ok=True)


def build_machine(machine_dir, generation: int = 2, bcd=None, system=None,
                  scenario: str = "critical-service-failed", signed_evidence_dir: Path | None = None) -> None:
    """Write a machine directory (volume folders + machine.json) for the scenario; ``signed_evidence_dir``: see
    ``signed_evidence`` (the broken disks then carry real signed drivers, a catalog store and a boot log)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    if generation not in (1, 2):
        raise ValueError("generation must be 1 or 2")
    if scenario == "bcd-on-os-volume" and generation != 1:
        raise ValueError("bcd-on-os-volume is a Gen1 (BIOS/MBR) layout")
    machine_dir = Path(machine_dir)
    if (machine_dir / MACHINE_FILE).exists():
        raise FileExistsError(f"{machine_dir} already holds a machine")
    machine_dir.mkdir(parents=True, exist_ok=True)
    ids = _Ids(f"{scenario}/{generation}")

    recovery = _plan_windows_disk(0, generation, ids, ("", "C"), online=True, system_reserved=True, recovery_vm=True)
    plans: list[_Plan] = []
    disks = [recovery.disk]
    if scenario == "no-windows-disk":
        disks.append(_data_disk(1, ids, "F"))
    else:
        letter_sets = [("E", "F"), ("G", "H")] if scenario == "two-windows-disks" else [("E", "F")]
        for index, letters in enumerate(letter_sets, start=1):
            plan = _plan_windows_disk(index, generation, ids, letters, online=scenario != "offline-disk",
                                      system_reserved=scenario != "bcd-on-os-volume")
            plans.append(plan)
            disks.append(plan.disk)
    if scenario == "offline-disk":
        _collide_with_recovery_disk(plans[0].disk, recovery.disk)

    _make_volume_dirs(machine_dir, disks)
    live = [f"{recovery.os_partition.volume_dir}/Windows/System32/config/{name}" for name in CONFIG_HIVES]
    recovery_bcd = _write_boot_volume(machine_dir, recovery, None)
    live.append(recovery_bcd.relative_to(machine_dir).as_posix())
    _write_windows_volume(machine_dir, recovery, RECOVERY_HOSTNAME, None, crashed=False)
    (machine_dir / "C" / "Users" / WINRM_USER / "AppData" / "Local" / "Temp").mkdir(parents=True, exist_ok=True)
    for index, plan in enumerate(plans):
        first = index == 0
        _write_boot_volume(machine_dir, plan, Path(bcd) if bcd and first else None)
        _write_windows_volume(machine_dir, plan, BROKEN_HOSTNAME if first else f"APP-0{index + 1}",
                              Path(system) if system and first else None, crashed=scenario in SCENARIOS_WITH_CRASH,
                              signed_evidence_dir=Path(signed_evidence_dir) if signed_evidence_dir else None)

    machine = Machine(machine_dir, {
        "hostname": RECOVERY_HOSTNAME,
        "generation": generation,
        "user": WINRM_USER,
        "scenario": scenario,
        "disks": [dataclasses.asdict(disk) for disk in disks],
        "live_hive_files": live,
    })
    machine.save()


def _collide_with_recovery_disk(disk: Disk, recovery: Disk) -> None:
    """A copy of an OS disk made from the recovery VM's image: same signature/GUID, so Windows keeps it offline."""
    disk.signature = recovery.signature
    disk.guid = recovery.guid
    disk.offline = True
    disk.offline_reason = "Collision"
