"""The windbg filters on the real saved analyses (their FQCN use in the role is tested in tests/e2e)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.vmrescue.windows.plugins.filter.windbg import FilterModule

DATA = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "text" / "windbg"


def _text(name: str) -> str:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"real WinDbg samples not available ({path})")
    return path.read_text(encoding="utf-8", errors="replace")


FILTERS = FilterModule().filters()


@pytest.mark.parametrize("name, drivers", [
    ("5a_filecrypt_azuredocs_flattened.txt", ["filecrypt.sys"]),
    ("d1_netio_minidump_analyze_v.txt", ["NETIO.SYS"]),
    ("7e_EvilDriver.sys_insightengineering.txt", ["EvilDriver.sys"]),
    ("50_Driver.sys_insightengineering.txt", ["Driver.sys"]),
])
def test_windbg_drivers_on_real_analyses(name, drivers):
    text = _text(name)
    assert FILTERS["windbg_drivers"](text) == drivers
    assert FILTERS["windbg_analysis"](text)["drivers"] == drivers


def test_listed_drivers_are_left_out_case_insensitively():
    windbg_drivers = FILTERS["windbg_drivers"]
    text = _text("d1_netio_minidump_analyze_v.txt")
    assert windbg_drivers(text, exclude=["netio.sys"]) == []
    assert windbg_drivers(text, exclude=[{"name": "Netio.Sys", "src": "D:\\good\\netio.sys"}]) == []
    assert windbg_drivers(text, exclude=["filecrypt.sys"]) == ["NETIO.SYS"]
    assert windbg_drivers(text, exclude=[]) == ["NETIO.SYS"]


@pytest.mark.parametrize("exclude", ["netio.sys", {"name": "netio.sys"}, [42], [{"src": "x"}], 7])
def test_exclude_must_be_a_list_of_names_or_named_dicts(exclude):
    with pytest.raises(AnsibleFilterError, match="exclude"):
        FILTERS["windbg_drivers"]("IMAGE_NAME:  netio.sys\n", exclude=exclude)


def test_filters_refuse_non_text():
    for name in ("windbg_analysis", "windbg_drivers"):
        with pytest.raises(AnsibleFilterError):
            FILTERS[name](42)


def test_a_text_without_a_driver_gives_an_empty_list():
    assert FILTERS["windbg_drivers"]("BUGCHECK_CODE:  5a\n") == []
