# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the remote commands of diagnosis_info (read-only) and reading their answers.

After the hive read (``_registry_plan.read_hive``, one command), two commands:
1. ``diagnosis-evidence``: the Minidump folder's files, the first ``HEADER_BYTES`` of ``MEMORY.DMP``, the catalog
   store's files, existence, size and SHA-256 of ``ntbtlog.txt`` and of every boot-critical driver's file, the
   System and CodeIntegrity event logs' entries of the IDs ``_event_log`` reads (``Get-WinEvent -Path``), and the
   free space of the volumes (``Get-Volume``);
2. ``diagnosis-hashes``: the first ``HEADER_BYTES`` of each minidump, and the SHA-256 of each catalog.
With ``replacement_dir`` (``safeboot_driver_swap_drivers: auto``), ``diagnosis-replacements`` probes each suspect's
file and its known-good copy with their versions and lists the copies' catalog folder; the catalogs are hashed with
``hashes_script`` again (no dump then).
Only dump headers travel inside a command (``Get-Content -Encoding Byte -TotalCount``: one decimal per line). Whole
files (drivers, catalogs, the boot log) are fetched afterwards with the connection's file transfer, and only when
the controller's evidence store does not hold their SHA-256 yet (``_evidence_cache``).
"""

from __future__ import annotations

import dataclasses
import ntpath

from ansible_collections.vmrescue.windows.plugins.module_utils import _event_log as el
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_files import (
    FileProbe, completed_steps, file_hash, file_head, file_names, file_probe, if_container, if_leaf, leaf_exists,
    list_files, parse_file_probe, parse_hash)
from ansible_collections.vmrescue.windows.plugins.module_utils._disk_discovery import drive_letter, parse_json_objects
from ansible_collections.vmrescue.windows.plugins.module_utils._dump_header import HEADER_BYTES
from ansible_collections.vmrescue.windows.plugins.module_utils._quoting import ps_literal as q
from ansible_collections.vmrescue.windows.plugins.module_utils._pe import bytes_from_lines
from ansible_collections.vmrescue.windows.plugins.module_utils._remote_script import RemoteScript, ScriptResult

CATALOG_STORE = "System32\\CatRoot\\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}"


@dataclasses.dataclass(frozen=True)
class EvidencePaths:
    windows_dir: str

    @property
    def memory_dump(self) -> str:
        return ntpath.join(self.windows_dir, "MEMORY.DMP")

    @property
    def minidump_dir(self) -> str:
        return ntpath.join(self.windows_dir, "Minidump")

    @property
    def boot_log(self) -> str:
        return ntpath.join(self.windows_dir, "ntbtlog.txt")

    @property
    def catalog_store(self) -> str:
        return ntpath.join(self.windows_dir, CATALOG_STORE)

    @property
    def event_logs(self) -> dict[str, tuple[str, tuple[int, ...]]]:
        """Log name -> (.evtx file, the event IDs read from it)."""
        folder = ntpath.join(self.windows_dir, el.LOGS_DIR)
        return {"system": (ntpath.join(folder, el.SYSTEM_LOG), el.SYSTEM_IDS),
                "code-integrity": (ntpath.join(folder, el.CODE_INTEGRITY_LOG), tuple(el.CODE_INTEGRITY_FILE_FIELD))}


def event_query(path: str, event_ids: tuple[int, ...]) -> str:
    """Exists (True/False), then the matching entries' raw fields as JSON. Get-WinEvent reports a log without a
    matching entry as an error (NoMatchingEventsFound); SilentlyContinue keeps it off stderr."""
    query = (f"Get-WinEvent -Path {q(path)} -FilterXPath {q(el.xpath_for(event_ids))} -ErrorAction SilentlyContinue"
             " | Select-Object -Property Id,TimeCreated,ProviderName,Properties | ConvertTo-Json -Compress -Depth 3")
    return leaf_exists(path) + "\n" + if_leaf(path, query)


def evidence_script(paths: EvidencePaths, driver_files: list[str]) -> RemoteScript:
    script = RemoteScript("diagnosis-evidence")
    script.cmdlet("minidumps", if_container(paths.minidump_dir, list_files(paths.minidump_dir)))
    script.cmdlet("memory-dmp", file_head(paths.memory_dump, HEADER_BYTES))
    script.cmdlet("catalogs", if_container(paths.catalog_store, list_files(paths.catalog_store)))
    script.cmdlet("boot-log", file_probe(paths.boot_log))
    for index, path in enumerate(driver_files):
        script.cmdlet(f"driver.{index}", file_probe(path))
    for name, (path, event_ids) in paths.event_logs.items():
        script.cmdlet(f"log.{name}", event_query(path, event_ids))
    script.cmdlet("volumes",
                  "Get-Volume | Select-Object -Property DriveLetter,SizeRemaining | ConvertTo-Json -Compress")
    return script


def hashes_script(minidumps: list[str], catalogs: list[str]) -> RemoteScript:
    script = RemoteScript("diagnosis-hashes")
    for index, path in enumerate(minidumps):
        script.cmdlet(f"dump.{index}", file_head(path, HEADER_BYTES))
    for index, path in enumerate(catalogs):
        script.cmdlet(f"catalog.{index}", if_leaf(path, file_hash(path)))
    return script


@dataclasses.dataclass(frozen=True)
class Evidence:
    minidumps: list[str]
    memory_dump_head: bytes             # empty when there is no MEMORY.DMP
    catalogs: list[str]
    boot_log: FileProbe
    drivers: dict[str, FileProbe]       # path -> probe
    events: list[el.Event]
    logs_present: dict[str, bool]       # log name -> the .evtx file exists
    free_bytes: int | None              # free space of the Windows volume; None when Get-Volume did not list it


def parse_evidence(result: ScriptResult, paths: EvidencePaths, driver_files: list[str]) -> Evidence:
    steps = completed_steps(result)
    minidumps = sorted(ntpath.join(paths.minidump_dir, name)
                       for name in file_names(steps["minidumps"], paths.minidump_dir) if name.lower().endswith(".dmp"))
    catalogs = sorted(ntpath.join(paths.catalog_store, name)
                      for name in file_names(steps["catalogs"], paths.catalog_store) if name.lower().endswith(".cat"))
    drivers = {path: parse_file_probe(path, steps[f"driver.{index}"]) for index, path in enumerate(driver_files)}
    events, present = [], {}
    for name, (path, _ids) in paths.event_logs.items():
        lines = [line for line in steps[f"log.{name}"] if line.strip()]
        present[name] = bool(lines) and lines[0].strip() == "True"
        events += el.parse_events(parse_json_objects("\n".join(lines[1:]), f"the entries of {path}"), name)
    return Evidence(minidumps, bytes_from_lines(steps["memory-dmp"]), catalogs,
                    parse_file_probe(paths.boot_log, steps["boot-log"]), drivers, events, present,
                    _free_bytes(steps["volumes"], paths.windows_dir))


def _free_bytes(lines: list[str], windows_dir: str) -> int | None:
    letter = ntpath.splitdrive(windows_dir)[0][:1].upper()
    for item in parse_json_objects("\n".join(lines), "the volumes"):
        remaining = item.get("SizeRemaining")
        if drive_letter(item.get("DriveLetter")) == letter and isinstance(remaining, int):
            return remaining
    return None


def parse_hashes(result: ScriptResult, minidumps: list[str], catalogs: list[str]) -> tuple[dict, dict]:
    """(minidump path -> header bytes, catalog path -> SHA-256) ; a catalog that vanished is left out."""
    steps = completed_steps(result)
    heads = {path: bytes_from_lines(steps[f"dump.{index}"]) for index, path in enumerate(minidumps)}
    hashes = {}
    for index, path in enumerate(catalogs):
        digest = parse_hash(steps[f"catalog.{index}"], path)
        if digest is not None:
            hashes[path] = digest
    return heads, hashes


def replacements_script(pairs: list[tuple[str, str]], catalog_dir: str | None) -> RemoteScript:
    """Per (current file, replacement) pair: both probed with their version; the replacement's catalogs listed."""
    script = RemoteScript("diagnosis-replacements")
    for index, (current, replacement) in enumerate(pairs):
        script.cmdlet(f"current.{index}", file_probe(current, with_version=True))
        script.cmdlet(f"replacement.{index}", file_probe(replacement, with_version=True))
    if catalog_dir:
        script.cmdlet("catalogs", if_container(catalog_dir, list_files(catalog_dir)))
    return script


def parse_replacements(result: ScriptResult, pairs: list[tuple[str, str]],
                       catalog_dir: str | None) -> tuple[list[tuple[FileProbe, FileProbe]], list[str]]:
    steps = completed_steps(result)
    probes = [(parse_file_probe(current, steps[f"current.{index}"]),
               parse_file_probe(replacement, steps[f"replacement.{index}"]))
              for index, (current, replacement) in enumerate(pairs)]
    catalogs = sorted(ntpath.join(catalog_dir, name) for name in file_names(steps["catalogs"], catalog_dir)
                      if name.lower().endswith(".cat")) if catalog_dir else []
    return probes, catalogs
