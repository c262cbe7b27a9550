"""Building the SYSTEM and SOFTWARE hives of a Windows Server installation (and the other config hives, empty)."""
from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import hivex

from .hivefile import open_hive
from .regf import write_empty_hive
from .regvalues import REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ, utf16z

SERVICE_KERNEL_DRIVER = 0x1
SERVICE_FILE_SYSTEM_DRIVER = 0x2
SERVICE_WIN32_OWN_PROCESS = 0x10
SERVICE_WIN32_SHARE_PROCESS = 0x20
START_BOOT, START_SYSTEM, START_AUTO, START_DEMAND = 0, 1, 2, 3
ERROR_NORMAL, ERROR_CRITICAL = 1, 3


@dataclasses.dataclass(frozen=True)
class Service:
    name: str
    type: int
    start: int
    error_control: int
    image_path: str | None
    group: str | None = None
    display_name: str | None = None

    @property
    def driver_file(self) -> str | None:
        """The `.sys` file name below System32\\drivers, for drivers whose image lives there."""
        if self.image_path and self.image_path.lower().endswith(".sys"):
            return self.image_path.replace("/", "\\").rsplit("\\", 1)[-1]
        return None


SERVICES = (
    Service("FileCrypt", SERVICE_FILE_SYSTEM_DRIVER, START_SYSTEM, ERROR_CRITICAL,
            "system32\\drivers\\filecrypt.sys", "FSFilter Encryption", "FileCrypt"),
    Service("storvsc", SERVICE_KERNEL_DRIVER, START_BOOT, ERROR_CRITICAL,
            "System32\\drivers\\storvsc.sys", "SCSI miniport", "storvsc"),
    Service("volmgr", SERVICE_KERNEL_DRIVER, START_BOOT, ERROR_CRITICAL,
            "System32\\drivers\\volmgr.sys", "System Bus Extender", "Volume Manager Driver"),
    Service("disk", SERVICE_KERNEL_DRIVER, START_BOOT, ERROR_NORMAL,
            "System32\\drivers\\disk.sys", "SCSI Class", "Disk Driver"),
    Service("CNG", SERVICE_KERNEL_DRIVER, START_BOOT, ERROR_CRITICAL,
            "System32\\Drivers\\cng.sys", "Core", "CNG"),
    Service("netvsc", SERVICE_KERNEL_DRIVER, START_DEMAND, ERROR_NORMAL,
            "System32\\drivers\\netvsc.sys", "NDIS", "Microsoft Hyper-V Network Adapter"),
    Service("Ntfs", SERVICE_FILE_SYSTEM_DRIVER, START_DEMAND, ERROR_NORMAL, None, "Boot File System", "Ntfs"),
    Service("EventLog", SERVICE_WIN32_SHARE_PROCESS, START_AUTO, ERROR_NORMAL,
            "%SystemRoot%\\System32\\svchost.exe -k LocalServiceNetworkRestricted -p", None, "Windows Event Log"),
    Service("TermService", SERVICE_WIN32_SHARE_PROCESS, START_DEMAND, ERROR_NORMAL,
            "%SystemRoot%\\System32\\svchost.exe -k NetworkService", None, "Remote Desktop Services"),
    Service("WindowsAzureGuestAgent", SERVICE_WIN32_OWN_PROCESS, START_AUTO, ERROR_NORMAL,
            "C:\\WindowsAzure\\GuestAgent_2.7.41491.1102\\WindowsAzureGuestAgent.exe", None, "Windows Azure Guest Agent"),
)

# Control\CrashControl as a fresh Windows Server 2019 has it (docs reference §5).
CRASH_CONTROL = (
    ("AutoReboot", REG_DWORD, 1),
    ("CrashDumpEnabled", REG_DWORD, 7),
    ("DumpFile", REG_EXPAND_SZ, "%SystemRoot%\\MEMORY.DMP"),
    ("DumpFilters", REG_MULTI_SZ, ["dumpfve.sys"]),
    ("LogEvent", REG_DWORD, 1),
    ("MinidumpDir", REG_EXPAND_SZ, "%SystemRoot%\\Minidump"),
    ("MinidumpsCount", REG_DWORD, 5),
    ("Overwrite", REG_DWORD, 1),
)


