"""What a cmdlet implementation receives besides its bound parameters."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..binding import CmdletSpec
from ..errors import CmdletError, ErrorRecord


@dataclass
class CmdletContext:
    machine: object
    language: str
    spec: CmdletSpec
    errors: list[ErrorRecord] = field(default_factory=list)

    def record(self, message: str, category: str, target: str, exception: str, error_id: str) -> ErrorRecord:
        return ErrorRecord(message, category, target, self.spec.name, exception, f"{error_id},{self.spec.fqid_suffix}")

    def write_error(self, message: str, category: str, target: str, exception: str, error_id: str) -> None:
        """A non-terminating error: reported, the cmdlet goes on with its next input."""
        self.errors.append(self.record(message, category, target, exception, error_id))

    def fail(self, message: str, category: str, target: str, exception: str, error_id: str) -> CmdletError:
        """A terminating error for this pipeline (raise the result)."""
        return CmdletError(self.record(message, category, target, exception, error_id))

    def unsupported(self, what: str) -> CmdletError:
        return self.fail(f"{what} is not supported by the simulator.", "NotImplemented", "", "NotSupportedException",
                         "NotSupportedBySimulator")
