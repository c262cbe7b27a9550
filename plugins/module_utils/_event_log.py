# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the broken disk's offline event logs, read by event ID and raw event fields (pure, no I/O).

``diagnosis-evidence`` reads two ``.evtx`` files of the disk with ``Get-WinEvent -Path <file> -FilterXPath <ids>``
and prints ``Id``, ``TimeCreated``, ``ProviderName`` and ``Properties`` (the raw values, in the order of the event's
template) as JSON. The rendered ``Message`` is translated and never read. The events and their property order:

System log (``System.evtx``):
- ``Service Control Manager`` 7000, EVENT_SERVICE_START_FAILED "The %1 service failed to start due to the
  following error: %2": [0] the service's name as displayed, [1] the error as an insertion string (``%%<code>``)
  (netevent.mc, as quoted on errorcode.pro; param1/param2 on detection-wiki ``service-control-manager``).
- ``Service Control Manager`` 7026, EVENT_BOOT_SYSTEM_DRIVERS_FAILED "The following boot-start or system-start
  driver(s) failed to load: %1": [0] the service names, one per line (Microsoft's Windows Server 2008 event
  reference, technet cc756390).
- ``EventLog`` 6005 "The Event log service was started": written in every boot that got as far as the service
  (listed as the start event of every boot in win2012r2.com's "startup and shutdown event logs" note), so it marks
  each recorded boot.
CodeIntegrity log (``Microsoft-Windows-CodeIntegrity%4Operational.evtx``), detection-wiki
``microsoft-windows-codeintegrity`` and Elastic's Windows Event Explorer (3076/3077 templates):
- 3001 (unsigned kernel module), 3002/3003 (page hashes not found), 3004 (file hash not found, CiImageFileHashNotFound
  in Microsoft's event reference cc734140): [0] FileNameLength, [1] FileNameBuffer, [2] SecureRequired,
  [3] RequestedSigningLevel, [4] ProcessNameLength, [5] ProcessNameBuffer.
- 3077 (did not meet the signing level or violated the policy): [0] FileNameLength, [1] File Name,
  [2] ProcessNameLength, [3] Process Name, [4] Requested, [5] Validated Signing Level, [6] Status (NTSTATUS).

Which entries count. A boot that ends in 0x5A while it loads boot drivers usually dies before the event log service
flushes anything, so the logs normally hold *earlier* boots only. Entries count as evidence when they belong to the
last boot the System log recorded, and, when a dump records the crash time, are not later than it; older entries are
only counted. That boot begins ``BOOT_LEAD`` before its 6005: Code Integrity checks boot drivers before the event
log service runs, and those entries keep their own, earlier time (so a reboot within ``BOOT_LEAD`` of the one
before can bring that boot's last entries in). Without a 6005 every entry counts. Absent logs, or logs without such
entries, say nothing (never "healthy"): ``-ErrorAction SilentlyContinue`` is what lets a log without matching
events (the cmdlet's NoMatchingEventsFound error) through, so an unreadable log looks the same as one without
entries.
"""

from __future__ import annotations

import dataclasses
import datetime
import ntpath
import re

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import BootDriver, resolve_image_path
from ansible_collections.vmrescue.windows.plugins.module_utils._boot_log import driver_file_name

LOGS_DIR = "System32\\winevt\\Logs"
SYSTEM_LOG = "System.evtx"
CODE_INTEGRITY_LOG = "Microsoft-Windows-CodeIntegrity%4Operational.evtx"
SCM = "Service Control Manager"
EVENT_LOG_SERVICE = "EventLog"
CODE_INTEGRITY = "Microsoft-Windows-CodeIntegrity"
BOOT_MARKER = 6005
BOOT_LEAD = datetime.timedelta(minutes=10)     # from loading boot drivers to starting the event log service
SERVICE_START_FAILED, BOOT_DRIVERS_FAILED = 7000, 7026
# Event ID -> index of the file name in Properties.
CODE_INTEGRITY_FILE_FIELD = {3001: 1, 3002: 1, 3003: 1, 3004: 1, 3077: 1}
STATUS_FIELD_3077 = 6
SYSTEM_IDS = (BOOT_MARKER, SERVICE_START_FAILED, BOOT_DRIVERS_FAILED)
_DATE = re.compile(r"^/Date\((-?\d+)\)/$")
_DEVICE_VOLUME = re.compile(r"^\\device\\[^\\]+", re.IGNORECASE)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def xpath_for(event_ids: tuple[int, ...]) -> str:
    """The -FilterXPath selecting these event IDs (fixed text: no user value goes into it)."""
    return "*[System[(" + " or ".join(f"EventID={event_id}" for event_id in event_ids) + ")]]"


@dataclasses.dataclass(frozen=True)
class Event:
    log: str                    # "system" / "code-integrity"
    event_id: int
    provider: str
    time: datetime.datetime | None
    properties: tuple

    def as_dict(self) -> dict:
        return {"log": self.log, "id": self.event_id, "provider": self.provider,
                "time": None if self.time is None else _iso(self.time)}


def parse_events(objects: list[dict], log: str) -> list[Event]:
    """Events from the ``ConvertTo-Json`` objects of one log; entries without a numeric Id are skipped."""
    events = []
    for obj in objects:
        event_id = obj.get("Id")
        if not isinstance(event_id, int) or isinstance(event_id, bool):
            continue
        properties = obj.get("Properties") or []
        if isinstance(properties, dict):     # one property: PS 5.1 still writes a list, but be lenient in reading
            properties = [properties]
        values = tuple(item.get("Value") if isinstance(item, dict) else None for item in properties)
        events.append(Event(log, event_id, str(obj.get("ProviderName") or ""), _time(obj.get("TimeCreated")), values))
    return events


def _time(value: object) -> datetime.datetime | None:
    match = _DATE.match(value) if isinstance(value, str) else None
    return None if match is None else _EPOCH + datetime.timedelta(milliseconds=int(match.group(1)))


def _iso(moment: datetime.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclasses.dataclass(frozen=True)
class EventLogFindings:
    evidence: dict[str, list[dict]]      # service -> event-log evidence items
    summary: dict


def event_log_findings(events: list[Event], logs_present: dict[str, bool], drivers: list[BootDriver],
                       windows_dir: str, crash_time: str | None) -> EventLogFindings:
    """The entries of the last recorded boot that name a boot-critical driver, as evidence per service."""
    markers = [e.time for e in events if e.event_id == BOOT_MARKER and e.provider == EVENT_LOG_SERVICE and e.time]
    last_boot = max(markers) if markers else None
    since = None if last_boot is None else last_boot - BOOT_LEAD
    until = _parse_iso(crash_time)
    # Oldest first, whatever order the reader gave (Get-WinEvent gives newest first).
    counted = sorted((e for e in events if _in_window(e, since, until)), key=lambda e: (e.time, e.log, e.event_id))
    evidence: dict[str, list[dict]] = {}
    for event in counted:
        for driver in _named_drivers(event, drivers, windows_dir):
            evidence.setdefault(driver.service, []).append(_item(event))
    return EventLogFindings(evidence, {
        "logs": logs_present,
        "last_recorded_boot": None if last_boot is None else _iso(last_boot),
        "counted_since": None if since is None else _iso(since),
        "until": None if until is None else _iso(until),
        "entries_read": len(events),
        "entries_counted": len(counted),
    })


def _parse_iso(text: str | None) -> datetime.datetime | None:
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _in_window(event: Event, since, until) -> bool:
    if event.event_id == BOOT_MARKER or event.time is None:
        return False
    return (since is None or event.time >= since) and (until is None or event.time <= until)


def _named_drivers(event: Event, drivers: list[BootDriver], windows_dir: str) -> list[BootDriver]:
    if event.provider == SCM and event.event_id == BOOT_DRIVERS_FAILED:
        names = {name.strip().lower() for name in str(_field(event, 0) or "").splitlines() if name.strip()}
        return [d for d in drivers if d.service.lower() in names]
    if event.provider == SCM and event.event_id == SERVICE_START_FAILED:
        # The name the service displays: its DisplayName when that is a literal, else (usually) the service name.
        name = str(_field(event, 0) or "").strip().lower()
        return [d for d in drivers if name and name in (d.service.lower(), (d.display_name or "").lower())]
    field = CODE_INTEGRITY_FILE_FIELD.get(event.event_id)
    if event.provider == CODE_INTEGRITY and field is not None:
        return _drivers_of_file(str(_field(event, field) or ""), drivers, windows_dir)
    return []


def _drivers_of_file(path: str, drivers: list[BootDriver], windows_dir: str) -> list[BootDriver]:
    """Code Integrity names files as ``\\Device\\HarddiskVolumeN\\…`` (a volume of the *failed* boot, numbered
    differently here), ``\\SystemRoot\\…`` or a bare name: compared below the volume, or by name for a bare name."""
    if not path:
        return []
    device = _DEVICE_VOLUME.match(path)
    if device is not None:
        below_volume = path[device.end():].lower()
        return [d for d in drivers if d.file and ntpath.splitdrive(d.file)[1].lower() == below_volume]
    if "\\" not in path:
        return [d for d in drivers if d.file and driver_file_name(d.file) == driver_file_name(path)]
    file = resolve_image_path("", path, windows_dir)[1]
    return [d for d in drivers if d.file and file and d.file.lower() == file.lower()]


def _field(event: Event, index: int) -> object:
    return event.properties[index] if index < len(event.properties) else None


def _item(event: Event) -> dict:
    item = {"kind": "event-log", **event.as_dict()}
    status = _field(event, STATUS_FIELD_3077)
    if event.provider == CODE_INTEGRITY and event.event_id == 3077 and isinstance(status, int):
        item["status"] = f"0x{status & 0xFFFFFFFF:08X}"
    if event.provider == SCM and event.event_id == SERVICE_START_FAILED:
        item["error"] = _field(event, 1)
    return item
