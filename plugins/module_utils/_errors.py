# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the one exception type the collection's logic raises; action plugins turn it into a failed result."""

from __future__ import annotations


class VmrescueError(Exception):
    """A clear, user-facing failure. ``details`` are added to the task result (e.g. what was found)."""

    def __init__(self, msg: str, **details) -> None:
        super().__init__(msg)
        self.msg = msg
        self.details = details
