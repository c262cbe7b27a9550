"""The simulated `powershell.exe -EncodedCommand`: parse the whole script, then run it statement by statement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..windows.native import run_native
from .binding import RawParameter, bind
from .cmdlets import find_cmdlet
from .cmdlets.context import CmdletContext
from .errors import (
    CmdletError, ErrorRecord, ParseError, format_error_record, format_parse_error, not_recognized,
)
from .formatting import format_output
from .native_args import CommandLineTooLong, native_argv, resolve_native
from .parser import parse_script
from .syntax import (
    ArrayLiteral, Command, Constant, ExitCodeComparison, ExitStatement, ExpandableString, ExpressionElement,
    Extent, IfStatement, LastExitCode, Parameter, Pipeline, Statement, SuccessCondition, TestPathCondition,
    HashCondition, Value,
)
from .values import PSObject, enumerate_output, to_text

# What a console process reports when it is killed (STATUS_CONTROL_C_EXIT, 0xC000013A as a signed 32-bit value,
# the way $LASTEXITCODE shows it).
KILLED_EXIT_CODE = 0xC000013A - (1 << 32)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class ProcessResult:
    exit_code: int
    stdout: bytes      # UTF-8
    stderr: bytes      # UTF-8, plain text (not CLIXML)


class _ScriptExit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _int32(value: int) -> int:
    return ((value + (1 << 31)) % (1 << 32)) - (1 << 31)


def run_powershell(script: str, machine, *, language: str = "en-US", faults=None,
                   command_index: int = 0, after_statement=None) -> ProcessResult:
    """Run one decoded `-EncodedCommand` script against the simulated machine.

    ``after_statement(number, output so far)`` is called after each top-level statement that completes (the
    ``--fingerprint-log`` hook; None in normal use)."""
    try:
        statements = parse_script(script)
    except ParseError as error:
        return ProcessResult(1, b"", format_parse_error(script, error).encode("utf-8"))
    kill_after = faults.kill_after_statement(command_index) if faults is not None else None
    interpreter = _Interpreter(script, machine, language, command_index)
    try:
        for count, statement in enumerate(statements):
            if kill_after is not None and count >= kill_after:
                return interpreter.result(KILLED_EXIT_CODE)
            interpreter.statement(statement)
            if after_statement is not None:
                after_statement(count + 1, interpreter.output_so_far())
    except _ScriptExit as exit_request:
        return interpreter.result(_int32(exit_request.code))
    return interpreter.result(0 if interpreter.last_ok else 1)


@dataclass
class _Interpreter:
    script: str
    machine: object
    language: str
    command_index: int
    last_exit_code: int = 0
    last_ok: bool = True             # PowerShell's $?
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    def output_so_far(self) -> bytes:
        return ("".join(self.stdout) + "\0" + "".join(self.stderr)).encode("utf-8", "surrogatepass")

    def result(self, exit_code: int) -> ProcessResult:
        return ProcessResult(exit_code, "".join(self.stdout).encode("utf-8"), "".join(self.stderr).encode("utf-8"))

    # ---- statements --------------------------------------------------------
    def statement(self, statement: Statement) -> None:
        if isinstance(statement, ExitStatement):
            code = statement.code
            if isinstance(code, LastExitCode):
                raise _ScriptExit(self.last_exit_code)
            raise _ScriptExit(0 if code is None else code)
        if isinstance(statement, IfStatement):
            body = statement.then_body if self.condition(statement) else statement.else_body
            for inner in body:
                self.statement(inner)
            return
        self.pipeline(statement, capture=False)

    def condition(self, statement: IfStatement) -> bool:
        condition = statement.condition
        if isinstance(condition, SuccessCondition):
            truth = self.last_ok
            self.last_ok = True
            return not truth if condition.negate else truth
        if isinstance(condition, ExitCodeComparison):
            self.last_ok = True
            equal = self.last_exit_code == condition.value
            return equal if condition.operator == "eq" else not equal
        pipeline = Pipeline([condition.command], condition.command.extent)
        output = self.pipeline(pipeline, capture=True)
        if isinstance(condition, HashCondition):
            # a missing file: Get-FileHash writes an error and gives nothing, and $null.Hash is $null
            found = output[0].get("Hash")[1] if len(output) == 1 and isinstance(output[0], PSObject) else None
            equal = found == condition.value
            return equal if condition.operator == "ceq" else not equal
        assert isinstance(condition, TestPathCondition)
        truth = _truthy(output)
        return not truth if condition.negate else truth

    # ---- values ------------------------------------------------------------
    def value(self, value: Value) -> object:
        if isinstance(value, Constant):
            return value.value
        if isinstance(value, LastExitCode):
            return self.last_exit_code
        if isinstance(value, ExpandableString):
            return "".join(str(self.last_exit_code) if isinstance(part, LastExitCode) else part
                           for part in value.parts)
        if isinstance(value, ArrayLiteral):
            return [self.value(item) for item in value.items]
        return value  # ScriptBlock: kept as an object

    def write_error(self, extent: Extent, command_name: str, record: ErrorRecord) -> None:
        self.stderr.append(format_error_record(self.script, extent, command_name, record))

    # ---- pipelines ---------------------------------------------------------
    def pipeline(self, pipeline: Pipeline, *, capture: bool) -> list:
        stages = self.resolve(pipeline)
        if stages is None:
            self.last_ok = False
            return []
        failed = False
        data: list = []
        for position, stage in enumerate(stages):
            is_last = position == len(stages) - 1
            kind = stage[0]
            if kind == "value":
                data = enumerate_output(stage[1])
            elif kind == "native":
                _kind, program, command = stage
                if data:
                    self.write_error(command.extent, to_text(self.value(command.name)), ErrorRecord(
                        "Piping input into a native program is not supported by the simulator.", "NotImplemented",
                        "", "", "NotSupportedException", "NotSupportedBySimulator"))
                    failed = True
                    data = []
                    break
                try:
                    argv = native_argv(self.native_arguments(command), f"C:\\Windows\\system32\\{program}.exe")
                except CommandLineTooLong:
                    # The process never starts: $LASTEXITCODE keeps its value, the statement fails (PowerShell's
                    # "Program 'x.exe' failed to run: The filename or extension is too long").
                    self.write_error(command.extent, to_text(self.value(command.name)), ErrorRecord(
                        f"Program '{program}.exe' failed to run: The filename or extension is too long",
                        "ResourceUnavailable", "", "", "ApplicationFailedException", "NativeCommandFailed"))
                    failed = True
                    data = []
                    break
                exit_code, out, err = run_native(program, argv, self.machine,
                                                 language=self.language, command_index=self.command_index)
                self.last_exit_code = exit_code
                failed = failed or exit_code != 0
                if err:
                    self.stderr.append(err)   # the program writes to the inherited handles directly
                if is_last and not capture:
                    self.stdout.append(out)
                    data = []
                else:
                    data = _lines(out)
            else:
                _kind, spec, bound, command = stage
                context = CmdletContext(self.machine, self.language, spec)
                if data and not spec.accepts_input:
                    for item in data:
                        self.write_error(command.extent, spec.name, context.record(
                            "The input object cannot be bound to any parameters for the command either because the "
                            "command does not take pipeline input or the input and its properties do not match any "
                            "of the parameters that take pipeline input.", "InvalidArgument", f"{to_text(item)}:String",
                            "ParameterBindingException", "InputObjectNotBound"))
                    failed = True
                    data = []
                    break
                try:
                    data = spec.handler(context, bound, data)
                except CmdletError as error:
                    context.errors.append(error.record)
                    data = []
                    failed = True
                    stop = True
                else:
                    stop = False
                silent = bound.get("ErrorAction") == "SilentlyContinue"
                for index, record in enumerate(context.errors):
                    # SilentlyContinue hides non-terminating errors only; a terminating one (raised) is still shown.
                    if not silent or (stop and index == len(context.errors) - 1):
                        self.write_error(command.extent, spec.name, record)
                    failed = True
                if stop:
                    break
        if not capture and data:
            self.stdout.append(format_output(data))
        self.last_ok = not failed
        return data

    def resolve(self, pipeline: Pipeline) -> list[tuple] | None:
        """Find every command and bind its parameters before anything runs (as PowerShell does)."""
        stages: list[tuple] = []
        for element in pipeline.elements:
            if isinstance(element, ExpressionElement):
                stages.append(("value", self.value(element.value)))
                continue
            name = self.value(element.name)
            name_text = to_text(name)
            program = resolve_native(name_text) if isinstance(name, str) else None
            if program is not None:
                stages.append(("native", program, element))
                continue
            spec = find_cmdlet(name_text) if isinstance(name, str) else None
            if spec is None:
                self.write_error(element.name_extent, name_text, not_recognized(name_text))
                return None
            try:
                bound = bind(spec, self.cmdlet_arguments(element))
            except CmdletError as error:
                self.write_error(element.extent, spec.name, error.record)
                return None
            stages.append(("cmdlet", spec, bound, element))
        return stages

    def cmdlet_arguments(self, command: Command) -> list:
        arguments: list = []
        for element in command.elements:
            if isinstance(element, Parameter):
                has_value = element.argument is not None
                value = self.value(element.argument) if element.argument is not None else None
                arguments.append(RawParameter(element.name, value, has_value, element.text))
            else:
                arguments.append(self.value(element.value))
        return arguments

    def native_arguments(self, command: Command) -> list[str]:
        """Argument strings before PowerShell builds the command line ($null dropped, arrays spread)."""
        arguments: list[str] = []
        for element in command.elements:
            if isinstance(element, Parameter):
                if element.argument is None:
                    arguments.append("-" + element.name)
                else:
                    arguments.append(f"-{element.name}:{to_text(self.value(element.argument))}")
                continue
            value = self.value(element.value)
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    arguments.append(to_text(item))
        return arguments


def _lines(text: str) -> list[str]:
    """Native output read line by line, as PowerShell does when it captures it."""
    if not text:
        return []
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return lines


def _truthy(output: list) -> bool:
    if not output:
        return False
    if len(output) > 1:
        return True
    value = output[0]
    if isinstance(value, (list, tuple)):
        return bool(value)
    return bool(value) if value is not None else False
