# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: remote commands of the run lock (offline_lock), and reading their answers.

The exclusive create is ``New-Item -ItemType File -Path <lock> -Value <json>`` without ``-Force``: PowerShell's file
system provider then opens the file with CreateNew, which fails when it exists, so of two runs only one creates it
(``docs/dev/remote-commands.md`` section 5). Every command ends by reading the lock back, so the plan is always
decided from what is on the disk, never from the exit of the create.
"""

from __future__ import annotations

from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_files import if_leaf, leaf_exists, make_dir
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    add_leftover_unload, found_loaded, unloaded,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import ps_literal as q
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult

READ_STEP = "lock-read"


def _read_back(script: RemoteScript, path: str) -> None:
    script.cmdlet(READ_STEP, leaf_exists(path) + "\n" + if_leaf(path, f"Get-Content -LiteralPath {q(path)} -Raw"))


def _create_new(path: str, text: str) -> str:
    return f"New-Item -ItemType File -Path {q(path)} -Value {q(text)} | Out-Null"


def read_script(path: str) -> RemoteScript:
    script = RemoteScript("lock-read")
    _read_back(script, path)
    return script


def create_script(path: str, folder: str, text: str) -> RemoteScript:
    """Create the lock if (and only if) no file is there; then read it back."""
    script = RemoteScript("lock-create")
    script.cmdlet("lock-folder", make_dir(folder))
    script.cmdlet("lock-new", _create_new(path, text))
    _read_back(script, path)
    return script


def takeover_script(path: str, marker: str, text: str) -> RemoteScript:
    """Replace one expired lock: only the run that creates its marker goes on (abort_on_error stops the others)."""
    script = RemoteScript("lock-takeover")
    script.cmdlet("lock-marker", f"New-Item -ItemType File -Path {q(marker)} | Out-Null", abort_on_error=True)
    script.cmdlet("lock-remove", if_leaf(path, f"Remove-Item -LiteralPath {q(path)} -Force"), abort_on_error=True)
    script.cmdlet("lock-new", _create_new(path, text))
    _read_back(script, path)
    return script


def release_script(path: str, hives: list[str]) -> RemoteScript:
    """Unload the collection's mounts of ``hives`` that a cut-off command of this run left, then remove the lock.

    The unloads come first: while the lock is held those mounts can only be this run's; once it is released, the
    next run may already have loaded the same file under the same name."""
    script = RemoteScript("lock-release")
    for index, hive in enumerate(hives):
        add_leftover_unload(script, _leftover_prefix(index), hive)
    script.cmdlet("lock-remove", if_leaf(path, f"Remove-Item -LiteralPath {q(path)} -Force"))
    _read_back(script, path)
    return script


def _leftover_prefix(index: int) -> str:
    return f"leftover{index}-"


def leftover_mounts(result: ScriptResult, hives: list[str]) -> tuple[list[str], list[str]]:
    """(hives the release found loaded and unloaded, hives it found loaded and could not unload)."""
    loaded = [(hive, _leftover_prefix(index)) for index, hive in enumerate(hives)
              if found_loaded(result, _leftover_prefix(index))]
    return ([hive for hive, prefix in loaded if unloaded(result, prefix)],
            [hive for hive, prefix in loaded if not unloaded(result, prefix)])


def lock_text(result: ScriptResult, path: str) -> str | None:
    """The lock file's text, or None when there is no lock file."""
    step = result.step(READ_STEP)
    if step is None or not step.completed:
        raise VmrescueError(f"the recovery VM did not say whether the run lock {path} exists", stderr=result.stderr)
    lines = step.lines
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() not in ("True", "False"):
        raise VmrescueError(f"the recovery VM did not say whether the run lock {path} exists", stderr=result.stderr)
    if lines[first].strip() == "False":
        return None
    return "\n".join(lines[first + 1:])
