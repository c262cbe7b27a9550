# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the one root of every exception the collection raises; the action base turns it into a failed result.

Every exception class the collection defines derives from ``VmrescueError``, so ``plugin_utils/_action.py`` is the
one boundary: nothing the collection raises escapes a task as a traceback.
"""

from __future__ import annotations


class VmrescueError(Exception):
    """A clear, user-facing failure. ``details`` are added to the task result (e.g. what was found)."""

    def __init__(self, msg: str, **details) -> None:
        super().__init__(msg)
        self.msg = msg
        self.details = details


class InternalError(VmrescueError):
    """The collection asked one of its own parts for something it does not do: a bug, reported as a failed task."""

    def __init__(self, msg: str, **details) -> None:
        super().__init__(f"internal error in vmrescue.windows (please report it): {msg}", **details)
