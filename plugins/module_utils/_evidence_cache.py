# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a controller-side store of files by SHA-256, so catalogs and drivers cross the wire once per content.

VMs built from one image carry the same catalog store and the same driver files. The recovery VM lists each file
with its SHA-256 (``Get-FileHash``, one command); only files whose hash the store does not hold yet are fetched,
and each fetched file must hash to what was listed, or it is refused (it changed in between, or the transfer broke).
The bytes moved are counted, so a second host of the same image reports 0 fetched bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
import typing as t
from pathlib import Path

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EvidenceTransferError(VmrescueError):
    """A fetched file does not hash to what the recovery VM listed."""


@dataclasses.dataclass
class TransferStats:
    listed: int = 0
    fetched: int = 0
    fetched_bytes: int = 0
    reused: int = 0

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        digest = sha256.lower()
        if not _SHA256.match(digest):
            raise EvidenceTransferError(f"not a SHA-256 hash: {sha256!r}")
        return self.root / digest[:2] / digest

    def holds(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        return self.path_of(sha256).read_bytes()

    def gather(self, listing: dict[str, str],
               fetch: t.Callable[[str, Path], None]) -> TransferStats:
        """Make every listed file available by hash. ``listing``: remote path -> SHA-256; ``fetch(remote, local)``
        copies one remote file to a local path. Returns what was moved; read a file back with ``read(hash)``."""
        stats = TransferStats(listed=len(listing))
        wanted: dict[str, str] = {}
        for remote, digest in sorted(listing.items()):
            digest = digest.lower()
            if self.holds(digest) or digest in wanted.values():
                stats.reused += 1
            else:
                wanted[remote] = digest
        for remote, digest in wanted.items():
            stats.fetched_bytes += self._fetch_one(remote, digest, fetch)
            stats.fetched += 1
        return stats

    def _fetch_one(self, remote: str, digest: str, fetch: t.Callable[[str, Path], None]) -> int:
        target = self.path_of(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fetch-")
        os.close(handle)
        try:
            fetch(remote, Path(temporary))
            data = Path(temporary).read_bytes()
            if hashlib.sha256(data).hexdigest() != digest:
                raise EvidenceTransferError(f"{remote} fetched from the recovery VM does not have the SHA-256 it was "
                                            "listed with: it changed during the run, or the transfer failed",
                                            remote=remote, listed_sha256=digest)
            os.replace(temporary, target)     # complete files only: a later run never sees half a transfer
            return len(data)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
