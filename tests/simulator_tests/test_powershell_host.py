"""run_powershell end to end on a real simulated machine: output, exit codes, errors, native programs, faults."""

from __future__ import annotations

from tests.simulator.faults import FaultPlan
from tests.simulator.powershell import run_powershell
from tests.simulator.powershell.host import KILLED_EXIT_CODE
from tests.simulator.windows.machine import Machine

BCD = "F:\\EFI\\Microsoft\\Boot\\BCD"   # not lettered; tests give the ESP a letter first


def run(machine: Machine, script: str, **kwargs):
    result = run_powershell(script, machine, **kwargs)
    return result.exit_code, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


def test_write_output_lines_end_with_crlf_and_exit_zero(machine: Machine) -> None:
    code, out, err = run(machine, "# vmrescue.windows t\nWrite-Output 'a'\nWrite-Output \"b`tc\"; 'd'")
    assert (code, out, err) == (0, "a\r\nb\tc\r\nd\r\n", "")


def test_non_ascii_output_is_utf8(machine: Machine) -> None:
    result = run_powershell("Write-Output '中文 Ω'", machine)
    assert result.stdout == "中文 Ω\r\n".encode("utf-8")


def test_exit_codes(machine: Machine) -> None:
    assert run(machine, "Write-Output 'x'\nexit 7")[0] == 7
    assert run(machine, "exit")[0] == 0
    assert run(machine, "exit 7\nWrite-Output 'never'")[1] == ""
    assert run(machine, "Get-Item -LiteralPath 'C:\\nope'")[0] == 1             # last statement wrote an error
    assert run(machine, "Get-Item -LiteralPath 'C:\\nope'\nWrite-Output 'ok'")[0] == 0
    assert run(machine, "reg query HKLM\\NoSuchKey")[0] == 1                     # last native program failed
    assert run(machine, "reg query HKLM\\NoSuchKey\nexit 0")[0] == 0
    assert run(machine, "reg query HKLM\\NoSuchKey\nexit $LASTEXITCODE")[0] == 1
    assert run(machine, "reg query HKLM\\SYSTEM /ve\nexit $LASTEXITCODE")[0] == 0


def test_lastexitcode_expands_and_drives_if(machine: Machine) -> None:
    script = ("reg query HKLM\\NoSuchKey\n\"@@vmr:1:rc:s:$LASTEXITCODE\"\n"
              "if ($LASTEXITCODE -ne 0) { Write-Output 'failed' } else { Write-Output 'fine' }\n"
              "Write-Output 'after'\n\"rc still $LASTEXITCODE\"")
    code, out, _err = run(machine, script)
    assert out.endswith("@@vmr:1:rc:s:1\r\nfailed\r\nafter\r\nrc still 1\r\n")
    assert code == 0


def test_parse_error_runs_nothing(machine: Machine) -> None:
    script = "Set-Content -LiteralPath 'C:\\made.txt' -Value 'x' -Encoding UTF8\nWrite-Output 'unterminated"
    code, out, err = run(machine, script)
    assert code == 1 and out == ""
    assert "ParserError" in err and "TerminatorExpectedAtEndOfString" in err and "At line:2 char:14" in err
    assert not machine.resolve_path("C:\\made.txt").exists()


def test_unsupported_syntax_is_a_parse_error(machine: Machine) -> None:
    code, out, err = run(machine, "Write-Output 'first'\n$x = Get-Disk")
    assert code == 1 and out == ""
    assert "not supported by the simulator" in err


def test_unknown_cmdlet_is_non_terminating(machine: Machine) -> None:
    code, out, err = run(machine, "Get-Foo -Bar 1\nWrite-Output 'next'")
    assert out == "next\r\n" and code == 0
    assert err.startswith("Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, function, "
                          "script file, or operable program.")
    assert "CommandNotFoundException" in err


def test_unknown_parameter_and_bad_values(machine: Machine) -> None:
    _code, _out, err = run(machine, "Get-Item -Foo 'C:\\'")
    assert "A parameter cannot be found that matches parameter name 'Foo'." in err
    assert "NamedParameterNotFound,Microsoft.PowerShell.Commands.GetItemCommand" in err
    _code, _out, err = run(machine, "Set-Disk -Number 1 -IsOffline 'no'")
    assert "Boolean parameters accept only Boolean values and numbers" in err
    _code, _out, err = run(machine, "Get-Item -LiteralPath 'C:\\' -Path 'C:\\'")
    assert "Parameter set cannot be resolved" in err
    _code, _out, err = run(machine, "Get-Item -ErrorAction SilentlyContinue -LiteralPath 'C:\\'")
    assert "not supported by the simulator" in err


def test_parameter_prefixes_and_case(machine: Machine) -> None:
    code, out, _err = run(machine, "test-path -lit 'C:\\Windows' -PathT container")
    assert (code, out) == (0, "True\r\n")


