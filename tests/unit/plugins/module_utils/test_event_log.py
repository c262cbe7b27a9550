"""Event log entries of the broken disk, read by ID and raw fields: which driver they name, which boot they are of.

The JSON below is what Windows PowerShell 5.1 prints for ``Get-WinEvent | Select-Object
Id,TimeCreated,ProviderName,Properties | ConvertTo-Json -Compress -Depth 3``: dates as ``\\/Date(ms)\\/``, each
property as ``{"Value": …}``. Property layouts are the documented ones cited in ``_event_log.py``.
"""

from __future__ import annotations

import datetime
import json

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import BootDriver, resolve_image_path
from ansible_collections.vmrescue.windows.plugins.module_utils._event_log import (
    event_log_findings, parse_events, xpath_for)

_WINDOWS = "F:\\Windows"


def _driver(service: str, image_path: str | None = None) -> BootDriver:
    image_path = image_path or f"System32\\drivers\\{service}.sys"
    form, file = resolve_image_path(service, image_path, _WINDOWS)
    return BootDriver(service, 1, 2, 3, None, image_path, form, file)


_DRIVERS = [_driver("FileCrypt"), _driver("disk"), _driver("stornvme", "\\SystemRoot\\System32\\drivers\\stornvme.sys")]


def _ms(text: str) -> int:
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(moment.timestamp() * 1000)


def _json(*events: tuple) -> list[dict]:
    """PS 5.1's JSON text for these (id, provider, time, properties), decoded as the catalogue decodes it."""
    objects = [{"Id": i, "TimeCreated": f"\\/Date({_ms(t)})\\/", "ProviderName": p,
                "Properties": [{"Value": v} for v in props]} for i, p, t, props in events]
    text = json.dumps(objects).replace("\\\\/", "\\/")        # json.dumps doubles the backslash PS 5.1 writes once
    return json.loads(text)


_BOOT = (6005, "EventLog", "2024-07-18T09:00:05Z", [])
_OLD_BOOT = (6005, "EventLog", "2024-07-13T08:00:05Z", [])
_CI = "Microsoft-Windows-CodeIntegrity"
_SCM = "Service Control Manager"


def _findings(system: list[tuple], code_integrity: list[tuple], crash_time: str | None = None):
    events = parse_events(_json(*system), "system") + parse_events(_json(*code_integrity), "code-integrity")
    return event_log_findings(events, {"system": True, "code-integrity": True}, _DRIVERS, _WINDOWS, crash_time)


def test_the_xpath_selects_only_the_ids_asked_for():
    assert xpath_for((6005, 7000, 7026)) == "*[System[(EventID=6005 or EventID=7000 or EventID=7026)]]"


def test_dates_are_read_from_ps51_json_and_code_integrity_names_the_file_below_its_volume():
    file = "\\Device\\HarddiskVolume4\\Windows\\System32\\drivers\\filecrypt.sys"
    # The 3004 came two seconds before the boot's 6005: the log service starts after the boot drivers load.
    found = _findings([_BOOT], [(3004, _CI, "2024-07-18T09:00:03Z", [len(file), file, 0, 12, 6, "System"])])
    assert list(found.evidence) == ["FileCrypt"]
    assert found.evidence["FileCrypt"][0] == {"kind": "event-log", "log": "code-integrity", "id": 3004,
                                              "provider": _CI, "time": "2024-07-18T09:00:03.000Z"}
    assert (found.summary["last_recorded_boot"], found.summary["counted_since"]) == (
        "2024-07-18T09:00:05.000Z", "2024-07-18T08:50:05.000Z")
    # Eleven minutes before it: the boot before.
    found = _findings([_BOOT], [(3004, _CI, "2024-07-18T08:49:00Z", [len(file), file, 0, 12, 6, "System"])])
    assert found.evidence == {}


def test_a_3077_gives_its_status_and_a_systemroot_or_bare_name_is_resolved_too():
    status = 0xC0000428
    found = _findings([], [
        (3077, _CI, "2024-07-18T09:00:06Z",
         [10, "\\SystemRoot\\System32\\drivers\\stornvme.sys", 6, "System", 12, 1, status]),
        (3001, _CI, "2024-07-18T09:00:07Z", [8, "disk.sys", 0, 12, 6, "System"])])
    assert found.evidence["stornvme"][0]["status"] == "0xC0000428"
    assert list(found.evidence) == ["stornvme", "disk"]


def test_service_control_manager_entries_name_services_by_name_never_by_message():
    found = _findings([_BOOT, (7026, _SCM, "2024-07-18T09:00:20Z", ["\r\nFileCrypt\r\ndisk"]),
                       (7000, _SCM, "2024-07-18T09:00:21Z", ["filecrypt", "%%577"]),
                       (7000, _SCM, "2024-07-18T09:00:22Z", ["Spooler", "%%1053"])], [])
    assert {service: [(e["id"], e.get("error")) for e in items] for service, items in found.evidence.items()} == {
        "FileCrypt": [(7026, None), (7000, "%%577")], "disk": [(7026, None)]}


def test_only_the_last_recorded_boot_counts_and_nothing_after_the_crash():
    entries = [_OLD_BOOT, (7000, _SCM, "2024-07-13T08:00:11Z", ["disk", "%%1275"]), _BOOT,
               (7000, _SCM, "2024-07-19T05:00:00Z", ["FileCrypt", "%%577"])]
    found = _findings(entries, [], crash_time="2024-07-19T04:09:00Z")
    assert found.evidence == {}
    assert (found.summary["entries_read"], found.summary["entries_counted"]) == (4, 0)
    assert list(_findings(entries, []).evidence) == ["FileCrypt"]          # no dump: no upper bound


def test_a_7000_may_name_a_driver_by_its_literal_display_name():
    import dataclasses

    drivers = [dataclasses.replace(_DRIVERS[1], display_name="Disk Driver")] + _DRIVERS[2:]
    events = parse_events(_json((7000, _SCM, "2024-07-13T08:00:11Z", ["Disk Driver", "%%1275"])), "system")
    assert list(event_log_findings(events, {}, drivers, _WINDOWS, None).evidence) == ["disk"]


def test_without_a_boot_marker_every_entry_counts_and_other_providers_with_the_same_id_do_not():
    found = _findings([(7000, _SCM, "2024-07-13T08:00:11Z", ["disk", "%%1275"]),
                       (7000, "Some Other Provider", "2024-07-13T08:00:11Z", ["FileCrypt", "%%1275"])], [])
    assert list(found.evidence) == ["disk"]
    assert found.summary["last_recorded_boot"] is None


def test_a_single_event_object_and_entries_without_an_id_are_read():
    one = _json((7000, _SCM, "2024-07-13T08:00:11Z", ["disk", "%%1275"]))[0]
    assert len(parse_events([one, {"Id": None}], "system")) == 1
