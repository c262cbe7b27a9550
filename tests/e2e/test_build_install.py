"""Packaging: build the collection tarball, install it into an empty path, and run it against a simulator.

A file left out by ``build_ignore`` (or a test machine or cache let in) fails here, not on a user's machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.simulator.fixture import build, running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
GALAXY = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))
TARBALL_NAME = f"{GALAXY['namespace']}-{GALAXY['name']}-{GALAXY['version']}.tar.gz"
INSTALLED_SUBDIR = Path("ansible_collections", GALAXY["namespace"], GALAXY["name"])

# Directory names and suffixes that mean "a cache, an environment or test output" wherever they appear.
FORBIDDEN_PARTS = {".venv", ".cache", ".pytest_cache", "__pycache__", ".git", ".ansible", "output", "demo-machine"}
FORBIDDEN_SUFFIXES = (".tar.gz", ".pyc", ".whl")
HIVE_MAGIC = b"regf"
RECAP_COUNTER = re.compile(r"(\w+)=(\d+)")


def _tool(name: str) -> str:
    return str(BIN_DIR / name)


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                               check=False)
    assert completed.returncode == 0, (
        f"{' '.join(args)} exited {completed.returncode}\nstdout:\n{completed.stdout}\nstderr:\n{completed.stderr}")
    return completed


def _repository_files(under: str) -> set[str]:
    """Files git would put in a commit under ``under`` (tracked plus untracked-but-not-ignored)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", under],
                            cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    return {path for path in listed if (REPO_ROOT / path).is_file()}


def _isolated_env(collections_path: Path) -> dict[str, str]:
    """Only the installed copy is visible: not the repository's link tree the root conftest.py exports."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
               ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="false",
               ANSIBLE_LOCAL_TEMP=str(collections_path.parent / "ansible-tmp"), PATH=f"{BIN_DIR}:{env['PATH']}")
    return env


def _recap(stdout: str) -> dict[str, dict[str, int]]:
    """Per-host counters of the PLAY RECAP (core has no JSON stdout callback; ansible.posix is not installed)."""
    recap_lines = stdout.split("PLAY RECAP", 1)[1].splitlines()[1:]
    stats = {}
    for line in recap_lines:
        if ":" not in line:
            continue
        host, counters = line.split(":", 1)
        stats[host.strip()] = {key: int(value) for key, value in RECAP_COUNTER.findall(counters)}
    return stats


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("dist")
    _run([_tool("ansible-galaxy"), "collection", "build", "--output-path", str(output), str(REPO_ROOT)],
         cwd=output)
    built = sorted(output.iterdir())
    assert [path.name for path in built] == [TARBALL_NAME]
    return built[0]


@pytest.fixture(scope="module")
def installed(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collections path holding only the tarball's collection."""
    collections_path = tmp_path_factory.mktemp("installed") / "collections"
    _run([_tool("ansible-galaxy"), "collection", "install", "--offline", "-p", str(collections_path),
          str(tarball)], cwd=tarball.parent, env=_isolated_env(collections_path))
    return collections_path


def test_tarball_carries_no_caches_environments_or_test_machines(tarball: Path) -> None:
    offenders = []
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            parts = set(Path(member.name).parts)
            if parts & FORBIDDEN_PARTS or member.name.endswith(FORBIDDEN_SUFFIXES):
                offenders.append(member.name)
            elif member.name.endswith("machine.json"):
                offenders.append(member.name)
            elif member.isfile() and archive.extractfile(member).read(len(HIVE_MAGIC)) == HIVE_MAGIC:
                offenders.append(f"{member.name} (a registry hive)")
    assert offenders == []


def test_tarball_carries_all_shipped_content(tarball: Path) -> None:
    with tarfile.open(tarball) as archive:
        members = set(archive.getnames())
    shipped = set()
    for folder in ("plugins", "roles", "playbooks", "meta"):
        shipped |= {path for path in _repository_files(folder) if "__pycache__" not in path}
    # README, licence, and the requirement file meta/execution-environment.yml points to.
    shipped |= {"README.md", "LICENSE", "requirements/runtime.txt", "MANIFEST.json", "FILES.json"}
    assert sorted(shipped - members) == []


def test_action_group_lists_every_module() -> None:
    runtime = yaml.safe_load((REPO_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    modules = {path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__"}
    assert modules, "plugins/modules has no module"
    groups = runtime["action_groups"]
    assert sorted(groups["vmrescue"]) == sorted(modules)


def test_installed_collection_is_the_one_ansible_loads(installed: Path) -> None:
    env = _isolated_env(installed)
    listed = json.loads(_run([_tool("ansible-galaxy"), "collection", "list", "--format", "json",
                              f"{GALAXY['namespace']}.{GALAXY['name']}"], cwd=installed, env=env).stdout)
    assert list(listed) == [str(installed / "ansible_collections")]
    assert listed[str(installed / "ansible_collections")][f"{GALAXY['namespace']}.{GALAXY['name']}"]["version"] \
        == GALAXY["version"]


def test_playbook_from_installed_collection_repairs_simulated_vm(installed: Path, tmp_path: Path) -> None:
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=2)
    env = _isolated_env(installed)
    with running_simulator(machine_dir) as simulator:
        completed = subprocess.run(
            [_tool("ansible-playbook"), "-i", str(simulator.inventory_path),
             f"{GALAXY['namespace']}.{GALAXY['name']}.critical_service_repair", "-e", "vmrescue_hosts=all"],
            cwd=tmp_path, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
        catalogue_commands = [entry for entry in simulator.commands() if entry["kind"] == "catalogue"]
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    # The playbook's last play (the fleet summary) runs on localhost; the recovery VM is the other host.
    stats = {host: counts for host, counts in _recap(completed.stdout).items() if host != "localhost"}
    assert len(stats) == 1, completed.stdout[-4000:]
    (host_stats,) = stats.values()
    assert host_stats["failed"] == 0 and host_stats["unreachable"] == 0
    assert host_stats["changed"] > 0
    assert catalogue_commands, "the playbook sent no catalogue command to the simulator"


def test_collection_execution_environment_requirements(installed: Path, tmp_path: Path) -> None:
    """ansible-builder reads meta/execution-environment.yml of the installed collection."""
    pip_file, bindep_file = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    _run([_tool("ansible-builder"), "introspect", str(installed), "--write-pip", str(pip_file),
          "--write-bindep", str(bindep_file)], cwd=tmp_path)
    pip_lines = pip_file.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("pywinrm==") for line in pip_lines), pip_lines
    assert any(line.startswith("krb5") for line in bindep_file.read_text(encoding="utf-8").splitlines())


def test_execution_environment_definition_is_accepted(tarball: Path, tmp_path: Path) -> None:
    definition = tmp_path / "execution-environment.yml"
    shutil.copy(REPO_ROOT / "execution-environment.yml", definition)
    shutil.copy(tarball, tmp_path / tarball.name)
    context = tmp_path / "context"
    _run([_tool("ansible-builder"), "create", "-f", str(definition), "--context", str(context)], cwd=tmp_path)
    assert (context / "_build" / "collection" / tarball.name).is_file()
    requirements = (context / "_build" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("pywinrm") and "==" in line for line in requirements), requirements
