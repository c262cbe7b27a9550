"""build --signed-evidence: the broken disk carries real signed bytes, a catalog store and a boot log; checked with
pefile and plain byte comparisons (no collection code)."""
from __future__ import annotations

import pefile
import pytest

from tests.simulator.windows.build import build_machine
from tests.simulator.windows.signed_evidence import CATALOGS, CATROOT
from tests.unit.plugins.hive_text import DATA

SIGNING = DATA / "signing"
pytestmark = pytest.mark.skipif(not (SIGNING / "pciide.sys").exists(), reason=f"real signed samples not at {SIGNING}")


def _windows(tmp_path, scenario):
    build_machine(tmp_path / scenario, scenario=scenario, signed_evidence_dir=SIGNING)
    return tmp_path / scenario / "F" / "Windows"


def test_a_crashed_disk_has_one_tampered_driver_the_catalogs_and_a_boot_log_naming_it(tmp_path):
    windows = _windows(tmp_path, "critical-service-failed")
    pciide = (SIGNING / "pciide.sys").read_bytes()
    drivers = windows / "System32" / "drivers"
    assert (drivers / "disk.sys").read_bytes() == pciide
    tampered = (drivers / "filecrypt.sys").read_bytes()
    assert len(tampered) == len(pciide) and sum(a != b for a, b in zip(tampered, pciide)) == 1
    volmgr = pefile.PE(data=(drivers / "volmgr.sys").read_bytes(), fast_load=True)
    assert volmgr.OPTIONAL_HEADER.DATA_DIRECTORY[4].Size == 0          # signed only through DXCore.cat
    for name in CATALOGS:
        assert (windows / CATROOT / name).read_bytes() == (SIGNING / name).read_bytes()
    log = (windows / "ntbtlog.txt").read_bytes()
    assert log[:2] == b"\xff\xfe"
    text = log[2:].decode("utf-16-le")
    assert "Did not load driver \\SystemRoot\\System32\\drivers\\filecrypt.sys" in text
    assert text.count("Did not load driver") == 1


def test_a_clean_disk_has_every_driver_validly_signed_and_every_driver_loaded(tmp_path):
    windows = _windows(tmp_path, "clean")
    assert (windows / "System32" / "drivers" / "filecrypt.sys").read_bytes() == (SIGNING / "pciide.sys").read_bytes()
    assert "Did not load" not in (windows / "ntbtlog.txt").read_bytes()[2:].decode("utf-16-le")
    assert not (windows / "MEMORY.DMP").exists()
