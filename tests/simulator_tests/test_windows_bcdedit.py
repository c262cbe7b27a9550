"""The simulated bcdedit.exe on copies of real BCD stores, checked with regipy (an independent reader, not hivex)."""
from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.simulator.windows import bcdedit, i18n
from tests.simulator.windows.bcd_elements import WELL_KNOWN_OBJECTS
from tests.simulator.windows.machine import Machine

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"
REAL_STORES = {
    "regipy-uefi": "hives/bcd/regipy-uefi-BCD",
    "windeploy-bios": "hives/bcd/windeploy-bios-BCD",
    "windeploy-efi": "hives/bcd/windeploy-efi-BCD",
    "winefi-esp": "hives/bcd/winefi-esp/EFI/Microsoft/Boot/BCD",
}
# Stores that hold the full Windows object set ({emssettings}, {bootloadersettings}, …); windeploy-efi has only
# {bootmgr}, {fwbootmgr} and one loader.
FULL_STORES = ("regipy-uefi", "windeploy-bios", "winefi-esp")
STORE_PATH = "S:\\EFI\\Microsoft\\Boot\\BCD"
BOOTMGR = WELL_KNOWN_OBJECTS["bootmgr"]
EMSSETTINGS = WELL_KNOWN_OBJECTS["emssettings"]


def _real_store(name: str) -> Path:
    path = DATA / REAL_STORES[name]
    if not path.is_file():
        pytest.skip(f"real BCD store {path} is not available (the shared data folder is missing)")
    return path


def _partition(number: int, letter: str, role: str) -> dict:
    return {
        "number": number, "gpt_type": None, "mbr_type": None, "letter": letter,
        "volume_dir": f"volumes/{letter.lower()}", "file_system": "NTFS", "label": "", "size": 1 << 30,
        "offset": number << 20, "active": False, "role": role,
    }


def _machine(tmp_path: Path) -> Machine:
    data = {
        "hostname": "RESCUE-01",
        "generation": 2,
        "disks": [{
            "number": 0, "friendly_name": "Virtual HD", "partition_style": "GPT", "guid": None, "signature": None,
            "offline": False, "offline_reason": None, "read_only": False, "is_system": True, "is_boot": True,
            "size": 1 << 34, "partitions": [_partition(1, "C", "os"), _partition(2, "S", "esp")],
        }],
    }
    for letter in ("c", "s"):
        (tmp_path / "volumes" / letter).mkdir(parents=True)
    return Machine(tmp_path, data)


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return _machine(tmp_path)


def _install_store(machine: Machine, name: str) -> Path:
    host = machine.dir / "volumes" / "s" / "EFI" / "Microsoft" / "Boot" / "BCD"
    host.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_real_store(name), host)
    return host


def _bcdedit(machine: Machine, *argv: str, language: str = "en-US") -> tuple[int, str, str]:
    return bcdedit.run(["/store", STORE_PATH, *argv], machine, language=language)


def _element(host: Path, guid: str, code: str) -> tuple[str, object]:
    """(regipy type name, value) of Objects\\{guid}\\Elements\\<code>\\Element."""
    key = RegistryHive(str(host)).get_key(f"\\Objects\\{guid}\\Elements\\{code}")
    values = {value.name: value for value in key.iter_values(as_json=False)}
    return values["Element"].value_type, values["Element"].value


def _has_element(host: Path, guid: str, code: str) -> bool:
    elements = RegistryHive(str(host)).get_key(f"\\Objects\\{guid}\\Elements")
    return any(subkey.name.lower() == code.lower() for subkey in elements.iter_subkeys())


def _default_loader(host: Path) -> str:
    return _element(host, BOOTMGR, "23000003")[1]


def _success(language: str = "en-US") -> str:
    return i18n.text(language, "bcdedit.success") + "\r\n"


# --- writes, checked byte for byte ----------------------------------------------------------------------------


@pytest.mark.parametrize("store", FULL_STORES)
def test_bootems_yes_on_bootmgr_is_a_one_byte_binary(machine, store):
    host = _install_store(machine, store)
    assert _bcdedit(machine, "/set", "{bootmgr}", "bootems", "yes") == (0, _success(), "")
    assert _element(host, BOOTMGR, "16000020") == ("REG_BINARY", "01")


