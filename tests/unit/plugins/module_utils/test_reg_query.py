"""reg query output: synthetic layouts and real published output."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import RegQueryError, decode_data, full_key, parse

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "text" / "regquery"


def _sample(name: str) -> str:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"real reg query samples not available at {DATA}")
    return path.read_text(encoding="utf-8")


def test_value_types_and_subkeys_of_a_recursive_listing():
    text = "\r\n".join([
        "",
        r"HKEY_LOCAL_MACHINE\m\Objects\{a}",
        "",
        r"HKEY_LOCAL_MACHINE\m\Objects\{a}\Elements",
        "",
        r"HKEY_LOCAL_MACHINE\m\Objects\{a}\Elements\16000020",
        "    Element    REG_BINARY    01",
        r"HKEY_LOCAL_MACHINE\m\Objects\{a}\Elements\24000001",
        r"    Element    REG_MULTI_SZ    {x}\0{y}",
        r"HKEY_LOCAL_MACHINE\m\Objects\{a}\Description",
        "    Type    REG_DWORD    0x10200003",
        "    Big    REG_QWORD    0x1d51a713093363f",
        "    Empty    REG_SZ    ",
        "    Bare    REG_SZ",
        "    With  two spaces    REG_EXPAND_SZ    %SystemRoot%\\x y",
        "    NoData    REG_BINARY    ",
        "",
        "End of search: 5 match(es) found.",
    ])
    result = parse(text)
    assert result.key(r"HKLM\m\Objects\{a}\Elements\16000020").value("element").data == b"\x01"
    assert result.key(r"HKLM\m\Objects\{a}\Elements\24000001").value("Element").data == ["{x}", "{y}"]
    desc = result.key(r"HKEY_LOCAL_MACHINE\M\objects\{A}\Description")
    assert desc.value("Type").data == 0x10200003 and desc.value("Type").type == "REG_DWORD"
    assert desc.value("Big").data == 0x1d51a713093363f
    assert desc.value("Empty").data == "" and desc.value("Bare").data == ""
    assert desc.value("With  two spaces").data == "%SystemRoot%\\x y"
    assert desc.value("NoData").data == b""
    assert result.subkeys(r"HKLM\m\Objects\{a}") == ["Elements", "Description"]
    assert [k.path.rsplit("\\", 1)[1] for k in result.descendants(r"HKLM\m\Objects\{a}\Elements")] == \
        ["Elements", "16000020", "24000001"]


def test_listed_subkeys_without_values_are_keys():
    text = "\n".join(["", r"HKEY_LOCAL_MACHINE\h", "    V    REG_DWORD    0x0", "",
                      r"HKEY_LOCAL_MACHINE\h\ControlSet001", r"HKEY_LOCAL_MACHINE\h\Select", ""])
    assert parse(text).subkeys(r"HKLM\h") == ["ControlSet001", "Select"]


def test_bad_numbers_are_errors_not_guesses():
    with pytest.raises(RegQueryError):
        decode_data("REG_DWORD", "12")
    with pytest.raises(RegQueryError):
        decode_data("REG_BINARY", "0G")


def test_full_key_spells_the_root_out():
    assert full_key(r"HKLM\x\y") == r"HKEY_LOCAL_MACHINE\x\y"
    assert full_key(r"HKEY_USERS\x") == r"HKEY_USERS\x"


def test_real_service_key_en_1():
    result = parse(_sample("en_1.txt"))
    key = result.key(r"HKLM\System\CurrentControlSet\Services\regsvc")
    assert key.value("Start").data == 3 and key.value("Type").data == 0x10
    assert key.value("ImagePath").type == "REG_EXPAND_SZ"
    assert key.value("ImagePath").data == '"C:\\Program Files\\Insecure Registry Service\\insecureregistryservice.exe"'
    assert key.value("DisplayName").data == "Insecure Registry Service"
    assert result.subkeys(r"HKLM\System\CurrentControlSet\Services\regsvc") == ["Security"]


def test_real_recursive_crashcontrol_en_2_is_indented_with_eight_spaces():
    """The sample was published re-indented (8 spaces); reg.exe writes 4. Read it with indent=8."""
    text = _sample("en_2.txt")
    strict = parse(text).key(r"HKLM\SYSTEM\CurrentControlSet\Control\CrashControl")
    assert strict.value("CrashDumpEnabled") is None and strict.value("    CrashDumpEnabled").data == 7
    result = parse(text, indent=8)
    crash = result.key(r"HKLM\SYSTEM\CurrentControlSet\Control\CrashControl")
    assert crash.value("CrashDumpEnabled").data == 7
    assert crash.value("DumpFilters").data == ["dumpfve.sys"]
    assert crash.value("DumpFile").data == "%SystemRoot%\\MEMORY.DMP"
    live = result.key(r"HKLM\SYSTEM\CurrentControlSet\Control\CrashControl\FullLiveKernelReports\win32k.sys")
    assert live.value("LastFullLiveReport").data == 0x1d51a713093363f
    storage = result.key(r"HKLM\SYSTEM\CurrentControlSet\Control\CrashControl\StorageTelemetry")
    assert storage.value("StorageTCCode_3").data == 0x69696969
    assert sorted(result.subkeys(r"HKLM\SYSTEM\CurrentControlSet\Control\CrashControl")) == \
        ["FullLiveKernelReports", "LiveKernelReports", "StorageTelemetry"]


def test_real_chinese_output_zh_1():
    result = parse(_sample("zh_1.txt"))
    key = result.key(r"HKLM\SYSTEM\CurrentControlSet\Services\gupdate")
    assert key.value("DependOnService").data == ["RPCSS"]
    assert key.value("DisplayName").data.startswith("Google ") and key.value("DisplayName").data.endswith("(gupdate)")
    assert key.value("WOW64").data == 0x14C
    assert key.value("Description").type == "REG_SZ"


def test_real_german_error_is_ignored_and_value_read_de_1():
    result = parse(_sample("de_1.txt"))
    key = result.key(r"HKLM\SYSTEM\CurrentControlSet\Control\FileSystem")
    assert key.value("LongPathsEnabled").data == 1
    assert len(result.keys) == 1
