"""Tokenizer and parser of the PowerShell subset: literals come out as inert data, unknown syntax is refused."""

from __future__ import annotations

import pytest

from tests.simulator.powershell.errors import ParseError
from tests.simulator.powershell.lexer import scan_double_quoted, scan_single_quoted
from tests.simulator.powershell.parser import parse_script
from tests.simulator.powershell.syntax import (
    Argument, ArrayLiteral, Command, Constant, ExitCodeComparison, ExitStatement, ExpandableString,
    ExpressionElement, IfStatement, LastExitCode, Parameter, Pipeline, ScriptBlock,
)
from tests.simulator.powershell.syntax import TestPathCondition as PathCondition


def only_command(script: str) -> Command:
    statements = parse_script(script)
    assert len(statements) == 1
    pipeline = statements[0]
    assert isinstance(pipeline, Pipeline) and len(pipeline.elements) == 1
    command = pipeline.elements[0]
    assert isinstance(command, Command)
    return command


def argument_values(script: str) -> list[object]:
    return [element.value for element in only_command(script).elements if isinstance(element, Argument)]


@pytest.mark.parametrize(("literal", "value"), [
    ("'plain'", "plain"),
    ("'it''s'", "it's"),
    ("'; Remove-Item C:\\ -Recurse;'", "; Remove-Item C:\\ -Recurse;"),
    ("'$(calc) ${x} $env:TEMP `n'", "$(calc) ${x} $env:TEMP `n"),
    ("\u2018typographic\u2019", "typographic"),
    ("'a\u2019\u2019b'", "a\u2019b"),
    ("\u201aa''b\u201b", "a'b"),
    ("'Ω 中文 {braces}'", "Ω 中文 {braces}"),
])
def test_single_quoted_strings_are_verbatim(literal: str, value: str) -> None:
    scanned, end = scan_single_quoted(literal, 0)
    assert scanned == value
    assert end == len(literal)


@pytest.mark.parametrize(("literal", "parts"), [
    ('"a`nb"', ("a\nb",)),
    ('"tab`tcr`rnul`0bell`a`b`f`v"', ("tab\tcr\rnul\0bell\a\b\f\v",)),
    ('"q`"q ""d"" `$x ``"', ('q"q "d" $x `',)),
    ('\u201cquoted\u201d', ("quoted",)),
    ('"rc:$LASTEXITCODE"', ("rc:", LastExitCode())),
    ('"$lastexitcode!"', (LastExitCode(), "!")),
    ('"cost: $ 5"', ("cost: $ 5",)),
])
def test_double_quoted_strings(literal: str, parts: tuple) -> None:
    scanned, end = scan_double_quoted(literal, 0)
    assert scanned == ExpandableString(parts)
    assert end == len(literal)


@pytest.mark.parametrize("literal", ['"$(calc)"', '"${x}"', '"$env:TEMP"', '"$x"', '"$?"', '"a $true"'])
def test_double_quoted_rejects_other_expansion(literal: str) -> None:
    with pytest.raises(ParseError) as caught:
        scan_double_quoted(literal, 0)
    assert caught.value.error_id == "NotSupportedBySimulator"


def test_hostile_values_stay_one_argument() -> None:
    values = argument_values("Write-Output '; Remove-Item C:\\ -Recurse;' \"`$(calc)`n\" 'a|b&c' '#x'")
    assert values == [Constant("; Remove-Item C:\\ -Recurse;", True), Constant("$(calc)\n", True),
                      Constant("a|b&c", True), Constant("#x", True)]


def test_statements_split_by_newline_and_semicolon_with_comments() -> None:
    statements = parse_script("# vmrescue.windows x\r\nWrite-Output 'a'; Write-Output 'b' # trailing\nexit 0")
    assert len(statements) == 3
    assert isinstance(statements[2], ExitStatement) and statements[2].code == 0


