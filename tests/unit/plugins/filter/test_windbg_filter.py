"""The filter plugin hands the text to the parser and refuses non-text."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.vmrescue.windows.plugins.filter.windbg import FilterModule


def test_filter_returns_the_drivers():
    windbg_analysis = FilterModule().filters()["windbg_analysis"]
    assert windbg_analysis("IMAGE_NAME:  filecrypt.sys\n")["drivers"] == ["filecrypt.sys"]


def test_filter_refuses_non_text():
    with pytest.raises(AnsibleFilterError):
        FilterModule().filters()["windbg_analysis"](42)
