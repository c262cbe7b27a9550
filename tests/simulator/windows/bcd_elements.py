"""The simulated bcdedit's element table: names, type codes, kinds and which objects each element applies to.

Written from `bcd-and-registry.md` (sections 1-2) and phnt `ntbcd.h` names, independently of the collection's own
catalogue so that tests can compare the two.

Element code = class nibble (bits 28-31) | format nibble (bits 24-27) | subtype. Class 1 (library) elements apply to
every object; class 2 (application) elements mean different things per application type (0x23000003 is `default`
on the boot manager but `resumeobject` on an OS loader), so names are resolved per object type; class 3 elements
belong to device objects.

Device element values (format 1) are decoded and encoded against the machine's disks at the end of this file.
"""
from __future__ import annotations

import enum
import struct
import uuid
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


class Kind(enum.IntEnum):
    """The format nibble of an element code."""

    DEVICE = 1
    STRING = 2
    OBJECT = 3
    OBJECT_LIST = 4
    INTEGER = 5
    BOOLEAN = 6
    INTEGER_LIST = 7
    BINARY = 8


# Registry value types used by the store.
REG_SZ = 1
REG_BINARY = 3
REG_MULTI_SZ = 7

REGISTRY_TYPE_OF_KIND = {
    Kind.DEVICE: REG_BINARY,
    Kind.STRING: REG_SZ,
    Kind.OBJECT: REG_SZ,
    Kind.OBJECT_LIST: REG_MULTI_SZ,
    Kind.INTEGER: REG_BINARY,
    Kind.BOOLEAN: REG_BINARY,
    Kind.INTEGER_LIST: REG_BINARY,
    Kind.BINARY: REG_BINARY,
}

CLASS_LIBRARY = 1
CLASS_APPLICATION = 2
CLASS_DEVICE = 3

# Object type = category nibble | (for applications and inheritable objects) a sub-kind | application type.
CATEGORY_APPLICATION = 1
CATEGORY_INHERITABLE = 2
CATEGORY_DEVICE = 3
INHERITABLE_BY_ANY = 1  # 0x201xxxxx: {globalsettings}, {emssettings}, {dbgsettings}, {badmemory}
INHERITABLE_BY_APPLICATION = 2  # 0x202xxxxx: settings inherited by one application type (low bits)

APP_FWBOOTMGR = 1
APP_BOOTMGR = 2
APP_OSLOADER = 3
APP_RESUME = 4
APP_MEMDIAG = 5
APP_NTLDR = 6
APP_BOOTSECTOR = 7

OBJECT_TYPE_FWBOOTMGR = 0x10100001
OBJECT_TYPE_BOOTMGR = 0x10100002
OBJECT_TYPE_OSLOADER = 0x10200003
OBJECT_TYPE_RESUME = 0x10200004
OBJECT_TYPE_MEMDIAG = 0x10200005
OBJECT_TYPE_NTLDR = 0x10300006
OBJECT_TYPE_BOOTSECTOR = 0x10400008
OBJECT_TYPE_FIRMWARE_APPLICATION = 0x101FFFFF

_BOOT_MANAGERS = frozenset({APP_FWBOOTMGR, APP_BOOTMGR})


def element_class(code: int) -> int:
    return (code >> 28) & 0xF


def element_kind(code: int) -> Kind | None:
    """The element's format, or None for a format nibble bcdedit does not know."""
    try:
        return Kind((code >> 24) & 0xF)
    except ValueError:
        return None


def object_category(object_type: int) -> int:
    return (object_type >> 28) & 0xF


def application_type(object_type: int) -> int | None:
    """The application type whose class-2 elements apply to this object, or None when none do."""
    category = object_category(object_type)
    sub_kind = (object_type >> 20) & 0xF
    if category == CATEGORY_APPLICATION:
        return object_type & 0xFFFFF
    if category == CATEGORY_INHERITABLE and sub_kind == INHERITABLE_BY_APPLICATION:
        return object_type & 0xFFFFF
    return None


