"""Get-WinEvent -Path on the simulated machine's event logs: what Windows PowerShell 5.1 prints and which errors it
writes (PowerShell's GetEventCommand.cs; see tests/simulator/powershell/cmdlets/events.py)."""

from __future__ import annotations

import json

from tests.simulator.powershell import run_powershell
from tests.simulator.windows.eventlogs import write_log
from tests.simulator.windows.machine import Machine

LOG = "F:\\Windows\\System32\\winevt\\Logs\\System.evtx"
SELECT = " | Select-Object -Property Id,TimeCreated,ProviderName,Properties | ConvertTo-Json -Compress -Depth 3"


def _run(machine: Machine, script: str) -> tuple[int, str, str]:
    result = run_powershell(script, machine)
    return result.exit_code, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


def _with_log(machine: Machine) -> None:
    write_log(machine.resolve_path(LOG), [
        {"log": "System", "provider": "EventLog", "id": 6005, "time": "2024-07-18T09:00:05.000Z", "properties": []},
        {"log": "System", "provider": "Service Control Manager", "id": 7000, "time": "2024-07-18T09:00:20.500Z",
         "properties": ["FileCrypt", "%%577"]},
        {"log": "System", "provider": "Service Control Manager", "id": 7036, "time": "2024-07-18T09:00:21.000Z",
         "properties": ["Windows Update", "running"]},
    ])


def test_matching_events_come_newest_first_with_raw_properties_and_ps51_dates(machine: Machine) -> None:
    _with_log(machine)
    code, out, err = _run(machine, f"Get-WinEvent -Path '{LOG}' -FilterXPath '*[System[(EventID=6005 or "
                                   f"EventID=7000)]]'{SELECT}")
    assert (code, err) == (0, "")
    assert '"TimeCreated":"\\/Date(1721293220500)\\/"' in out        # PS 5.1's JavaScriptSerializer form
    events = json.loads(out)
    assert [(e["Id"], e["ProviderName"]) for e in events] == [(7000, "Service Control Manager"), (6005, "EventLog")]
    assert events[0]["Properties"] == [{"Value": "FileCrypt"}, {"Value": "%%577"}]


def test_no_matching_event_is_a_non_terminating_error_that_silently_continue_hides(machine: Machine) -> None:
    _with_log(machine)
    query = f"Get-WinEvent -Path '{LOG}' -FilterXPath '*[System[(EventID=3004)]]'"
    code, out, err = _run(machine, query + "\nWrite-Output 'next'")
    assert (code, out) == (0, "next\r\n")
    assert "No events were found that match the specified selection criteria." in err
    assert "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand" in err
    code, out, err = _run(machine, query + " -ErrorAction SilentlyContinue\nif (-not $?) { Write-Output 'failed' }")
    assert (out, err) == ("failed\r\n", "")          # hidden, but $? is still false


def test_a_missing_log_is_item_not_found_and_other_queries_or_actions_are_refused(machine: Machine) -> None:
    _code, out, err = _run(machine, f"Get-WinEvent -Path '{LOG}' -FilterXPath '*[System[(EventID=1)]]'")
    assert out == "" and f"Cannot find path '{LOG}' because it does not exist." in err
    assert "No events were found" not in err                     # nothing was read, so no second error
    _with_log(machine)
    _code, _out, err = _run(machine, f"Get-WinEvent -Path '{LOG}' -FilterXPath \"*[EventData[Data='x']]\"")
    assert "not supported by the simulator" in err
    _code, _out, err = _run(machine, f"Get-WinEvent -Path '{LOG}' -ErrorAction Stop")
    assert "-ErrorAction Stop is not supported by the simulator" in err
    _code, _out, err = _run(machine, "Get-WinEvent -Path 'F:\\Windows\\System32\\config\\SYSTEM'")
    assert "not supported by the simulator" in err
