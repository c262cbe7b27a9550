"""Driver names from real saved WinDbg !analyze -v texts (../shared/data/text/windbg)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._windbg import analyze, fields

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "text" / "windbg"


def _text(name: str) -> str:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"real WinDbg samples not available ({path})")
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("name, code, image, module, drivers", [
    ("5a_filecrypt_azuredocs_flattened.txt", 0x5A, "filecrypt.sys", "filecrypt", ["filecrypt.sys"]),
    ("d1_netio_minidump_analyze_v.txt", 0xD1, "NETIO.SYS", "NETIO", ["NETIO.SYS"]),
    ("7e_EvilDriver.sys_insightengineering.txt", 0x7E, "EvilDriver.sys", "EvilDriver", ["EvilDriver.sys"]),
    ("50_Driver.sys_insightengineering.txt", 0x50, "Driver.sys", "Driver", ["Driver.sys"]),
])
def test_real_analyses(name, code, image, module, drivers):
    result = analyze(_text(name))
    assert (result["bugcheck_code"], result["image_name"], result["module_name"], result["drivers"]) == \
        (code, image, module, drivers)


def test_the_flattened_0x5a_text_gives_bucket_and_status():
    result = analyze(_text("5a_filecrypt_azuredocs_flattened.txt"))
    assert result["failure_bucket_id"] == "0x5A_c0000428_IMAGE_filecrypt.sys"
    assert result["status_code_hex"] == "0xC0000428"
    assert result["bugcheck_code_hex"] == "0x5A"
    # "IMAGE_VERSION: STACK_COMMAND: ..." is an empty field, not the next field's name.
    assert result["image_version"] is None


def test_image_version_of_a_full_session():
    assert analyze(_text("d1_netio_minidump_analyze_v.txt"))["image_version"] == "10.0.26100.4768"


def test_a_bucket_names_a_driver_even_without_image_name():
    result = analyze("BUGCHECK_STR:  0x5A_c0000428\nFAILURE_BUCKET_ID:  0x5A_c0000428_IMAGE_bad_drv.sys\n")
    assert result["drivers"] == ["bad_drv.sys"]
    assert result["bugcheck_code"] == 0x5A and result["image_name"] is None


def test_the_banner_number_is_the_last_resort_for_the_code():
    assert analyze("CRITICAL_SERVICE_FAILED (5a)\nArguments:\n")["bugcheck_code"] == 0x5A


def test_nothing_recognisable_gives_empty_facts():
    result = analyze("hello world")
    assert result["drivers"] == [] and result["bugcheck_code"] is None


def test_first_value_of_a_repeated_field_wins():
    assert fields("IMAGE_NAME: a.sys\nIMAGE_NAME: b.sys")["IMAGE_NAME"] == "a.sys"
