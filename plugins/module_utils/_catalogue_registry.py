# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: catalogue of the offline-registry commands, and the hive steps the BCD commands share.

A hive file is mounted under ``HKLM\\vmrescue_<12 hex of sha1(lower(path))>``: the same file always gets the same
name, so a mount left behind by an interrupted run is found (the ``probe`` step, ``reg query`` rc 0) and unloaded
before loading again. ``reg unload`` is retried (3 attempts, 500 ms apart) because Windows refuses it while any handle
is open. Every value is passed through ``RemoteScript`` (which quotes it); nothing is decided from message text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ntpath

from ansible_collections.vmrescue.windows.plugins.module_utils._errors import InternalError, VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import ps_literal
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import (
    RemoteScript, ScriptResult, StepResult, json_objects,
)

REG = "reg.exe"
UNLOAD_ATTEMPTS = 3
UNLOAD_PAUSE_MS = 500


def mount_name(hive_path: str) -> str:
    return "vmrescue_" + hashlib.sha1(hive_path.lower().encode("utf-8")).hexdigest()[:12]


def mount_key(hive_path: str) -> str:
    return f"HKLM\\{mount_name(hive_path)}"


# --- facts the safety check needs --------------------------------------------------------------------------------

def add_target_facts(script: RemoteScript, path: str, journal: str | None) -> None:
    """Does the file exist, which disks/partitions are the running system, and the journal's text."""
    script.cmdlet("exists", f"Test-Path -LiteralPath {ps_literal(path)} -PathType Leaf")
    # PartitionStyle, Signature, Guid and Offset identify a file independently of drive letters (_volume_identity).
    script.cmdlet("disks", "Get-Disk | Select-Object -Property Number,IsSystem,IsBoot,PartitionStyle,Signature,Guid "
                           "| ConvertTo-Json -Compress")
    script.cmdlet("partitions", "Get-Partition | Select-Object -Property DiskNumber,PartitionNumber,DriveLetter,"
                                "IsSystem,IsBoot,Offset,Guid | ConvertTo-Json -Compress")
    if journal:
        literal = ps_literal(journal)
        # The hash first: a write guarded by it stops when the file changed after it, even during this read.
        script.cmdlet("journal-hash", f"if ((Test-Path -LiteralPath {literal} -PathType Leaf)) "
                                      f"{{ Get-FileHash -Algorithm SHA256 -LiteralPath {literal} "
                                      "| Select-Object -Property Hash | ConvertTo-Json -Compress }")
        script.cmdlet("journal", f"if ((Test-Path -LiteralPath {literal} -PathType Leaf)) "
                                 f"{{ Get-Content -LiteralPath {literal} -Raw }}")


def add_journal_write(script: RemoteScript, journal: str, text: str, read_hash: str | None) -> None:
    """Write the journal (before the first change of a write command), only if it is still as the read found it.

    ``read_hash`` is the SHA-256 the read reported (None: the file did not exist). Another run that wrote the journal
    since then would lose its records to this write, so the script stops before any change (``journal-guard``)."""
    literal = ps_literal(journal)
    if read_hash is None:
        script.stop_if("journal-guard", f"(Test-Path -LiteralPath {literal})")
    else:
        script.stop_if("journal-guard", f"(Get-FileHash -Algorithm SHA256 -LiteralPath {literal}).Hash -cne "
                                        f"{ps_literal(read_hash.upper())}")
    folder = ntpath.dirname(journal)
    # The journal is what makes a change reversible: if it cannot be written, the script stops before any change.
    if folder and folder != journal:
        script.cmdlet("journal-dir", f"New-Item -ItemType Directory -Path {ps_literal(folder)} -Force | Out-Null",
                      abort_on_error=True)
    script.cmdlet("journal-write", f"Set-Content -LiteralPath {ps_literal(journal)} -Value {ps_literal(text)} "
                                   "-Encoding UTF8", abort_on_error=True)


class JournalChangedError(VmrescueError):
    """Another run wrote the journal between this task's read and its write; nothing was changed."""


