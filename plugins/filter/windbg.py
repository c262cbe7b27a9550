# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``vmrescue.windows.windbg_analysis``: facts from a saved WinDbg ``!analyze -v`` text."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.vmrescue.windows.plugins.module_utils._windbg import analyze


def windbg_analysis(text):
    if not isinstance(text, str):
        raise AnsibleFilterError(f"windbg_analysis expects the text of !analyze -v, got {type(text).__name__}")
    return analyze(text)


class FilterModule:
    def filters(self):
        return {"windbg_analysis": windbg_analysis}
