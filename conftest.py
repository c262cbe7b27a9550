"""Make this checkout importable as ``ansible_collections.vmrescue.windows`` for every test.

The repository root is the collection root. Tests import the collection the way ansible-core does, so a link
tree ``<cache>/ansible_collections/vmrescue/windows -> <repository>`` is put on ``sys.path`` (and exported as
``ANSIBLE_COLLECTIONS_PATH`` for the ansible commands the tests start).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent


def _collection_link_root() -> Path:
    root = REPO_ROOT / ".cache" / "collections"
    link = root / "ansible_collections" / "vmrescue" / "windows"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink() or link.resolve() != REPO_ROOT:
        tmp = link.with_name(f".windows.{os.getpid()}")
        tmp.symlink_to(REPO_ROOT, target_is_directory=True)
        os.replace(tmp, link)
    return root


_COLLECTIONS_ROOT = _collection_link_root()
if str(_COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(_COLLECTIONS_ROOT))
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(_COLLECTIONS_ROOT))
