"""offline_lock against a scripted file system: exclusive create, waiting, expiry takeover, release, check mode."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from ansible_collections.vmrescue.windows.plugins.action import offline_lock
from ansible_collections.vmrescue.windows.plugins.action.offline_lock import ActionModule as OfflineLock
from ansible_collections.vmrescue.windows.plugins.module_utils import _run_lock as lock
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import UNLOAD_ATTEMPTS, mount_key
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.tests.unit.plugins.action.action_harness import run_action
from ansible_collections.vmrescue.windows.tests.unit.plugins.scripted_host import CMDLET_ERROR

PATH = "F:\\vmrescue\\lock.json"
NOW = dt.datetime(2026, 12, 1, 3, 0, 0, tzinfo=dt.timezone.utc)
_LITERAL = r"'((?:[^']|'')*)'"


def _literal(text: str) -> str:
    return text.replace("''", "'")


class Files:
    """The few file operations the lock commands use, on a dict {path: text} (paths compared case-insensitively)."""

    def __init__(self, files: dict[str, str] | None = None, before_read=None, before_write=None,
                 mounted: set[str] | None = None, in_use: bool = False) -> None:
        self.files = {k.lower(): v for k, v in (files or {}).items()}
        # Another "run" acting between two of our commands: before a read, or before our first write of a command.
        self.before_read, self.before_write = before_read, before_write
        self.reads = 0
        # reg load'ed hives by key (HKLM\vmrescue_...); in_use: Windows refuses every reg unload (an open handle).
        self.mounted, self.in_use = set(mounted or ()), in_use
        self.events: list[str] = []
        self.unload_attempts = 0

    def __call__(self, step: str, line: str):
        if m := re.fullmatch(rf"reg\.exe 'query' {_LITERAL}", line):
            return [], 0 if _literal(m[1]) in self.mounted else 1
        if m := re.fullmatch(rf"reg\.exe 'unload' {_LITERAL}", line):
            self.unload_attempts += 1
            if self.in_use or _literal(m[1]) not in self.mounted:
                return [], 1
            self.mounted.discard(_literal(m[1]))
            self.events.append(f"unloaded while the lock was {'held' if PATH.lower() in self.files else 'gone'}")
            return [], 0
        if m := re.fullmatch(rf"Test-Path -LiteralPath {_LITERAL} -PathType Leaf", line):
            if self.before_read:
                self.before_read(self)
            self.reads += 1
            return [str(_literal(m[1]).lower() in self.files)], None
        if m := re.fullmatch(rf"if \(\(Test-Path -LiteralPath {_LITERAL} -PathType Leaf\)\) \{{ (.*) \}}", line):
            if _literal(m[1]).lower() not in self.files:
                return [], None
            line = m[2]
        if m := re.fullmatch(rf"Get-Content -LiteralPath {_LITERAL} -Raw", line):
            return [self.files[_literal(m[1]).lower()]], None
        if m := re.fullmatch(rf"Remove-Item -LiteralPath {_LITERAL} -Force", line):
            del self.files[_literal(m[1]).lower()]
            return [], None
        if line.startswith("New-Item -ItemType Directory"):
            return [], None
        if m := re.fullmatch(rf"New-Item -ItemType File -Path {_LITERAL}(?: -Value {_LITERAL})? \| Out-Null", line):
            if self.before_write:
                self.before_write(self)
            path = _literal(m[1]).lower()
            if path in self.files:
                return ["New-Item : The file already exists."], CMDLET_ERROR
            self.files[path] = _literal(m[2] or "")
            return [], None
        raise AssertionError(f"unexpected command line {line!r}")

    def owner(self) -> dict | None:
        text = self.files.get(PATH.lower())
        return json.loads(text) if text is not None else None


def _other(expires: dt.datetime, run_id: str = "other-run") -> str:
    started = expires - dt.timedelta(hours=2)
    return lock.LockOwner("ctl-02", run_id, lock.utc_text(started), lock.utc_text(expires), "safeboot").render()


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(offline_lock, "_now", lambda: NOW)
    monkeypatch.setattr(offline_lock.time, "sleep", lambda seconds: None)


def _run(files: Files, check: bool = False, diff: bool = False, calls: int = 10, **args):
    params = {"path": PATH, "run_id": "run-1", "purpose": "enable_dump", **args}
    return run_action(OfflineLock, params, [files] * calls, check_mode=check, diff=diff)


def _result(files: Files, **options) -> dict:
    """The task result alone, for tests that do not look at the commands."""
    return _run(files, **options)[0]


def test_an_absent_lock_is_taken_with_its_owner():
    files = Files()
    result, recorder = _run(files, diff=True)
    assert not result.get("failed"), result
    assert result["changed"] is True and result["waited"] is False
    owner = files.owner()
    assert owner["run_id"] == "run-1" and owner["purpose"] == "enable_dump"
    assert (owner["started"], owner["expires"]) == ("2026-12-01T03:00:00Z", "2026-12-01T05:00:00Z")
    assert result["owner"] == owner and '"run-1"' in result["diff"]["after"]
    assert [c["name"] for c in result["remote_commands"]] == ["lock-read", "lock-create"]


def test_taking_it_again_in_the_same_run_changes_nothing():
    files = Files()
    _run(files)
    result = _result(files)
    assert result["changed"] is False and result["owner"]["run_id"] == "run-1"
    assert [c["name"] for c in result["remote_commands"]] == ["lock-read"]


def test_a_held_lock_fails_at_once_naming_the_owner():
    files = Files({PATH: _other(NOW + dt.timedelta(minutes=30))})
    result = _result(files)
    assert result["failed"] is True
    assert "run other-run (safeboot) from controller ctl-02" in result["msg"], result["msg"]
    assert result["held_by"]["run_id"] == "other-run"
    assert files.owner()["run_id"] == "other-run"


def test_a_held_lock_is_waited_for_until_it_is_released():
    def release_before_third_read(fs: Files) -> None:
        if fs.reads == 2:
            del fs.files[PATH.lower()]

    files = Files({PATH: _other(NOW + dt.timedelta(minutes=30))}, before_read=release_before_third_read)
    result = _result(files, wait_timeout=60, poll_interval=5)
    assert not result.get("failed"), result
    assert files.owner()["run_id"] == "run-1" and result["waited"] is True
    assert [c["name"] for c in result["remote_commands"]] == ["lock-read", "lock-read", "lock-read", "lock-create"]


def test_waiting_is_bounded(monkeypatch):
    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(offline_lock.time, "monotonic", lambda: next(clock))
    files = Files({PATH: _other(NOW + dt.timedelta(minutes=30))})
    result = _result(files, wait_timeout=20, poll_interval=5, calls=20)
    assert result["failed"] is True and "after waiting" in result["msg"]
    assert 2 <= files.reads <= 5


def test_an_expired_lock_is_taken_over_with_a_warning():
    expired = _other(NOW - dt.timedelta(seconds=1))
    files = Files({PATH: expired})
    result = _result(files)
    assert not result.get("failed"), result
    assert files.owner()["run_id"] == "run-1"
    assert "took over the expired run lock" in result["warnings"][0]
    assert lock.takeover_marker(PATH, expired).lower() in files.files


def test_of_two_runs_that_find_the_same_expired_lock_only_one_takes_it_over():
    expired = _other(NOW - dt.timedelta(seconds=1))
    files = Files({PATH: expired})

    def rival_takes_over(fs: Files) -> None:
        # Between our read and our takeover, another run that saw the same expired lock creates the marker and its lock.
        if lock.takeover_marker(PATH, expired).lower() not in fs.files:
            fs.files[lock.takeover_marker(PATH, expired).lower()] = ""
            fs.files[PATH.lower()] = _other(NOW + dt.timedelta(hours=2), run_id="rival")

    files.before_write = rival_takes_over
    result = _result(files)
    assert result["failed"] is True and "run rival" in result["msg"], result
    assert files.owner()["run_id"] == "rival"
    assert [c["name"] for c in result["remote_commands"]] == ["lock-read", "lock-takeover", "lock-read"]


def test_check_mode_writes_nothing_and_reports_a_held_lock():
    files = Files({PATH: _other(NOW + dt.timedelta(minutes=30))})
    result = _result(files, check=True, wait_timeout=600)
    assert not result.get("failed"), result
    assert result["changed"] is False and result["held_by"]["run_id"] == "other-run"
    assert "check mode" in result["warnings"][0] and files.reads == 1
    empty = Files()
    result = _result(empty, check=True, diff=True)
    assert result["changed"] is True and empty.files == {} and '"run-1"' in result["diff"]["after"]


def test_release_removes_only_this_runs_lock():
    files = Files()
    _run(files)
    result = _result(files, state="absent")
    assert result["changed"] is True and files.files == {}
    result = _result(files, state="absent")
    assert result["changed"] is False
    files = Files({PATH: _other(NOW + dt.timedelta(minutes=30))})
    result = _result(files, state="absent")
    assert result["changed"] is False and files.owner()["run_id"] == "other-run" and result["warnings"]


SYSTEM, SOFTWARE, STORE = ("F:\\Windows\\System32\\config\\SYSTEM", "F:\\Windows\\System32\\config\\SOFTWARE",
                           "Z:\\EFI\\Microsoft\\Boot\\BCD")


def test_release_unloads_what_a_cut_off_command_left_mounted_while_the_lock_is_still_held():
    files = Files(mounted={mount_key(SYSTEM), mount_key(STORE)})
    _run(files)
    result, recorder = _run(files, state="absent", unload_hives=[SYSTEM, SOFTWARE, STORE, SYSTEM.upper()])
    assert not result.get("failed"), result
    assert (result["hives_unloaded"], result["hives_left_loaded"]) == ([SYSTEM, STORE], [])
    assert files.mounted == set() and files.files == {}
    assert files.events == ["unloaded while the lock was held"] * 2
    assert all("cut off; unloaded it" in warning for warning in result["warnings"]) and len(result["warnings"]) == 2
    assert [c["name"] for c in result["remote_commands"]] == ["lock-read", "lock-release"]


def test_release_with_nothing_left_mounted_unloads_nothing_and_does_not_warn():
    files = Files()
    _run(files)
    result = _result(files, state="absent", unload_hives=[SYSTEM, STORE])
    assert (result["hives_unloaded"], result["hives_left_loaded"]) == ([], []) and "warnings" not in result
    assert files.files == {} and files.unload_attempts == 0


def test_a_mount_in_use_is_reported_and_the_lock_still_released():
    files = Files(mounted={mount_key(SOFTWARE)}, in_use=True)
    _run(files)
    result = _result(files, state="absent", unload_hives=[SYSTEM, SOFTWARE])
    assert not result.get("failed"), result
    assert (result["hives_unloaded"], result["hives_left_loaded"]) == ([], [SOFTWARE])
    assert "could not be unloaded" in result["warnings"][0] and files.files == {}
    assert files.unload_attempts == UNLOAD_ATTEMPTS


def test_another_runs_mounts_are_never_unloaded():
    files = Files({PATH: _other(NOW + dt.timedelta(minutes=30))}, mounted={mount_key(SYSTEM)})
    result, recorder = _run(files, state="absent", unload_hives=[SYSTEM])
    assert result["changed"] is False and files.mounted == {mount_key(SYSTEM)}
    assert [c["name"] for c in result["remote_commands"]] == ["lock-read"]


@pytest.mark.parametrize("args", [{"unload_hives": [SYSTEM]}, {"state": "absent", "unload_hives": ["config\\SYSTEM"]},
                                  {"state": "absent", "unload_hives": ["\\\\server\\c$\\SYSTEM"]}])
def test_unload_hives_is_checked_before_any_command(args):
    result, recorder = _run(Files(), **args)
    assert result["failed"] is True and "unload_hives" in result["msg"] and recorder.scripts == []


def test_an_unreadable_lock_is_never_taken_over():
    files = Files({PATH: "{not json"})
    result = _result(files)
    assert result["failed"] is True and "cannot be read as a vmrescue lock" in result["msg"]
    assert files.files[PATH.lower()] == "{not json"


@pytest.mark.parametrize("path", ["vmrescue\\lock.json", "\\\\server\\share\\lock.json", "F:\\lock.json",
                                  "F:\\vmrescue\\..\\lock.json", "F:\\vmrescue\\"])
def test_bad_lock_paths_are_refused_before_any_command(path):
    result, recorder = _run(Files(), path=path)
    assert result["failed"] is True and recorder.scripts == []


def test_lock_state_rules():
    owner = lock.new_owner("ctl", "a", NOW, 60)
    assert lock.state_of(None, "a", NOW) == lock.TAKEN
    assert lock.state_of(owner, "a", NOW + dt.timedelta(hours=5)) == lock.OURS
    assert lock.state_of(owner, "b", NOW + dt.timedelta(seconds=59)) == lock.HELD
    assert lock.state_of(owner, "b", NOW + dt.timedelta(seconds=60)) == lock.EXPIRED
    assert lock.parse(owner.render(), PATH) == owner
    with pytest.raises(VmrescueError):
        lock.parse(json.dumps({**owner.as_dict(), "expires": "tomorrow"}), PATH)