def test_parameters_arrays_and_constants() -> None:
    command = only_command("Set-Disk -Number 1 -IsOffline:$false -Force -Property a,'b', c $null $TRUE")
    kinds = [(type(e).__name__, getattr(e, "name", None)) for e in command.elements]
    assert kinds == [("Parameter", "Number"), ("Argument", None), ("Parameter", "IsOffline"),
                     ("Parameter", "Force"), ("Parameter", "Property"), ("Argument", None), ("Argument", None),
                     ("Argument", None)]
    offline = command.elements[2]
    assert isinstance(offline, Parameter) and offline.argument == Constant(False)
    array = command.elements[5]
    assert isinstance(array, Argument)
    assert array.value == ArrayLiteral((Constant("a"), Constant("b", True), Constant("c")))
    assert [e.value for e in command.elements[6:]] == [Constant(None), Constant(True)]
    assert command.elements[1].value == Constant(1)


def test_en_dash_starts_a_parameter() -> None:
    command = only_command("Get-Item \u2013LiteralPath 'C:\\'")
    assert isinstance(command.elements[0], Parameter) and command.elements[0].name == "LiteralPath"


def test_brace_bareword_is_a_script_block() -> None:
    assert argument_values("bcdedit /set {default} bootems yes")[1] == ScriptBlock("default")
    assert argument_values("bcdedit /set '{default}' bootems yes")[1] == Constant("{default}", True)


def test_call_operator_and_expression_statement() -> None:
    statements = parse_script("& 'C:\\Windows\\System32\\reg.exe' query HKLM\n\"@@m:rc:$LASTEXITCODE\" | Out-Null")
    command = statements[0].elements[0]
    assert command.call_operator and command.name == Constant("C:\\Windows\\System32\\reg.exe", True)
    expression = statements[1].elements[0]
    assert isinstance(expression, ExpressionElement)
    assert expression.value == ExpandableString(("@@m:rc:", LastExitCode()))


def test_if_else_with_both_condition_forms() -> None:
    statements = parse_script(
        "if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\n"
        "if (-not (Test-Path -LiteralPath 'C:\\x')) {\n Write-Output 'no'\n}\nelse { Write-Output 'yes' }")
    first, second = statements
    assert isinstance(first, IfStatement) and first.condition == ExitCodeComparison("ne", 0)
    assert first.then_body[0].code == LastExitCode()
    assert isinstance(second, IfStatement) and isinstance(second.condition, PathCondition)
    assert second.condition.negate and len(second.else_body) == 1


@pytest.mark.parametrize(("script", "error_id"), [
    ("Write-Output 'abc", "TerminatorExpectedAtEndOfString"),
    ('Write-Output "abc', "TerminatorExpectedAtEndOfString"),
    ("if ($LASTEXITCODE -eq 0) { Write-Output 'a'", "MissingEndCurlyBrace"),
    ("bcdedit /set {default bootems", "MissingEndCurlyBrace"),
    ("Write-Output 'a' |", "EmptyPipeElement"),
    ("'a' 'b'", "UnexpectedToken"),
    ("Write-Output a & b", "AmpersandNotAllowed"),
    ("Write-Output 'a' | 'b'", "ExpressionsMustBeFirstInPipeline"),
    ("Write-Output 'x' }", "UnexpectedToken"),
])
def test_parse_errors(script: str, error_id: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_script(script)
    assert caught.value.error_id == error_id


@pytest.mark.parametrize("script", [
    "$x = 1",
    "foreach ($d in 1) { }",
    "while ($true) { }",
    "[gc]::Collect()",
    "Write-Output $(calc)",
    "Write-Output (Get-Disk)",
    "Write-Output @('a')",
    "Write-Output $env:TEMP",
    "Write-Output 'a'b",
    "Write-Output 0x10",
    "Write-Output 10kb",
    "Write-Output a`b",
    "Get-Disk > out.txt",
    "Get-Disk 2>&1",
    "if (Test-Path -LiteralPath 'C:\\') { }",
    "if ((Get-Disk)) { }",
    "if ($LASTEXITCODE -gt 0) { }",
    "if ($LASTEXITCODE -eq 0) { } elseif ($LASTEXITCODE -eq 1) { }",
    "try { Get-Disk } catch { }",
    "function f { }",
    "exit 'a'",
    "bcdedit --% /enum",
    "<# block #> Get-Disk",
])
def test_unknown_syntax_is_not_supported(script: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_script(script)
    assert caught.value.error_id == "NotSupportedBySimulator"
    assert "not supported by the simulator" in caught.value.message
