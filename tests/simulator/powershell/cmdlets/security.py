"""Get-Acl: a file's security descriptor from the machine's ACL model (tests/simulator/windows/acl.py).

Only the ``Sddl`` property is modelled (owner, group and DACL in SDDL, SIDs and aliases only, so it reads the same in
every display language); the translated account names of ``Owner``/``Access`` are not, so a script that reads them
fails here instead of passing on English words. Get-Acl needs READ_CONTROL on the file.
"""

from __future__ import annotations

from ..binding import CmdletSpec, ParamSpec
from ..values import PSObject
from . import paths
from .context import CmdletContext

_PATHS = (ParamSpec("Path", "string", 0), ParamSpec("LiteralPath", "string", aliases=("PSPath", "LP")))


def get_acl(ctx: CmdletContext, bound: dict, pipeline_input: list) -> list:
    windows_path, host = paths.existing(ctx, bound)
    caller = f"{ctx.machine.hostname}\\{ctx.machine.user}"
    if not ctx.machine.acls.admins_can_read_control(host, caller):
        raise ctx.fail("Attempted to perform an unauthorized operation.", "NotSpecified", "",
                       "UnauthorizedAccessException", "System.UnauthorizedAccessException")
    sddl = ctx.machine.acls.get(host).sddl()
    return [PSObject({"Path": f"Microsoft.PowerShell.Core\\FileSystem::{windows_path}", "Sddl": sddl},
                     "System.Security.AccessControl.FileSecurity", text="System.Security.AccessControl.FileSecurity")]


SPECS = (
    CmdletSpec("Get-Acl", _PATHS, get_acl, "Microsoft.PowerShell.Commands.GetAclCommand",
               exclusive=(("Path", "LiteralPath"),)),
)