@dataclass(frozen=True)
class Element:
    """One named bcdedit element."""

    name: str
    code: int
    applications: frozenset[int] = frozenset()  # for class-2 codes: the application types it belongs to
    choices: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))  # enum names -> value

    @property
    def kind(self) -> Kind:
        kind = element_kind(self.code)
        assert kind is not None, f"table entry {self.name} has an unknown format"
        return kind

    def applies_to(self, object_type: int) -> bool:
        return code_applies_to(self.code, object_type, self.applications)

    def choice_name(self, value: int) -> str | None:
        for name, number in self.choices.items():
            if number == value:
                return name
        return None


def code_applies_to(code: int, object_type: int, applications: frozenset[int]) -> bool:
    category = element_class(code)
    if category == CLASS_LIBRARY:
        return object_category(object_type) in (CATEGORY_APPLICATION, CATEGORY_INHERITABLE, CATEGORY_DEVICE)
    if category == CLASS_APPLICATION:
        return application_type(object_type) in applications
    if category == CLASS_DEVICE:
        return object_category(object_type) == CATEGORY_DEVICE
    return False


def _choices(**names: int) -> Mapping[str, int]:
    return MappingProxyType(dict(names))


_BOOTMGR = _BOOT_MANAGERS
_OSLOADER = frozenset({APP_OSLOADER})
_RESUME = frozenset({APP_RESUME})
_MEMDIAG = frozenset({APP_MEMDIAG})

_DEBUGGER_TYPES = _choices(Serial=0, **{"1394": 1}, USB=2, NET=3, Local=4)
_DISPLAY_MESSAGES = _choices(
    Default=0, Resume=1, HyperV=2, Recovery=3, StartupRepair=4, SystemImageRecovery=5, CommandPrompt=6,
    SystemRestore=7, PushButtonReset=8,
)