@pytest.mark.parametrize("store", list(REAL_STORES))
def test_timeout_is_an_eight_byte_little_endian_integer(machine, store):
    host = _install_store(machine, store)
    assert _bcdedit(machine, "/set", "{bootmgr}", "timeout", "10")[0] == 0
    assert _element(host, BOOTMGR, "25000004") == ("REG_BINARY", "0a00000000000000")


def test_hex_integer_is_accepted(machine):
    host = _install_store(machine, "regipy-uefi")
    assert _bcdedit(machine, "/set", "{bootmgr}", "timeout", "0x1E")[0] == 0
    assert _element(host, BOOTMGR, "25000004") == ("REG_BINARY", "1e00000000000000")


@pytest.mark.parametrize(
    ("element", "value", "code", "expected"),
    [
        ("safeboot", "minimal", "25000080", "0000000000000000"),
        ("safeboot", "Network", "25000080", "0100000000000000"),
        ("integrityservices", "disable", "1500004b", "0200000000000000"),
        ("bootstatuspolicy", "IgnoreAllFailures", "250000e0", "0100000000000000"),
        ("bootmenupolicy", "legacy", "250000c2", "0000000000000000"),
        ("nx", "AlwaysOn", "25000020", "0300000000000000"),
        ("hypervisorlaunchtype", "off", "250000f0", "0000000000000000"),
        ("bootlog", "on", "26000090", "01"),
        ("recoveryenabled", "No", "16000009", "00"),
        ("nointegritychecks", "TRUE", "16000048", "01"),
        ("testsigning", "0", "16000049", "00"),
    ],
)
def test_default_loader_settings(machine, element, value, code, expected):
    host = _install_store(machine, "windeploy-bios")
    loader = _default_loader(host)
    assert _bcdedit(machine, "/set", "{default}", element, value) == (0, _success(), "")
    assert _element(host, loader, code) == ("REG_BINARY", expected)


def test_existing_element_keeps_its_key_and_is_overwritten(machine):
    host = _install_store(machine, "regipy-uefi")
    loader = _default_loader(host)
    assert _element(host, loader, "250000c2") == ("REG_BINARY", "0100000000000000")
    assert _bcdedit(machine, "/set", "{default}", "bootmenupolicy", "Legacy")[0] == 0
    assert _element(host, loader, "250000c2") == ("REG_BINARY", "0000000000000000")
    elements = RegistryHive(str(host)).get_key(f"\\Objects\\{loader}\\Elements")
    assert [key.name for key in elements.iter_subkeys()].count("250000c2") == 1


def test_ems_on_sets_the_loader_boolean(machine):
    host = _install_store(machine, "winefi-esp")
    loader = _default_loader(host)
    assert _bcdedit(machine, "/ems", "{default}", "ON") == (0, _success(), "")
    assert _element(host, loader, "260000b0") == ("REG_BINARY", "01")
    assert _bcdedit(machine, "/ems", "{default}", "off")[0] == 0
    assert _element(host, loader, "260000b0") == ("REG_BINARY", "00")


def test_ems_on_bootmgr_does_not_apply(machine):
    host = _install_store(machine, "winefi-esp")
    rc, out, _err = _bcdedit(machine, "/ems", "{bootmgr}", "on")
    assert rc == 1 and i18n.text("en-US", "bcdedit.element_unknown") in out
    assert not _has_element(host, BOOTMGR, "260000b0")


def test_emssettings_port_and_baudrate(machine):
    host = _install_store(machine, "regipy-uefi")
    assert _bcdedit(machine, "/emssettings", "EMSPORT:1", "EMSBAUDRATE:115200") == (0, _success(), "")
    assert _element(host, EMSSETTINGS, "15000022") == ("REG_BINARY", "0100000000000000")
    assert _element(host, EMSSETTINGS, "15000023") == ("REG_BINARY", "00c2010000000000")


