# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: from the evidence a failed boot left on the disk to a diagnosis: the bugcheck, ranked suspects, advice.

Pure: every input was read and parsed before (``_dump_header``, ``_boot_log``, ``_boot_drivers``,
``_file_signature``); nothing here reads text a Windows host translated.

A boot-critical driver is a suspect only with a fault of its own: its file is missing, its signature is not valid
(digest mismatch, invalid, not signed), the last boot log says it did not load, or an entry of the last recorded boot
in the event logs names it (``_event_log``). A healthy disk has no suspect.
Weights (why: a failed signature or a missing file stops the load by itself; "did not load" also happens to drivers
that are simply not needed, so it counts less alone, and more when it confirms another fault):
- missing file 8; digest mismatch 6; invalid signature 5; not signed 4; did not load 3;
- event log, once per log: a Code Integrity entry 3, a Service Control Manager entry 2 (Windows' own word, but of an
  earlier boot: below any signature fault found in the file itself, yet enough to name a driver alone);
- +3 when the dump's 0x5A names STATUS_INVALID_IMAGE_HASH and the fault is a signature fault (the status says so);
- +1 for ErrorControl 3 (critical): a failed critical driver is what ends in 0x5A.
Ties are broken by name, so the order is the same on every run.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import BootDriver, resolve_image_path
from ansible_collections.vmrescue.windows.plugins.module_utils._boot_log import BootLog, driver_file_name
from ansible_collections.vmrescue.windows.plugins.module_utils._dump_header import DumpHeader
from ansible_collections.vmrescue.windows.plugins.module_utils._event_log import Event, event_log_findings
from ansible_collections.vmrescue.windows.plugins.module_utils._free_space import free_space_check
from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import FileSignature

STATUS_INVALID_IMAGE_HASH = 0xC0000428
_SIGNATURE_FAULTS = {"digest-mismatch": 6, "invalid-signature": 5, "not-signed": 4}
_MISSING, _NOT_LOADED, _IMAGE_HASH_BONUS, _CRITICAL_BONUS = 8, 3, 3, 1
_EVENT_LOG_WEIGHTS = {"code-integrity": 3, "system": 2}


@dataclasses.dataclass(frozen=True)
class DumpFound:
    path: str
    header: DumpHeader


@dataclasses.dataclass(frozen=True)
class OtherEvidence:
    """What the diagnosis reads besides dumps, boot log and files: the event logs, and the free space."""
    events: list[Event] = dataclasses.field(default_factory=list)
    logs_present: dict[str, bool] = dataclasses.field(default_factory=dict)
    free_bytes: int | None = None
    vm_memory_mb: int | None = None


def diagnose(dumps: list[DumpFound], boot_log: BootLog | None, drivers: list[BootDriver], missing: set[str],
             signatures: dict[str, FileSignature], windows_dir: str, other: OtherEvidence | None = None) -> dict:
    """The ``vmrescue_diagnosis`` fact. ``missing``: services whose file is absent; ``signatures`` by service."""
    other = other or OtherEvidence()
    dump = _latest(dumps)
    image_hash_failure = dump is not None and dump.header.load_status == STATUS_INVALID_IMAGE_HASH
    not_loaded = _not_loaded_files(boot_log, windows_dir)
    logged = event_log_findings(other.events, other.logs_present, drivers, windows_dir,
                                None if dump is None else dump.header.system_time)
    suspects = []
    for driver in drivers:
        evidence = _evidence(driver, driver.service in missing, signatures.get(driver.service), not_loaded)
        evidence += logged.evidence.get(driver.service, [])
        if evidence:
            suspects.append(_suspect(driver, evidence, image_hash_failure))
    suspects.sort(key=lambda suspect: (-suspect["score"], suspect["service"].lower()))
    memory = next((found.header.memory_bytes for found in _by_time(dumps) if found.header.memory_bytes), None)
    free_space = free_space_check(other.free_bytes, memory, other.vm_memory_mb)
    return {
        "bugcheck": None if dump is None else dict(dump.header.as_dict(), path=dump.path),
        "dumps": [dict(found.header.as_dict(), path=found.path) for found in dumps],
        "boot_log": None if boot_log is None else boot_log.as_dict(),
        "boot_critical_drivers": len(drivers),
        "event_logs": logged.summary,
        "free_space": free_space,
        "warnings": [free_space["text"]] if free_space["status"] == "low" else [],
        "suspects": suspects,
        "recommendation": _recommendation(dump, suspects),
    }