def test_native_not_recognized(machine: Machine) -> None:
    code, out, err = run(machine, "cmd /c echo hi\n\"rc=$LASTEXITCODE\"")
    assert out == "rc=0\r\n"
    assert err.startswith("cmd : The term 'cmd' is not recognized as the name of a cmdlet, function, script file, "
                          "or operable program. Check the spelling of the name, or if a path was included, verify "
                          "that the path is correct and try again.")
    assert run(machine, "& 'C:\\Temp\\bcdedit.exe' /enum")[0] == 1


def test_script_block_rule_reaches_bcdedit(machine: Machine) -> None:
    prefix = "Add-PartitionAccessPath -DiskNumber 1 -PartitionNumber 1 -AccessPath 'S:\\'\n"
    store = "'S:\\EFI\\Microsoft\\Boot\\BCD'"
    unquoted = run(machine, prefix + f"bcdedit /store {store} /set {{default}} bootems yes\n\"rc=$LASTEXITCODE\"")
    assert unquoted[1].endswith("rc=1\r\n")
    quoted = run(machine, f"& 'C:\\Windows\\System32\\bcdedit.exe' /store {store} /set '{{default}}' bootems yes\n"
                          "\"rc=$LASTEXITCODE\"")
    assert quoted[1].endswith("rc=0\r\n")


def test_native_argument_with_space_reaches_reg(machine: Machine) -> None:
    script = ("reg load HKLM\\VMR_SYS 'F:\\Windows\\System32\\config\\SYSTEM'\n"
              "reg add 'HKLM\\VMR_SYS\\Vmr Test' /v 'My Value' /t REG_SZ /d 'two words' /f\n"
              "reg query 'HKLM\\VMR_SYS\\Vmr Test' /v 'My Value'\n"
              "\"rc=$LASTEXITCODE\"\n"
              "reg unload HKLM\\VMR_SYS")
    code, out, err = run(machine, script)
    assert (code, err) == (0, "")
    assert "rc=0" in out
    assert "    My Value    REG_SZ    two words" in out


def test_a_command_line_windows_cannot_start_runs_nothing_and_keeps_lastexitcode(machine: Machine) -> None:
    # CreateProcess refuses more than 32,767 characters: the program never starts, so $LASTEXITCODE is the previous
    # program's, and $? is false.
    long_value = "a" * 32767
    script = ("reg query HKLM\\NoSuchKey\n"
              f"reg query 'HKLM\\SYSTEM' /v '{long_value}'\n"
              "if (-not $?) { 'not started' }\n"
              "\"rc=$LASTEXITCODE\"")
    _code, out, err = run(machine, script)
    assert "not started" in out and "rc=1" in out
    assert "failed to run" in err


def test_a_nul_ends_the_arguments_the_program_gets(machine: Machine) -> None:
    script = ("reg load HKLM\\VMR_SYS 'F:\\Windows\\System32\\config\\SYSTEM'\n"
              "reg add 'HKLM\\VMR_SYS\\Vmr' /v \"name`0tail\" /t REG_SZ /d x /f\n"
              "\"rc=$LASTEXITCODE\"\n"
              "reg query 'HKLM\\VMR_SYS\\Vmr'\n"
              "reg unload HKLM\\VMR_SYS")
    _code, out, _err = run(machine, script)
    # reg add saw only `add HKLM\VMR_SYS\Vmr /v name`: it wrote another value (empty, named "name") and succeeded.
    assert "rc=0" in out and "    name    REG_SZ    " in out and "tail" not in out


def test_native_output_piped_to_out_null(machine: Machine) -> None:
    code, out, _err = run(machine, "reg query HKLM\\SYSTEM /ve | Out-Null\n\"rc=$LASTEXITCODE\"")
    assert out == "rc=0\r\n" and code == 0


class KillAfter:
    def __init__(self, statements: int) -> None:
        self.statements = statements
        self.asked: list[int] = []

    def kill_after_statement(self, command_index: int) -> int | None:
        self.asked.append(command_index)
        return self.statements


def test_kill_fault_stops_after_statements(machine: Machine) -> None:
    faults = KillAfter(2)
    script = "Write-Output 'one'\nif ($LASTEXITCODE -eq 0) { Write-Output 'two' }\nWrite-Output 'three'\nexit 0"
    result = run_powershell(script, machine, faults=faults, command_index=5)
    assert result.exit_code == KILLED_EXIT_CODE == -1073741510
    assert result.stdout == b"one\r\ntwo\r\n"
    assert faults.asked == [5]


def test_kill_fault_from_the_real_fault_plan(machine: Machine) -> None:
    plan = FaultPlan.from_specs(["kill@3:1"])
    script = "Write-Output 'one'\nWrite-Output 'two'"
    assert run_powershell(script, machine, faults=plan, command_index=2).exit_code == 0
    killed = run_powershell(script, machine, faults=plan, command_index=3)
    assert (killed.exit_code, killed.stdout) == (KILLED_EXIT_CODE, b"one\r\n")