ELEMENTS: tuple[Element, ...] = (
    # Library elements (class 1): every object.
    Element("device", 0x11000001),
    Element("path", 0x12000002),
    Element("description", 0x12000004),
    Element("locale", 0x12000005),
    Element("inherit", 0x14000006),
    Element("truncatememory", 0x15000007),
    Element("recoverysequence", 0x14000008),
    Element("recoveryenabled", 0x16000009),
    Element("badmemorylist", 0x1700000A),
    Element("badmemoryaccess", 0x1600000B),
    Element("firstmegabytepolicy", 0x1500000C, choices=_choices(UseNone=0, UseAll=1, UsePrivate=2)),
    Element("bootdebug", 0x16000010),
    Element("debugtype", 0x15000011, choices=_DEBUGGER_TYPES),
    Element("debugaddress", 0x15000012),
    Element("debugport", 0x15000013),
    Element("baudrate", 0x15000014),
    Element("channel", 0x15000015),
    Element("targetname", 0x12000016),
    Element("noumex", 0x16000017),
    Element("debugstart", 0x15000018, choices=_choices(Active=0, AutoEnable=1, Disable=2)),
    Element("busparams", 0x12000019),
    Element("hostip", 0x1500001A),
    Element("port", 0x1500001B),
    Element("dhcp", 0x1600001C),
    Element("key", 0x1200001D),
    Element("bootems", 0x16000020),
    Element("emsport", 0x15000022),
    Element("emsbaudrate", 0x15000023),
    Element("loadoptions", 0x12000030),
    Element("advancedoptions", 0x16000040),
    Element("optionsedit", 0x16000041),
    Element("graphicsmodedisabled", 0x16000046),
    Element("configaccesspolicy", 0x15000047, choices=_choices(Default=0, DisallowMmConfig=1)),
    Element("nointegritychecks", 0x16000048),
    Element("testsigning", 0x16000049),
    Element("fontpath", 0x1200004A),
    Element("integrityservices", 0x1500004B, choices=_choices(Default=0, Enable=1, Disable=2)),
    Element("extendedinput", 0x16000050),
    Element("highestmode", 0x16000054),
    Element("isolatedcontext", 0x16000060),
    Element("displaymessage", 0x15000065, choices=_DISPLAY_MESSAGES),
    Element("displaymessageoverride", 0x15000066, choices=_DISPLAY_MESSAGES),
    Element("bootshutdowndisabled", 0x16000074),
    Element("allowedinmemorysettings", 0x17000077),
    Element("forcefipscrypto", 0x16000079),
    Element("flightsigning", 0x1600007E),
    # Boot manager ({fwbootmgr}, {bootmgr}).
    Element("displayorder", 0x24000001, _BOOTMGR),
    Element("bootsequence", 0x24000002, _BOOTMGR),
    Element("default", 0x23000003, _BOOTMGR),
    Element("timeout", 0x25000004, _BOOTMGR),
    Element("resume", 0x26000005, _BOOTMGR),
    Element("resumeobject", 0x23000006, _BOOTMGR),
    Element("toolsdisplayorder", 0x24000010, _BOOTMGR),
    Element("displaybootmenu", 0x26000020, _BOOTMGR),
    Element("noerrordisplay", 0x26000021, _BOOTMGR),
    Element("bcddevice", 0x21000022, _BOOTMGR),
    Element("bcdfilepath", 0x22000023, _BOOTMGR),
    # Windows OS loader (and {bootloadersettings}/{hypervisorsettings}, which OS loaders inherit).
    Element("osdevice", 0x21000001, _OSLOADER),
    Element("systemroot", 0x22000002, _OSLOADER),
    Element("resumeobject", 0x23000003, _OSLOADER),
    Element("detecthal", 0x26000010, _OSLOADER),
    Element("kernel", 0x22000011, _OSLOADER),
    Element("hal", 0x22000012, _OSLOADER),
    Element("dbgtransport", 0x22000013, _OSLOADER),
    Element("nx", 0x25000020, _OSLOADER, _choices(OptIn=0, OptOut=1, AlwaysOff=2, AlwaysOn=3)),
    Element("pae", 0x25000021, _OSLOADER, _choices(Default=0, ForceEnable=1, ForceDisable=2)),
    Element("winpe", 0x26000022, _OSLOADER),
    Element("nocrashautoreboot", 0x26000024, _OSLOADER),
    Element("lastknowngood", 0x26000025, _OSLOADER),
    Element("oslnointegritychecks", 0x26000026, _OSLOADER),
    Element("osltestsigning", 0x26000027, _OSLOADER),
    Element("nolowmem", 0x26000030, _OSLOADER),
    Element("removememory", 0x25000031, _OSLOADER),
    Element("increaseuserva", 0x25000032, _OSLOADER),
    Element("onecpu", 0x26000060, _OSLOADER),
    Element("numproc", 0x25000061, _OSLOADER),
    Element("maxproc", 0x26000062, _OSLOADER),
    Element("configflags", 0x25000063, _OSLOADER),
    Element("usefirmwarepcisettings", 0x26000070, _OSLOADER),
    Element("msi", 0x25000071, _OSLOADER, _choices(Default=0, ForceDisable=1)),
    Element("safeboot", 0x25000080, _OSLOADER, _choices(Minimal=0, Network=1, DsRepair=2)),
    Element("safebootalternateshell", 0x26000081, _OSLOADER),
    Element("bootlog", 0x26000090, _OSLOADER),
    Element("sos", 0x26000091, _OSLOADER),
    Element("debug", 0x260000A0, _OSLOADER),
    Element("ems", 0x260000B0, _OSLOADER),
    Element("quietboot", 0x260000C1, _OSLOADER),
    Element("bootmenupolicy", 0x250000C2, _OSLOADER, _choices(Legacy=0, Standard=1)),
    Element(
        "bootstatuspolicy",
        0x250000E0,
        _OSLOADER,
        _choices(
            DisplayAllFailures=0, IgnoreAllFailures=1, IgnoreShutdownFailures=2, IgnoreBootFailures=3,
            IgnoreCheckpointFailures=4, DisplayShutdownFailures=5, DisplayBootFailures=6,
            DisplayCheckpointFailures=7, AlwaysDisplayStartupFailures=8,
        ),
    ),
    Element("hypervisorlaunchtype", 0x250000F0, _OSLOADER, _choices(Off=0, Auto=1)),
    Element("hypervisordebug", 0x260000F2, _OSLOADER),
    Element("hypervisordebugtype", 0x250000F3, _OSLOADER, _choices(Serial=0, **{"1394": 1}, NET=3)),
    Element("hypervisordebugport", 0x250000F4, _OSLOADER),
    Element("hypervisorbaudrate", 0x250000F5, _OSLOADER),
    # Resume from hibernate.
    Element("filedevice", 0x21000001, _RESUME),
    Element("filepath", 0x22000002, _RESUME),
    Element("customsettings", 0x26000003, _RESUME),
    Element("pae", 0x26000004, _RESUME),
    Element("debugoptionenabled", 0x26000006, _RESUME),
    Element("bootmenupolicy", 0x25000008, _RESUME, _choices(Legacy=0, Standard=1)),
    # Windows memory tester.
    Element("passcount", 0x25000001, _MEMDIAG),
    Element("testmix", 0x25000002, _MEMDIAG, _choices(Basic=0, Extended=1)),
    # Device objects (class 3).
    Element("ramdiskimageoffset", 0x35000001),
    Element("ramdisktftpport", 0x35000002),
    Element("ramdisksdidevice", 0x31000003),
    Element("ramdisksdipath", 0x32000004),
)

