"""Helpers for the playbook, fleet and bad-input tests (no tests here).

They run the real ``ansible-playbook`` against simulator processes and read the results back from the machine
directory's host files with readers that share no code with the collection: regipy for values, hivex for raw
bytes, ``machine.json`` for where each volume's files are.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
LANGUAGES = ("en-US", "sv-SE", "nl-NL", "zh-CN", "ja-JP", "ko-KR", "de-DE")
PLAYBOOK_TIMEOUT_S = 600

BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
EMSSETTINGS = "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"
BOOTMGR_DEFAULT = "23000003"

_RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+(?P<counts>(?:\w+=\d+\s*)+)$")


@dataclass
class PlaybookRun:
    rc: int
    output: str
    recap: dict[str, dict[str, int]]

    def explain(self) -> str:
        return f"rc {self.rc}\n{self.output[-6000:]}"


def parse_recap(output: str) -> dict[str, dict[str, int]]:
    """The PLAY RECAP counters per host (the last recap wins)."""
    recap: dict[str, dict[str, int]] = {}
    in_recap = False
    for line in output.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap, recap = True, {}
            continue
        match = _RECAP_LINE.match(line.strip()) if in_recap else None
        if match:
            recap[match["host"]] = {k: int(v) for k, v in (p.split("=") for p in match["counts"].split())}
    return recap


def run_playbook(playbook: str, inventory: Path, extra_vars: dict | None = None, *, forks: int | None = None,
                 check: bool = False, diff: bool = False, limit: str | None = None,
                 timeout: int = PLAYBOOK_TIMEOUT_S) -> PlaybookRun:
    """``ansible-playbook`` on one of the collection's playbooks (path under playbooks/ or a FQCN)."""
    target = playbook if playbook.startswith("vmrescue.windows.") else str(REPO_ROOT / "playbooks" / playbook)
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), target]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    if forks:
        command += ["-f", str(forks)]
    if limit:
        command += ["--limit", limit]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_HOST_KEY_CHECKING": "False",
           "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_DEPRECATION_WARNINGS": "False",
           "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=timeout,
                               check=False)
    output = completed.stdout + completed.stderr
    return PlaybookRun(completed.returncode, output, parse_recap(completed.stdout))


def host_counts(run: PlaybookRun, host: str) -> dict[str, int]:
    assert host in run.recap, f"{host} missing from the recap\n{run.explain()}"
    return run.recap[host]


def assert_ok(run: PlaybookRun, host: str, *, changed: bool | None) -> None:
    """The run succeeded for ``host``; ``changed`` True/False asserts the recap's changed count (None: either)."""
    counts = host_counts(run, host)
    assert run.rc == 0 and counts["failed"] == 0 and counts["unreachable"] == 0, run.explain()
    if changed is True:
        assert counts["changed"] > 0, f"expected changes on {host}\n{run.explain()}"
    elif changed is False:
        assert counts["changed"] == 0, f"expected changed=0 on {host}\n{run.explain()}"


# --- the simulated machine's host files -------------------------------------------------------------------------

@dataclass(frozen=True)
class BrokenDisk:
    machine_dir: Path
    windows_dir: Path          # host folder of the broken disk's Windows volume
    bcd: Path                  # host file of its BCD store
    system: Path               # host file of its SYSTEM hive


def broken_disk(machine_dir: Path) -> BrokenDisk:
    """Locate the attached broken disk's Windows volume and BCD store from machine.json (disk 1)."""
    machine = json.loads((machine_dir / "machine.json").read_text(encoding="utf-8"))
    windows_dir = bcd = None
    for disk in machine["disks"]:
        if disk["is_system"] or disk["is_boot"]:
            continue
        for partition in disk["partitions"]:
            folder = partition.get("volume_dir")
            if not folder:
                continue
            volume = machine_dir / folder
            if (volume / "Windows" / "System32" / "config" / "SYSTEM").is_file():
                windows_dir = volume
            for store in (volume / "EFI" / "Microsoft" / "Boot" / "BCD", volume / "boot" / "BCD"):
                if store.is_file():
                    bcd = store
    assert windows_dir is not None and bcd is not None, f"no broken disk in {machine_dir}"
    return BrokenDisk(machine_dir, windows_dir, bcd, windows_dir / "Windows" / "System32" / "config" / "SYSTEM")