@pytest.mark.parametrize("argv", [["EMSPORT:x"], ["EMSBAUDRATE:115200"], ["EMSPORT:1", "EMSBAUDRATE:12345"], []])
def test_emssettings_bad_arguments_are_refused(machine, argv):
    host = _install_store(machine, "regipy-uefi")
    before = host.read_bytes()
    assert _bcdedit(machine, "/emssettings", *argv)[0] == 1
    assert host.read_bytes() == before


def test_custom_element_uses_its_format_nibble(machine):
    host = _install_store(machine, "regipy-uefi")
    assert _bcdedit(machine, "/set", "{globalsettings}", "custom:16000067", "true")[0] == 0
    assert _element(host, WELL_KNOWN_OBJECTS["globalsettings"], "16000067") == ("REG_BINARY", "01")


def test_object_element_is_a_braced_guid_string(machine):
    host = _install_store(machine, "regipy-uefi")
    target = "{733b62e6-f608-11eb-825c-c112f60133ab}"
    assert _bcdedit(machine, "/set", "{bootmgr}", "default", target.upper())[0] == 0
    assert _element(host, BOOTMGR, "23000003") == ("REG_SZ", target)


def test_object_list_is_a_multi_string(machine):
    host = _install_store(machine, "regipy-uefi")
    loader = _default_loader(host)
    assert _bcdedit(machine, "/set", "{bootmgr}", "displayorder", loader, "{memdiag}")[0] == 0
    assert _element(host, BOOTMGR, "24000001") == ("REG_MULTI_SZ", [loader, WELL_KNOWN_OBJECTS["memdiag"]])


def test_short_stored_integer_keeps_its_size(machine):
    """Reference §1: read short integers zero-extended and keep an existing value's size on write."""
    host = _install_store(machine, "regipy-uefi")
    store = bcdedit._Store.open(machine, STORE_PATH, write=True)
    node = store._element_node(BOOTMGR, 0x25000004)
    store.hive.node_set_value(node, {"key": "Element", "t": 3, "value": struct.pack("<I", 30)})
    store.commit()
    assert _bcdedit(machine, "/set", "{bootmgr}", "timeout", "7")[0] == 0
    assert _element(host, BOOTMGR, "25000004") == ("REG_BINARY", "07000000")


def test_deletevalue_removes_the_element_key(machine):
    host = _install_store(machine, "regipy-uefi")
    loader = _default_loader(host)
    assert _has_element(host, loader, "250000c2")
    assert _bcdedit(machine, "/deletevalue", "{default}", "bootmenupolicy") == (0, _success(), "")
    assert not _has_element(host, loader, "250000c2")


# --- strictness ---------------------------------------------------------------------------------------------------


def _assert_refused(machine: Machine, host: Path, argv: list[str], *keys: str) -> str:
    before = host.read_bytes()
    rc, out, _err = _bcdedit(machine, *argv)
    assert rc == 1
    assert out.split("\r\n")[: len(keys)] == [i18n.text("en-US", key) for key in keys]
    assert host.read_bytes() == before, "a refused command must not touch the store"
    return out


def test_unknown_element_is_refused(machine):
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(
        machine, host, ["/set", "{default}", "bootlogging", "yes"],
        "bcdedit.element_unknown", "bcdedit.run_help", "bcdedit.element_not_found",
    )


def test_loader_element_does_not_apply_to_bootmgr(machine):
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(machine, host, ["/set", "{bootmgr}", "safeboot", "minimal"], "bcdedit.element_unknown")


def test_class_two_codes_resolve_per_object_type(machine):
    """0x23000003 is `default` on {bootmgr} but `resumeobject` on a loader: `default` does not exist on a loader."""
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(machine, host, ["/set", "{default}", "default", BOOTMGR], "bcdedit.element_unknown")


def test_identifier_without_braces_is_refused(machine):
    """PowerShell turns an unquoted {default} into a script block and bcdedit receives `default`."""
    host = _install_store(machine, "regipy-uefi")
    out = _assert_refused(machine, host, ["/set", "default", "timeout", "10"])
    assert out.split("\r\n")[:3] == [
        i18n.text("en-US", "bcdedit.command_invalid", command="set"),
        i18n.text("en-US", "bcdedit.run_help"),
        i18n.text("en-US", "bcdedit.parameter_incorrect"),
    ]