CUSTOM_PREFIX = "custom:"


def find_by_name(name: str, object_type: int) -> Element | None:
    """The element `name` (case-insensitive) as it applies to an object of `object_type`, or None."""
    wanted = name.lower()
    for element in ELEMENTS:
        if element.name == wanted and element.applies_to(object_type):
            return element
    return None


def find_by_code(code: int, object_type: int) -> Element | None:
    """The named element with this code on an object of `object_type` (None: shown as `custom:xxxxxxxx`)."""
    for element in ELEMENTS:
        if element.code == code and element.applies_to(object_type):
            return element
    return None


def custom_code(name: str) -> int | None:
    """The code of a `custom:XXXXXXXX` name (exactly 8 hex digits), else None."""
    if not name.lower().startswith(CUSTOM_PREFIX):
        return None
    digits = name[len(CUSTOM_PREFIX):]
    if len(digits) != 8 or any(char not in "0123456789abcdefABCDEF" for char in digits):
        return None
    return int(digits, 16)


def display_name(code: int, object_type: int) -> str:
    element = find_by_code(code, object_type)
    return element.name if element else f"{CUSTOM_PREFIX}{code:08x}"


# Well-known objects (reference section 2). {default} and {current} are virtual: not keys under Objects.
WELL_KNOWN_OBJECTS: Mapping[str, str] = MappingProxyType({
    "bootmgr": "{9dea862c-5cdd-4e70-acc1-f32b344d4795}",
    "fwbootmgr": "{a5a30fa2-3d06-4e9f-b5f4-a01df9d1fcba}",
    "emssettings": "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}",
    "dbgsettings": "{4636856e-540f-4170-a130-a84776f4c654}",
    "globalsettings": "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}",
    "bootloadersettings": "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}",
    "resumeloadersettings": "{1afa9c49-16ab-4a5c-901b-212802da9460}",
    "hypervisorsettings": "{7ff607e0-4395-11db-b0de-0800200c9a66}",
    "badmemory": "{5189b25c-5558-4bf2-bca4-289b11bd29e2}",
    "memdiag": "{b2721d73-1db4-4c62-bf78-c548a880142d}",
    "ntldr": "{466f5a88-0af2-4f76-9038-095b170dc21c}",
    "ramdiskoptions": "{ae5534e0-a924-466c-b836-758539a3ee3a}",
})
CURRENT_GUID = "{fa926493-6f1c-4193-a414-58f0b2456d1e}"
DEFAULT_GUID = "{1cae1eb7-a0df-4d4d-9851-4860e34ef535}"
VIRTUAL_OBJECTS: Mapping[str, str] = MappingProxyType({"current": CURRENT_GUID, "default": DEFAULT_GUID})

