"""Planning and end-state helpers of the fault matrix (tests/e2e/test_fault_matrix.py); no tests here.

``plan_cases`` turns a fault-free run's fingerprint log (tests/simulator/fingerprint.py) into the fault cases: one
``drop@N`` per catalogue command, and for each command one ``kill@N:S`` per run of consecutive statements whose
machine state is equal (the first of the run stands for the others). ``end_state`` reads what a run leaves on the
simulated machine, from the machine directory itself, never from the collection's own report.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import hivex

from tests.simulator.fingerprint import hive_content_digest

# The backup folder is named by the UTC second the backup was taken (roles/offline_backup): two correct runs differ.
_BACKUP_STAMP = re.compile(r"\d{8}T\d{6}Z")
_PARTIAL = ".partial"     # plugins/module_utils/_backup.py: a backup is copied there, renamed once complete
_BACKUP_STAMP_PLACEHOLDER = "<backup time>"
BACKUP_FOLDER = "vmrescue-backup"


@dataclass(frozen=True)
class Case:
    fault: str                 # the simulator's --fault spec
    command: int               # 1-based catalogue command index the fault hits
    name: str                  # that command's catalogue name in the fault-free run
    stands_for: int = 1        # kill points with the same machine state this case represents
    premise_check: bool = False  # a non-representative kill point, run to check the equal-state premise

    @property
    def id(self) -> str:
        suffix = "-premise" if self.premise_check else ""
        return f"{self.fault}-{self.name}{suffix}"


@dataclass(frozen=True)
class Plan:
    cases: list[Case]                    # representatives and drops, in command order
    premise_samples: list[Case]          # equal-state kill points that are not representatives
    kill_points: int                     # every kill@N:S that kills (S below the command's statement count)
    commands: list[str]                  # catalogue command names of the fault-free run


def plan_cases(fingerprints: list[dict], premise_samples: int) -> Plan:
    cases: list[Case] = []
    equal_state_points: list[tuple[int, Case]] = []   # (size of its run, its last member)
    kill_points = 0
    commands: list[str] = []
    for (command, name), records in itertools.groupby(fingerprints, key=lambda r: (r["command"], r["name"])):
        records = list(records)
        assert records[0]["statement"] == 1 and [r["statement"] for r in records] == list(
            range(1, len(records) + 1)), f"statement records of command {command} are not contiguous"
        assert command == len(commands) + 1, f"command {command} has no statement records before it"
        commands.append(name)
        # kill@N:S with S = the last statement lets the command finish: not a kill. S counts completed statements.
        kills = records[:-1]
        kill_points += len(kills)
        for _state, members in itertools.groupby(kills, key=lambda r: r["fingerprint"]):
            members = list(members)
            cases.append(Case(f"kill@{command}:{members[0]['statement']}", command, name, len(members)))
            if len(members) > 1:
                last = members[-1]["statement"]
                equal_state_points.append((len(members), Case(f"kill@{command}:{last}", command, name,
                                                              premise_check=True)))
        cases.append(Case(f"drop@{command}", command, name))
    # Spread over the commands (deterministic): the last member of a run is the farthest from its representative.
    return Plan(cases, stride_sample([case for _size, case in equal_state_points], premise_samples), kill_points,
                commands)


def stride_sample(cases: list[Case], count: int) -> list[Case]:
    """``count`` cases spread evenly over the list (first and last included): the default, affordable subset."""
    if count >= len(cases):
        return list(cases)
    if count == 1:
        return [cases[0]]
    return [cases[round(i * (len(cases) - 1) / (count - 1))] for i in range(count)]


# --- end state ----------------------------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _json(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8-sig"))


def _without_backup_time(value: object) -> object:
    """The backup's time stamp, wherever a backup record repeats it (folder name, ``created``, ``backup_path``)."""
    if isinstance(value, dict):
        return {key: ("<created>" if key == "created" else _without_backup_time(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_backup_time(item) for item in value]
    if isinstance(value, str):
        return _BACKUP_STAMP.sub(_BACKUP_STAMP_PLACEHOLDER, value)
    return value


def _volume_files(volume: Path) -> dict[str, object]:
    """Every file of a volume: JSON records parsed (backup time normalised), hives by content, others by SHA-256."""
    files: dict[str, object] = {}
    for path in sorted(volume.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(volume).as_posix()
        if path.suffix == ".json":
            files[relative] = _without_backup_time(_json(path))
        elif path.read_bytes()[:4] == b"regf":
            # A hive's bytes also record how often and in which order it was flushed (base-block sequence numbers,
            # cell layout): a killed run's pending changes are flushed by the re-run's unload of its stale mount, as
            # Windows does, so two correct runs differ there. What the hive holds is its keys and values.
            files[relative] = "hive " + hive_content_digest(hivex.Hivex(str(path)))
        else:
            files[relative] = _sha256(path)
    return files


def _backups(volume: Path) -> dict[str, object]:
    """The backups of one volume (roles/backup: one folder per run, named by time, its manifest written last).

    Every run that writes takes its own verified backup first, so a re-run after a fault that came after the backup
    takes a second one, of the disk as the faulted run left it: only the first backup holds the original files and is
    compared; the later ones are not, and latest.json must name the newest. A ``.partial`` folder, or a folder
    without a manifest, is a backup a fault interrupted that the re-run did not clean."""
    root = volume / BACKUP_FOLDER
    stamps = sorted(d.name for d in root.iterdir()
                    if d.is_dir() and _BACKUP_STAMP.fullmatch(d.name.removesuffix(_PARTIAL))) \
        if root.is_dir() else []
    complete = [stamp for stamp in stamps if (root / stamp / "manifest.json").is_file()]
    latest = _json(root / "latest.json") if (root / "latest.json").is_file() else None
    return {
        "first complete": _volume_files(root / complete[0]) if complete else None,
        "latest.json names the newest": bool(latest and complete
                                             and latest.get("backup_path", "").endswith("\\" + complete[-1])),
        "incomplete": [stamp for stamp in stamps if stamp not in complete],
    }


def _is_timed_backup_file(relative: str) -> bool:
    """Files of the time-named backup folders and latest.json, compared by _backups (the drivers' backup copies and
    .acl records are not named by time and are compared with the other files)."""
    inside = relative.removeprefix(BACKUP_FOLDER + "/")
    return inside != relative and (inside == "latest.json" or _BACKUP_STAMP.match(inside) is not None)


def end_state(machine_dir: Path) -> dict[str, object]:
    """What a run leaves: the broken disk's files and backups, the recovery VM's record of temporary changes, the ACL
    model and the disks (identities, offline state, letters) as machine.json holds them."""
    machine = _json(machine_dir / "machine.json")
    broken_volumes, backups = {}, {}
    for disk in machine["disks"]:
        if disk["is_system"] or disk["is_boot"]:
            continue
        for partition in disk["partitions"]:
            folder = partition["volume_dir"]
            if folder:
                volume = machine_dir / folder
                broken_volumes[folder] = {path: value for path, value in _volume_files(volume).items()
                                          if not _is_timed_backup_file(path)}
                backups[folder] = _backups(volume)
    recovery_records = machine_dir / "C" / "ProgramData" / "vmrescue"
    return {
        "broken disk": broken_volumes,
        "backups": backups,
        "recovery VM records": _volume_files(recovery_records) if recovery_records.is_dir() else {},
        "acls": _json(machine_dir / "acls.json") if (machine_dir / "acls.json").exists() else {},
        "disks": machine["disks"],
    }


def incomplete_backups(state: dict) -> list[str]:
    """Backup folders a fault interrupted (``.partial``, or no manifest), as ``volume folder/vmrescue-backup/stamp``."""
    return [f"{folder}/{BACKUP_FOLDER}/{stamp}" for folder, backups in state["backups"].items()
            for stamp in backups["incomplete"]]


def differences(expected: dict, actual: dict, path: str = "") -> list[str]:
    """Readable paths of what differs between two end states."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                found.append(f"{path}/{key}: missing")
            elif key not in expected:
                found.append(f"{path}/{key}: unexpected")
            else:
                found += differences(expected[key], actual[key], f"{path}/{key}")
        return found
    if expected != actual:
        return [f"{path}: {json.dumps(expected)[:200]} != {json.dumps(actual)[:200]}"]
    return []
