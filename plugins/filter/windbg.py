# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``vmrescue.windows.windbg_analysis`` and ``windbg_drivers``: facts from a saved WinDbg ``!analyze -v``."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.vmrescue.windows.plugins.module_utils._windbg import analyze


def _text(value, name):
    if not isinstance(value, str):
        raise AnsibleFilterError(f"{name} expects the text of !analyze -v, got {type(value).__name__}")
    return value


def windbg_analysis(text):
    return analyze(_text(text, "windbg_analysis"))


def _listed_name(entry):
    """A driver entry as roles list them: a file name, or a dict with ``name``."""
    name = entry.get("name") if isinstance(entry, Mapping) else entry
    if not isinstance(name, str):
        raise AnsibleFilterError(f"windbg_drivers: exclude entries must be file names or dicts with a name, got {entry!r}")
    return name


def windbg_drivers(text, exclude=None):
    """Driver file names the analysis blames, minus those in ``exclude`` (compared case-insensitively, as NTFS)."""
    if exclude is not None and (isinstance(exclude, (str, Mapping)) or not hasattr(exclude, "__iter__")):
        raise AnsibleFilterError("windbg_drivers: exclude must be a list of file names or dicts with a name")
    excluded = {_listed_name(entry).casefold() for entry in exclude or ()}
    return [name for name in analyze(_text(text, "windbg_drivers"))["drivers"] if name.casefold() not in excluded]


class FilterModule:
    def filters(self):
        return {"windbg_analysis": windbg_analysis, "windbg_drivers": windbg_drivers}