ALIAS_OF_GUID: Mapping[str, str] = MappingProxyType({guid: alias for alias, guid in WELL_KNOWN_OBJECTS.items()})

# The i18n header key of a well-known settings object, chosen by GUID before its type (several share one type).
HEADER_KEY_OF_GUID: Mapping[str, str] = MappingProxyType({
    WELL_KNOWN_OBJECTS["emssettings"]: "bcdedit.header.emssettings",
    WELL_KNOWN_OBJECTS["dbgsettings"]: "bcdedit.header.dbgsettings",
    WELL_KNOWN_OBJECTS["badmemory"]: "bcdedit.header.badmemory",
    WELL_KNOWN_OBJECTS["globalsettings"]: "bcdedit.header.globalsettings",
    WELL_KNOWN_OBJECTS["bootloadersettings"]: "bcdedit.header.bootloadersettings",
    WELL_KNOWN_OBJECTS["hypervisorsettings"]: "bcdedit.header.hypervisorsettings",
    WELL_KNOWN_OBJECTS["resumeloadersettings"]: "bcdedit.header.resumeloadersettings",
    WELL_KNOWN_OBJECTS["ramdiskoptions"]: "bcdedit.header.ramdisk_options",
})

HEADER_KEY_OF_TYPE: Mapping[int, str] = MappingProxyType({
    OBJECT_TYPE_FWBOOTMGR: "bcdedit.header.fwbootmgr",
    OBJECT_TYPE_BOOTMGR: "bcdedit.header.bootmgr",
    OBJECT_TYPE_OSLOADER: "bcdedit.header.osloader",
    OBJECT_TYPE_RESUME: "bcdedit.header.resume",
    OBJECT_TYPE_MEMDIAG: "bcdedit.header.memdiag",
    OBJECT_TYPE_NTLDR: "bcdedit.header.ntldr",
    OBJECT_TYPE_BOOTSECTOR: "bcdedit.header.bootsector",
})


def header_key(guid: str, object_type: int) -> tuple[str, dict[str, str]]:
    """The i18n key (and its format arguments) of the `/enum` header of an object."""
    if guid in HEADER_KEY_OF_GUID:
        return HEADER_KEY_OF_GUID[guid], {}
    if object_type in HEADER_KEY_OF_TYPE:
        return HEADER_KEY_OF_TYPE[object_type], {}
    category = object_category(object_type)
    if category == CATEGORY_DEVICE:
        return "bcdedit.header.device_options", {}
    if category == CATEGORY_INHERITABLE:
        return "bcdedit.header.inherited", {"type": f"{object_type:08x}"}
    return "bcdedit.header.firmware_application", {"type": f"{object_type:08x}"}


# --- device elements (format 1) ---------------------------------------------------------------------------------
# Layout (reference §1 "Device elements", checked against the real stores in shared/data): 16-byte options GUID,
# u32 device type at 0x10, u32 size (0x48) at 0x18, then for a partition the GPT partition GUID or the MBR byte
# offset at 0x20, u32 partition style at 0x34 and the disk GUID or MBR signature at 0x38; 0x58 bytes in all.
# Type 5 is `boot` (the real windeploy BIOS store holds it for {bootmgr} and its setup loader); type 6 a partition.

DEVICE_TYPE_BOOT = 5
DEVICE_TYPE_PARTITION = 6
DEVICE_SIZE = 0x58
_DEVICE_DESCRIPTOR_SIZE = 0x48
_STYLE_GPT = 0
_STYLE_MBR = 1


def _same_guid(left: str | None, right: str | None) -> bool:
    return bool(left) and bool(right) and left.strip("{}").lower() == right.strip("{}").lower()


