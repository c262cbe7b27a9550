# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_lock: take or release the run lock on the broken disk.

The rules (exclusive create, owner record, expiry and takeover) are in ``module_utils/_run_lock.py``; the commands
in ``module_utils/_catalogue_lock.py``.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_lock as catalogue
from ansible_collections.vmrescue.windows.plugins.module_utils import _run_lock as lock
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_target_path
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


RELEASE_ATTEMPTS = 2


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _distinct_hives(paths: list[str]) -> list[str]:
    """Each hive file once (its mount name does not depend on case), every one an absolute drive-letter path."""
    distinct: dict[str, str] = {}
    for path in paths:
        check_target_path(path, "unload_hives entry")
        distinct.setdefault(path.lower(), path)
    return list(distinct.values())


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "path": {"type": "str", "required": True},
        "run_id": {"type": "str", "required": True},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "purpose": {"type": "str", "default": ""},
        "expires_after": {"type": "int", "default": 7200},
        "wait_timeout": {"type": "int", "default": 0},
        "poll_interval": {"type": "int", "default": 10},
        "unload_hives": {"type": "list", "elements": "str", "default": []},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        path = lock.check_lock_path(params["path"])
        run_id = params["run_id"].strip()
        if not run_id or len(run_id) > 200:
            raise VmrescueError("run_id must be a non-empty text of at most 200 characters")
        for name in ("expires_after", "poll_interval"):
            if params[name] < 1:
                raise VmrescueError(f"{name} must be at least 1 second (got {params[name]})")
        if params["wait_timeout"] < 0:
            raise VmrescueError(f"wait_timeout must be 0 (do not wait) or more seconds (got {params['wait_timeout']})")
        hives = _distinct_hives(params["unload_hives"])
        if hives and params["state"] != "absent":
            raise VmrescueError("unload_hives is only for state=absent (releasing the lock)")
        if params["state"] == "absent":
            return self._release(path, run_id, hives)
        return self._take(path, run_id, params)

    # --- taking ---------------------------------------------------------------------------------------------------

    def _take(self, path: str, run_id: str, params: dict[str, t.Any]) -> dict[str, t.Any]:
        started = time.monotonic()
        warnings: list[str] = []
        waited = False
        text = catalogue.lock_text(self.run_script(catalogue.read_script(path)), path)
        while True:
            current = lock.parse(text, path) if text is not None else None
            state = lock.state_of(current, run_id, _now())
            if state == lock.OURS:
                return self._taken(path, current, False, warnings, text, waited)
            if self.check_mode:
                return self._check_mode_answer(path, current, state, run_id, params, warnings, text)
            if state in (lock.TAKEN, lock.EXPIRED):
                owner = lock.new_owner(self._controller(), run_id, _now(), params["expires_after"], params["purpose"])
                if state == lock.TAKEN:
                    script = catalogue.create_script(path, lock.lock_folder(path), owner.render())
                else:
                    warnings.append(f"took over the expired run lock {path} of {current.describe()}")
                    script = catalogue.takeover_script(path, lock.takeover_marker(path, text), owner.render())
                result = self.run_script(script)
                if state == lock.EXPIRED and not result.step("lock-marker").ok:
                    warnings.pop()   # another run took this expired lock over first: read what it wrote
                    result = self.run_script(catalogue.read_script(path))
                after = catalogue.lock_text(result, path)
                if after is None:
                    raise VmrescueError(f"the run lock {path} could not be created on the broken disk "
                                        "(is the volume writable?); nothing else was written", stderr=result.stderr)
                if lock.parse(after, path).run_id == run_id:
                    return self._taken(path, lock.parse(after, path), True, warnings, text, waited)
                text = after      # another run was faster: it holds the lock now (or released it already)
                continue
            waited = time.monotonic() - started
            if waited + params["poll_interval"] > params["wait_timeout"]:
                raise VmrescueError(lock.held_message(path, current, waited), held_by=current.as_dict(),
                                    warnings=warnings)
            time.sleep(params["poll_interval"])
            waited = True
            text = catalogue.lock_text(self.run_script(catalogue.read_script(path)), path)

    def _taken(self, path: str, owner: lock.LockOwner, changed: bool, warnings: list[str],
               before_text: str | None, waited: bool) -> dict[str, t.Any]:
        result: dict[str, t.Any] = {"changed": changed, "path": path, "owner": owner.as_dict(), "held_by": None,
                                    "waited": waited}
        if warnings:
            result["warnings"] = warnings
        if self.diff_mode:
            result["diff"] = {"before": (before_text or "") + "\n" if changed else owner.render() + "\n",
                              "after": owner.render() + "\n", "before_header": path, "after_header": path}
        return result

    def _check_mode_answer(self, path: str, current: lock.LockOwner | None, state: str, run_id: str,
                           params: dict[str, t.Any], warnings: list[str], text: str | None) -> dict[str, t.Any]:
        """Check mode writes nothing and does not wait: it says whether a real run could take the lock now."""
        would = lock.new_owner(self._controller(), run_id, _now(), params["expires_after"], params["purpose"])
        result: dict[str, t.Any] = {"changed": state != lock.HELD, "path": path, "owner": None,
                                    "held_by": current.as_dict() if current else None}
        if state == lock.HELD:
            warnings.append("check mode: " + lock.held_message(path, current, 0))
        elif state == lock.EXPIRED:
            warnings.append(f"check mode: a real run would take over the expired run lock {path} of "
                            f"{current.describe()}")
        if warnings:
            result["warnings"] = warnings
        if self.diff_mode and state != lock.HELD:
            result["diff"] = {"before": (text or "") + ("\n" if text else ""), "after": would.render() + "\n",
                              "before_header": path, "after_header": path}
        return result

    def _controller(self) -> str:
        return socket.gethostname() or "unknown controller"

    # --- releasing ------------------------------------------------------------------------------------------------

    def _release(self, path: str, run_id: str, hives: list[str]) -> dict[str, t.Any]:
        # Reading and removing this run's own lock can be repeated safely; one cut-off command (a dropped connection)
        # would otherwise leave the lock to block every run until it expires.
        for attempt in range(1, RELEASE_ATTEMPTS + 1):
            try:
                return self._release_once(path, run_id, hives)
            except VmrescueError:
                if attempt == RELEASE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _release_once(self, path: str, run_id: str, hives: list[str]) -> dict[str, t.Any]:
        text = catalogue.lock_text(self.run_script(catalogue.read_script(path)), path)
        nothing_unloaded = {"hives_unloaded": [], "hives_left_loaded": []}
        if text is None:
            # No lock (never taken, or a cut-off release removed it): a mount of the same name may be another run's.
            return {"changed": False, "path": path, "owner": None, "held_by": None, **nothing_unloaded}
        current = lock.parse(text, path)
        if current.run_id != run_id:
            # Never remove another run's lock (it may have taken over ours after it expired), nor its mounts.
            return {"changed": False, "path": path, "owner": None, "held_by": current.as_dict(), **nothing_unloaded,
                    "warnings": [f"the run lock {path} is not this run's ({current.describe()}); left in place"]}
        result: dict[str, t.Any] = {"changed": True, "path": path, "owner": None, "held_by": None,
                                    **nothing_unloaded}
        if self.diff_mode:
            result["diff"] = {"before": text + "\n", "after": "", "before_header": path, "after_header": path}
        if self.check_mode:
            return result
        released = self.run_script(catalogue.release_script(path, hives))
        result["hives_unloaded"], result["hives_left_loaded"] = catalogue.leftover_mounts(released, hives)
        warnings = [f"{hive} was still mounted by a command of this run that was cut off; unloaded it"
                    for hive in result["hives_unloaded"]]
        warnings += [f"{hive} is still mounted by a command of this run that was cut off and could not be unloaded "
                     "(in use); the next run unloads it before loading it" for hive in result["hives_left_loaded"]]
        if warnings:
            result["warnings"] = warnings
        if catalogue.lock_text(released, path) is not None:
            raise VmrescueError(f"the run lock {path} could not be removed; delete it by hand before the next run",
                                owner=current.as_dict(), warnings=warnings)
        return result
