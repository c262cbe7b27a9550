"""The syntax tree of the PowerShell subset (contract section 2)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Extent:
    """Where a piece of syntax sits in the script (character offsets), for error messages."""

    start: int
    end: int


@dataclass(frozen=True)
class LastExitCode:
    """The automatic variable `$LASTEXITCODE`."""


@dataclass(frozen=True)
class ExpandableString:
    """A double-quoted string: literal pieces and `$LASTEXITCODE` references."""

    parts: tuple[str | LastExitCode, ...]


@dataclass(frozen=True)
class ScriptBlock:
    """A `{ … }` argument; `text` is what lies between the braces (what PowerShell hands to a native program)."""

    text: str


@dataclass(frozen=True)
class Constant:
    """A literal value: str (quoted or bareword), int, bool or None."""

    value: object
    quoted: bool = False


@dataclass(frozen=True)
class ArrayLiteral:
    items: tuple["Value", ...]


Value = Constant | ExpandableString | LastExitCode | ScriptBlock | ArrayLiteral


@dataclass(frozen=True)
class Parameter:
    """`-Name` or `-Name:value` (then `argument` is set)."""

    name: str
    argument: Value | None
    extent: Extent
    text: str


@dataclass(frozen=True)
class Argument:
    value: Value
    extent: Extent


@dataclass
class Command:
    name: Value
    elements: list[Parameter | Argument]
    extent: Extent
    name_extent: Extent
    call_operator: bool = False


@dataclass
class ExpressionElement:
    """A pipeline that starts with a value (a string printed as a statement)."""

    value: Value
    extent: Extent


@dataclass
class Pipeline:
    elements: list[Command | ExpressionElement]
    extent: Extent


@dataclass(frozen=True)
class ExitCodeComparison:
    """`$LASTEXITCODE -eq N` / `-ne N`."""

    operator: str
    value: int


@dataclass
class TestPathCondition:
    """`(Test-Path …)` or `-not (Test-Path …)`."""

    command: Command
    negate: bool


@dataclass(frozen=True)
class SuccessCondition:
    """`$?` / `-not $?`: whether the last statement succeeded (no error written, no failed native program)."""

    negate: bool


@dataclass
class HashCondition:
    """`(Get-FileHash …).Hash -ceq 'HEX'` / `-cne 'HEX'`: a file's hash compared case-sensitively."""

    command: Command
    operator: str       # ceq | cne
    value: str


Condition = ExitCodeComparison | TestPathCondition | SuccessCondition | HashCondition


@dataclass
class IfStatement:
    condition: Condition
    then_body: list["Statement"]
    else_body: list["Statement"] = field(default_factory=list)
    extent: Extent = Extent(0, 0)


@dataclass
class ExitStatement:
    code: int | LastExitCode | None
    extent: Extent


Statement = Pipeline | IfStatement | ExitStatement
