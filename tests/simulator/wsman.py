"""WS-Management / WinRS SOAP: parse requests and build replies (no I/O, no state).

Requests are matched by namespace URI, never by prefix. Replies use the prefixes real WinRM uses.
"""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

NS_SOAP = "http://www.w3.org/2003/05/soap-envelope"
NS_ADDRESSING = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
NS_WSMAN = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
NS_MS_WSMAN = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
NS_SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
NS_TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
NS_FAULT = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"

ACTION_CREATE = f"{NS_TRANSFER}/Create"
ACTION_DELETE = f"{NS_TRANSFER}/Delete"
ACTION_COMMAND = f"{NS_SHELL}/Command"
ACTION_SEND = f"{NS_SHELL}/Send"
ACTION_RECEIVE = f"{NS_SHELL}/Receive"
ACTION_SIGNAL = f"{NS_SHELL}/Signal"
SHELL_RESOURCE_URI = f"{NS_SHELL}/cmd"
STATE_RUNNING = f"{NS_SHELL}/CommandState/Running"
STATE_DONE = f"{NS_SHELL}/CommandState/Done"
SIGNAL_TERMINATE = f"{NS_SHELL}/signal/terminate"
ANONYMOUS = f"{NS_ADDRESSING}/role/anonymous"

# WSMan fault codes (the values Windows puts in f:WSManFault/@Code).
CODE_OPERATION_TIMEOUT = 2150858793   # 0x80338029 ERROR_WSMAN_OPERATION_TIMEDOUT; clients re-poll
CODE_SHELL_NOT_FOUND = 2150858843     # 0x8033805B the ShellId/CommandId is unknown
CODE_ACTION_NOT_SUPPORTED = 2150858775  # 0x80338017 ERROR_WSMAN_UNSUPPORTED_ACTION (assumed value)
CODE_INVALID_SOAP = 2150858817        # 0x80338041 ERROR_WSMAN_BAD_REQUEST-class code (assumed value)
CODE_INTERNAL_ERROR = 2147500037      # 0x80004005 E_FAIL, used by the http500 fault


class SoapError(Exception):
    """A request the service refuses with a SOAP fault (HTTP 500)."""

    def __init__(self, wsman_code: int, subcode: str, reason: str, relates_to: str | None = None) -> None:
        super().__init__(reason)
        self.wsman_code = wsman_code
        self.subcode = subcode          # "w:..." or "a:..." qualified name
        self.reason = reason
        self.relates_to = relates_to


@dataclass
class Request:
    action: str
    message_id: str
    resource_uri: str | None
    operation_timeout_s: float
    selectors: dict[str, str]
    options: dict[str, str]
    body: ET.Element
    stream_attrs: dict[str, str] = field(default_factory=dict)

    @property
    def shell_id(self) -> str | None:
        return self.selectors.get("ShellId")


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


_DURATION = re.compile(r"^P(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)$")


def parse_duration(text: str | None, default: float = 60.0) -> float:
    """xs:duration as WS-Man uses it (``PT20S``, ``PT20.000S``) in seconds."""
    match = _DURATION.match((text or "").strip())
    if not match:
        return default
    return float(match["h"] or 0) * 3600 + float(match["m"] or 0) * 60 + float(match["s"] or 0)


def parse_request(payload: bytes) -> Request:
    try:
        root = ET.fromstring(payload)
    except ET.ParseError as error:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError", f"The request is not well-formed XML: {error}")
    header = root.find(_q(NS_SOAP, "Header"))
    body = root.find(_q(NS_SOAP, "Body"))
    if root.tag != _q(NS_SOAP, "Envelope") or header is None or body is None:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError",
                        "The request is not a SOAP 1.2 envelope with a Header and a Body.")
    message_id = (header.findtext(_q(NS_ADDRESSING, "MessageID")) or "").strip()
    action = (header.findtext(_q(NS_ADDRESSING, "Action")) or "").strip()
    if not message_id or not action:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError",
                        "The request has no a:MessageID or no a:Action header.", relates_to=message_id or None)
    selectors = {
        sel.get("Name", ""): (sel.text or "").strip()
        for sel in header.iterfind(f"{_q(NS_WSMAN, 'SelectorSet')}/{_q(NS_WSMAN, 'Selector')}")
    }
    options = {
        opt.get("Name", ""): (opt.text or "").strip()
        for opt in header.iterfind(f"{_q(NS_WSMAN, 'OptionSet')}/{_q(NS_WSMAN, 'Option')}")
    }
    return Request(
        action=action,
        message_id=message_id,
        resource_uri=(header.findtext(_q(NS_WSMAN, "ResourceURI")) or "").strip() or None,
        operation_timeout_s=parse_duration(header.findtext(_q(NS_WSMAN, "OperationTimeout"))),
        selectors=selectors,
        options=options,
        body=body,
    )


def command_line(request: Request) -> tuple[str, str]:
    """(command, arguments) of a Command request."""
    line = request.body.find(_q(NS_SHELL, "CommandLine"))
    if line is None:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError", "Command without rsp:CommandLine.",
                        request.message_id)
    command = (line.findtext(_q(NS_SHELL, "Command")) or "").strip()
    arguments = " ".join((arg.text or "").strip() for arg in line.iterfind(_q(NS_SHELL, "Arguments")))
    return command, arguments


@dataclass(frozen=True)
class SendChunk:
    command_id: str
    data: bytes
    end: bool