@pytest.mark.parametrize("identifier", ["{current}", "{00000000-0000-0000-0000-000000000001}"])
def test_unknown_or_unresolvable_entry_is_refused(machine, identifier):
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(
        machine, host, ["/set", identifier, "timeout", "10"], "bcdedit.entry_reference_failed", "bcdedit.file_not_found"
    )


def test_default_without_bootmgr_default_element_is_refused(machine):
    host = _install_store(machine, "regipy-uefi")
    assert _bcdedit(machine, "/deletevalue", "{bootmgr}", "default")[0] == 0
    _assert_refused(machine, host, ["/set", "{default}", "bootlog", "yes"], "bcdedit.entry_reference_failed")


def test_deletevalue_of_unset_element_is_refused(machine):
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(
        machine, host, ["/deletevalue", "{default}", "safeboot"], "bcdedit.delete_failed", "bcdedit.element_not_found"
    )


@pytest.mark.parametrize(
    ("element", "value", "key"),
    [
        ("timeout", "ten", "bcdedit.integer_invalid"),
        ("timeout", "-1", "bcdedit.integer_invalid"),
        ("timeout", "18446744073709551616", "bcdedit.integer_invalid"),
        ("bootems", "maybe", "bcdedit.boolean_invalid"),
        ("device", "partition=C:", "bcdedit.device_invalid"),
    ],
)
def test_bad_values_are_refused(machine, element, value, key):
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(machine, host, ["/set", "{bootmgr}", element, value], key)


def test_bad_enum_name_is_refused(machine):
    host = _install_store(machine, "regipy-uefi")
    _assert_refused(machine, host, ["/set", "{default}", "safeboot", "safe"], "bcdedit.integer_invalid")


def test_store_loaded_by_reg_is_in_use(machine):
    host = _install_store(machine, "regipy-uefi")
    machine.registry.load("HKLM", "BCDTEST", host)
    _assert_refused(
        machine, host, ["/set", "{bootmgr}", "timeout", "10"], "bcdedit.store_open_failed", "bcdedit.file_in_use"
    )


def test_missing_store_is_not_found(machine):
    rc, out, _err = _bcdedit(machine, "/set", "{bootmgr}", "timeout", "10")
    assert rc == 1
    assert out == "\r\n".join(
        [i18n.text("en-US", "bcdedit.store_open_failed"), i18n.text("en-US", "bcdedit.file_not_found"), ""]
    )


def test_dirty_store_is_refused_and_untouched(machine):
    host = _install_store(machine, "regipy-uefi")
    data = bytearray(host.read_bytes())
    data[4:8] = (struct.unpack_from("<I", data, 4)[0] + 1).to_bytes(4, "little")  # primary != secondary
    checksum = 0
    for (dword,) in struct.iter_unpack("<I", bytes(data[:508])):
        checksum ^= dword
    data[508:512] = checksum.to_bytes(4, "little")
    host.write_bytes(bytes(data))
    _assert_refused(machine, host, ["/set", "{bootmgr}", "timeout", "10"], "bcdedit.store_open_failed")


def test_without_store_the_system_store_is_not_opened(machine):
    rc, out, _err = bcdedit.run(["/set", "{bootmgr}", "timeout", "10"], machine)
    assert rc == 1
    assert out.startswith(i18n.text("en-US", "bcdedit.store_open_failed"))


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_errors_and_success_are_translated(machine, language):
    _install_store(machine, "regipy-uefi")
    assert _bcdedit(machine, "/set", "{bootmgr}", "timeout", "5", language=language) == (0, _success(language), "")
    rc, out, _err = _bcdedit(machine, "/set", "{bootmgr}", "nosuchthing", "1", language=language)
    assert rc == 1 and out.startswith(i18n.text(language, "bcdedit.element_unknown"))


# --- /enum --------------------------------------------------------------------------------------------------------


