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


def _event(event_id: int, provider: str, time: str, properties: list, log: str = "system"):
    import datetime

    from ansible_collections.vmrescue.windows.plugins.module_utils._event_log import Event
    return Event(log, event_id, provider, datetime.datetime.fromisoformat(time.replace("Z", "+00:00")),
                 tuple(properties))


def test_event_log_entries_rank_below_a_signature_fault_but_name_a_driver_on_their_own():
    from ansible_collections.vmrescue.windows.plugins.module_utils._diagnosis import OtherEvidence

    file = "\\Device\\HarddiskVolume4\\Windows\\System32\\drivers\\disk.sys"
    fields = [len(file), file, 0, 12, 6, "System"]
    events = [_event(3004, "Microsoft-Windows-CodeIntegrity", "2024-07-18T09:00:06Z", fields, "code-integrity"),
              _event(3004, "Microsoft-Windows-CodeIntegrity", "2024-07-18T09:00:07Z", fields, "code-integrity"),
              _event(7000, "Service Control Manager", "2024-07-18T09:00:20Z", ["contoso", "%%577"])]
    other = OtherEvidence(events, {"system": True, "code-integrity": True}, None, None)
    result = diagnose([], None, _DRIVERS, set(), _signatures(tampered=True), _WINDOWS, other)
    assert [(s["service"], s["score"]) for s in result["suspects"]] == [("contoso", 6 + 2 + 1), ("disk", 3)]
    assert [e["kind"] for e in result["suspects"][0]["evidence"]] == ["signature", "event-log"]
    assert [e["id"] for e in result["suspects"][1]["evidence"]] == [3004, 3004]   # two entries, counted once
    alone = diagnose([], None, _DRIVERS, set(), _signatures(tampered=False), _WINDOWS, other)
    # Code Integrity 3; Service Control Manager 2 + 1 (critical); the tie is broken by name.
    assert [(s["service"], s["score"]) for s in alone["suspects"]] == [("contoso", 3), ("disk", 3)]
    assert alone["recommendation"]["action"] == "investigate"
    assert "named by the event logs" in alone["recommendation"]["text"]


def test_the_free_space_check_takes_the_memory_size_from_the_latest_dump_header():
    import struct

    from ansible_collections.vmrescue.windows.plugins.module_utils._diagnosis import OtherEvidence

    head = bytearray(_dump64())
    struct.pack_into("<IIQ", head, 0x88, 1, 0, 2_097_152)                      # 8 GiB
    dumps = [DumpFound("F:\\Windows\\MEMORY.DMP", parse_dump_header(bytes(head)))]
    low = diagnose(dumps, None, _DRIVERS, set(), _signatures(tampered=False), _WINDOWS,
                   OtherEvidence(free_bytes=2 * 1024 ** 3))
    assert low["free_space"]["status"] == "low" and low["warnings"] == [low["free_space"]["text"]]
    unknown = diagnose([], None, _DRIVERS, set(), _signatures(tampered=False), _WINDOWS,
                       OtherEvidence(free_bytes=2 * 1024 ** 3))
    assert (unknown["free_space"]["status"], unknown["warnings"]) == ("unknown", [])
