"""HTTP(S) listener for the WS-Management endpoint: Basic auth, keep-alive, loopback only."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .shells import Drop, ShellService

WSMAN_PATH = "/wsman"
MAX_BODY_BYTES = 64 * 1024 * 1024     # far above the 446 KB put_file envelopes; the advertised limit is not enforced
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"


class NotLoopbackError(ValueError):
    pass


def require_loopback(host: str) -> None:
    """Refuse anything but loopback: the simulator takes a password over plain HTTP."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as error:
        raise NotLoopbackError(f"cannot resolve {host!r}: {error}")
    for address in addresses:
        if not ipaddress.ip_address(address.split("%", 1)[0]).is_loopback:
            raise NotLoopbackError(f"refusing to listen on {host!r} ({address}): only loopback addresses are allowed")


class WsmanHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, service: ShellService, *, username: str, password: str,
                 tls_context: ssl.SSLContext | None = None) -> None:
        require_loopback(host)
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.service = service
        self.username = username
        self.password = password
        self.tls_context = tls_context
        super().__init__((host, port), _Handler)

    @property
    def scheme(self) -> str:
        return "https" if self.tls_context else "http"

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, host: str) -> str:
        shown = f"[{host}]" if ":" in host else host
        return f"{self.scheme}://{shown}:{self.port}{WSMAN_PATH}"

    def finish_request(self, request, client_address) -> None:
        # The TLS handshake runs here, on the connection's own thread, so one slow client cannot stall accept().
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
        super().finish_request(request, client_address)

    def credentials_match(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _separator, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        # Windows user names are case-insensitive, passwords are not.
        user_ok = hmac.compare_digest(user.lower().encode(), self.username.lower().encode())
        return hmac.compare_digest(password.encode(), self.password.encode()) and user_ok


def start_in_thread(server: WsmanHttpServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="wsman-server", daemon=True)
    thread.start()
    return thread


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: WsmanHttpServer
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:   # noqa: A002 - signature from the base class
        pass   # the command log (--log) is the simulator's record; per-request lines would drown test output

    def _reply(self, status: int, body: bytes, content_type: str | None = SOAP_CONTENT_TYPE,
               extra_headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type and body:
            self.send_header("Content-Type", content_type)
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length)

    def _refuse(self, status: int, extra_headers: dict[str, str] | None = None) -> None:
        self.close_connection = True
        self._reply(status, b"", None, {"Connection": "close", **(extra_headers or {})})

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        if self.path.split("?", 1)[0].lower() != WSMAN_PATH:
            self._refuse(404)
            return
        if not self.server.credentials_match(self.headers.get("Authorization")):
            self._refuse(401, {"WWW-Authenticate": 'Basic realm="WSMAN"'})
            return
        try:
            payload = self._read_body()
        except ValueError:
            self._refuse(400)
            return
        if payload is None:
            self._refuse(413)
            return
        outcome = self.server.service.handle(payload)
        if isinstance(outcome, Drop):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._reply(outcome.status, outcome.body)

    def _method_not_allowed(self) -> None:
        self._refuse(405, {"Allow": "POST"})

    do_GET = do_PUT = do_DELETE = do_HEAD = do_PATCH = _method_not_allowed  # noqa: N815
