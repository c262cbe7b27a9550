"""A replacement for a diagnosed driver must be validly signed and not older; otherwise it is refused with why."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import CatalogIndex, file_signature
from ansible_collections.vmrescue.windows.plugins.module_utils._replacement_check import check_replacement
from tests.unit.plugins.module_utils.test_file_signature import _read


def _signature(tampered: bool = False):
    data = bytearray(_read("pciide.sys"))
    if tampered:
        data[0x800] ^= 0x01
    return file_signature(bytes(data), CatalogIndex([]))


@pytest.mark.parametrize("current, replacement, tampered, reason", [
    ("10.0.17763.1", "10.0.17763.1", False, "ok"),
    ("10.0.17763.1", "10.0.17763.2 (rs5_release)", False, "ok"),
    ("10.0.17763.1", "10.0.17763.1", True, "not-signed"),
    ("10.0.17763.5", "10.0.17763.4", False, "older"),
    (None, "10.0.17763.4", False, "version-unknown"),
    ("10.0.17763.4", "", False, "version-unknown"),
])
def test_a_replacement_is_accepted_only_when_signed_and_not_older(current, replacement, tampered, reason):
    result = check_replacement(current, replacement, _signature(tampered))
    assert (result["accepted"], result["reason"]) == (reason == "ok", reason)
    assert result["msg"]


def test_a_missing_current_file_needs_only_a_signed_replacement():
    assert check_replacement(None, None, _signature(), current_exists=False)["accepted"] is True
    assert check_replacement(None, None, _signature(tampered=True), current_exists=False)["reason"] == "not-signed"


def test_a_replacement_signed_under_another_root_is_refused_however_its_signer_is_named():
    from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import FileSignature

    forged = FileSignature("embedded", "third-party", "Microsoft Windows", chain="not-to-microsoft-root")
    result = check_replacement("10.0.17763.1", "10.0.17763.2", forged)
    assert (result["accepted"], result["reason"]) == (False, "not-microsoft-root")
    assert "Microsoft Windows" in result["msg"] and "would not load it" in result["msg"]
