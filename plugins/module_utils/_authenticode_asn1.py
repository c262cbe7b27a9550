# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the ASN.1 structures of Authenticode and security catalogs that asn1crypto does not define.

Definitions: Microsoft "Windows Authenticode Portable Executable Signature Format" (SpcIndirectDataContent,
SpcAttributeTypeAndOptionalValue, DigestInfo) and the CTL of [MS-CAESO] / wincrypt.h ``CTL_INFO`` (a catalog file
is a PKCS#7 SignedData whose content, OID 1.3.6.1.4.1.311.10.1, is this certificate trust list; each trusted
subject is one catalog member, its attributes carry the member's SpcIndirectDataContent with the file's hash).
"""

from __future__ import annotations

try:
    from asn1crypto import algos, core, x509
except ImportError:       # checked before use: _signed_data.require_libraries() names the missing package
    HAS_ASN1CRYPTO = False
else:
    HAS_ASN1CRYPTO = True

SPC_INDIRECT_DATA = "1.3.6.1.4.1.311.2.1.4"
CERT_TRUST_LIST = "1.3.6.1.4.1.311.10.1"


if HAS_ASN1CRYPTO:
    class SpcAttributeTypeAndOptionalValue(core.Sequence):
        _fields = [("type", core.ObjectIdentifier), ("value", core.Any, {"optional": True})]

    class DigestInfo(core.Sequence):
        _fields = [("digest_algorithm", algos.DigestAlgorithm), ("digest", core.OctetString)]

    class SpcIndirectDataContent(core.Sequence):
        _fields = [("data", SpcAttributeTypeAndOptionalValue), ("message_digest", DigestInfo)]

    class _AnyValues(core.SetOf):
        _child_spec = core.Any

    class _Attribute(core.Sequence):
        _fields = [("type", core.ObjectIdentifier), ("values", _AnyValues)]

    class _Attributes(core.SetOf):
        _child_spec = _Attribute

    class TrustedSubject(core.Sequence):
        _fields = [("subject_identifier", core.OctetString), ("subject_attributes", _Attributes, {"optional": True})]

    class _TrustedSubjects(core.SequenceOf):
        _child_spec = TrustedSubject

    class _SubjectUsage(core.SequenceOf):
        _child_spec = core.ObjectIdentifier

    class CertificateTrustList(core.Sequence):
        _fields = [
            ("version", core.Integer, {"optional": True}),
            ("subject_usage", _SubjectUsage),
            ("list_identifier", core.OctetString, {"optional": True}),
            ("sequence_number", core.Integer, {"optional": True}),
            ("this_update", x509.Time),
            ("next_update", x509.Time, {"optional": True}),
            ("subject_algorithm", algos.DigestAlgorithm),
            ("trusted_subjects", _TrustedSubjects, {"optional": True}),
            ("extensions", core.Any, {"explicit": 0, "optional": True}),
        ]


def member_digests(subject: TrustedSubject) -> list[tuple[str, bytes]]:
    """(digest algorithm, digest) of every SpcIndirectDataContent among a catalog member's attributes."""
    found = []
    for attribute in subject["subject_attributes"] or []:
        if attribute["type"].dotted != SPC_INDIRECT_DATA:
            continue
        for value in attribute["values"]:
            content = value.parse(SpcIndirectDataContent)
            digest = content["message_digest"]
            found.append((digest["digest_algorithm"]["algorithm"].native, digest["digest"].native))
    return found
