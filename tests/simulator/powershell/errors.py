"""PowerShell 5.1 error records rendered as plain text (what Ansible shows after decoding CLIXML stderr)."""

from __future__ import annotations

from dataclasses import dataclass

from .syntax import Extent


class ParseError(Exception):
    """A ParserError: the whole script is rejected before anything runs."""

    def __init__(self, offset: int, message: str, error_id: str, length: int = 1) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.error_id = error_id
        self.length = length


def unsupported(offset: int, what: str, length: int = 1) -> ParseError:
    return ParseError(offset, f"{what} is not supported by the simulator.", "NotSupportedBySimulator", length)


@dataclass(frozen=True)
class ErrorRecord:
    """A non-terminating (or statement-terminating) runtime error of one command."""

    message: str
    category: str            # e.g. ObjectNotFound
    target: str              # e.g. "C:\\x:String" (shown inside the parentheses)
    activity: str            # the command name shown in brackets, '' for none
    exception: str           # e.g. ItemNotFoundException
    error_id: str            # FullyQualifiedErrorId


def _position_lines(script: str, extent: Extent) -> list[str]:
    start = min(extent.start, len(script))
    line_start = script.rfind("\n", 0, start) + 1
    line_end = script.find("\n", start)
    if line_end < 0:
        line_end = len(script)
    line_text = script[line_start:line_end].rstrip("\r")
    line_number = script.count("\n", 0, start) + 1
    column = start - line_start
    width = max(1, min(extent.end, line_start + len(line_text)) - start)
    return [
        f"At line:{line_number} char:{column + 1}",
        f"+ {line_text}",
        "+ " + " " * column + "~" * width,
    ]


def format_parse_error(script: str, error: ParseError) -> str:
    lines = _position_lines(script, Extent(error.offset, error.offset + error.length))
    lines.append(error.message)
    lines.append("    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException")
    lines.append(f"    + FullyQualifiedErrorId : {error.error_id}")
    return "\r\n".join(lines) + "\r\n"


def format_error_record(script: str, extent: Extent, command_name: str, record: ErrorRecord) -> str:
    prefix = f"{command_name} : " if command_name else ""
    lines = [prefix + record.message]
    lines.extend(_position_lines(script, extent))
    lines.append(
        f"    + CategoryInfo          : {record.category}: ({record.target}) [{record.activity}], {record.exception}"
    )
    lines.append(f"    + FullyQualifiedErrorId : {record.error_id}")
    return "\r\n".join(lines) + "\r\n"


def not_recognized(name: str) -> ErrorRecord:
    return ErrorRecord(
        message=(
            f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable "
            "program. Check the spelling of the name, or if a path was included, verify that the path is correct "
            "and try again."
        ),
        category="ObjectNotFound",
        target=f"{name}:String",
        activity="",
        exception="CommandNotFoundException",
        error_id="CommandNotFoundException",
    )


class CmdletError(Exception):
    """Raised inside a cmdlet for a statement-terminating error (the pipeline stops, the script goes on)."""

    def __init__(self, record: ErrorRecord) -> None:
        super().__init__(record.message)
        self.record = record
