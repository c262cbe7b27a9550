"""The real ansible CLI against the in-process server (fake PowerShell, ansible-core helpers run for real)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.simulator.inventory import write_inventory

from .ansible_cli import run_adhoc
from .conftest import PASSWORD, USERNAME


@pytest.fixture
def inventory_for(tmp_path: Path):
    def make(sim) -> Path:
        path = tmp_path / "inventory.ini"
        write_inventory(path, host="127.0.0.1", port=sim.server.port, scheme=sim.server.scheme, username=USERNAME,
                        password=PASSWORD, ca_path=None)
        return path
    return make


def test_raw_runs_through_run_powershell_with_the_decoded_text(start_server, inventory_for):
    sim = start_server()
    rc, result, output = run_adhoc(inventory_for(sim), "ansible.builtin.raw", "out from-raw\nexit 4")
    assert result.get("rc") == 4, output
    assert result["stdout_lines"] == ["from-raw"]
    [record] = sim.commands()
    assert record["kind"] == "other" and record["text"] == "out from-raw\nexit 4" and record["exit_code"] == 4


@pytest.mark.parametrize("size", [0, 1000, 2**19, 700_000])
def test_put_and_fetch_round_trip_through_the_temp_dir(start_server, inventory_for, tmp_path, size):
    sim = start_server()
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(size))
    back = tmp_path / "back.bin"
    rc, result, output = run_adhoc(inventory_for(sim), "sim_transfer", f"src={source} back={back}")
    assert rc == 0, output
    assert hashlib.sha256(back.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    assert result["remote_path"].startswith("C:\\Users\\vmradmin\\AppData\\Local\\Temp\\ansible-tmp-")
    names = [record["name"] for record in sim.commands()]
    fetches = size // 2**19 + 1
    assert names == ["powershell_mkdtemp.ps1", "winrm_put_file.ps1"] + ["winrm_fetch_file.ps1"] * fetches + ["remove"]
    assert all(record["kind"] == "ansible-internal" and record["exit_code"] == 0 for record in sim.commands())
    temp = sim.machine.root / "C" / "Users" / "vmradmin" / "AppData" / "Local" / "Temp"
    assert list(temp.iterdir()) == []   # the temporary directory was removed again


def test_wrong_password_makes_the_host_unreachable(start_server, tmp_path):
    sim = start_server()
    inventory = tmp_path / "bad.ini"
    write_inventory(inventory, host="127.0.0.1", port=sim.server.port, scheme="http", username=USERNAME,
                    password="not-it", ca_path=None)
    rc, result, output = run_adhoc(inventory, "ansible.builtin.raw", "out x")
    assert rc == 4 and result.get("unreachable") is True, output