def _partition_matches(disk, partition, blob: bytes) -> bool:
    (style,) = struct.unpack_from("<I", blob, 0x34)
    if style == _STYLE_GPT and disk.partition_style == "GPT":
        partition_guid = "{" + str(uuid.UUID(bytes_le=blob[0x20:0x30])) + "}"
        disk_guid = "{" + str(uuid.UUID(bytes_le=blob[0x38:0x48])) + "}"
        return _same_guid(disk.guid, disk_guid) and _same_guid(partition.guid, partition_guid)
    if style == _STYLE_MBR and disk.partition_style == "MBR":
        (offset,) = struct.unpack_from("<Q", blob, 0x20)
        (signature,) = struct.unpack_from("<I", blob, 0x38)
        return disk.signature == signature and partition.offset == offset
    return False


def _visible_volumes(machine) -> list[tuple[object, object]]:
    """(disk, partition) of every volume the running system sees, in disk then partition order."""
    disks = sorted(getattr(machine, "disks", []), key=lambda disk: disk.number)
    return [(disk, part) for disk in disks if not disk.offline
            for part in sorted(disk.partitions, key=lambda part: part.number) if part.volume_dir is not None]


def describe_device(blob: bytes, machine) -> str:
    """How `bcdedit /enum` shows a device element on this machine.

    A partition that is present shows as `partition=X:`, or as `partition=\\Device\\HarddiskVolumeN` when it has no
    letter (N counts the visible volumes in disk order, [INFERENCE]: Windows numbers volumes by arrival); a
    partition not found (disk offline, GUID or signature changed) and every other device shape show `unknown`."""
    if len(blob) < DEVICE_SIZE:
        return "unknown"
    (device_type,) = struct.unpack_from("<I", blob, 0x10)
    if device_type == DEVICE_TYPE_BOOT:
        return "boot"
    if device_type != DEVICE_TYPE_PARTITION:
        return "unknown"
    for number, (disk, partition) in enumerate(_visible_volumes(machine), start=1):
        if _partition_matches(disk, partition, blob):
            if partition.letter:
                return f"partition={partition.letter.upper()}:"
            return f"partition=\\Device\\HarddiskVolume{number}"
    return "unknown"


def encode_device(text: str, machine) -> bytes | None:
    """The 88-byte element for `boot` or `partition=X:` (a lettered partition of a GPT or MBR disk); None when
    bcdedit could not resolve it ("The device is not valid as specified.")."""
    if text.lower() == "boot":
        blob = bytearray(DEVICE_SIZE)
        struct.pack_into("<II", blob, 0x10, DEVICE_TYPE_BOOT, 0)
        struct.pack_into("<I", blob, 0x18, _DEVICE_DESCRIPTOR_SIZE)
        return bytes(blob)
    keyword, _separator, target = text.partition("=")
    if keyword.lower() != "partition" or len(target) != 2 or target[1] != ":" or not target[0].isalpha():
        return None
    for disk, partition in _visible_volumes(machine):
        if (partition.letter or "").upper() != target[0].upper():
            continue
        blob = bytearray(DEVICE_SIZE)
        struct.pack_into("<I", blob, 0x10, DEVICE_TYPE_PARTITION)
        struct.pack_into("<I", blob, 0x18, _DEVICE_DESCRIPTOR_SIZE)
        if disk.partition_style == "GPT" and disk.guid and partition.guid:
            blob[0x20:0x30] = uuid.UUID(partition.guid).bytes_le
            struct.pack_into("<I", blob, 0x34, _STYLE_GPT)
            blob[0x38:0x48] = uuid.UUID(disk.guid).bytes_le
            return bytes(blob)
        if disk.partition_style == "MBR" and disk.signature is not None:
            struct.pack_into("<Q", blob, 0x20, partition.offset)
            struct.pack_into("<I", blob, 0x34, _STYLE_MBR)
            struct.pack_into("<I", blob, 0x38, disk.signature)
            return bytes(blob)
        return None  # the model does not know this partition's identity: refuse rather than invent one
    return None
