"""The diagnosis: bugcheck named, suspects ranked with evidence, a recommendation; a healthy disk has no suspect.

The dump header is built from the documented layout (see test_dump_header.py); signatures are decided on the real
signed samples of ../shared/data/signing, one of them tampered with one flipped byte.
"""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import BootDriver, resolve_image_path
from ansible_collections.vmrescue.windows.plugins.module_utils._boot_log import parse_boot_log
from ansible_collections.vmrescue.windows.plugins.module_utils._diagnosis import DumpFound, diagnose
from ansible_collections.vmrescue.windows.plugins.module_utils._dump_header import parse_dump_header
from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import CatalogIndex, file_signature
from tests.unit.plugins.module_utils.test_boot_log import _boot, _log
from tests.unit.plugins.module_utils.test_dump_header import _dump64
from tests.unit.plugins.module_utils.test_file_signature import _read

_WINDOWS = "F:\\Windows"


def _driver(service: str, error_control: int = 1) -> BootDriver:
    image_path = f"System32\\drivers\\{service}.sys"
    form, file = resolve_image_path(service, image_path, _WINDOWS)
    return BootDriver(service, 0, 1, error_control, None, image_path, form, file)


_DRIVERS = [_driver("pciide"), _driver("contoso", error_control=3), _driver("disk")]
_DUMP = [DumpFound("F:\\Windows\\MEMORY.DMP", parse_dump_header(_dump64()))]


def _signatures(tampered: bool) -> dict:
    good = _read("pciide.sys")
    bad = bytearray(good)
    bad[0x800] ^= 0x01
    index = CatalogIndex([])
    return {"pciide": file_signature(good, index), "disk": file_signature(good, index),
            "contoso": file_signature(bytes(bad) if tampered else good, index)}


def test_the_planted_driver_comes_first_with_its_evidence():
    result = diagnose(_DUMP, parse_boot_log(_log(_boot("Loaded driver", "Did not load driver"))), _DRIVERS, set(),
                      _signatures(tampered=True), _WINDOWS)
    assert (result["bugcheck"]["bugcheck_name"], result["bugcheck"]["load_status_name"]) == (
        "CRITICAL_SERVICE_FAILED", "STATUS_INVALID_IMAGE_HASH")
    assert [suspect["service"] for suspect in result["suspects"]] == ["contoso"]
    first = result["suspects"][0]
    assert [item["kind"] for item in first["evidence"]] == ["signature", "boot-log"]
    assert first["evidence"][0]["verdict"] == "digest-mismatch"
    assert first["score"] == 6 + 3 + 3 + 1
    assert (result["recommendation"]["action"], result["recommendation"]["service"]) == ("swap-driver", "contoso")


def test_a_healthy_disk_has_no_suspect():
    date, drivers = _boot("Loaded driver", "Loaded driver")
    result = diagnose(_DUMP, parse_boot_log(_log((date, drivers))), _DRIVERS, set(), _signatures(tampered=False),
                      _WINDOWS)
    assert result["suspects"] == []
    assert result["recommendation"]["action"] == "none"


def test_a_missing_file_outranks_a_driver_that_only_did_not_load():
    result = diagnose([], parse_boot_log(_log(_boot("Loaded driver", "Did not load driver"))), _DRIVERS, {"disk"},
                      _signatures(tampered=False), _WINDOWS)
    assert [(s["service"], s["score"]) for s in result["suspects"]] == [("disk", 8), ("contoso", 3 + 1)]
    assert result["bugcheck"] is None
    assert result["recommendation"]["action"] == "restore-file"


def test_without_a_dump_the_signature_fault_counts_without_the_image_hash_bonus():
    result = diagnose([], None, _DRIVERS, set(), _signatures(tampered=True), _WINDOWS)
    assert [(s["service"], s["score"]) for s in result["suspects"]] == [("contoso", 6 + 1)]


def test_no_evidence_at_all_asks_for_more():
    result = diagnose([], None, _DRIVERS, set(), _signatures(tampered=False), _WINDOWS)
    assert (result["suspects"], result["recommendation"]["action"]) == ([], "collect-evidence")


@pytest.mark.parametrize("older_first", [True, False])
def test_the_latest_dump_names_the_bugcheck(older_first):
    older = DumpFound("F:\\Windows\\Minidump\\a.dmp", parse_dump_header(_dump64(code=0xD1, filetime=10**17)))
    dumps = [older] + _DUMP if older_first else _DUMP + [older]
    assert diagnose(dumps, None, [], set(), {}, _WINDOWS)["bugcheck"]["bugcheck_code"] == "0x5A"
