"""The marker protocol: one remote command, many steps, read back by markers and exit codes only."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import InternalError
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import (
    RemoteScript, RemoteScriptError, parse_output,
)


def _script() -> RemoteScript:
    script = RemoteScript("test.read", nonce="0123456789abcdef")
    script.native("load", "reg.exe", "load", "HKLM\\vmrescue_x", "F:\\Windows\\System32\\config\\SYSTEM")
    script.native("query", "reg.exe", "query", "HKLM\\vmrescue_x\\Select", only_if_ok=True)
    script.cmdlet("exists", "Test-Path -LiteralPath 'F:\\boot\\BCD' -PathType Leaf")
    script.retry_native("unload", "reg.exe", "unload", "HKLM\\vmrescue_x", attempts=3, pause_ms=500)
    return script


def test_render_names_the_command_and_ends_with_exit_zero():
    text = _script().render()
    lines = text.splitlines()
    assert lines[0] == "# vmrescue.windows test.read"
    assert lines[-2] == "Write-Output '@@vmr:0123456789abcdef:done'"
    assert lines[-1] == "exit 0"
    assert "if ($LASTEXITCODE -eq 0) {" in lines
    assert text.count("if ($LASTEXITCODE -ne 0) {") == 2


def test_parse_output_splits_steps_and_reads_exit_codes():
    script = _script()
    nonce = "@@vmr:0123456789abcdef:"
    stdout = "\r\n".join([
        nonce + "begin:load", "The operation completed successfully.", nonce + "rc:load:0",
        nonce + "begin:query", "", "HKEY_LOCAL_MACHINE\\vmrescue_x\\Select", "    Current    REG_DWORD    0x1",
        nonce + "rc:query:0",
        nonce + "begin:exists", "True", nonce + "end:exists",
        nonce + "begin:unload", "", nonce + "rc:unload:1",
        nonce + "begin:unload.2", "", nonce + "rc:unload.2:0",
        nonce + "done", "",
    ])
    result = parse_output(script, stdout)
    assert result.finished
    assert result.step("load").rc == 0 and result.step("load").ok
    assert "    Current    REG_DWORD    0x1" in result.step("query").lines
    assert result.step("exists").rc is None and result.step("exists").lines == ["True"]
    assert result.step("unload").rc == 1 and not result.step("unload").ok
    assert result.step("unload.2").ok
    assert not result.ran("unload.3")


def test_a_script_cut_off_is_not_finished_and_its_open_step_incomplete():
    script = _script()
    nonce = "@@vmr:0123456789abcdef:"
    result = parse_output(script, "\n".join([nonce + "begin:load", "partial"]))
    assert not result.finished
    assert not result.step("load").completed and not result.step("load").ok


def test_markers_of_another_command_are_just_data():
    script = _script()
    other = "@@vmr:ffffffffffffffff:done"
    nonce = "@@vmr:0123456789abcdef:"
    result = parse_output(script, "\n".join([nonce + "begin:query", other, nonce + "rc:query:0"]))
    assert result.step("query").lines == [other]
    assert not result.finished


def test_unknown_step_marker_is_an_error():
    script = _script()
    with pytest.raises(RemoteScriptError):
        parse_output(script, "@@vmr:0123456789abcdef:begin:bogus\n")


def test_hostile_values_stay_inside_their_literals():
    script = RemoteScript("test.hostile", nonce="0" * 16)
    script.native("add", "reg.exe", "add", "HKLM\\x", "/v", "'; Remove-Item C:\\ -Recurse;'", "/d", "$(calc)\n`x`", "/f")
    line = script.render().splitlines()[2]
    # Every argument is a literal, switches included: nothing a user gives can become syntax.
    assert line == ("reg.exe 'add' 'HKLM\\x' '/v' '\"''; Remove-Item C:\\ -Recurse;''\"' "
                    "'/d' \"`\"`$(calc)`n``x```\"\" '/f'")   # a line break is white space: quoted for 5.1


@pytest.mark.parametrize("name", ["Bad Name", "x;y", "", "a" * 65])
def test_step_names_are_restricted(name):
    with pytest.raises(InternalError):
        RemoteScript("ok").native(name, "reg.exe", "query", "HKLM")


def test_only_catalogue_programs_can_run():
    with pytest.raises(InternalError):
        RemoteScript("ok").native("x", "cmd.exe", "/c", "dir")


def test_abort_on_error_stops_the_script_and_marks_the_step():
    script = RemoteScript("test.abort", nonce="1" * 16)
    script.cmdlet("journal", "Set-Content -LiteralPath 'F:\\j.json' -Value 'x' -Encoding UTF8", abort_on_error=True)
    script.native("change", "reg.exe", "add", "HKLM\\x", "/f")
    text = script.render()
    assert ("if (-not $?) { Write-Output '@@vmr:1111111111111111:failed:journal'; "
            "Write-Output '@@vmr:1111111111111111:done'; exit 0 }") in text.splitlines()
    nonce = "@@vmr:" + "1" * 16 + ":"
    result = parse_output(script, "\n".join([nonce + "begin:journal", nonce + "failed:journal", nonce + "done"]))
    assert result.finished
    assert result.step("journal").failed and not result.step("journal").ok
    assert not result.ran("change")