def _encode(value_type: int, value: object) -> bytes:
    if value_type == REG_DWORD:
        return struct.pack("<I", value)
    if value_type == REG_MULTI_SZ:
        return "".join(item + "\0" for item in value).encode("utf-16-le") + b"\0\0"
    return utf16z(str(value))


def _set(hive: hivex.Hivex, node: int, name: str, value_type: int, value: object) -> None:
    hive.node_set_value(node, {"key": name, "t": value_type, "value": _encode(value_type, value)})


def _key(hive: hivex.Hivex, parent: int, path: str) -> int:
    node = parent
    for part in path.split("\\"):
        node = hive.node_get_child(node, part) or hive.node_add_child(node, part)
    return node


def _write_control_set(hive: hivex.Hivex, control_set: int, hostname: str) -> None:
    computer_name = _key(hive, control_set, "Control\\ComputerName\\ComputerName")
    _set(hive, computer_name, "ComputerName", REG_SZ, hostname)
    crash_control = _key(hive, control_set, "Control\\CrashControl")
    for name, value_type, value in CRASH_CONTROL:
        _set(hive, crash_control, name, value_type, value)
    services = _key(hive, control_set, "Services")
    for service in SERVICES:
        node = hive.node_add_child(services, service.name)
        _set(hive, node, "Type", REG_DWORD, service.type)
        _set(hive, node, "Start", REG_DWORD, service.start)
        _set(hive, node, "ErrorControl", REG_DWORD, service.error_control)
        if service.image_path:
            _set(hive, node, "ImagePath", REG_EXPAND_SZ, service.image_path)
        if service.group:
            _set(hive, node, "Group", REG_SZ, service.group)
        if service.display_name:
            _set(hive, node, "DisplayName", REG_SZ, service.display_name)


def write_system_hive(path: Path, hostname: str) -> Path:
    """SYSTEM with Select (Current 1, LastKnownGood 2), ControlSet001 and ControlSet002."""
    write_empty_hive(path, "ROOT")
    hive = open_hive(path, write=True)
    root = hive.root()
    select = hive.node_add_child(root, "Select")
    for name, number in (("Current", 1), ("Default", 1), ("Failed", 0), ("LastKnownGood", 2)):
        _set(hive, select, name, REG_DWORD, number)
    for number in (1, 2):
        _write_control_set(hive, hive.node_add_child(root, f"ControlSet{number:03d}"), hostname)
    hive.node_add_child(root, "MountedDevices")
    setup = hive.node_add_child(root, "Setup")
    _set(hive, setup, "SystemSetupInProgress", REG_DWORD, 0)
    hive.commit(None)
    return path


def write_software_hive(path: Path) -> Path:
    """SOFTWARE with Microsoft\\Windows NT\\CurrentVersion of Windows Server 2019 Datacenter."""
    write_empty_hive(path, "ROOT")
    hive = open_hive(path, write=True)
    current_version = _key(hive, hive.root(), "Microsoft\\Windows NT\\CurrentVersion")
    for name, value_type, value in (
        ("ProductName", REG_SZ, "Windows Server 2019 Datacenter"),
        ("EditionID", REG_SZ, "ServerDatacenter"),
        ("InstallationType", REG_SZ, "Server"),
        ("CurrentVersion", REG_SZ, "6.3"),
        ("CurrentBuild", REG_SZ, "17763"),
        ("CurrentBuildNumber", REG_SZ, "17763"),
        ("CurrentMajorVersionNumber", REG_DWORD, 10),
        ("CurrentMinorVersionNumber", REG_DWORD, 0),
        ("ReleaseId", REG_SZ, "1809"),
        ("UBR", REG_DWORD, 6893),
        ("SystemRoot", REG_SZ, "C:\\Windows"),
    ):
        _set(hive, current_version, name, value_type, value)
    hive.commit(None)
    return path
