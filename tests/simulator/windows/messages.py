"""One door to translated tool messages for reg.exe: every key must exist in every language (no silent English)."""
from __future__ import annotations

from . import i18n


def text(language: str, key: str, **fmt: object) -> str:
    return i18n.text(language, key, **fmt)
