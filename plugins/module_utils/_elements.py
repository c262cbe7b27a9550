# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: THE catalogue of BCD facts: element names and codes, value kinds, enums, object types and aliases.

One place for each fact (sources: ``bcd-and-registry.md`` sections 1-2; phnt ``ntbcd.h``; DiscUtils). An element code is
``class (bits 28-31) | format (bits 24-27) | subtype``. Library elements (class 1) apply to every object; application
elements (class 2) mean different things for different applications (0x23000003 is ``default`` on the boot manager,
``resumeobject`` on an OS loader), so they are keyed by the application group of the object; device elements (class 3)
belong to device objects. Elements not named here are shown and accepted as ``custom:XXXXXXXX``.
"""

from __future__ import annotations

import dataclasses
import re

# Format nibble -> kind of value.
KIND_BY_FORMAT = {
    1: "device",
    2: "string",
    3: "object",
    4: "object_list",
    5: "integer",
    6: "boolean",
    7: "integer_list",
    8: "binary",
}
# Registry type a kind is stored as (REG_SZ 1, REG_BINARY 3, REG_MULTI_SZ 7).
REG_TYPE_BY_KIND = {
    "device": "REG_BINARY",
    "string": "REG_SZ",
    "object": "REG_SZ",
    "object_list": "REG_MULTI_SZ",
    "integer": "REG_BINARY",
    "boolean": "REG_BINARY",
    "integer_list": "REG_BINARY",
    "binary": "REG_BINARY",
}

CLASS_LIBRARY, CLASS_APPLICATION, CLASS_DEVICE = 1, 2, 3

# Application groups: which application-specific (class 2) elements an object accepts.
GROUP_BOOTMGR, GROUP_OSLOADER, GROUP_RESUME, GROUP_MEMDIAG = "bootmgr", "osloader", "resume", "memdiag"
_GROUP_BY_APPLICATION = {0x1: GROUP_BOOTMGR, 0x2: GROUP_BOOTMGR, 0x3: GROUP_OSLOADER, 0x4: GROUP_RESUME, 0x5: GROUP_MEMDIAG}


@dataclasses.dataclass(frozen=True)
class Element:
    name: str
    code: int
    group: str | None = None                      # application group for class 2; None for library/device
    enum: tuple[tuple[str, int], ...] = ()        # (name, value) for integers with named values

    @property
    def kind(self) -> str:
        return kind_of(self.code)

    @property
    def element_class(self) -> int:
        return self.code >> 28


def kind_of(code: int) -> str:
    return KIND_BY_FORMAT.get((code >> 24) & 0xF, "binary")


def _enum(*names: str) -> tuple[tuple[str, int], ...]:
    return tuple((name, value) for value, name in enumerate(names))


def _lib(name: str, code: int, enum: tuple[tuple[str, int], ...] = ()) -> Element:
    return Element(name, code, None, enum)


def _app(group: str, name: str, code: int, enum: tuple[tuple[str, int], ...] = ()) -> Element:
    return Element(name, code, group, enum)


LIBRARY_ELEMENTS = (
    _lib("device", 0x11000001),
    _lib("path", 0x12000002),
    _lib("description", 0x12000004),
    _lib("locale", 0x12000005),
    _lib("inherit", 0x14000006),
    _lib("truncatememory", 0x15000007),
    _lib("recoverysequence", 0x14000008),
    _lib("recoveryenabled", 0x16000009),
    _lib("badmemorylist", 0x1700000A),
    _lib("badmemoryaccess", 0x1600000B),
    _lib("firstmegabytepolicy", 0x1500000C, _enum("UseNone", "UseAll", "UsePrivate")),
    _lib("bootdebug", 0x16000010),
    _lib("debugtype", 0x15000011, _enum("Serial", "1394", "USB", "NET", "Local")),
    _lib("debugaddress", 0x15000012),
    _lib("debugport", 0x15000013),
    _lib("baudrate", 0x15000014),
    _lib("channel", 0x15000015),
    _lib("targetname", 0x12000016),
    _lib("noumex", 0x16000017),
    _lib("debugstart", 0x15000018, _enum("Active", "AutoEnable", "Disable")),
    _lib("busparams", 0x12000019),
    _lib("hostip", 0x1500001A),
    _lib("port", 0x1500001B),
    _lib("dhcp", 0x1600001C),
    _lib("key", 0x1200001D),
    _lib("bootems", 0x16000020),
    _lib("emsport", 0x15000022),
    _lib("emsbaudrate", 0x15000023),
    _lib("loadoptions", 0x12000030),
    _lib("advancedoptions", 0x16000040),
    _lib("optionsedit", 0x16000041),
    _lib("keyringaddress", 0x15000042),
    _lib("graphicsmodedisabled", 0x16000046),
    _lib("configaccesspolicy", 0x15000047, _enum("Default", "DisallowMmConfig")),
    _lib("nointegritychecks", 0x16000048),
    _lib("testsigning", 0x16000049),
    _lib("fontpath", 0x1200004A),
    _lib("integrityservices", 0x1500004B, _enum("Default", "Enable", "Disable")),
    _lib("extendedinput", 0x16000050),
    _lib("initialconsoleinput", 0x15000051),
    _lib("graphicsresolution", 0x15000052),
    _lib("restartonfailure", 0x16000053),
    _lib("highestmode", 0x16000054),
    _lib("isolatedcontext", 0x16000060),
    _lib("displaymessage", 0x15000065),
    _lib("displaymessageoverride", 0x15000066),
    _lib("bootshutdowndisabled", 0x16000074),
    _lib("allowedinmemorysettings", 0x17000077),
)

APPLICATION_ELEMENTS = (
    _app(GROUP_BOOTMGR, "displayorder", 0x24000001),
    _app(GROUP_BOOTMGR, "bootsequence", 0x24000002),
    _app(GROUP_BOOTMGR, "default", 0x23000003),
    _app(GROUP_BOOTMGR, "timeout", 0x25000004),
    _app(GROUP_BOOTMGR, "resume", 0x26000005),
    _app(GROUP_BOOTMGR, "resumeobject", 0x23000006),
    _app(GROUP_BOOTMGR, "toolsdisplayorder", 0x24000010),
    _app(GROUP_BOOTMGR, "displaybootmenu", 0x26000020),
    _app(GROUP_BOOTMGR, "noerrordisplay", 0x26000021),
    _app(GROUP_OSLOADER, "osdevice", 0x21000001),
    _app(GROUP_OSLOADER, "systemroot", 0x22000002),
    _app(GROUP_OSLOADER, "resumeobject", 0x23000003),
    _app(GROUP_OSLOADER, "detecthal", 0x26000010),
    _app(GROUP_OSLOADER, "kernel", 0x22000011),
    _app(GROUP_OSLOADER, "hal", 0x22000012),
    _app(GROUP_OSLOADER, "dbgtransport", 0x22000013),
    _app(GROUP_OSLOADER, "nx", 0x25000020, _enum("OptIn", "OptOut", "AlwaysOff", "AlwaysOn")),
    _app(GROUP_OSLOADER, "pae", 0x25000021, _enum("Default", "ForceEnable", "ForceDisable")),
    _app(GROUP_OSLOADER, "winpe", 0x26000022),
    _app(GROUP_OSLOADER, "nocrashautoreboot", 0x26000024),
    _app(GROUP_OSLOADER, "lastknowngood", 0x26000025),
    _app(GROUP_OSLOADER, "oslnointegritychecks", 0x26000026),
    _app(GROUP_OSLOADER, "osltestsigning", 0x26000027),
    _app(GROUP_OSLOADER, "nolowmem", 0x26000030),
    _app(GROUP_OSLOADER, "removememory", 0x25000031),
    _app(GROUP_OSLOADER, "increaseuserva", 0x25000032),
    _app(GROUP_OSLOADER, "vga", 0x26000040),
    _app(GROUP_OSLOADER, "quietboot", 0x26000041),
    _app(GROUP_OSLOADER, "novesa", 0x26000042),
    _app(GROUP_OSLOADER, "onecpu", 0x26000060),
    _app(GROUP_OSLOADER, "numproc", 0x25000061),
    _app(GROUP_OSLOADER, "maxproc", 0x26000062),
    _app(GROUP_OSLOADER, "configflags", 0x25000063),
    _app(GROUP_OSLOADER, "usefirmwarepcisettings", 0x26000070),
    _app(GROUP_OSLOADER, "msi", 0x25000071, _enum("Default", "ForceDisable")),
    _app(GROUP_OSLOADER, "pciexpress", 0x25000072, _enum("Default", "ForceDisable")),
    _app(GROUP_OSLOADER, "safeboot", 0x25000080, _enum("Minimal", "Network", "DsRepair")),
    _app(GROUP_OSLOADER, "safebootalternateshell", 0x26000081),
    _app(GROUP_OSLOADER, "bootlog", 0x26000090),
    _app(GROUP_OSLOADER, "sos", 0x26000091),
    _app(GROUP_OSLOADER, "debug", 0x260000A0),
    _app(GROUP_OSLOADER, "halbreakpoint", 0x260000A1),
    _app(GROUP_OSLOADER, "useplatformclock", 0x260000A2),
    _app(GROUP_OSLOADER, "ems", 0x260000B0),
    _app(GROUP_OSLOADER, "driverloadfailurepolicy", 0x250000C1, _enum("Fatal", "UseErrorControl")),
    _app(GROUP_OSLOADER, "bootmenupolicy", 0x250000C2, _enum("Legacy", "Standard")),
    _app(GROUP_OSLOADER, "bootstatuspolicy", 0x250000E0, _enum(
        "DisplayAllFailures", "IgnoreAllFailures", "IgnoreShutdownFailures", "IgnoreBootFailures",
        "IgnoreCheckpointFailures", "DisplayShutdownFailures", "DisplayBootFailures", "DisplayCheckpointFailures",
        "AlwaysDisplayStartupFailures")),
    _app(GROUP_OSLOADER, "hypervisorlaunchtype", 0x250000F0, _enum("Off", "Auto")),
    _app(GROUP_OSLOADER, "hypervisordebug", 0x260000F2),
    _app(GROUP_OSLOADER, "hypervisordebugtype", 0x250000F3),
    _app(GROUP_OSLOADER, "hypervisordebugport", 0x250000F4),
    _app(GROUP_OSLOADER, "hypervisorbaudrate", 0x250000F5),
    _app(GROUP_OSLOADER, "hypervisorchannel", 0x250000F6),
    _app(GROUP_MEMDIAG, "passcount", 0x25000001),
    _app(GROUP_MEMDIAG, "testmix", 0x25000002, _enum("Basic", "Extended")),
)

ALL_ELEMENTS = LIBRARY_ELEMENTS + APPLICATION_ELEMENTS

# Well-known objects. {default} and {current} are virtual: they are not keys under Objects.
ALIASES = {
    "{bootmgr}": "{9dea862c-5cdd-4e70-acc1-f32b344d4795}",
    "{fwbootmgr}": "{a5a30fa2-3d06-4e9f-b5f4-a01df9d1fcba}",
    "{emssettings}": "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}",
    "{dbgsettings}": "{4636856e-540f-4170-a130-a84776f4c654}",
    "{globalsettings}": "{7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}",
    "{bootloadersettings}": "{6efb52bf-1766-41db-a6b3-0ee5eff72bd7}",
    "{resumeloadersettings}": "{1afa9c49-16ab-4a5c-901b-212802da9460}",
    "{hypervisorsettings}": "{7ff607e0-4395-11db-b0de-0800200c9a66}",
    "{badmemory}": "{5189b25c-5558-4bf2-bca4-289b11bd29e2}",
    "{memdiag}": "{b2721d73-1db4-4c62-bf78-c548a880142d}",
    "{ntldr}": "{466f5a88-0af2-4f76-9038-095b170dc21c}",
    "{ramdiskoptions}": "{ae5534e0-a924-466c-b836-758539a3ee3a}",
    "{kerneldbgsettings}": "{313e8eed-7098-4586-a9bf-309c61f8d449}",
}
ALIAS_BY_GUID = {guid: alias for alias, guid in ALIASES.items()}
DEFAULT_ALIAS = "{default}"
CURRENT_ALIAS = "{current}"
VIRTUAL_ALIASES = {DEFAULT_ALIAS: "{1cae1eb7-a0df-4d4d-9851-4860e34ef535}", CURRENT_ALIAS: "{fa926493-6f1c-4193-a414-58f0b2456d1e}"}
# The boot manager's ``default`` element: where {default} points.
BOOTMGR_DEFAULT_CODE = 0x23000003

OBJECT_TYPE_NAMES = {
    0x10100001: "Firmware Boot Manager",
    0x10100002: "Windows Boot Manager",
    0x10200003: "Windows Boot Loader",
    0x10200004: "Resume from Hibernate",
    0x10200005: "Windows Memory Tester",
    0x10300006: "Legacy OS Loader",
    0x101FFFFF: "Firmware Application",
    0x20100000: "Inheritable Settings",
    0x20200003: "Boot Loader Settings",
    0x20200004: "Resume Loader Settings",
    0x30000000: "Device Options",
}

GUID_PATTERN = re.compile(r"^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$")
CUSTOM_PATTERN = re.compile(r"^custom:([0-9a-fA-F]{8})$", re.IGNORECASE)


def object_type_name(object_type: int) -> str:
    return OBJECT_TYPE_NAMES.get(object_type, f"Object ({object_type:08x})")


def application_group(object_type: int) -> str | None:
    """The group of application-specific elements an object of this type accepts (None: library only)."""
    object_class = object_type >> 28
    inherit_scope = (object_type >> 20) & 0xF
    if object_class == 1 or (object_class == 2 and inherit_scope == 2):
        return _GROUP_BY_APPLICATION.get(object_type & 0xFFFFF)
    return None


def is_device_object(object_type: int) -> bool:
    return object_type >> 28 == 3


def applicable_elements(object_type: int) -> list[Element]:
    """Named elements valid on an object of this type."""
    group = application_group(object_type)
    out = list(LIBRARY_ELEMENTS)
    out.extend(el for el in APPLICATION_ELEMENTS if el.group is not None and el.group == group)
    return out


def element_for_code(object_type: int, code: int) -> Element | None:
    """The named element with this code on this object type, or None (shown as custom:XXXXXXXX)."""
    for element in applicable_elements(object_type):
        if element.code == code:
            return element
    return None


def element_display_name(object_type: int, code: int) -> str:
    element = element_for_code(object_type, code)
    return element.name if element else custom_name(code)


def custom_name(code: int) -> str:
    return f"custom:{code:08x}"


def code_applies(object_type: int, code: int) -> bool:
    """Whether bcdedit accepts this element code on this object type at all."""
    element_class = code >> 28
    if element_class == CLASS_LIBRARY:
        return True
    if element_class == CLASS_DEVICE:
        return is_device_object(object_type)
    if element_class == CLASS_APPLICATION:
        return application_group(object_type) is not None or object_type >> 28 == 1
    return True  # OEM and setup-template classes: bcdedit takes them as custom elements
