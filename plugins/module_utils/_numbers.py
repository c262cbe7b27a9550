# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the one parser of user-given unsigned integers (BCD integer elements, DWORD and QWORD values)."""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError


def parse_unsigned(value: t.Any, bits: int, label: str) -> int:
    """A YAML integer or a decimal / 0x-hex string, within an unsigned ``bits``-bit range."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text[2:], 16) if text[:2].lower() == "0x" else int(text, 10)
        except ValueError:
            number = None
    if number is None or not 0 <= number < (1 << bits):
        raise VmrescueError(f"{label} takes an unsigned {bits}-bit integer (decimal or 0x hex); got {value!r}")
    return number
