"""Command line: ``python -m tests.simulator build|serve …`` (run from the collection root)."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

from .commandlog import CommandLog
from .faults import FaultPlan, FaultSpecError
from .fingerprint import FingerprintLog
from .inventory import write_inventory
from .launcher import Launcher
from .server import NotLoopbackError, WsmanHttpServer, require_loopback, start_in_thread
from .shells import ShellService
from .windows.i18n import LANGUAGES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.simulator",
                                     description="Simulated Windows recovery VM for vmrescue.windows tests.")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="create a machine directory")
    build.add_argument("machine_dir", type=Path)
    build.add_argument("--generation", type=int, choices=(1, 2), default=2)
    build.add_argument("--bcd", type=Path, help="use this real BCD store for the broken disk")
    build.add_argument("--system", type=Path, help="use this real SYSTEM hive for the broken disk")
    build.add_argument("--scenario", default="critical-service-failed")
    build.add_argument("--signed-evidence", type=Path, help="real signed samples (../shared/data/signing): broken "
                       "disks carry real signed drivers, a catalog store and a boot log")

    serve = commands.add_parser("serve", help="serve a machine directory over WS-Management",
                                epilog="Fault specs: see tests/simulator/faults.py (e.g. drop@3, timeout@2x2, "
                                       "unload-denied@3x2, kill@3:2, http500@random:7:0.1).")
    serve.add_argument("machine_dir", type=Path)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port")
    serve.add_argument("--username", default="vmradmin")
    serve.add_argument("--password", default="Sim-Passw0rd!")
    serve.add_argument("--scheme", choices=("http", "https"), default="http")
    # Only languages with every translated message: any other would die at the first message it must print.
    serve.add_argument("--language", default="en-US", choices=LANGUAGES,
                       help="display language of the translated messages (default en-US)")
    serve.add_argument("--latency-ms", type=int, default=0)
    serve.add_argument("--fault", action="append", default=[], metavar="SPEC")
    serve.add_argument("--log", type=Path, help="append one JSON line per executed command")
    serve.add_argument("--fingerprint-log", type=Path,
                       help="test hook, off by default: append one JSON line with a fingerprint of the machine's "
                            "whole state (files, loaded hives, output so far) after each top-level statement of "
                            "each catalogue command (see tests/simulator/fingerprint.py)")
    serve.add_argument("--inventory-out", type=Path, help="write an INI inventory for this server")
    serve.add_argument("--tls-dir", type=Path,
                       help="where https writes ca.pem and the server key (default: a new temporary directory)")
    return parser


def _build(args: argparse.Namespace) -> int:
    from .windows.build import build_machine
    build_machine(args.machine_dir, generation=args.generation, bcd=args.bcd, system=args.system,
                  scenario=args.scenario, signed_evidence_dir=args.signed_evidence)
    return 0


def _serve(args: argparse.Namespace) -> int:
    try:
        faults = FaultPlan.from_specs(args.fault)
        require_loopback(args.host)
    except (FaultSpecError, NotLoopbackError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from .powershell.host import run_powershell
    from .windows.machine import Machine

    machine = Machine.load(args.machine_dir)
    machine.faults = faults
    latency_s = args.latency_ms / 1000.0
    launcher = Launcher(machine, run_powershell=run_powershell, language=args.language, faults=faults,
                        latency_s=latency_s, log=CommandLog(args.log),
                        fingerprints=FingerprintLog(args.fingerprint_log) if args.fingerprint_log else None)

    tls_context = ca_path = None
    if args.scheme == "https":
        from . import tls
        tls_files = tls.generate(args.tls_dir or Path(tempfile.mkdtemp(prefix="vmrescue-sim-tls-")))
        tls_context, ca_path = tls.server_context(tls_files), tls_files.ca_cert

    service = ShellService(launcher, latency_s=latency_s)
    server = WsmanHttpServer(args.host, args.port, service, username=args.username, password=args.password,
                             tls_context=tls_context)
    url = server.url(args.host)
    service.endpoint = url
    if args.inventory_out:
        write_inventory(args.inventory_out, host=args.host, port=server.port, scheme=server.scheme,
                        username=args.username, password=args.password, ca_path=ca_path)

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    start_in_thread(server)
    print(f"listening on {url}", flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return _build(args) if args.command == "build" else _serve(args)


if __name__ == "__main__":
    sys.exit(main())