def require_journal_written(result: ScriptResult, journal: str | None) -> None:
    """Fail clearly when the journal could not be written (the write command then stopped before any change)."""
    guard = result.step("journal-guard")
    if guard is not None and guard.failed:
        raise JournalChangedError(f"the journal {journal!r} was changed by another run after this task read it, so "
                                  "nothing was changed")
    for step in ("journal-dir", "journal-write"):
        found = result.step(step)
        if found is not None and not found.ok:
            raise VmrescueError(f"the journal {journal!r} could not be written, so nothing was changed: "
                                "check that the broken disk is online and writable", stderr=result.stderr)


@dataclasses.dataclass
class TargetFacts:
    exists: bool
    disks: str
    partitions: str
    journal_text: str | None          # None: no journal file
    journal_hash: str | None          # its SHA-256 (upper-case hex) read before its text; None: no journal file


def target_facts(result: ScriptResult) -> TargetFacts:
    def text(step: str) -> str:
        found = result.step(step)
        return found.text if found else ""
    exists_lines = [line.strip() for line in text("exists").splitlines() if line.strip()]
    journal_hash = _hash_of(text("journal-hash"))
    return TargetFacts(exists=exists_lines == ["True"], disks=text("disks"), partitions=text("partitions"),
                       journal_text=text("journal") if journal_hash else None, journal_hash=journal_hash)


def _hash_of(json_text: str) -> str | None:
    objects = json_objects(json_text, "journal hash")
    found = objects[0].get("Hash") if len(objects) == 1 else None
    return found.upper() if isinstance(found, str) and len(found) == 64 else None


# --- mount / unload ----------------------------------------------------------------------------------------------

def add_mount(script: RemoteScript, prefix: str, hive_path: str) -> None:
    """Unload a stale mount of this file (left by an interrupted run), then load it."""
    key = mount_key(hive_path)
    script.native(f"{prefix}probe", REG, "query", key)
    script.native(f"{prefix}stale-unload", REG, "unload", key, only_if_ok=True)
    script.native(f"{prefix}load", REG, "load", key, hive_path)


def add_unload(script: RemoteScript, prefix: str, hive_path: str) -> None:
    script.retry_native(f"{prefix}unload", REG, "unload", mount_key(hive_path),
                        attempts=UNLOAD_ATTEMPTS, pause_ms=UNLOAD_PAUSE_MS)


def add_leftover_unload(script: RemoteScript, prefix: str, hive_path: str) -> None:
    """Unload this file's mount if a cut-off command left it (``probe`` rc 0); nothing else when it is not loaded."""
    key = mount_key(hive_path)
    script.native(f"{prefix}probe", REG, "query", key)
    script.retry_native(f"{prefix}unload", REG, "unload", key, attempts=UNLOAD_ATTEMPTS, pause_ms=UNLOAD_PAUSE_MS,
                        only_if_ok=True)


@dataclasses.dataclass
class MountOutcome:
    stale_found: bool
    stale_unloaded: bool
    loaded: bool
    unloaded: bool

    def warnings(self, hive_path: str) -> list[str]:
        out = []
        if self.stale_found:
            out.append(f"{hive_path} was still loaded at {mount_key(hive_path)} (an interrupted run); "
                       + ("it was unloaded first" if self.stale_unloaded else "it could not be unloaded"))
        if self.loaded and not self.unloaded:
            out.append(f"{hive_path} could not be unloaded from {mount_key(hive_path)} after "
                       f"{UNLOAD_ATTEMPTS} attempts; the next run unloads it first")
        return out


def _step_ok(result: ScriptResult, step: str) -> bool:
    found = result.step(step)
    return bool(found and found.ok)


def unloaded(result: ScriptResult, prefix: str) -> bool:
    """One of the ``unload`` attempts (add_unload, add_leftover_unload) succeeded."""
    return any(_step_ok(result, f"{prefix}unload" + (f".{n}" if n > 1 else "")) for n in range(1, UNLOAD_ATTEMPTS + 1))


def found_loaded(result: ScriptResult, prefix: str) -> bool:
    """The ``probe`` (add_mount, add_leftover_unload) found the file's mount in place."""
    return _step_ok(result, f"{prefix}probe")


