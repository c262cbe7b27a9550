# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: catalogue of the BCD commands.

Reading is language-independent: the store is loaded as a registry hive and listed with ``reg query ... /s``
(bcdedit's output is translated). Writing goes through ``bcdedit /store`` (each change only if the previous one
succeeded), then the store is read again the same way to verify, all in one command. reg and bcdedit never hold
the store open at the same time: the read is unloaded before bcdedit runs. Objects are always named by the GUID
the read resolved, quoted (a bare ``{...}`` would be a PowerShell script block).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ansible_collections.vmrescue.windows.plugins.module_utils._bcd_store import BcdStore
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import (
    REG, MountOutcome, RegChange, add_journal_write, add_mount, add_target_facts, add_unload, mount_key, mount_outcome,
    require_loaded,
)
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_query import parse as parse_reg_query
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult

BCDEDIT = "bcdedit.exe"
VERIFY = "verify-"
RAW = "raw-"


def objects_key(store: str) -> str:
    return f"{mount_key(store)}\\Objects"


def _add_store_listing(script: RemoteScript, prefix: str, store: str) -> None:
    add_mount(script, prefix, store)
    script.native(f"{prefix}query", REG, "query", objects_key(store), "/s", only_if_ok=True)
    add_unload(script, prefix, store)


def read_store(store: str, journal: str | None) -> RemoteScript:
    """One command: safety facts (and the journal), then the store's objects through the registry."""
    script = RemoteScript("bcd-read")
    add_target_facts(script, store, journal)
    _add_store_listing(script, "", store)
    return script


@dataclasses.dataclass(frozen=True)
class BcdeditChange:
    action: str              # set | deletevalue
    guid: str                # braced GUID resolved from the read
    element: str             # bcdedit name or custom:XXXXXXXX
    values: tuple[str, ...] = ()

    def arguments(self, store: str) -> list[str]:
        return ["/store", store, f"/{self.action}", self.guid, self.element, *self.values]


def write_store(store: str, changes: list[BcdeditChange], journal: str | None, journal_text: str | None,
                journal_hash: str | None, raw_changes: Sequence[RegChange] = ()) -> RemoteScript:
    """One command: journal (if it is still as the read found it: ``journal_hash``), bcdedit changes (stop at the
    first failure), raw element writes, the verifying read.

    Raw writes (a journal restore of an encoding bcdedit would not reproduce) load the store only after bcdedit is
    done with it and only when every bcdedit change succeeded; each runs only after the previous one succeeded.
    """
    script = RemoteScript("bcd-write")
    if journal and journal_text is not None:
        add_journal_write(script, journal, journal_text, journal_hash)
    for number, change in enumerate(changes, 1):
        script.native(f"change.{number}", BCDEDIT, *change.arguments(store), only_if_ok=number > 1)
    if raw_changes:
        root = mount_key(store)
        script.native(f"{RAW}load", REG, "load", root, store, only_if_ok=bool(changes))
        for number, raw in enumerate(raw_changes, 1):
            script.native(f"{RAW}change.{number}", REG, *raw.arguments(root), only_if_ok=True)
        add_unload(script, RAW, store)
    _add_store_listing(script, VERIFY, store)
    return script


def command_lines(store: str, changes: list[BcdeditChange]) -> list[str]:
    """The bcdedit command lines of a write, for the audit in the result."""
    def shown(arg: str) -> str:
        return f'"{arg}"' if (not arg or any(ch in arg for ch in ' \t"')) else arg
    return [" ".join([BCDEDIT] + [shown(a) for a in change.arguments(store)]) for change in changes]


def listed_store(result: ScriptResult, prefix: str, store: str) -> tuple[BcdStore, MountOutcome]:
    """The store model from the listing steps of a read (prefix "") or of a write's verification (VERIFY)."""
    outcome = mount_outcome(result, prefix)
    require_loaded(outcome, store, "the BCD store")
    query = result.step(f"{prefix}query")
    if query is None or not query.ok:
        raise VmrescueError(f"{store!r} is a registry hive without an Objects key: it is not a BCD store",
                            warnings=outcome.warnings(store))
    return BcdStore.from_query(parse_reg_query(query.text), objects_key(store)), outcome