def send_chunks(request: Request) -> list[SendChunk]:
    send = request.body.find(_q(NS_SHELL, "Send"))
    if send is None:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError", "Send without rsp:Send.", request.message_id)
    chunks = []
    for stream in send.iterfind(_q(NS_SHELL, "Stream")):
        if stream.get("Name") != "stdin":
            raise SoapError(CODE_INVALID_SOAP, "w:InvalidParameter", "Only the stdin stream accepts input.",
                            request.message_id)
        try:
            data = base64.b64decode((stream.text or "").strip(), validate=True)
        except ValueError:
            raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError", "The stdin stream is not base64.",
                            request.message_id)
        chunks.append(SendChunk(stream.get("CommandId", ""), data, (stream.get("End") or "").lower() == "true"))
    return chunks


def receive_command_id(request: Request) -> str:
    desired = request.body.find(f"{_q(NS_SHELL, 'Receive')}/{_q(NS_SHELL, 'DesiredStream')}")
    if desired is None:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError", "Receive without rsp:DesiredStream.",
                        request.message_id)
    return desired.get("CommandId", "")


def signal_command(request: Request) -> tuple[str, str]:
    signal = request.body.find(_q(NS_SHELL, "Signal"))
    if signal is None:
        raise SoapError(CODE_INVALID_SOAP, "w:SchemaValidationError", "Signal without rsp:Signal.",
                        request.message_id)
    return signal.get("CommandId", ""), (signal.findtext(_q(NS_SHELL, "Code")) or "").strip()


# ---- replies ---------------------------------------------------------------------------------------------------

_ENVELOPE_OPEN = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<s:Envelope xml:lang="en-US" xmlns:s="{NS_SOAP}" xmlns:a="{NS_ADDRESSING}" xmlns:x="{NS_TRANSFER}"'
    f' xmlns:w="{NS_WSMAN}" xmlns:rsp="{NS_SHELL}" xmlns:p="{NS_MS_WSMAN}">'
)


def _envelope(action: str, relates_to: str | None, body: str) -> bytes:
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
    header = (
        f"<s:Header><a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To>{relates}</s:Header>"
    )
    return f"{_ENVELOPE_OPEN}{header}<s:Body>{body}</s:Body></s:Envelope>".encode("utf-8")


def create_response(request: Request, shell_id: str, endpoint: str) -> bytes:
    body = (
        "<x:ResourceCreated>"
        f"<a:Address>{escape(endpoint)}</a:Address>"
        "<a:ReferenceParameters>"
        f"<w:ResourceURI>{SHELL_RESOURCE_URI}</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
        "</a:ReferenceParameters></x:ResourceCreated>"
        f"<rsp:Shell><rsp:ShellId>{shell_id}</rsp:ShellId><rsp:ResourceUri>{SHELL_RESOURCE_URI}</rsp:ResourceUri>"
        "<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>"
    )
    return _envelope(f"{ACTION_CREATE}Response", request.message_id, body)


def command_response(request: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope(f"{ACTION_COMMAND}Response", request.message_id, body)


def send_response(request: Request) -> bytes:
    return _envelope(f"{ACTION_SEND}Response", request.message_id, "<rsp:SendResponse/>")


def receive_response(request: Request, command_id: str, stdout: bytes, stderr: bytes,
                     exit_code: int | None) -> bytes:
    """One Receive reply; ``exit_code`` None means still running."""
    cid = quoteattr(command_id)
    streams = []
    for name, data in (("stdout", stdout), ("stderr", stderr)):
        if data:
            streams.append(f'<rsp:Stream Name="{name}" CommandId={cid}>{base64.b64encode(data).decode()}</rsp:Stream>')
        if exit_code is not None:
            streams.append(f'<rsp:Stream Name="{name}" CommandId={cid} End="true"></rsp:Stream>')
    if exit_code is None:
        state = f'<rsp:CommandState CommandId={cid} State="{STATE_RUNNING}"/>'
    else:
        state = (f'<rsp:CommandState CommandId={cid} State="{STATE_DONE}">'
                 f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>")
    body = f'<rsp:ReceiveResponse SequenceID="0">{"".join(streams)}{state}</rsp:ReceiveResponse>'
    return _envelope(f"{ACTION_RECEIVE}Response", request.message_id, body)


def signal_response(request: Request) -> bytes:
    return _envelope(f"{ACTION_SIGNAL}Response", request.message_id, "<rsp:SignalResponse/>")


def delete_response(request: Request) -> bytes:
    return _envelope(f"{ACTION_DELETE}Response", request.message_id, "")


def fault_response(error: SoapError) -> bytes:
    sender = error.wsman_code in (CODE_INVALID_SOAP, CODE_ACTION_NOT_SUPPORTED, CODE_SHELL_NOT_FOUND)
    body = (
        "<s:Fault>"
        f"<s:Code><s:Value>s:{'Sender' if sender else 'Receiver'}</s:Value>"
        f"<s:Subcode><s:Value>{escape(error.subcode)}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(error.reason)}</s:Text></s:Reason>'
        f'<s:Detail><f:WSManFault xmlns:f="{NS_FAULT}" Code="{error.wsman_code}" Machine="localhost">'
        f"<f:Message>{escape(error.reason)}</f:Message></f:WSManFault></s:Detail>"
        "</s:Fault>"
    )
    return _envelope(f"{NS_ADDRESSING}/fault", error.relates_to, body)
