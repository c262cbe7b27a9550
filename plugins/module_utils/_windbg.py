# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the suspect driver named by a saved WinDbg ``!analyze -v`` text.

``!analyze -v`` prints ``KEY: value`` fields (IMAGE_NAME, MODULE_NAME, FAILURE_BUCKET_ID, BUGCHECK_CODE, ...). The
field names are the debugger's fixed identifiers, not translated text. Texts copied from web pages are often
flattened, several fields on one line, and a field may be empty (``IMAGE_VERSION: STACK_COMMAND: ...``), so fields
are found as tokens anywhere in the text, not per line.
"""

from __future__ import annotations

import re

# A field name: upper-case identifier followed by a colon, at the start of the text or after white space.
_FIELD = re.compile(r"(?:(?<=\s)|^)([A-Z][A-Z0-9_]{2,}):(?=\s|$)")
_IMAGE_IN_BUCKET = re.compile(r"_IMAGE_([A-Za-z0-9_.\-]+\.(?:sys|dll|exe))", re.IGNORECASE)
_BUGCHECK_STR = re.compile(r"^0x([0-9A-Fa-f]+)(?:_([0-9A-Fa-f]{8}))?")
# The analysis banner: "CRITICAL_SERVICE_FAILED (5a)". The symbolic name is not used, only the number.
_BANNER = re.compile(r"^\s*[A-Z][A-Z0-9_]+\s+\(([0-9a-fA-F]{1,8})\)", re.MULTILINE)
_DRIVER_SUFFIXES = (".sys", ".dll", ".exe")


def fields(text: str) -> dict[str, str]:
    """First value of every ``KEY: value`` field (value = the next token; empty when a field follows at once)."""
    found: dict[str, str] = {}
    matches = list(_FIELD.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        rest = text[match.end():end].strip()
        value = rest.split("\n", 1)[0].strip()
        found.setdefault(match.group(1), value)
    return found


def _first_token(value: str | None) -> str | None:
    if not value:
        return None
    return value.split()[0]


def _bugcheck(found: dict[str, str], text: str) -> tuple[int | None, int | None]:
    """(bugcheck code, status code of BUGCHECK_STR such as 0x5A_c0000428) from numbers only."""
    status = None
    match = _BUGCHECK_STR.match(_first_token(found.get("BUGCHECK_STR")) or "")
    if match and match.group(2):
        status = int(match.group(2), 16)
    code_text = _first_token(found.get("BUGCHECK_CODE"))
    if code_text and re.fullmatch(r"(?:0x)?[0-9A-Fa-f]+", code_text):
        return int(code_text, 16), status
    if match:
        return int(match.group(1), 16), status
    banner = _BANNER.search(text)
    return (int(banner.group(1), 16) if banner else None), status


def analyze(text: str) -> dict:
    """Facts from one ``!analyze -v`` text: bugcheck, image and module names, failure bucket, suspect drivers."""
    found = fields(text)
    image = _first_token(found.get("IMAGE_NAME"))
    module = _first_token(found.get("MODULE_NAME"))
    bucket = _first_token(found.get("FAILURE_BUCKET_ID"))
    code, status = _bugcheck(found, text)
    drivers: list[str] = []
    candidates = [image] + [m.group(1) for key in ("FAILURE_BUCKET_ID", "BUCKET_ID", "PRIMARY_PROBLEM_CLASS")
                            for m in _IMAGE_IN_BUCKET.finditer(found.get(key) or "")]
    for name in candidates:
        if name and name.lower().endswith(_DRIVER_SUFFIXES) and name.lower() not in {d.lower() for d in drivers}:
            drivers.append(name)
    return {
        "bugcheck_code": code,
        "bugcheck_code_hex": None if code is None else f"0x{code:X}",
        "status_code_hex": None if status is None else f"0x{status:08X}",
        "image_name": image,
        "module_name": module,
        "image_version": _first_token(found.get("IMAGE_VERSION")),
        "failure_bucket_id": bucket,
        "drivers": drivers,
    }
