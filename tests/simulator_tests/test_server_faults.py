"""Fault injection, latency and the command log, against the in-process server."""

from __future__ import annotations

import time

import pytest
import requests
from winrm.exceptions import WinRMOperationTimeoutError, WSManFaultError

from tests.simulator.faults import FaultPlan, FaultSpecError, parse_fault

from .test_wsman_protocol import PS_ARGS, encode, protocol, run

CATALOGUE = "# vmrescue.windows {name}\nout {name}"


# ---- spec parsing and the plan ------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", ["drop", "drop@0", "bogus@3", "kill@3", "timeout@3:2", "drop@random:1:1.5",
                                  "drop@3x0", "unload-denied@-1"])
def test_bad_specs_are_rejected(spec):
    with pytest.raises(FaultSpecError):
        parse_fault(spec)


def test_unload_denied_is_consumed_per_attempt_for_its_command_only():
    plan = FaultPlan.from_specs(["unload-denied@3x2"])
    assert [plan.unload_denied(2), plan.unload_denied(3), plan.unload_denied(3), plan.unload_denied(3)] == \
        [False, True, True, False]


def test_kill_after_statement_names_the_statement():
    plan = FaultPlan.from_specs(["kill@2:5"])
    assert (plan.kill_after_statement(1), plan.kill_after_statement(2), plan.kill_after_statement(2)) == (None, 5, None)


def test_random_faults_are_reproducible_and_roughly_follow_the_probability():
    first = [FaultPlan.from_specs(["timeout@random:42:0.3"]).wire_fault(i) for i in range(1, 401)]
    second = [FaultPlan.from_specs(["timeout@random:42:0.3"]).wire_fault(i) for i in range(1, 401)]
    other_seed = [FaultPlan.from_specs(["timeout@random:43:0.3"]).wire_fault(i) for i in range(1, 401)]
    assert first == second and first != other_seed
    assert 80 < first.count("timeout") < 160


def test_random_kill_draws_a_statement_in_range():
    statements = {FaultPlan.from_specs(["kill@random:9:1"]).kill_after_statement(i) for i in range(1, 50)}
    assert statements <= set(range(1, 9)) and len(statements) > 3


# ---- wire faults over the network ---------------------------------------------------------------------------------

def run_catalogue(sim, names: list[str]) -> list[tuple[bytes, bytes, int] | Exception]:
    proto = protocol(sim.url)
    outcomes: list = []
    for name in names:
        try:
            outcomes.append(run(proto, CATALOGUE.format(name=name)))
        except Exception as error:   # noqa: BLE001 - the test inspects which error each command got
            outcomes.append(error)
    return outcomes


def test_drop_closes_the_connection_on_the_counted_catalogue_command(start_server):
    sim = start_server(faults=("drop@2",))
    outcomes = run_catalogue(sim, ["one", "two", "three"])
    assert outcomes[0][2] == 0 and outcomes[2][2] == 0
    assert isinstance(outcomes[1], requests.exceptions.ConnectionError)
    time.sleep(0.2)
    # the dropped command still ran: its effects happened, only the reply was lost
    assert [record["name"] for record in sim.commands()] == ["one", "two", "three"]


def test_http500_fails_that_receive_with_a_wsman_fault(start_server):
    sim = start_server(faults=("http500@1",))
    outcomes = run_catalogue(sim, ["one", "two"])
    assert isinstance(outcomes[0], WSManFaultError) and outcomes[1][0] == b"two\r\n"


def test_timeout_fault_is_the_operation_timeout_the_client_re_polls(start_server):
    sim = start_server(faults=("timeout@1x2",))
    proto = protocol(sim.url)
    shell_id = proto.open_shell()
    command_id = proto.run_command(shell_id, "PowerShell", PS_ARGS + [encode(CATALOGUE.format(name="one"))])
    for _attempt in range(2):
        with pytest.raises(WinRMOperationTimeoutError):
            proto._raw_get_command_output(shell_id, command_id)
    assert proto.get_command_output(shell_id, command_id) == (b"one\r\n", b"", 0)


def test_ansible_internal_and_other_commands_are_not_counted(start_server):
    sim = start_server(faults=("http500@1",))
    proto = protocol(sim.url)
    assert run(proto, "out not-catalogue")[2] == 0          # "other": not counted, no fault
    with pytest.raises(WSManFaultError):
        run(proto, CATALOGUE.format(name="first"))
    assert [call["index"] for call in sim.powershell.calls] == [0, 1]


def test_the_plan_reaches_run_powershell_and_the_machine(start_server):
    sim = start_server(faults=("kill@1:2", "unload-denied@1"))
    run(protocol(sim.url), CATALOGUE.format(name="one"))
    call = sim.powershell.calls[0]
    assert call["faults"] is sim.machine.faults
    assert call["faults"].kill_after_statement(call["index"]) == 2
    assert call["faults"].unload_denied(call["index"]) is True


# ---- latency and log ----------------------------------------------------------------------------------------------

def test_latency_delays_every_request_and_every_process(start_server):
    sim = start_server(latency_ms=150)
    start = time.monotonic()
    run(protocol(sim.url), "out x")
    elapsed = time.monotonic() - start
    # Create, Command, Receive (Running), Receive (Done), Signal, Delete = 6 requests + 1 process
    assert elapsed >= 7 * 0.15


def test_log_records_each_command(start_server):
    sim = start_server()
    proto = protocol(sim.url)
    run(proto, CATALOGUE.format(name="probe-disks") + "\nexit 2")
    run(proto, "out plain")
    first, second = sim.commands()
    assert (first["seq"], first["kind"], first["name"], first["exit_code"]) == (1, "catalogue", "probe-disks", 2)
    assert first["text"] == CATALOGUE.format(name="probe-disks") + "\nexit 2"
    assert (second["seq"], second["kind"], second["name"], second["stdin_bytes"]) == (2, "other", None, 0)
    assert first["shell_id"] != second["shell_id"] and first["duration_ms"] >= 0
    assert set(first) == {"seq", "time", "shell_id", "kind", "name", "text", "exit_code", "duration_ms",
                          "stdin_bytes"}


def test_write_denied_refuses_only_the_chosen_change_of_its_command():
    plan = FaultPlan.from_specs(["write-denied@3:2"])
    assert [plan.write_denied(3), plan.write_denied(2), plan.write_denied(3), plan.write_denied(3)] == \
        [False, False, True, False]
