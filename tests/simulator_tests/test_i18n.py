"""The simulator's translations: complete for every language, no silent English fallback, real samples kept."""
from __future__ import annotations

import string
from pathlib import Path

import pytest

from tests.simulator.windows import i18n

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

REG_KEYS_USED_BY_REGEXE = (
    "reg.success", "reg.error_prefix", "reg.not_found", "reg.access_denied", "reg.invalid_syntax", "reg.invalid_type",
    "reg.file_in_use", "reg.key_exists_name_in_use", "reg.end_of_search", "reg.invalid_key", "reg.invalid_data",
    "reg.type_help",
)


def _placeholders(template: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_language_has_every_key(language):
    assert i18n.keys(language) == i18n.keys("en-US")


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_placeholders_match_english(language):
    for key in i18n.keys("en-US"):
        assert _placeholders(i18n.text(language, key)) == _placeholders(i18n.text("en-US", key)), key


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_reg_exe_keys_exist(language):
    for key in REG_KEYS_USED_BY_REGEXE:
        assert i18n.text(language, key)


def test_unknown_key_or_language_raises():
    with pytest.raises(KeyError):
        i18n.text("en-US", "bcdedit.no_such_message")
    with pytest.raises(KeyError):
        i18n.text("fr-FR", "bcdedit.success")


def test_formatting():
    assert i18n.text("en-US", "reg.end_of_search", count=3) == "End of search: 3 match(es) found."
    assert i18n.text("en-US", "bcdedit.command_invalid", command="set") == "The set command specified is not valid."
    assert i18n.text("de-DE", "bcdedit.header.firmware_application", type="101fffff") == "Firmwareanwendung (101fffff)"


@pytest.mark.parametrize("language", [language for language in i18n.LANGUAGES if language != "en-US"])
def test_headers_are_translated(language):
    translated = [
        key for key in i18n.keys("en-US")
        if key.startswith("bcdedit.header.") and i18n.text(language, key) != i18n.text("en-US", key)
    ]
    assert len(translated) >= len([key for key in i18n.keys("en-US") if key.startswith("bcdedit.header.")]) - 2


def _sample(name: str) -> list[str]:
    path = DATA / "text" / "bcdedit" / name
    if not path.is_file():
        pytest.skip(f"real bcdedit capture {path} is not available")
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("sample", "language"),
    [("de_1.txt", "de-DE"), ("zh_1.txt", "zh-CN"), ("ja_1.txt", "ja-JP"), ("en_3.txt", "en-US")],
)
def test_real_captures_match_headers_underlines_and_label(sample, language):
    lines = _sample(sample)
    for key in ("bcdedit.header.bootmgr", "bcdedit.header.osloader"):
        header = i18n.text(language, key)
        index = lines.index(header)
        assert lines[index + 1] == i18n.underline(language, key)
        label = lines[index + 2].split()[0]
        assert label == i18n.text(language, "bcdedit.label.identifier")
        # values start in console column 24, whatever the label's script
        assert i18n.display_width(lines[index + 2].split("{")[0]) == 24


def test_display_width_counts_wide_characters_twice():
    assert i18n.display_width("标识符") == 6
    assert i18n.display_width("identifier") == 10
