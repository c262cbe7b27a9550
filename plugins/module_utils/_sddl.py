# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the parts of a file's security descriptor in SDDL (``O:<owner>G:<group>D:<DACL>``, as Get-Acl's Sddl).

What a driver swap must keep is the owner and the DACL; the primary group is recorded but not compared (nothing the
collection runs changes it). SDDL names well-known accounts by two-letter aliases; icacls needs the SID itself
(``*S-1-…``), so only the aliases below are translated and any other alias is refused before anything is written.
"""

from __future__ import annotations

import dataclasses
import re

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

_SDDL = re.compile(r"^O:(?P<owner>S-1-[0-9-]+|[A-Z]{2})G:(?P<group>S-1-[0-9-]+|[A-Z]{2})(?P<dacl>D:.*)$", re.DOTALL)
# Well-known SDDL aliases (Microsoft's "SID Strings" table) that can own a file.
_ALIAS_SIDS = {
    "BA": "S-1-5-32-544", "BU": "S-1-5-32-545", "SY": "S-1-5-18", "LS": "S-1-5-19", "NS": "S-1-5-20",
    "AU": "S-1-5-11", "WD": "S-1-1-0", "CO": "S-1-3-0", "PU": "S-1-5-32-547", "BO": "S-1-5-32-551",
    "AO": "S-1-5-32-548", "SO": "S-1-5-32-549", "PO": "S-1-5-32-550",
}


@dataclasses.dataclass(frozen=True)
class SecurityDescriptor:
    owner: str      # SID or alias, as written
    group: str
    dacl: str       # "D:…" (anything after it, such as a SACL, included)

    @property
    def owner_sid(self) -> str:
        """The owner as a SID for ``icacls /setowner *SID``."""
        if self.owner.startswith("S-1-"):
            return self.owner
        if self.owner in _ALIAS_SIDS:
            return _ALIAS_SIDS[self.owner]
        raise VmrescueError(f"the owner {self.owner!r} (an SDDL alias) cannot be named by SID; nothing was written")

    def same_owner_and_dacl(self, other: SecurityDescriptor) -> bool:
        return (self.owner, self.dacl) == (other.owner, other.dacl)


def parse(text: str, what: str) -> SecurityDescriptor:
    match = _SDDL.match(text or "")
    if not match:
        raise VmrescueError(f"the owner and DACL of {what} ({text!r}) are not SDDL of the form O:…G:…D:…")
    return SecurityDescriptor(match["owner"], match["group"], match["dacl"])
