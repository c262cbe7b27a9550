# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: may a known-good copy replace a diagnosed driver? Decided before anything is written (pure).

Issue 8: a replacement must itself carry a valid signature (embedded, or through a catalog of the system it comes
from) and must not be an older file version than the file it replaces. Valid as code integrity needs it for a boot
driver: the chain must end at a Microsoft root, proven with the root's key (_signed_data); a signature that verifies
under any other root (self-made, or only named like Microsoft's) would be refused at boot, the same failure again. An unknown version on either side cannot
prove "not older", so it is refused too; the user can still name the file and its version explicitly.
"""

from __future__ import annotations

from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import FileSignature
from ansible_collections.vmrescue.windows.plugins.module_utils._file_version import version_tuple
from ansible_collections.vmrescue.windows.plugins.module_utils._signed_data import TO_MICROSOFT_ROOT

_SIGNED = ("embedded", "catalog")


def check_replacement(current_version: str | None, replacement_version: str | None,
                      replacement_signature: FileSignature, current_exists: bool = True) -> dict:
    """``{"accepted": bool, "reason": code, "msg": text}``; codes: ok, not-signed, not-microsoft-root,
    version-unknown, older.
    A missing current file has nothing to be newer than: only the signature counts then."""
    if replacement_signature.verdict not in _SIGNED:
        return _refused("not-signed", f"the replacement is not validly signed ({replacement_signature.verdict})")
    if replacement_signature.chain != TO_MICROSOFT_ROOT:
        return _refused("not-microsoft-root", f"the replacement's signature ({replacement_signature.verdict}, signer "
                        f"{replacement_signature.signer or replacement_signature.catalog}) does not chain to a "
                        "Microsoft root, so Windows would not load it as a boot driver")
    if not current_exists:
        return {"accepted": True, "reason": "ok", "msg": f"signed ({replacement_signature.verdict}); the current "
                "file is missing"}
    current, replacement = version_tuple(current_version), version_tuple(replacement_version)
    if current is None or replacement is None:
        return _refused("version-unknown", f"the file versions cannot be compared (current {current_version!r}, "
                        f"replacement {replacement_version!r})")
    if replacement < current:
        return _refused("older", f"the replacement's version {replacement_version} is older than the current "
                        f"{current_version}")
    return {"accepted": True, "reason": "ok", "msg": f"signed ({replacement_signature.verdict}, "
            f"{replacement_signature.signer_class}) and not older ({replacement_version})"}


def _refused(reason: str, msg: str) -> dict:
    return {"accepted": False, "reason": reason, "msg": msg}
