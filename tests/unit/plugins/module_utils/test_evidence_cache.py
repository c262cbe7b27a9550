"""Catalogs and drivers cross the wire once per content: a second host of the same image fetches nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._evidence_cache import EvidenceStore


class _Host:
    """A recovery VM's files; counts what is fetched."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files, self.fetched = files, []

    def listing(self) -> dict[str, str]:
        return {path: hashlib.sha256(data).hexdigest().upper() for path, data in self.files.items()}

    def fetch(self, remote: str, local: Path) -> None:
        self.fetched.append(remote)
        local.write_bytes(self.files[remote])


_CATROOT = "F:\\Windows\\System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}\\"


def _image() -> dict[str, bytes]:
    return {_CATROOT + "a.cat": b"catalog a" * 100, _CATROOT + "b.cat": b"catalog b" * 50,
            _CATROOT + "copy-of-a.cat": b"catalog a" * 100}


def test_the_first_host_fetches_each_content_once_and_the_second_host_nothing(tmp_path):
    store = EvidenceStore(tmp_path)
    first, second = _Host(_image()), _Host(_image())
    listing = first.listing()
    stats = store.gather(listing, first.fetch)
    assert (stats.listed, stats.fetched, stats.reused, stats.fetched_bytes) == (3, 2, 1, 900 + 450)
    # The host lists upper-case hashes (Get-FileHash); the store finds them in any case.
    assert store.read(listing[_CATROOT + "copy-of-a.cat"]) == b"catalog a" * 100
    again = store.gather(second.listing(), second.fetch)
    assert (again.fetched, again.fetched_bytes, again.reused, second.fetched) == (0, 0, 3, [])


def test_a_file_that_changed_between_listing_and_fetch_is_refused_and_not_stored(tmp_path):
    store = EvidenceStore(tmp_path)
    host = _Host(_image())
    listing = host.listing()
    host.files[_CATROOT + "b.cat"] = b"replaced"
    with pytest.raises(VmrescueError, match="does not have the SHA-256"):
        store.gather(listing, host.fetch)
    assert not store.holds(listing[_CATROOT + "b.cat"])
    assert not any(path.name.startswith(".fetch-") for path in tmp_path.rglob("*"))


def test_a_listed_hash_must_be_a_sha256(tmp_path):
    with pytest.raises(VmrescueError, match="not a SHA-256"):
        EvidenceStore(tmp_path).gather({"x": "../../etc/passwd"}, _Host({}).fetch)
