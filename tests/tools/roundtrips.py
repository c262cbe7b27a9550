"""Print how many catalogue commands each core-module task costs, from the simulator's command log.

    python -m tests.tools.roundtrips [--generation 1|2] [--language en-US]

Builds a machine in a temporary folder, starts the simulator, runs every core module's changing task and then the
same task again (unchanged), and prints one table row per task: the catalogue commands the simulator logged while it
ran. A changing task costs one read and one write; an unchanged task one read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.simulator.fixture import build, running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
TASKS = [
    ("bcd_info", "vmrescue.windows.bcd_info", {"store": "{store}"}),
    ("bcd (changing)", "vmrescue.windows.bcd", {"store": "{store}", "objects": [
        {"id": "{bootmgr}", "set": {"displaybootmenu": True, "timeout": 10, "bootems": True}},
        {"id": "{default}", "set": {"bootstatuspolicy": "IgnoreAllFailures"}}]}),
    ("bcd (unchanged)", "vmrescue.windows.bcd", {"store": "{store}", "objects": [
        {"id": "{bootmgr}", "set": {"displaybootmenu": True, "timeout": 10, "bootems": True}},
        {"id": "{default}", "set": {"bootstatuspolicy": "IgnoreAllFailures"}}]}),
    ("offline_registry_info", "vmrescue.windows.offline_registry_info",
     {"hive": HIVE, "keys": ["CurrentControlSet\\Control\\CrashControl"]}),
    ("offline_registry (changing)", "vmrescue.windows.offline_registry", {"hive": HIVE, "control_sets": "all", "values": [
        {"key": "CurrentControlSet\\Control\\CrashControl", "name": "CrashDumpEnabled", "type": "dword", "data": 2},
        {"key": "CurrentControlSet\\Control\\CrashControl", "name": "AutoReboot", "type": "dword", "data": 0}]}),
    ("offline_registry (unchanged)", "vmrescue.windows.offline_registry", {"hive": HIVE, "control_sets": "all", "values": [
        {"key": "CurrentControlSet\\Control\\CrashControl", "name": "CrashDumpEnabled", "type": "dword", "data": 2},
        {"key": "CurrentControlSet\\Control\\CrashControl", "name": "AutoReboot", "type": "dword", "data": 0}]}),
]


def _fill(value, store: str):
    if isinstance(value, str):
        return store if value == "{store}" else value
    if isinstance(value, list):
        return [_fill(item, store) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, store) for key, item in value.items()}
    return value


def _run_task(inventory: Path, work: Path, module: str, args: dict) -> bool:
    playbook = work / "task.yml"
    playbook.write_text(json.dumps([{"hosts": "all", "gather_facts": False,
                                     "tasks": [{module: args, "register": "r"}]}]))
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(REPO_ROOT / ".cache" / "collections"),
           "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_NOCOLOR": "1"}
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook)], cwd=REPO_ROOT,
                          capture_output=True, text=True, env=env, timeout=600, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-2000:])
    return done.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generation", type=int, choices=(1, 2), default=1)
    parser.add_argument("--language", default="en-US")
    options = parser.parse_args(argv)
    # conftest.py makes this link tree for pytest; make sure it exists when run on its own too
    sys.path.insert(0, str(REPO_ROOT))
    import conftest  # noqa: F401  (creates .cache/collections/ansible_collections/vmrescue/windows)

    with tempfile.TemporaryDirectory(prefix="vmrescue-roundtrips-") as scratch:
        work = Path(scratch)
        machine = work / "machine"
        build(machine, generation=options.generation)
        store = "E:\\boot\\BCD"
        if options.generation == 2:       # give the ESP a letter, as offline_disk_info would
            data = json.loads((machine / "machine.json").read_text())
            esp = next(p for d in data["disks"] if not d["is_system"] for p in d["partitions"] if p["role"] == "esp")
            esp["letter"] = "S"
            (machine / "machine.json").write_text(json.dumps(data, indent=2))
            store = "S:\\EFI\\Microsoft\\Boot\\BCD"
        rows = []
        with running_simulator(machine, language=options.language) as sim:
            for label, module, args in TASKS:
                seen = len([c for c in sim.commands() if c["kind"] == "catalogue"])
                ok = _run_task(sim.inventory_path, work, module, _fill(args, store))
                names = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"][seen:]
                rows.append((label, len(names), ", ".join(names) + ("" if ok else "  (task FAILED)")))
    width = max(len(row[0]) for row in rows)
    print(f"| {'task'.ljust(width)} | commands | catalogue commands |")
    print(f"|{'-' * (width + 2)}|----------|--------------------|")
    for label, count, names in rows:
        print(f"| {label.ljust(width)} | {count:>8} | {names} |")
    return 0 if all("FAILED" not in row[2] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