def _by_time(dumps: list[DumpFound]) -> list[DumpFound]:
    """Readable dumps, latest first."""
    readable = [found for found in dumps if found.header.kind == "ok"]
    return sorted(readable, key=lambda found: (found.header.system_time or "", found.path.lower()), reverse=True)


def _latest(dumps: list[DumpFound]) -> DumpFound | None:
    latest = _by_time(dumps)
    return latest[0] if latest else None


def _not_loaded_files(boot_log: BootLog | None, windows_dir: str) -> tuple[set[str], set[str]]:
    """(files on the disk, bare file names) of the drivers the last boot did not load."""
    if boot_log is None:
        return set(), set()
    files = {file.lower() for file in (resolve_image_path("", path, windows_dir)[1] for path in boot_log.not_loaded)
             if file}
    return files, {driver_file_name(path) for path in boot_log.not_loaded}


def _evidence(driver: BootDriver, is_missing: bool, signature: FileSignature | None,
              not_loaded: tuple[set[str], set[str]]) -> list[dict]:
    evidence = []
    if is_missing:
        evidence.append({"kind": "file-missing", "file": driver.file})
    elif signature is not None and signature.verdict in _SIGNATURE_FAULTS:
        evidence.append({"kind": "signature", "verdict": signature.verdict, "reason": signature.reason,
                         "signer": signature.signer, "file": driver.file})
    files, names = not_loaded
    if driver.file and (driver.file.lower() in files or driver_file_name(driver.file) in names):
        evidence.append({"kind": "boot-log", "did_not_load": True})
    return evidence


def _suspect(driver: BootDriver, evidence: list[dict], image_hash_failure: bool) -> dict:
    score = 0
    for item in evidence:
        if item["kind"] == "file-missing":
            score += _MISSING
        elif item["kind"] == "signature":
            score += _SIGNATURE_FAULTS[item["verdict"]] + (_IMAGE_HASH_BONUS if image_hash_failure else 0)
        elif item["kind"] == "boot-log":
            score += _NOT_LOADED
    # Several entries of one log are one piece of evidence: a driver that fails every boot is not more at fault.
    score += sum(_EVENT_LOG_WEIGHTS[log] for log in {item["log"] for item in evidence if item["kind"] == "event-log"})
    if driver.error_control == 3:
        score += _CRITICAL_BONUS
    return {"service": driver.service, "file": driver.file, "image_path": driver.image_path,
            "start": driver.as_dict()["start"], "error_control": driver.error_control, "score": score,
            "evidence": evidence}


def _recommendation(dump: DumpFound | None, suspects: list[dict]) -> dict:
    if not suspects:
        if dump is None:
            return {"action": "collect-evidence",
                    "text": "No crash dump and no faulty boot-critical driver were found: "
                    "enable a kernel dump and the boot log (bootlog) and let the VM fail once more."}
        return {"action": "none", "text": f"The dump records {dump.header.bugcheck_name}, but every boot-critical "
                "driver is present and validly signed: the cause is not a driver file."}
    first = suspects[0]
    kinds = {item["kind"] for item in first["evidence"]}
    if "file-missing" in kinds:
        return {"action": "restore-file", "service": first["service"],
                "text": f"Restore {first['file']} (the file of boot-critical service {first['service']}) from a "
                        "known-good copy of the same build."}
    if "signature" in kinds:
        return {"action": "swap-driver", "service": first["service"],
                "text": f"Replace {first['file']} with a validly signed copy of the same or a newer version "
                        "(phase swap with safeboot_driver_swap_drivers: auto)."}
    what = "did not load in the last boot" if "boot-log" in kinds else \
        "is named by the event logs as failing to load or to pass the signature check"
    return {"action": "investigate", "service": first["service"],
            "text": f"{first['service']} {what}, with no fault of its file found offline: "
                    "check its dependencies and configuration."}
