# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: from the evidence a failed boot left on the disk to a diagnosis: the bugcheck, ranked suspects, advice.

Pure: every input was read and parsed before (``_dump_header``, ``_boot_log``, ``_boot_drivers``,
``_file_signature``); nothing here reads text a Windows host translated.

A boot-critical driver is a suspect only with a fault of its own: its file is missing, its signature is not valid
(digest mismatch, invalid, not signed), or the last boot log says it did not load. A healthy disk has no suspect.
Weights (why: a failed signature or a missing file stops the load by itself; "did not load" also happens to drivers
that are simply not needed, so it counts less alone, and more when it confirms another fault):
- missing file 8; digest mismatch 6; invalid signature 5; not signed 4; did not load 3;
- +3 when the dump's 0x5A names STATUS_INVALID_IMAGE_HASH and the fault is a signature fault (the status says so);
- +1 for ErrorControl 3 (critical): a failed critical driver is what ends in 0x5A.
Ties are broken by name, so the order is the same on every run.
"""

from __future__ import annotations

import dataclasses

from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import BootDriver, resolve_image_path
from ansible_collections.vmrescue.windows.plugins.module_utils._boot_log import BootLog, driver_file_name
from ansible_collections.vmrescue.windows.plugins.module_utils._dump_header import DumpHeader
from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import FileSignature

STATUS_INVALID_IMAGE_HASH = 0xC0000428
_SIGNATURE_FAULTS = {"digest-mismatch": 6, "invalid-signature": 5, "not-signed": 4}
_MISSING, _NOT_LOADED, _IMAGE_HASH_BONUS, _CRITICAL_BONUS = 8, 3, 3, 1


@dataclasses.dataclass(frozen=True)
class DumpFound:
    path: str
    header: DumpHeader


def diagnose(dumps: list[DumpFound], boot_log: BootLog | None, drivers: list[BootDriver], missing: set[str],
             signatures: dict[str, FileSignature], windows_dir: str) -> dict:
    """The ``vmrescue_diagnosis`` fact. ``missing``: services whose file is absent; ``signatures`` by service."""
    dump = _latest(dumps)
    image_hash_failure = dump is not None and dump.header.load_status == STATUS_INVALID_IMAGE_HASH
    not_loaded = _not_loaded_files(boot_log, windows_dir)
    suspects = []
    for driver in drivers:
        evidence = _evidence(driver, driver.service in missing, signatures.get(driver.service), not_loaded)
        if evidence:
            suspects.append(_suspect(driver, evidence, image_hash_failure))
    suspects.sort(key=lambda suspect: (-suspect["score"], suspect["service"].lower()))
    return {
        "bugcheck": None if dump is None else dict(dump.header.as_dict(), path=dump.path),
        "dumps": [dict(found.header.as_dict(), path=found.path) for found in dumps],
        "boot_log": None if boot_log is None else boot_log.as_dict(),
        "boot_critical_drivers": len(drivers),
        "suspects": suspects,
        "recommendation": _recommendation(dump, suspects),
    }


def _latest(dumps: list[DumpFound]) -> DumpFound | None:
    readable = [found for found in dumps if found.header.kind == "ok"]
    if not readable:
        return None
    return max(readable, key=lambda found: (found.header.system_time or "", found.path.lower()))


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
        else:
            score += _NOT_LOADED
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
    return {"action": "investigate", "service": first["service"],
            "text": f"{first['service']} did not load in the last boot, with no fault of its file found offline: "
                    "check its dependencies and configuration."}
