"""Get-WinEvent -Path <file.evtx> -FilterXPath <ids> on the machine's event logs (docs/dev/remote-commands.md).

Windows' behaviour, from PowerShell's GetEventCommand.cs (ProcessFile, ValidateAndResolveFilePath, ReadEvents):
- -Path is resolved as a PowerShell path (wildcards are expanded: refused here, as the simulator has no globbing); a
  missing file is a non-terminating ItemNotFoundException, and nothing is read;
- events come newest first (ReverseDirection unless -Oldest);
- no matching event is the non-terminating error NoMatchingEventsFound (ObjectNotFound), "No events were found that
  match the specified selection criteria." - which -ErrorAction SilentlyContinue keeps off the error stream.
The binary EVTX format is not modelled: a simulated log file is ``ElfFile\\0`` (the real file signature) followed
by the events as JSON (``tests/simulator/windows/eventlogs.py``); its contents are still bytes on the disk.
Only -FilterXPath of the form ``*[System[(EventID=a or EventID=b …)]]`` is understood; any other query is refused.
"""

from __future__ import annotations

import datetime as dt
import re

from ..binding import CmdletSpec, ParamSpec
from ...windows.eventlogs import read_log
from ..values import PSDateTime, PSObject
from . import paths
from .context import CmdletContext

_FQID = "Microsoft.PowerShell.Commands.GetWinEventCommand"
_QUERY = re.compile(r"^\*\[System\[\(?\s*(EventID=\d+(?:\s+or\s+EventID=\d+)*)\s*\)?\]\]$")
_LOG_EXTENSIONS = (".evtx", ".evt", ".etl")


def _event_ids(ctx: CmdletContext, query: str) -> set[int]:
    match = _QUERY.match(query.strip())
    if match is None:
        raise ctx.unsupported(f"The -FilterXPath query '{query}' (only *[System[(EventID=n or ...)]])")
    return {int(part.split("=")[1]) for part in match.group(1).split(" or ")}


def _record(event: dict) -> PSObject:
    """An EventLogRecord with the properties the contract names; Properties are EventProperty objects (Value)."""
    moment = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    return PSObject({
        "Id": event["id"],
        "ProviderName": event["provider"],
        "LogName": event["log"],
        "TimeCreated": PSDateTime(moment),
        "Properties": [PSObject({"Value": value}, "System.Diagnostics.Eventing.Reader.EventProperty")
                       for value in event["properties"]],
    }, "System.Diagnostics.Eventing.Reader.EventLogRecord", text="System.Diagnostics.Eventing.Reader.EventLogRecord")


def get_win_event(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    if "Path" not in bound:
        raise ctx.unsupported("Get-WinEvent without -Path")
    raw = bound["Path"]
    if any(char in raw for char in paths.WILDCARDS):
        raise ctx.unsupported("A -Path with wildcard characters")
    windows_path = paths.normalize(ctx, raw)
    if not windows_path.lower().endswith(_LOG_EXTENSIONS):
        raise ctx.unsupported(f"A -Path that is not an event log file ('{windows_path}')")
    host = paths.to_host(ctx, windows_path)
    if not host.is_file():
        ctx.write_error(f"Cannot find path '{windows_path}' because it does not exist.", "ObjectNotFound",
                        f"{windows_path}:String", "ItemNotFoundException", "")
        return []
    wanted = _event_ids(ctx, bound.get("FilterXPath", "*[System[(EventID=0)]]")) if "FilterXPath" in bound else None
    events = read_log(host.read_bytes())
    if events is None:
        raise ctx.unsupported(f"The event log '{windows_path}' (not in the simulator's event log format)")
    matching = [event for event in events if wanted is None or event["id"] in wanted]
    matching.sort(key=lambda event: event["time"], reverse=True)
    if not matching:
        ctx.write_error("No events were found that match the specified selection criteria.", "ObjectNotFound", "",
                        "Exception", "NoMatchingEventsFound")
    return [_record(event) for event in matching]


SPECS = (
    CmdletSpec("Get-WinEvent", (ParamSpec("Path", "string", aliases=("PSPath",)), ParamSpec("FilterXPath", "string")),
               get_win_event, _FQID, common=("ErrorAction",)),
)
