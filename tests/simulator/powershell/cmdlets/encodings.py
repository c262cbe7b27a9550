"""FileSystemCmdletProviderEncoding of Windows PowerShell 5.1: reading and writing text."""

from __future__ import annotations

import codecs

ENCODINGS = ("Unknown", "String", "Unicode", "Byte", "BigEndianUnicode", "UTF8", "UTF7", "UTF32", "Ascii",
             "Default", "Oem", "BigEndianUTF32")
# The ANSI code page of a Windows display language (what "Default" means in Windows PowerShell 5.1).
ANSI_CODE_PAGES = {"zh-CN": "cp936", "ja-JP": "cp932", "ko-KR": "cp949"}
_WRITERS = {
    "UTF8": ("utf-8", codecs.BOM_UTF8),
    "Unicode": ("utf-16-le", codecs.BOM_UTF16_LE),
    "String": ("utf-16-le", codecs.BOM_UTF16_LE),
    "Unknown": ("utf-16-le", codecs.BOM_UTF16_LE),
    "BigEndianUnicode": ("utf-16-be", codecs.BOM_UTF16_BE),
    "UTF32": ("utf-32-le", codecs.BOM_UTF32_LE),
    "BigEndianUTF32": ("utf-32-be", codecs.BOM_UTF32_BE),
    "Ascii": ("ascii", b""),
}
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def ansi(language: str) -> str:
    return ANSI_CODE_PAGES.get(language, "cp1252")


def encode(text: str, encoding: str, language: str) -> bytes:
    if encoding in ("Default", "Oem"):
        return text.encode(ansi(language), errors="replace")
    codec, bom = _WRITERS[encoding]
    return bom + text.encode(codec, errors="replace")


def decode(data: bytes, encoding: str | None, language: str) -> str:
    """A byte-order mark wins (as in PowerShell); without one, the requested or the ANSI encoding."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    if encoding in (None, "Default", "Oem", "Unknown"):
        return data.decode(ansi(language), errors="replace")
    codec = _WRITERS[encoding][0]
    return data.decode(codec, errors="replace")
