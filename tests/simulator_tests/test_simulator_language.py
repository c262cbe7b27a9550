"""An unsupported display language is refused at start, naming the supported ones (never a KeyError later)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulator.__main__ import main
from tests.simulator.fixture import SimulatorError, running_simulator
from tests.simulator.launcher import Launcher
from tests.simulator.windows.i18n import LANGUAGES


def test_serve_refuses_an_unknown_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", str(tmp_path), "--language", "fr-FR"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "fr-FR" in error and all(language in error for language in LANGUAGES), error


def test_fixture_refuses_an_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(SimulatorError, match="supported: en-US"):
        with running_simulator(tmp_path, language="en-GB"):
            pass


def test_launcher_refuses_an_unknown_language() -> None:
    with pytest.raises(ValueError, match="unsupported language 'xx'"):
        Launcher(object(), run_powershell=lambda *a, **k: None, language="xx")
