"""The simulated machine's event logs: ``.evtx`` files holding the real file signature and the events as JSON.

The binary EVTX format is not modelled (the collection never reads the file itself, only what Get-WinEvent prints):
a simulated log is the 8-byte signature ``ElfFile\\0`` of a real EVTX file followed by UTF-8 JSON, a list of events
``{"id", "provider", "log", "time" (ISO 8601 UTC), "properties": [raw values in template order]}``. A byte string is
a list of numbers (what EventProperty.Value holds for win:Binary).
"""
from __future__ import annotations

import json
from pathlib import Path

SIGNATURE = b"ElfFile\x00"


def write_log(path: Path, events: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SIGNATURE + json.dumps(events, indent=1).encode("utf-8"))


def read_log(data: bytes) -> list[dict] | None:
    """The events of a simulated log, or None when the bytes are not one."""
    if not data.startswith(SIGNATURE):
        return None
    try:
        events = json.loads(data[len(SIGNATURE):].decode("utf-8"))
    except ValueError:
        return None
    return events if isinstance(events, list) else None


# --- the scenarios' logs (build --signed-evidence) ---------------------------------------------------------------
# Property layouts as documented in plugins/module_utils/_event_log.py (the collection's reader cites the sources);
# written independently here so that a wrong index on either side shows up.
LOGS = Path("System32") / "winevt" / "Logs"
_ERROR_INVALID_IMAGE_HASH = 577        # winerror.h; SCM 7000 carries it as the insertion string %%577
_STATUS_INVALID_IMAGE_HASH = 0xC0000428
_VOLUME = "\\Device\\HarddiskVolume4"    # how the failed boot numbered the Windows volume


def _event(log: str, provider: str, event_id: int, time: str, properties: list) -> dict:
    return {"log": log, "provider": provider, "id": event_id, "time": time, "properties": properties}


def _system(provider: str, event_id: int, time: str, properties: list) -> dict:
    return _event("System", provider, event_id, time, properties)


def _code_integrity(event_id: int, time: str, properties: list) -> dict:
    return _event("Microsoft-Windows-CodeIntegrity/Operational", "Microsoft-Windows-CodeIntegrity", event_id, time,
                  properties)


def _hash_not_found(time: str, file: str) -> dict:
    """3004: FileNameLength, FileNameBuffer, SecureRequired, RequestedSigningLevel, ProcessNameLength, ProcessName."""
    return _code_integrity(3004, time, [len(file), file, 0, 12, len("System"), "System"])


def _signing_level_failure(time: str, file: str) -> dict:
    """3077, its first 17 fields (the later policy and version fields are not modelled)."""
    return _code_integrity(3077, time, [len(file), file, len("System"), "System", 12, 1, _STATUS_INVALID_IMAGE_HASH,
                                        20, [0xA5] * 20, 32, [0x5A] * 32, 20, [0x11] * 20, 32, [0x22] * 32, 0, 0])


def write_scenario_logs(windows: Path, crashed: bool) -> None:
    """A crashed disk: a boot a day before the crash (EventLog 6005) in which Code Integrity refused filecrypt.sys
    (3004, 3077) and the Service Control Manager reported FileCrypt (7026, 7000), and an older boot with a 7000 for
    storvsc that no longer counts. The failed boot itself left nothing (it died before the log was flushed).
    A healthy disk: boots and events that name no boot-critical driver."""
    filecrypt = f"{_VOLUME}\\Windows\\System32\\drivers\\filecrypt.sys"
    system = [
        _system("EventLog", 6005, "2024-07-13T08:00:05.000Z", []),
        _system("Service Control Manager", 7036, "2024-07-13T08:00:09.000Z", ["Windows Update", "running"]),
        _system("Service Control Manager", 7000, "2024-07-13T08:00:10.000Z", ["Spooler", "%%1053"]),
        _system("EventLog", 6005, "2024-07-18T09:00:05.000Z", []),
        _system("Service Control Manager", 7036, "2024-07-18T09:00:12.000Z", ["Windows Update", "running"]),
    ]
    code_integrity = [
        _hash_not_found("2024-07-18T09:10:00.000Z", f"{_VOLUME}\\Program Files\\Contoso\\agent.dll"),
    ]
    if crashed:
        system += [
            _system("Service Control Manager", 7000, "2024-07-13T08:00:11.000Z", ["storvsc", "%%1275"]),
            _system("Service Control Manager", 7026, "2024-07-18T09:00:20.000Z", ["\r\nFileCrypt"]),
            _system("Service Control Manager", 7000, "2024-07-18T09:00:20.500Z",
                    ["FileCrypt", f"%%{_ERROR_INVALID_IMAGE_HASH}"]),
        ]
        code_integrity += [_hash_not_found("2024-07-18T09:00:03.000Z", filecrypt),
                           _signing_level_failure("2024-07-18T09:00:03.001Z", filecrypt)]
    write_log(windows / LOGS / "System.evtx", system)
    write_log(windows / LOGS / "Microsoft-Windows-CodeIntegrity%4Operational.evtx", code_integrity)