def _blocks(output: str) -> list[list[str]]:
    assert output.startswith("\r\n")
    return [block.split("\r\n") for block in output.strip("\r\n").split("\r\n\r\n")]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_enum_headers_translated_element_names_not(machine, language):
    host = _install_store(machine, "regipy-uefi")
    rc, out, _err = _bcdedit(machine, "/enum", "all", language=language)
    assert rc == 0
    blocks = _blocks(out)
    bootmgr = next(block for block in blocks if block[0] == i18n.text(language, "bcdedit.header.bootmgr"))
    assert bootmgr[1] == i18n.underline(language, "bcdedit.header.bootmgr")
    label = i18n.text(language, "bcdedit.label.identifier")
    assert bootmgr[2].startswith(label) and bootmgr[2].endswith("{bootmgr}")
    assert any(line.split()[:2] == ["timeout", "30"] for line in bootmgr)
    assert any(line.split()[:2] == ["default", "{default}"] for line in bootmgr)
    loader = next(block for block in blocks if block[2].endswith("{default}"))
    assert loader[0] == i18n.text(language, "bcdedit.header.osloader")
    assert any(line.split()[:2] == ["nx", "OptIn"] for line in loader)
    assert any(line.split()[:2] == ["recoveryenabled", "Yes"] for line in loader)
    ems = next(block for block in blocks if block[0] == i18n.text(language, "bcdedit.header.emssettings"))
    assert any(line.split()[:2] == ["bootems", "No"] for line in ems)
    english_names = {line.split()[0] for block in _blocks(_bcdedit(machine, "/enum", "all")[1]) for line in block[3:]}
    names = {line.split()[0] for block in blocks for line in block[3:]}
    assert names == english_names  # element names and values stay English in every language
    assert host.is_file()


def test_enum_verbose_shows_guids_and_object_lists_continue(machine):
    host = _install_store(machine, "regipy-uefi")
    rc, out, _err = _bcdedit(machine, "/enum", "{globalsettings}", "/v")
    assert rc == 0
    assert _blocks(out) == [[
        "Global Settings",
        "---------------",
        "identifier              {7ea2e1ac-2e61-4728-aaa3-896d9d0a9f0e}",
        "inherit                 {4636856e-540f-4170-a130-a84776f4c654}",
        "                        {0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}",
        "                        {5189b25c-5558-4bf2-bca4-289b11bd29e2}",
    ]]
    loader = _default_loader(host)
    rc, out, _err = _bcdedit(machine, "/enum", "{default}", "/v")
    assert _blocks(out)[0][2] == f"identifier              {loader}"


def test_enum_shows_what_set_wrote(machine):
    _install_store(machine, "windeploy-bios")
    assert _bcdedit(machine, "/set", "{default}", "bootstatuspolicy", "ignoreallfailures")[0] == 0
    assert _bcdedit(machine, "/set", "{default}", "safeboot", "minimal")[0] == 0
    loader = _blocks(_bcdedit(machine, "/enum", "{default}")[1])[0]
    assert "bootstatuspolicy        IgnoreAllFailures" in loader
    assert "safeboot                Minimal" in loader
    lines = [line.split()[0] for line in loader[3:] if not line.startswith(" ")]
    assert lines.index("safeboot") < lines.index("bootmenupolicy") < lines.index("bootstatuspolicy")


def test_enum_active_lists_bootmgr_then_display_order(machine):
    _install_store(machine, "regipy-uefi")
    headers = [block[0] for block in _blocks(_bcdedit(machine, "/enum")[1])]
    assert headers == ["Windows Boot Manager", "Windows Boot Loader"]


def test_enum_all_orders_objects_by_type(machine):
    _install_store(machine, "regipy-uefi")
    headers = [block[0] for block in _blocks(_bcdedit(machine, "/enum", "all")[1])]
    assert headers[:2] == ["Firmware Boot Manager", "Windows Boot Manager"]
    assert headers.index("Windows Boot Loader") < headers.index("EMS Settings") < headers.index("Device options")


def test_enum_custom_and_unknown_elements(machine):
    _install_store(machine, "regipy-uefi")
    blocks = _blocks(_bcdedit(machine, "/enum", "all")[1])
    assert any("custom:46000010         Yes" in block for block in blocks)
