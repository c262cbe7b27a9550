"""Role inputs as an operator types them: `-e key=value` gives strings, so "false" must mean false.

Runs the real ansible-playbook with key=value extra vars (not JSON) and reads the BCD store back with regipy.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.simulator.fixture import build, running_simulator

from test_playbooks_support import (
    ANSIBLE_PLAYBOOK, BOOTMGR, REPO_ROOT, PlaybookRun, assert_ok, bcd_bool, bcd_values, broken_disk, default_loader,
    parse_recap, require_collection_modules, write_inventory,
)

HOST = "rescue01"
MODULES = ("offline_disk_info", "offline_disk_release", "offline_backup", "offline_registry_info",
           "offline_registry", "bcd")
# Element codes (bcd-and-registry.md section 2), independent of the collection's catalogue.
NOINTEGRITYCHECKS, BOOTLOG, EMS = "16000048", "26000090", "260000b0"


def _run_key_value(playbook: str, inventory: Path, *pairs: str) -> PlaybookRun:
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(REPO_ROOT / "playbooks" / playbook)]
    for pair in pairs:
        command += ["-e", pair]
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_DEPRECATION_WARNINGS": "False"}
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=600,
                               check=False)
    return PlaybookRun(completed.returncode, completed.stdout + completed.stderr, parse_recap(completed.stdout))


@pytest.mark.parametrize("debug_boot", ["false", "true"])
def test_debug_boot_string_is_a_boolean(tmp_path: Path, debug_boot: str) -> None:
    require_collection_modules(*MODULES)
    machine_dir = tmp_path / "machine"
    build(machine_dir, generation=2)
    with running_simulator(machine_dir) as simulator:
        inventory = write_inventory(tmp_path / "inventory.ini", {HOST: simulator.inventory_path})
        run = _run_key_value("enable_dump.yml", inventory, f"enable_dump_debug_boot={debug_boot}")
    assert_ok(run, HOST, changed=True)
    objects = bcd_values(broken_disk(machine_dir).bcd)
    loader = default_loader(objects)
    assert bcd_bool(objects, loader, EMS) is True          # the serial console part ran
    if debug_boot == "true":
        assert bcd_bool(objects, BOOTMGR, NOINTEGRITYCHECKS) is True
        assert bcd_bool(objects, loader, BOOTLOG) is True
        assert "DEBUG BOOT ON" in run.output, run.explain()
    else:
        for guid in (BOOTMGR, loader):
            assert NOINTEGRITYCHECKS not in objects[guid], guid
        assert BOOTLOG not in objects[loader]
        assert "DEBUG BOOT ON" not in run.output, run.explain()
