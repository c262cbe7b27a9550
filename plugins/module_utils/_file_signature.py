# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: is a driver file signed, decided offline from its bytes and the broken disk's own catalogs (pure).

A kernel driver is accepted by code integrity when it carries a valid embedded Authenticode signature or when its
Authenticode hash is listed in a valid catalog of the system's catalog store
(``System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}``). The recovery VM's own catalogs say nothing about
the broken disk's files, so only catalogs read from the broken disk are given to ``CatalogIndex``.

Verdicts (stable codes): ``embedded`` (valid embedded signature whose digest matches the file), ``catalog`` (listed
in a valid catalog of the disk), ``digest-mismatch`` (an embedded signature that verifies but names another hash:
the file was changed after signing), ``invalid-signature`` (an embedded signature that does not verify),
``not-signed`` (neither).
"""

from __future__ import annotations

import dataclasses
import hashlib

from ansible_collections.vmrescue.windows.plugins.module_utils import _authenticode_asn1 as asn1
from ansible_collections.vmrescue.windows.plugins.module_utils._pe_hash import HASHES, embedded_signatures, file_hash
from ansible_collections.vmrescue.windows.plugins.module_utils._signed_data import verify_signed_data


@dataclasses.dataclass(frozen=True)
class Catalog:
    name: str
    sha256: str                          # of the catalog file: its identity when catalogs are transferred
    valid: bool
    reason: str
    signer_class: str | None
    members: frozenset                   # (digest algorithm, digest bytes)
    chain: str | None = None             # _signed_data: to-microsoft-root, not-to-microsoft-root


def load_catalog(name: str, der: bytes) -> Catalog:
    verdict = verify_signed_data(der)
    members: set = set()
    if verdict.content_type == asn1.CERT_TRUST_LIST and verdict.content is not None:
        try:
            trust_list = verdict.content.parse(asn1.CertificateTrustList)
            for subject in trust_list["trusted_subjects"] or []:
                members.update(asn1.member_digests(subject))
        except ValueError:
            return Catalog(name, hashlib.sha256(der).hexdigest(), False, "not-a-catalog", None, frozenset())
    elif verdict.reason != "not-signed-data":
        return Catalog(name, hashlib.sha256(der).hexdigest(), False, "not-a-catalog", None, frozenset())
    return Catalog(name, hashlib.sha256(der).hexdigest(), verdict.valid, verdict.reason, verdict.signer_class,
                   frozenset(members), verdict.chain)


class CatalogIndex:
    """Member hashes of the valid catalogs, to look a file up by its Authenticode hash."""

    def __init__(self, catalogs: list[Catalog]) -> None:
        self._by_digest: dict[tuple[str, bytes], Catalog] = {}
        for catalog in catalogs:
            if catalog.valid:
                for member in catalog.members:
                    self._by_digest.setdefault(member, catalog)
        self.algorithms = sorted({algorithm for algorithm, _digest in self._by_digest if algorithm in HASHES})

    def find(self, data: bytes) -> Catalog | None:
        for algorithm in self.algorithms:
            found = self._by_digest.get((algorithm, file_hash(data, algorithm)))
            if found is not None:
                return found
        return None


@dataclasses.dataclass(frozen=True)
class FileSignature:
    verdict: str
    signer_class: str | None = None
    signer: str | None = None
    catalog: str | None = None
    reason: str | None = None
    chain: str | None = None          # of a valid signature: to-microsoft-root, not-to-microsoft-root

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def file_signature(data: bytes, catalogs: CatalogIndex) -> FileSignature:
    embedded = _embedded(data)
    if embedded is not None and embedded.verdict == "embedded":
        return embedded
    catalog = catalogs.find(data)
    if catalog is not None:
        return FileSignature("catalog", catalog.signer_class, catalog=catalog.name, chain=catalog.chain)
    return embedded or FileSignature("not-signed")


def _embedded(data: bytes) -> FileSignature | None:
    blobs = embedded_signatures(data)
    if not blobs:
        return None
    verdict = verify_signed_data(blobs[0])
    if not verdict.valid or verdict.content_type != asn1.SPC_INDIRECT_DATA:
        return FileSignature("invalid-signature", signer=verdict.signer, reason=verdict.reason)
    try:
        digest = verdict.content.parse(asn1.SpcIndirectDataContent)["message_digest"]
        algorithm, expected = digest["digest_algorithm"]["algorithm"].native, digest["digest"].native
    except ValueError:
        return FileSignature("invalid-signature", signer=verdict.signer, reason="not-authenticode")
    if algorithm not in HASHES:
        return FileSignature("invalid-signature", signer=verdict.signer, reason="unsupported-algorithm")
    if file_hash(data, algorithm) != expected:
        return FileSignature("digest-mismatch", verdict.signer_class, verdict.signer,
                             reason="file-changed-after-signing")
    return FileSignature("embedded", verdict.signer_class, verdict.signer, chain=verdict.chain)
