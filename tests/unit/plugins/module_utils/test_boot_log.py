"""ntbtlog.txt: drivers that did not load in the last boot, found without reading the (translated) status text.

The English lines follow the samples in Windows Internals and Microsoft's Windows 7 resource kit ("Loaded driver …",
"Did not load driver …"). No real translated ntbtlog.txt is in ../shared/data, so the other-language case uses
made-up status texts on purpose: the parser must not care what they say.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_log import driver_file_name, parse_boot_log


def _log(*sessions: tuple[str, list[tuple[str, str]]]) -> bytes:
    lines = []
    for date, drivers in sessions:
        lines += ["Microsoft (R) Windows (R) Version 10.0 (Build 17763)", date]
        lines += [f"{status} {path}" for status, path in drivers]
        lines.append("")
    return b"\xff\xfe" + "\r\n".join(lines).encode("utf-16-le")


_LOADED, _SKIPPED = "Loaded driver", "Did not load driver"


def _boot(loaded: str, skipped: str, date: str = "11 30 2026 22:14:02.500"):
    return (date, [
        (loaded, r"\SystemRoot\system32\ntoskrnl.exe"),
        (loaded, r"\SystemRoot\system32\hal.dll"),
        (loaded, r"\SystemRoot\System32\drivers\pciide.sys"),
        (skipped, r"\SystemRoot\System32\drivers\contoso.sys"),
        (loaded, r"\SystemRoot\System32\Drivers\disk.sys"),
    ])


def test_an_english_log_names_the_driver_that_did_not_load():
    result = parse_boot_log(_log(_boot(_LOADED, _SKIPPED)))
    assert result.reason == "ok"
    assert result.not_loaded == (r"\SystemRoot\System32\drivers\contoso.sys",)
    assert len(result.loaded) == 4


@pytest.mark.parametrize("loaded, skipped", [("Xq wlb zrf", "Xq wlb zrf nope"), ("一", "二 三"), ("a", "b")])
def test_any_status_texts_give_the_same_answer(loaded, skipped):
    result = parse_boot_log(_log(_boot(loaded, skipped)))
    assert [driver_file_name(path) for path in result.not_loaded] == ["contoso.sys"]


def test_only_the_last_boot_counts():
    older = ("11 29 2026 08:00:00.000", [(_LOADED, r"\SystemRoot\system32\ntoskrnl.exe"),
                                         (_SKIPPED, r"\SystemRoot\System32\drivers\old.sys")])
    result = parse_boot_log(_log(older, _boot(_LOADED, _SKIPPED)))
    assert result.sessions == 2
    assert [driver_file_name(path) for path in result.not_loaded] == ["contoso.sys"]


def test_the_kernel_line_decides_even_when_it_is_not_first():
    date, drivers = _boot(_LOADED, _SKIPPED)
    drivers.insert(0, (_SKIPPED, r"\SystemRoot\System32\drivers\early.sys"))
    result = parse_boot_log(_log((date, drivers)))
    assert sorted(driver_file_name(path) for path in result.not_loaded) == ["contoso.sys", "early.sys"]


def test_a_log_where_everything_loaded_has_no_suspect():
    date, drivers = _boot(_LOADED, _LOADED)
    assert parse_boot_log(_log((date, drivers))).not_loaded == ()


@pytest.mark.parametrize("data, reason", [
    ("Loaded driver \\SystemRoot\\x.sys".encode("utf-8"), "not-utf16"),
    (b"\xff\xfe", "empty"),
    (b"\xff\xfe" + "Microsoft (R) Windows (R)\r\n".encode("utf-16-le"), "empty"),
])
def test_what_is_not_a_boot_log_says_why(data, reason):
    assert parse_boot_log(data).reason == reason
