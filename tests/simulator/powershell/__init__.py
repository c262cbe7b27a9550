"""The simulator's PowerShell host: the strict PowerShell subset of docs/dev/remote-commands.md (sections 2, 3, 5)."""

from .host import ProcessResult, run_powershell

__all__ = ["ProcessResult", "run_powershell"]
