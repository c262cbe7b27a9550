"""WS-Management protocol tests against the in-process server, with real pywinrm and hand-written SOAP."""

from __future__ import annotations

import base64
import http.client
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError, WinRMOperationTimeoutError, WSManFaultError

from tests.simulator import wsman

from .conftest import PASSWORD, USERNAME

PS_ARGS = ["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Unrestricted", "-EncodedCommand"]


def encode(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def protocol(url: str, password: str = PASSWORD, **kwargs) -> winrm.Protocol:
    return winrm.Protocol(url, transport="basic", username=USERNAME, password=password, **kwargs)


def run(proto: winrm.Protocol, script: str) -> tuple[bytes, bytes, int]:
    shell_id = proto.open_shell(codepage=65001)
    try:
        command_id = proto.run_command(shell_id, "PowerShell", PS_ARGS + [encode(script)])
        result = proto.get_command_output(shell_id, command_id)
        proto.cleanup_command(shell_id, command_id)
        return result
    finally:
        proto.close_shell(shell_id)


def soap(action: str, body: str = "", shell_id: str | None = None, message_id: str | None = None,
         prefixes: tuple[str, str, str] = ("env", "a", "w"), timeout: str = "PT20S") -> str:
    env, a, w = prefixes
    selector = (f'<{w}:SelectorSet><{w}:Selector Name="ShellId">{shell_id}</{w}:Selector></{w}:SelectorSet>'
                if shell_id else "")
    return (
        f'<{env}:Envelope xmlns:{env}="{wsman.NS_SOAP}" xmlns:{a}="{wsman.NS_ADDRESSING}" '
        f'xmlns:{w}="{wsman.NS_WSMAN}" xmlns:rsp="{wsman.NS_SHELL}"><{env}:Header>'
        f"<{a}:To>http://windows-host:5985/wsman</{a}:To>"
        f"<{a}:MessageID>uuid:{message_id or uuid.uuid4()}</{a}:MessageID>"
        f"<{a}:Action>{action}</{a}:Action><{w}:OperationTimeout>{timeout}</{w}:OperationTimeout>"
        f"<{w}:ResourceURI>{wsman.SHELL_RESOURCE_URI}</{w}:ResourceURI>{selector}"
        f"</{env}:Header><{env}:Body>{body}</{env}:Body></{env}:Envelope>"
    )


def post(url: str, payload: str | bytes, auth=(USERNAME, PASSWORD)) -> requests.Response:
    return requests.post(url, data=payload, auth=auth, timeout=30,
                         headers={"Content-Type": "application/soap+xml;charset=UTF-8"})


def wsman_code(response: requests.Response) -> int:
    root = ET.fromstring(response.content)
    fault = root.find(f".//{{{wsman.NS_FAULT}}}WSManFault")
    assert fault is not None, response.text
    return int(fault.get("Code"))


def create_shell(url: str) -> str:
    reply = ET.fromstring(post(url, soap(wsman.ACTION_CREATE, "<rsp:Shell/>")).content)
    return next(el.text for el in reply.iter() if el.get("Name") == "ShellId")


def start_command(url: str, shell_id: str, script: str, console_mode_stdin: bool = True) -> str:
    option = "TRUE" if console_mode_stdin else "FALSE"
    body = (f'<rsp:CommandLine><rsp:Command>PowerShell</rsp:Command><rsp:Arguments>{" ".join(PS_ARGS)} '
            f"{encode(script)}</rsp:Arguments></rsp:CommandLine>")
    payload = soap(wsman.ACTION_COMMAND, body, shell_id).replace(
        "</env:Header>", f'<w:OptionSet><w:Option Name="WINRS_CONSOLEMODE_STDIN">{option}</w:Option>'
                         "</w:OptionSet></env:Header>")
    reply = ET.fromstring(post(url, payload).content)
    return next(el.text for el in reply.iter() if el.tag.endswith("CommandId"))


def receive(url: str, shell_id: str, command_id: str, timeout: str = "PT20S") -> requests.Response:
    body = f'<rsp:Receive><rsp:DesiredStream CommandId="{command_id}">stdout stderr</rsp:DesiredStream></rsp:Receive>'
    return post(url, soap(wsman.ACTION_RECEIVE, body, shell_id, timeout=timeout))


def states(response: requests.Response) -> list[str]:
    root = ET.fromstring(response.content)
    return [el.get("State").rsplit("/", 1)[1] for el in root.iter(f"{{{wsman.NS_SHELL}}}CommandState")]


def test_pywinrm_runs_a_command_and_gets_output_and_exit_code(start_server):
    sim = start_server()
    stdout, stderr, code = run(protocol(sim.url), "out hello\nerr oops\nexit 3")
    assert (stdout, stderr, code) == (b"hello\r\n", b"oops\r\n", 3)
    assert sim.powershell.calls[0]["script"] == "out hello\nerr oops\nexit 3"


def test_large_output_arrives_in_several_running_replies_then_one_done(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    size = 200_000
    command_id = start_command(sim.url, shell_id, f"bytes {size}")
    seen, data = [], b""
    while True:
        reply = receive(sim.url, shell_id, command_id)
        assert reply.status_code == 200
        seen += states(reply)
        root = ET.fromstring(reply.content)
        for stream in root.iter(f"{{{wsman.NS_SHELL}}}Stream"):
            data += base64.b64decode(stream.text or "")
        if seen[-1] == "Done":
            code = root.find(f".//{{{wsman.NS_SHELL}}}ExitCode").text
            break
    assert seen.count("Done") == 1 and seen.count("Running") >= 3
    assert data == bytes(i % 251 for i in range(size)) and code == "0"


def test_command_runs_lazily_at_first_receive(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    command_id = start_command(sim.url, shell_id, "out lazy")
    assert sim.powershell.calls == []
    receive(sim.url, shell_id, command_id)
    assert len(sim.powershell.calls) == 1


def test_stdin_chunks_without_end_attribute_wait_for_the_last_one(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    command_id = start_command(sim.url, shell_id, "out x", console_mode_stdin=False)
    for data, end in ((b"first ", ""), (b"second", ' End="true"')):
        body = (f'<rsp:Send><rsp:Stream Name="stdin" CommandId="{command_id}"{end}>'
                f"{base64.b64encode(data).decode()}</rsp:Stream></rsp:Send>")
        assert post(sim.url, soap(wsman.ACTION_SEND, body, shell_id)).status_code == 200
        assert sim.powershell.calls == []
    assert receive(sim.url, shell_id, command_id).status_code == 200
    assert sim.commands()[0]["stdin_bytes"] == len(b"first second")


def test_receive_before_stdin_end_answers_operation_timeout(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    command_id = start_command(sim.url, shell_id, "out x", console_mode_stdin=False)
    reply = receive(sim.url, shell_id, command_id, timeout="PT1S")
    assert reply.status_code == 500 and wsman_code(reply) == wsman.CODE_OPERATION_TIMEOUT
    assert sim.powershell.calls == []


def test_slow_command_gets_operation_timeout_then_result(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    command_id = start_command(sim.url, shell_id, "sleep 1.5\nout late")
    first = receive(sim.url, shell_id, command_id, timeout="PT1S")
    assert first.status_code == 500 and wsman_code(first) == wsman.CODE_OPERATION_TIMEOUT
    proto = protocol(sim.url)
    stdout, _stderr, code = proto.get_command_output(shell_id, command_id)
    assert (stdout, code) == (b"late\r\n", 0)


def test_pywinrm_maps_the_timeout_fault_to_operation_timeout_error(start_server):
    sim = start_server()
    proto = protocol(sim.url, operation_timeout_sec=1, read_timeout_sec=5)
    shell_id = proto.open_shell()
    command_id = proto.run_command(shell_id, "PowerShell", PS_ARGS + [encode("sleep 2")])
    with pytest.raises(WinRMOperationTimeoutError):
        proto._raw_get_command_output(shell_id, command_id)


def test_signal_and_delete_relate_to_the_request_message_id(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    command_id = start_command(sim.url, shell_id, "out x")
    message_id = str(uuid.uuid4())
    body = (f'<rsp:Signal CommandId="{command_id}"><rsp:Code>{wsman.SIGNAL_TERMINATE}</rsp:Code></rsp:Signal>')
    for payload in (soap(wsman.ACTION_SIGNAL, body, shell_id, message_id),
                    soap(wsman.ACTION_DELETE, "", shell_id, message_id)):
        reply = ET.fromstring(post(sim.url, payload).content)
        relates = next(el.text for el in reply.iter() if el.tag.endswith("RelatesTo"))
        assert relates == f"uuid:{message_id}"


def test_unknown_shell_id_is_fault_2150858843(start_server):
    sim = start_server()
    proto = protocol(sim.url)
    with pytest.raises(WSManFaultError) as error:
        proto.run_command("00000000-0000-0000-0000-000000000000", "PowerShell", PS_ARGS + [encode("out x")])
    assert error.value.wsman_fault_code == wsman.CODE_SHELL_NOT_FOUND


def test_deleted_shell_is_gone(start_server):
    sim = start_server()
    proto = protocol(sim.url)
    shell_id = proto.open_shell()
    proto.close_shell(shell_id, close_session=False)
    reply = post(sim.url, soap(wsman.ACTION_DELETE, "", shell_id))
    assert reply.status_code == 500 and wsman_code(reply) == wsman.CODE_SHELL_NOT_FOUND


def test_wrong_password_is_http_401(start_server):
    sim = start_server()
    with pytest.raises(InvalidCredentialsError):
        protocol(sim.url, password="wrong").open_shell()
    assert post(sim.url, soap(wsman.ACTION_CREATE), auth=None).status_code == 401


def test_namespaces_are_resolved_not_prefixes(start_server):
    sim = start_server()
    reply = post(sim.url, soap(wsman.ACTION_CREATE, "<rsp:Shell/>", prefixes=("s", "wsa", "wsman")))
    assert reply.status_code == 200
    wrong_namespace = soap(wsman.ACTION_CREATE).replace(wsman.NS_SOAP, "urn:not-soap")
    assert post(sim.url, wrong_namespace).status_code == 500


# Fixed ids: soap() writes a random MessageID, and xdist workers must collect identical test names.
@pytest.mark.parametrize("payload", ["<not-xml", "<a/>", soap("http://example.invalid/Unknown")],
                         ids=["not-xml", "unknown-root-element", "unknown-action"])
def test_malformed_or_unknown_requests_get_a_soap_fault_with_http_500(start_server, payload):
    sim = start_server()
    reply = post(sim.url, payload)
    assert reply.status_code == 500
    assert ET.fromstring(reply.content).find(f".//{{{wsman.NS_SOAP}}}Fault") is not None
    wsman_code(reply)


def test_envelopes_far_above_max_envelope_size_are_accepted(start_server):
    sim = start_server()
    shell_id = create_shell(sim.url)
    command_id = start_command(sim.url, shell_id, "out x", console_mode_stdin=False)
    data = bytes(range(256)) * 1800          # 460,800 bytes of stdin in one Send (~600 KB envelope)
    body = (f'<rsp:Send><rsp:Stream Name="stdin" CommandId="{command_id}" End="true">'
            f"{base64.b64encode(data).decode()}</rsp:Stream></rsp:Send>")
    assert post(sim.url, soap(wsman.ACTION_SEND, body, shell_id)).status_code == 200
    assert receive(sim.url, shell_id, command_id).status_code == 200
    assert sim.commands()[0]["stdin_bytes"] == len(data)


def test_keep_alive_serves_several_requests_on_one_connection(start_server):
    sim = start_server()
    connection = http.client.HTTPConnection("127.0.0.1", sim.server.port, timeout=10)
    credentials = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    sockets = []
    for _request in range(3):
        connection.request("POST", "/wsman", body=soap(wsman.ACTION_CREATE).encode(),
                           headers={"Authorization": f"Basic {credentials}"})
        response = connection.getresponse()
        assert response.status == 200 and not response.will_close
        assert int(response.getheader("Content-Length")) == len(response.read())
        sockets.append(connection.sock)
    connection.close()
    assert sockets[0] is sockets[1] is sockets[2]


def test_non_powershell_command_line_fails_like_cmd(start_server):
    sim = start_server()
    proto = protocol(sim.url)
    shell_id = proto.open_shell()
    command_id = proto.run_command(shell_id, "ipconfig", ["/all"])
    stdout, stderr, code = proto.get_command_output(shell_id, command_id)
    assert code == 1 and b"not recognized" in stderr and sim.powershell.calls == []
    assert sim.commands()[0]["kind"] == "other"


def test_refuses_non_loopback_addresses():
    from tests.simulator.server import NotLoopbackError, require_loopback
    require_loopback("127.0.0.1")
    require_loopback("localhost")
    with pytest.raises(NotLoopbackError):
        require_loopback("0.0.0.0")
    with pytest.raises(NotLoopbackError):
        require_loopback("8.8.8.8")
