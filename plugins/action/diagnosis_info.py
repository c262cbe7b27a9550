# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.diagnosis_info: read the evidence of the failed boot, decide on the controller.

Three remote commands (the hive read, ``diagnosis-evidence``, ``diagnosis-hashes``), then file transfers of only
what the controller's evidence store does not hold by SHA-256; nothing is written on the recovery VM or the disk.
With ``replacement_dir``, one or two more (``diagnosis-replacements``, and the copies' catalogs hashed).
"""

from __future__ import annotations

import ntpath
import os
import typing as t
from pathlib import Path

from ansible_collections.vmrescue.windows.plugins.module_utils import _catalogue_diagnosis as cd
from ansible_collections.vmrescue.windows.plugins.module_utils import _registry_plan as rp
from ansible_collections.vmrescue.windows.plugins.module_utils._boot_drivers import boot_driver
from ansible_collections.vmrescue.windows.plugins.module_utils._boot_log import parse_boot_log
from ansible_collections.vmrescue.windows.plugins.module_utils._diagnosis import DumpFound, OtherEvidence, diagnose
from ansible_collections.vmrescue.windows.plugins.module_utils._dump_header import parse_dump_header
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from ansible_collections.vmrescue.windows.plugins.module_utils._evidence_cache import EvidenceStore, TransferStats
from ansible_collections.vmrescue.windows.plugins.module_utils._file_signature import (
    CatalogIndex, FileSignature, file_signature, load_catalog)
from ansible_collections.vmrescue.windows.plugins.module_utils._replacement_check import check_replacement
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_target_path
from ansible_collections.vmrescue.windows.plugins.module_utils._signed_data import require_libraries
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction

_SERVICES = "CurrentControlSet\\Services"
_FILE_FAULTS = {"signature", "file-missing"}       # what a known-good copy of the file can cure


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "windows_drive": {"type": "str", "required": True},
        "evidence_store": {"type": "path", "default": "~/.cache/vmrescue.windows/evidence"},
        "offline_system_drive": {"type": "str", "default": "C:"},
        "replacement_dir": {"type": "str"},
        "replacement_catalog_dir": {"type": "str"},
        "vm_memory_mb": {"type": "int"},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        require_libraries()
        if params["vm_memory_mb"] is not None and params["vm_memory_mb"] <= 0:
            raise VmrescueError(f"vm_memory_mb must be a positive number of MiB, got {params['vm_memory_mb']}")
        drive = _drive(params["windows_drive"], "windows_drive")
        system_drive = _drive(params["offline_system_drive"], "offline_system_drive")
        windows_dir = drive + "\\Windows"
        hive = windows_dir + "\\System32\\config\\SYSTEM"
        check_target_path(hive, "the SYSTEM hive")
        store = EvidenceStore(Path(os.path.expanduser(params["evidence_store"])))
        read = rp.read_hive(self.run_script, hive, [_SERVICES], "current", True, None)
        drivers = _boot_drivers(read, windows_dir, system_drive)
        paths = cd.EvidencePaths(windows_dir)
        driver_files = sorted({d.file for d in drivers if d.file}, key=str.lower)
        evidence = cd.parse_evidence(self.run_script(cd.evidence_script(paths, driver_files)), paths, driver_files)
        heads, catalog_hashes = cd.parse_hashes(
            self.run_script(cd.hashes_script(evidence.minidumps, evidence.catalogs)), evidence.minidumps,
            evidence.catalogs)

        present = {path: probe.sha256 for path, probe in evidence.drivers.items() if probe.exists}
        if evidence.boot_log.exists:
            present[evidence.boot_log.path] = evidence.boot_log.sha256
        stats = store.gather(present, self._fetch)
        driver_hashes = {path: digest for path, digest in present.items() if path in evidence.drivers}
        signatures, catalogs_used = self._signatures(driver_hashes, catalog_hashes, store, stats)

        dumps = [DumpFound(paths.memory_dump, parse_dump_header(evidence.memory_dump_head))] \
            if evidence.memory_dump_head else []
        dumps += [DumpFound(path, parse_dump_header(head)) for path, head in heads.items()]
        boot_log = parse_boot_log(store.read(present[evidence.boot_log.path])) if evidence.boot_log.exists else None
        missing = {d.service for d in drivers if d.file and not evidence.drivers[d.file].exists}
        by_service = {d.service: signatures[d.file] for d in drivers if d.file in signatures}
        other = OtherEvidence(evidence.events, evidence.logs_present, evidence.free_bytes, params["vm_memory_mb"])
        diagnosis = diagnose(dumps, boot_log, drivers, missing, by_service, windows_dir, other)
        if params["replacement_dir"]:
            diagnosis["replacements"] = self._replacements(
                diagnosis["suspects"], params["replacement_dir"], params["replacement_catalog_dir"], store, stats)
        return {
            "changed": False,
            "warnings": diagnosis["warnings"],
            "diagnosis": diagnosis,
            "drivers": [dict(d.as_dict(), exists=bool(d.file and evidence.drivers[d.file].exists),
                             sha256=evidence.drivers[d.file].sha256 if d.file else None,
                             signature=_shown(by_service.get(d.service))) for d in drivers],
            "control_set": read.control_sets[0] if read.control_sets else None,
            "transfer": dict(stats.as_dict(), remote_commands=len(self.remote_commands), catalogs=catalogs_used),
        }

    def _signatures(self, driver_hashes: dict[str, str], catalog_hashes: dict[str, str], store: EvidenceStore,
                    stats: TransferStats) -> tuple[dict[str, FileSignature], int]:
        """Each present driver's verdict; the disk's catalogs are fetched only when a driver has no valid embedded
        signature (boot-start drivers usually have one), and then once per SHA-256."""
        no_catalogs = CatalogIndex([])
        signatures = {path: file_signature(store.read(digest), no_catalogs) for path, digest in driver_hashes.items()}
        if all(s.verdict == "embedded" for s in signatures.values()) or not catalog_hashes:
            return signatures, 0
        fetched = store.gather(catalog_hashes, self._fetch)
        _add(stats, fetched)
        index = CatalogIndex([load_catalog(ntpath.basename(path), store.read(digest))
                              for path, digest in catalog_hashes.items()])
        return {path: file_signature(store.read(digest), index) for path, digest in driver_hashes.items()}, \
            len(catalog_hashes)

    def _replacements(self, suspects: list[dict], folder: str, catalog_dir: str | None, store: EvidenceStore,
                      stats: TransferStats) -> list[dict]:
        """Each suspect with a fault of its file, checked against its known-good copy in ``folder`` (read-only)."""
        check_target_path(folder.rstrip("\\") + "\\x", "replacement_dir")
        if catalog_dir:
            check_target_path(catalog_dir.rstrip("\\") + "\\x", "replacement_catalog_dir")
        swappable = [s for s in suspects if s["file"] and {e["kind"] for e in s["evidence"]} & _FILE_FAULTS]
        pairs = [(s["file"], ntpath.join(folder, ntpath.basename(s["file"]))) for s in swappable]
        if not pairs:
            return []
        probes, catalogs = cd.parse_replacements(self.run_script(cd.replacements_script(pairs, catalog_dir)), pairs,
                                                 catalog_dir)
        index = CatalogIndex([])
        if catalogs:
            _no_heads, hashes = cd.parse_hashes(self.run_script(cd.hashes_script([], catalogs)), [], catalogs)
            fetched = store.gather(hashes, self._fetch)
            _add(stats, fetched)
            index = CatalogIndex([load_catalog(ntpath.basename(p), store.read(d)) for p, d in hashes.items()])
        sources = {replacement.path: replacement.sha256 for _current, replacement in probes if replacement.exists}
        fetched = store.gather(sources, self._fetch)
        _add(stats, fetched)
        results = []
        for suspect, (current, replacement) in zip(swappable, probes):
            entry = {"service": suspect["service"], "name": ntpath.basename(current.path), "file": current.path,
                     "current_version": current.file_version, "src": replacement.path,
                     "src_sha256": replacement.sha256, "src_version": replacement.file_version}
            if not replacement.exists:
                entry.update(accepted=False, reason="no-source", signature=None,
                             msg=f"no known-good copy at {replacement.path}")
            else:
                signature = file_signature(store.read(replacement.sha256), index)
                entry.update(check_replacement(current.file_version, replacement.file_version, signature,
                                               current.exists), signature=signature.as_dict())
            results.append(entry)
        return results

    def _fetch(self, remote: str, local: Path) -> None:
        self._connection.fetch_file(remote, str(local))


def _drive(value: str, label: str) -> str:
    text = value.strip().rstrip("\\")
    if len(text) != 2 or text[1] != ":" or not text[0].isalpha():
        raise VmrescueError(f"{label} must be a drive letter such as F:, got {value!r}")
    return text.upper()


def _boot_drivers(read: rp.HiveRead, windows_dir: str, system_drive: str) -> list:
    """Boot-critical drivers among the direct subkeys of the Services key of the control set in use."""
    if not read.control_sets:
        raise VmrescueError("the hive's Select key names no control set: is it a SYSTEM hive?")
    prefix = f"{read.control_sets[0]}\\Services\\".lower()
    drivers = []
    for path, state in sorted(read.states.items()):
        name = path[len(prefix):] if path.startswith(prefix) else ""
        if not state.exists or not name or "\\" in name:
            continue
        values = {lower: data for lower, (_type, data) in state.values.items()}
        driver = boot_driver(state.path.rsplit("\\", 1)[-1], values, windows_dir, system_drive)
        if driver is not None:
            drivers.append(driver)
    return drivers


def _add(total: TransferStats, more: TransferStats) -> None:
    total.listed += more.listed
    total.fetched += more.fetched
    total.fetched_bytes += more.fetched_bytes
    total.reused += more.reused


def _shown(signature: FileSignature | None) -> dict | None:
    return None if signature is None else signature.as_dict()
