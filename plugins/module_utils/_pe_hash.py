# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the Authenticode hash of a PE image and its embedded signature, from the file's bytes (pure).

Microsoft "Windows Authenticode Portable Executable Signature Format", "Calculating the PE Image Hash": hash the
whole file except the optional header's CheckSum (4 bytes), the Certificate Table entry of the data directory
(8 bytes, entry 4) and the attribute certificate table it points to. The certificate table's offset is a file
offset (not an RVA); each entry is a WIN_CERTIFICATE {dwLength, wRevision, wCertificateType, bCertificate},
type 2 = WIN_CERT_TYPE_PKCS_SIGNED_DATA. A file that is not a PE image (an INF) is hashed flat, as catalogs do.
"""

from __future__ import annotations

import dataclasses
import hashlib
import struct

from ansible_collections.vmrescue.windows.plugins.module_utils._pe import check_pe

_CHECKSUM_OFFSET = 64                   # within the optional header, PE32 and PE32+ alike
_DATA_DIRECTORY_OFFSET = {"PE32": 96, "PE32+": 112}
_SECURITY_ENTRY = 4
_WIN_CERT_TYPE_PKCS_SIGNED_DATA = 2
HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


@dataclasses.dataclass(frozen=True)
class PeLayout:
    checksum_at: int
    security_entry_at: int
    table_at: int
    table_size: int


def pe_layout(data: bytes) -> PeLayout | None:
    """Where the excluded parts lie, or None when the bytes are not a PE image this code can hash."""
    check = check_pe(data[:4096])
    if not check.is_pe or check.format not in _DATA_DIRECTORY_OFFSET:
        return None
    (e_lfanew,) = struct.unpack_from("<I", data, 0x3C)
    optional = e_lfanew + 24
    (size_of_optional,) = struct.unpack_from("<H", data, e_lfanew + 20)
    directory = optional + _DATA_DIRECTORY_OFFSET[check.format]
    entry = directory + 8 * _SECURITY_ENTRY
    if entry + 8 > optional + size_of_optional or entry + 8 > len(data):
        return None                     # no certificate table entry in this optional header
    table_at, table_size = struct.unpack_from("<II", data, entry)
    if table_size and (table_at < entry + 8 or table_at + table_size > len(data)):
        return None                     # a table outside the file: malformed
    return PeLayout(optional + _CHECKSUM_OFFSET, entry, table_at, table_size)


def file_hash(data: bytes, algorithm: str) -> bytes:
    """The Authenticode hash of a PE image, or the flat hash of any other file (how catalogs list INF files)."""
    layout = pe_layout(data)
    digest = HASHES[algorithm]()
    if layout is None:
        digest.update(data)
        return digest.digest()
    digest.update(data[:layout.checksum_at])
    digest.update(data[layout.checksum_at + 4:layout.security_entry_at])
    end = layout.table_at if layout.table_size else len(data)
    digest.update(data[layout.security_entry_at + 8:end])
    if layout.table_size:
        digest.update(data[layout.table_at + layout.table_size:])
    return digest.digest()


def embedded_signatures(data: bytes) -> list[bytes]:
    """The PKCS#7 SignedData blobs of the attribute certificate table (usually one)."""
    layout = pe_layout(data)
    if layout is None or not layout.table_size:
        return []
    found, at, end = [], layout.table_at, layout.table_at + layout.table_size
    while at + 8 <= end:
        length, _revision, kind = struct.unpack_from("<IHH", data, at)
        if length < 8 or at + length > end:
            break
        if kind == _WIN_CERT_TYPE_PKCS_SIGNED_DATA:
            found.append(data[at + 8:at + length])
        at += (length + 7) // 8 * 8     # entries are 8-byte aligned
    return found
