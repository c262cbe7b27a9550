# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: file versions (``VersionInfo.FileVersion`` as Get-Item prints it) made comparable."""

from __future__ import annotations

import re

_VERSION = re.compile(r"^\s*(\d+(?:\.\d+)*)")


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """``10.0.14393.1770 (rs1_release.170917-1700)`` -> (10, 0, 14393, 1770); trailing zeros do not count."""
    match = _VERSION.match(text or "")
    if not match:
        return None
    numbers = [int(part) for part in match.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)