def mount_outcome(result: ScriptResult, prefix: str) -> MountOutcome:
    return MountOutcome(stale_found=found_loaded(result, prefix),
                        stale_unloaded=_step_ok(result, f"{prefix}stale-unload"),
                        loaded=_step_ok(result, f"{prefix}load"), unloaded=unloaded(result, prefix))


def require_loaded(outcome: MountOutcome, hive_path: str, what: str) -> None:
    if not outcome.loaded:
        reason = ("an earlier mount of it could not be unloaded" if outcome.stale_found and not outcome.stale_unloaded
                  else "it is not a registry hive, it is damaged, or it is in use")
        raise VmrescueError(f"{what} {hive_path!r} could not be loaded with reg load: {reason}",
                            warnings=outcome.warnings(hive_path))


# --- offline registry commands -------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class KeyQuery:
    step: str
    key: str          # below the hive root, e.g. ControlSet001\Control\CrashControl
    recurse: bool


def read_registry(hive: str, key_queries: list[KeyQuery], journal: str | None) -> RemoteScript:
    """One command: facts, mount, Select, root listing, each key, unload."""
    script = RemoteScript("registry-read")
    add_target_facts(script, hive, journal)
    add_mount(script, "", hive)
    root = mount_key(hive)
    script.native("select", REG, "query", f"{root}\\Select", only_if_ok=True)
    script.native("root", REG, "query", root)
    for query in key_queries:
        script.native(query.step, REG, "query", f"{root}\\{query.key}", *(["/s"] if query.recurse else []))
    add_unload(script, "", hive)
    return script


@dataclasses.dataclass(frozen=True)
class RegChange:
    """One reg.exe change: ``add`` of a value or key, or ``delete`` of a value or key."""
    action: str                       # add-value | add-key | delete-value | delete-key
    key: str                          # below the hive root
    name: str | None = None
    reg_type: str | None = None
    data: str | None = None           # the /d text
    separator: str | None = None      # /s for REG_MULTI_SZ

    def arguments(self, root: str) -> list[str]:
        path = f"{root}\\{self.key}"
        if self.action == "add-value":
            args = ["add", path, "/v", self.name, "/t", self.reg_type]
            if self.separator is not None:
                args += ["/s", self.separator]
            return args + ["/d", self.data or "", "/f"]
        if self.action == "add-key":
            return ["add", path, "/f"]
        if self.action == "delete-value":
            return ["delete", path, "/v", self.name, "/f"]
        if self.action == "delete-key":
            return ["delete", path, "/f"]
        raise InternalError(self.action)


def write_registry(hive: str, changes: list[RegChange], verify_keys: list[KeyQuery],
                   journal: str | None, journal_text: str | None, journal_hash: str | None) -> RemoteScript:
    """One command: journal (if it is still as the read found it: ``journal_hash``), mount, changes (stop at the
    first failure), read back the touched keys, unload."""
    script = RemoteScript("registry-write")
    if journal and journal_text is not None:
        add_journal_write(script, journal, journal_text, journal_hash)
    add_mount(script, "", hive)
    root = mount_key(hive)
    for number, change in enumerate(changes, 1):
        script.native(f"change.{number}", REG, *change.arguments(root), only_if_ok=True)
    for query in verify_keys:
        script.native(query.step, REG, "query", f"{root}\\{query.key}", *(["/s"] if query.recurse else []))
    add_unload(script, "", hive)
    return script


def command_lines(hive: str, changes: list[RegChange]) -> list[str]:
    """The reg.exe command lines of a write, for the audit in the result."""
    root = mount_key(hive)
    return [" ".join(["reg.exe"] + [_shown(arg) for arg in change.arguments(root)]) for change in changes]


def _shown(arg: str) -> str:
    return f'"{arg}"' if (not arg or any(ch in arg for ch in ' \t"')) else arg


def first_failed_change(result: ScriptResult, count: int) -> tuple[int, StepResult] | None:
    """The number and step of the first change that failed (the ones after it did not run)."""
    for number in range(1, count + 1):
        step = result.step(f"change.{number}")
        if step is not None and not step.ok:
            return number, step
        if step is None:
            return None
    return None