def tree_hashes(machine_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of the machine, to prove nothing was written."""
    return {str(path.relative_to(machine_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(machine_dir.rglob("*")) if path.is_file()}


def bcd_values(store: Path) -> dict[str, dict[str, tuple[str, object]]]:
    """regipy view of a BCD store: {object guid (lower case): {element code (lower case): (type, value)}}."""
    from regipy.registry import RegistryHive

    hive = RegistryHive(str(store))
    objects: dict[str, dict[str, tuple[str, object]]] = {}
    for obj in hive.get_key("\\Objects").iter_subkeys():
        elements: dict[str, tuple[str, object]] = {}
        try:
            element_keys = list(hive.get_key(f"\\Objects\\{obj.name}\\Elements").iter_subkeys())
        except Exception:   # an object without elements
            element_keys = []
        for element in element_keys:
            for value in element.get_values():
                if value.name == "Element":
                    elements[element.name.lower()] = (value.value_type, value.value)
        objects[obj.name.lower()] = elements
    return objects


def default_loader(objects: dict[str, dict[str, tuple[str, object]]]) -> str:
    kind, value = objects[BOOTMGR][BOOTMGR_DEFAULT]
    assert kind == "REG_SZ", kind
    return str(value).lower()


def bcd_bool(objects, guid: str, code: str) -> bool | None:
    """A BCD boolean read tolerantly (any size, non-zero first byte = true); None when absent."""
    if code not in objects[guid]:
        return None
    kind, value = objects[guid][code]
    assert kind == "REG_BINARY", (guid, code, kind)
    return bool(value[0])


def bcd_int(objects, guid: str, code: str) -> int | None:
    """A BCD integer (little endian, short values zero-extended); None when absent."""
    if code not in objects[guid]:
        return None
    kind, value = objects[guid][code]
    assert kind == "REG_BINARY", (guid, code, kind)
    return int.from_bytes(value, "little")


def control_sets(system: Path) -> list[str]:
    from regipy.registry import RegistryHive

    hive = RegistryHive(str(system))
    return sorted(k.name for k in hive.get_key("\\").iter_subkeys() if re.fullmatch(r"ControlSet\d{3}", k.name))


def registry_values(system: Path, key: str) -> dict[str, tuple[str, object]]:
    from regipy.registry import RegistryHive

    hive = RegistryHive(str(system))
    return {value.name: (value.value_type, value.value) for value in hive.get_key(key).get_values()}


def raw_snapshot(hive_file: Path, roots: list[str]) -> dict[str, tuple[int, bytes]]:
    """hivex view of every value under ``roots`` (recursively): {'key\\path|name': (type code, raw bytes)}."""
    import hivex

    hive = hivex.Hivex(str(hive_file))
    snapshot: dict[str, tuple[int, bytes]] = {}

    def walk(node: int, path: str) -> None:
        for value in hive.node_values(node):
            snapshot[f"{path}|{hive.value_key(value)}"] = hive.value_value(value)
        for child in hive.node_children(node):
            walk(child, f"{path}\\{hive.node_name(child)}")

    for root in roots:
        node = hive.root()
        for part in root.split("\\"):
            node = hive.node_get_child(node, part) if node is not None else None
        if node is not None:
            walk(node, root)
    return snapshot


# --- inventories --------------------------------------------------------------------------------------------------

def host_line(simulator_inventory: Path) -> str:
    """The host variables the simulator wrote into its one-host inventory."""
    for line in simulator_inventory.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("["):
            return line.split(None, 1)[1]
    raise AssertionError(f"no host in {simulator_inventory}")


def write_inventory(path: Path, hosts: dict[str, Path], group: str = "recovery_vms") -> Path:
    """One inventory for several simulators: {inventory hostname: that simulator's inventory file}."""
    lines = [f"[{group}]"] + [f"{name} {host_line(inventory)}" for name, inventory in hosts.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def known_good_driver(directory: Path, name: str) -> Path:
    """A valid PE file differing from the one on the broken disk (another link timestamp)."""
    from tests.simulator.windows.pefile_min import build_driver_image

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(build_driver_image(name, timestamp=0x6655AA11))
    return path


def require_collection_modules(*names: str) -> None:
    """Fail (not skip) with a clear reason when a module these tests drive is not in the tree yet."""
    missing = [n for n in names if not (REPO_ROOT / "plugins" / "action" / f"{n}.py").is_file()]
    if missing:
        pytest.fail(f"modules not in the tree yet: {', '.join(missing)}")
