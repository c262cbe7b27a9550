"""End to end: ``python -m tests.simulator build`` + ``serve`` as a separate process, real ansible and pywinrm,
the real machine model and PowerShell host."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import winrm

from tests.simulator.fixture import REPO_ROOT, build, running_simulator

from .ansible_cli import run_adhoc
from .test_wsman_protocol import PS_ARGS, encode

REG_QUERY = "reg query 'HKLM\\SYSTEM\\Select' /v Current"


@pytest.fixture(scope="module")
def machine_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("machine") / "rescue"
    build(path)
    return path


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_ansible_raw_reg_query_and_file_round_trip(machine_dir, tmp_path, scheme):
    with running_simulator(machine_dir, scheme=scheme) as sim:
        assert sim.url.startswith(f"{scheme}://127.0.0.1:") and sim.port > 0
        if scheme == "https":
            assert sim.ca_path is not None and sim.ca_path.is_file()
        rc, result, output = run_adhoc(sim.inventory_path, "ansible.builtin.raw", REG_QUERY)
        assert rc == 0 and result["rc"] == 0, output + sim.stderr()
        assert "HKEY_LOCAL_MACHINE\\SYSTEM\\Select" in result["stdout_lines"]
        assert any(line.split()[:2] == ["Current", "REG_DWORD"] for line in result["stdout_lines"])

        source = tmp_path / "payload.bin"
        source.write_bytes(os.urandom(600_000))
        back = tmp_path / "back.bin"
        rc, result, output = run_adhoc(sim.inventory_path, "sim_transfer", f"src={source} back={back}")
        assert rc == 0, output + sim.stderr()
        assert hashlib.sha1(back.read_bytes()).digest() == hashlib.sha1(source.read_bytes()).digest()

        kinds = [(record["kind"], record["name"]) for record in sim.commands()]
        assert kinds[0] == ("other", None)
        assert ("ansible-internal", "winrm_put_file.ps1") in kinds


def test_pywinrm_against_the_subprocess_with_latency(machine_dir):
    with running_simulator(machine_dir, latency_ms=20) as sim:
        proto = winrm.Protocol(sim.url, transport="basic", username=sim.username, password=sim.password)
        shell_id = proto.open_shell(codepage=65001)
        script = "# vmrescue.windows probe\nWrite-Output 'hello'\nexit 0"
        command_id = proto.run_command(shell_id, "PowerShell", PS_ARGS + [encode(script)])
        stdout, stderr, code = proto.get_command_output(shell_id, command_id)
        proto.cleanup_command(shell_id, command_id)
        proto.close_shell(shell_id)
        assert (stdout.strip(), code) == (b"hello", 0), stderr
        [record] = sim.commands()
        assert (record["kind"], record["name"], record["exit_code"]) == ("catalogue", "probe", 0)


def test_serve_stops_on_sigterm_and_refuses_non_loopback(machine_dir):
    with running_simulator(machine_dir) as sim:
        process = sim.process
    assert process.returncode == 0
    refused = subprocess.run([sys.executable, "-m", "tests.simulator", "serve", str(machine_dir), "--host",
                              "0.0.0.0"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2 and "loopback" in refused.stderr
