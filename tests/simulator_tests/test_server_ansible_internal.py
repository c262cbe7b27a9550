"""ansible-core's helper commands, built with ansible-core's own shell plugin and run by the simulator."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from ansible.executor.powershell.module_manifest import _bootstrap_powershell_script
from ansible.plugins.loader import shell_loader

from tests.simulator import ansible_internal
from tests.simulator.launcher import decode_command_line

from .conftest import TEMP_DIR, FakeMachine

SHELL = shell_loader.get("powershell")


def decoded(command: str) -> str:
    return decode_command_line(*command.split(" ", 1))


def bootstrap(name: str, params: dict, *, has_input: bool = False, strict_mode: bool = True,
              preserve_rc: bool = True) -> tuple[str, bytes]:
    script, stdin = _bootstrap_powershell_script(name, params, has_input=has_input)
    return decoded(SHELL._encode_script(script, strict_mode=strict_mode, preserve_rc=preserve_rc)), stdin


@pytest.fixture
def machine(tmp_path) -> FakeMachine:
    return FakeMachine(tmp_path)


def run(machine, script: str, stdin: bytes = b"") -> tuple[str, ansible_internal.Outcome]:
    command = ansible_internal.recognise(script)
    assert command is not None, script
    return ansible_internal.run(command, stdin, machine)


@pytest.mark.parametrize("strict_mode,preserve_rc", [(True, True), (False, False), (True, False)])
def test_bootstrap_is_recognised_with_or_without_prologue_and_epilogue(strict_mode, preserve_rc):
    script, _stdin = bootstrap("powershell_mkdtemp.ps1", {}, strict_mode=strict_mode, preserve_rc=preserve_rc)
    assert ansible_internal.recognise(script).kind == "bootstrap"


def test_other_scripts_are_not_recognised():
    assert ansible_internal.recognise("# vmrescue.windows probe\nexit 0") is None
    assert ansible_internal.recognise("Remove-Item 'C:\\x' -Force -Recurse; Write-Output 1") is None


def test_mkdtemp_expands_temp_and_creates_the_directory(machine):
    script, stdin = bootstrap("powershell_mkdtemp.ps1", {"Directory": "%TEMP%", "Name": "ansible-tmp-1-2-3"})
    name, outcome = run(machine, script, stdin)
    assert name == "powershell_mkdtemp.ps1" and outcome.exit_code == 0
    assert outcome.stdout.decode().splitlines() == [f"{TEMP_DIR}\\ansible-tmp-1-2-3"]
    assert machine.resolve_path(f"{TEMP_DIR}\\ansible-tmp-1-2-3").is_dir()
    again = run(machine, script, stdin)[1]
    assert again.exit_code == 1 and b"already exists" in again.stderr


def test_put_file_writes_the_lines_and_reports_sha1(machine):
    data = bytes(range(256)) * 3000
    script, stdin = bootstrap("winrm_put_file.ps1", {"Path": "C:\\Users\\f.bin"}, has_input=True,
                              strict_mode=False, preserve_rc=False)
    chunks = [data[i:i + 250000] for i in range(0, len(data), 250000)]
    stdin += b"".join(base64.b64encode(chunk) + b"\r\n" for chunk in chunks)
    name, outcome = run(machine, script, stdin)
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout) == {"sha1": hashlib.sha1(data).hexdigest()}
    assert machine.resolve_path("C:\\Users\\f.bin").read_bytes() == data


def test_put_file_of_an_empty_file_and_into_a_missing_directory(machine):
    script, stdin = bootstrap("winrm_put_file.ps1", {"Path": "C:\\Users\\empty"}, has_input=True,
                              strict_mode=False, preserve_rc=False)
    outcome = run(machine, script, stdin)[1]
    assert json.loads(outcome.stdout) == {"sha1": hashlib.sha1(b"").hexdigest()}
    script, stdin = bootstrap("winrm_put_file.ps1", {"Path": "C:\\nowhere\\f"}, has_input=True)
    assert run(machine, script, stdin)[1].exit_code == 1


def test_fetch_file_chunks_dir_and_missing(machine):
    data = bytes(range(256)) * 10
    machine.resolve_path("C:\\Users").joinpath("g.bin").write_bytes(data)

    def fetch(path: str, offset: int, size: int = 1000) -> ansible_internal.Outcome:
        script, stdin = bootstrap("winrm_fetch_file.ps1", {"Path": path, "BufferSize": size, "Offset": offset},
                                  preserve_rc=False)
        return run(machine, script, stdin)[1]

    assert base64.b64decode(fetch("C:\\Users\\g.bin", 1000).stdout.strip()) == data[1000:2000]
    assert base64.b64decode(fetch("C:\\Users\\g.bin", 2000).stdout.strip()) == data[2000:]
    at_end = fetch("C:\\Users\\g.bin", len(data))
    assert (at_end.exit_code, at_end.stdout) == (0, b"")
    assert fetch("C:\\Users", 0).stdout.strip() == b"[DIR]"
    missing = fetch("C:\\Users\\none", 0)
    assert (missing.exit_code, missing.stderr.strip()) == (1, b"C:\\Users\\none does not exist")
    assert fetch("Q:\\x", 0).exit_code == 1


def test_remove_and_exists_as_the_shell_plugin_writes_them(machine):
    target = machine.resolve_path(TEMP_DIR) / "ansible-tmp-x"
    (target / "sub").mkdir(parents=True)
    path = f"{TEMP_DIR}\\ansible-tmp-x"
    exists = decoded(SHELL.exists(path))
    assert run(machine, exists)[1] == ansible_internal.Outcome(0, b"$res\r\n", b"")
    name, outcome = run(machine, decoded(SHELL.remove(SHELL.join_path(path, ""), recurse=True)))
    assert (name, outcome.exit_code) == ("remove", 0) and not target.exists()
    assert run(machine, exists)[1].exit_code == 1
    again = run(machine, decoded(SHELL.remove(path, recurse=True)))[1]
    assert again.exit_code == 1 and b"does not exist" in again.stderr


def test_quotes_in_paths_are_unescaped(machine):
    directory = machine.resolve_path("C:\\Users") / "it's"
    directory.mkdir()
    assert run(machine, decoded(SHELL.exists("C:\\Users\\it's")))[1].exit_code == 0


def test_module_execution_is_refused_with_rc_1(machine):
    script, stdin = bootstrap("module_wrapper.ps1", {"Script": "x.ps1"}, strict_mode=False, preserve_rc=False)
    name, outcome = run(machine, script, stdin)
    assert name == "module_wrapper.ps1" and outcome.exit_code == 1 and b"not supported" in outcome.stderr


def test_a_tampered_action_script_is_refused(machine):
    script, stdin = bootstrap("powershell_mkdtemp.ps1", {"Directory": "%TEMP%", "Name": "n"})
    bootstrap_json, manifest_json = stdin.split(b"\n\0\0\0\0\n")
    manifest = json.loads(manifest_json)
    manifest["scripts"]["powershell_mkdtemp.ps1"]["script"] = base64.b64encode(b"Remove-Item C:\\ -Recurse").decode()
    tampered = bootstrap_json + b"\n\0\0\0\0\n" + json.dumps(manifest).encode()
    outcome = run(machine, script, tampered)[1]
    assert outcome.exit_code == 1 and not (machine.resolve_path(TEMP_DIR) / "n").exists()
