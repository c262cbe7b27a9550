"""One door to translated tool messages: i18n.text when it knows the key, else the English text below."""
from __future__ import annotations

_ENGLISH_FALLBACK = {
    "reg.success": "The operation completed successfully.",
    "reg.error_prefix": "ERROR:",
    "reg.not_found": "The system was unable to find the specified registry key or value.",
    "reg.access_denied": "Access is denied.",
    "reg.invalid_syntax": "Invalid syntax.",
    "reg.invalid_type": "Invalid syntax.",
    "reg.file_in_use": "The process cannot access the file because it is being used by another process.",
    "reg.key_exists_name_in_use": "Cannot create a file when that file already exists.",
    "reg.end_of_search": "End of search: {count} match(es) found.",
    "reg.invalid_key": "Invalid key name.",
    "reg.invalid_data": "Invalid syntax. Specify valid numeric value for '/d'.",
    "reg.file_not_found": "The system cannot find the file specified.",
    "reg.not_a_hive": "The configuration registry database is corrupt.",
    "reg.canceled": "The operation was canceled by the user.",
    "reg.default_value_name": "(Default)",
    "reg.value_not_set": "(value not set)",
}


def text(language: str, key: str, **fmt: object) -> str:
    try:
        from . import i18n
    except ImportError:  # the translations module is written separately; English until it exists
        return _ENGLISH_FALLBACK[key].format(**fmt)
    try:
        return i18n.text(language, key, **fmt)
    except KeyError:
        return _ENGLISH_FALLBACK[key].format(**fmt)
