"""offline_disk_info, offline_backup, driver_file and offline_disk_release through real ansible-playbook and WinRM,
against the recovery-VM simulator. Results are checked on the simulated machine's host files and machine.json."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.simulator.fixture import build, running_simulator
from tests.simulator.windows.pefile_min import build_driver_image

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

pytestmark = pytest.mark.slow
TRUSTED_INSTALLER_SID = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"


def _play(tmp_path: Path, inventory: Path, tasks: str, *, check: bool = False) -> tuple[int, dict, str]:
    """Run the tasks; every registered result named r_* is written to out.json on the controller."""
    out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}.json"
    playbook = tmp_path / "play.yml"
    playbook.write_text(f"""
- hosts: all
  gather_facts: false
  tasks:
    - block:
{tasks}
      always:
        - ansible.builtin.copy:
            content: "{{{{ vars | dict2items | selectattr('key', 'match', '^r_') | items2dict | to_json }}}}"
            dest: {out}
          delegate_to: localhost
          check_mode: false
""")
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "False"}
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook)] + (["--check"] if check else [])
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=600, check=False)
    results = json.loads(out.read_text()) if out.exists() else {}
    return done.returncode, results, done.stdout[-6000:] + done.stderr[-3000:]


def _machine(tmp_path: Path, **kwargs) -> Path:
    machine = tmp_path / "machine"
    build(machine, **kwargs)
    return machine


def _host_file(machine: Path, windows_path: str) -> Path:
    """Host path of a drive-letter path, from machine.json (shares no code with the collection)."""
    data = json.loads((machine / "machine.json").read_text())
    letter, rest = windows_path[0].upper(), windows_path[3:]
    for disk in data["disks"]:
        for part in disk["partitions"]:
            if (part["letter"] or "").upper() == letter and not disk["offline"]:
                return machine / part["volume_dir"] / Path(*rest.split("\\"))
    raise AssertionError(f"no volume has the letter {letter}")


def _catalogue_commands(sim) -> list[str]:
    """Names of the catalogue commands the simulator ran so far, in order (its own log, not the module's word)."""
    return [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_gen2_full_repair_preparation(tmp_path):
    machine = _machine(tmp_path, generation=2)
    good = tmp_path / "filecrypt.sys"
    good.write_bytes(build_driver_image("filecrypt.sys", timestamp=0x61000000))
    tasks = f"""
        - vmrescue.windows.offline_disk_info:
          register: r_info
        - vmrescue.windows.offline_backup:
            windows_drive: "{{{{ r_info.windows_drive }}}}"
            bcd_store: "{{{{ r_info.bcd_store }}}}"
          register: r_backup
        - vmrescue.windows.offline_backup:
            windows_drive: "{{{{ r_info.windows_drive }}}}"
            bcd_store: "{{{{ r_info.bcd_store }}}}"
          register: r_backup_again
        - vmrescue.windows.driver_file:
            name: filecrypt.sys
            windows_drive: "{{{{ r_info.windows_drive }}}}"
            src_controller: {good}
          register: r_driver
        - vmrescue.windows.driver_file:
            name: filecrypt.sys
            windows_drive: "{{{{ r_info.windows_drive }}}}"
            src_controller: {good}
          register: r_driver_again
        - ansible.builtin.copy:
            content: "{{{{ r_info | to_json }}}}"
            dest: {tmp_path / 'info-before-release.json'}
          delegate_to: localhost
        - vmrescue.windows.offline_disk_release:
            temporary_letters: "{{{{ r_info.temporary_letters }}}}"
          register: r_release"""
    driver = _host_file(machine, "F:\\Windows\\System32\\drivers\\filecrypt.sys").resolve()
    driver_key = driver.relative_to(machine.resolve()).as_posix()
    acl_before = json.loads((machine / "acls.json").read_text())[driver_key]
    with running_simulator(machine) as sim:
        rc, results, output = _play(tmp_path, sim.inventory_path, tasks)
        commands = _catalogue_commands(sim)
    assert rc == 0, output
    info = results["r_info"]
    assert (info["windows_drive"], info["generation"], info["disk_number"]) == ("F:", 2, 1)
    letter = info["temporary_letters"][0]["drive"]
    assert info["bcd_store"] == f"{letter}\\EFI\\Microsoft\\Boot\\BCD"
    assert any(f["path"].endswith("MEMORY.DMP") for f in info["dump_files"])
    # Exactly these catalogue commands, one round trip each, as the simulator logged them.
    assert commands == [
        "disk-discovery", "assign-boot-letter",              # offline_disk_info: discover; give the ESP a letter
        "backup-read", "backup-copy", "backup-manifest",     # offline_backup: read; copy + hash all; manifest
        "backup-read", "backup-verify",                      # offline_backup again: the manifest's files hash right
        "driver-read", "driver-backup", "driver-replace",    # driver_file: read; back up + verify; replace + verify
        "driver-read",                                       # driver_file again: already in place
        "partition-letters", "release-letters",              # offline_disk_release
    ]
    assert [c["name"] for c in info["remote_commands"]] == commands[:2]

    backup = results["r_backup"]
    assert backup["changed"] and backup["verified"]
    assert results["r_backup_again"]["changed"] is False and results["r_backup_again"]["verified"]
    system = _host_file(machine, "F:\\Windows\\System32\\config\\SYSTEM")
    copy = _host_file(machine, backup["backup_path"] + "\\config\\SYSTEM")
    assert _sha(copy) == _sha(system) == backup["manifest"]["files"][-1]["sha256"]
    latest = json.loads(_host_file(machine, "F:\\vmrescue-backup\\latest.json").read_text(encoding="utf-8-sig"))
    assert latest == backup["manifest"]

    assert results["r_driver"]["changed"] and results["r_driver"]["backed_up"]
    assert results["r_driver_again"]["changed"] is False
    assert _host_file(machine, "F:\\Windows\\System32\\drivers\\filecrypt.sys").read_bytes() == good.read_bytes()
    saved = _host_file(machine, "F:\\vmrescue-backup\\drivers\\filecrypt.sys")
    assert saved.read_bytes() == build_driver_image("filecrypt.sys")
    # The driver was TrustedInstaller's (a plain copy is refused): taken, granted, copied, and its original owner and
    # DACL given back (Administrators keep no full control).
    acl = json.loads((machine / "acls.json").read_text())[driver_key]
    assert acl == acl_before and acl["owner"] == TRUSTED_INSTALLER_SID and acl["grants"]["S-1-5-32-544"] == ["RX"]
    assert _host_file(machine, "F:\\vmrescue-backup\\drivers\\filecrypt.sys.acl").read_bytes().decode(
        "utf-16-le").startswith("filecrypt.sys\r\nD:")

    assert results["r_release"]["changed"]
    esp = json.loads((machine / "machine.json").read_text())["disks"][1]["partitions"][0]
    assert esp["letter"] is None


def test_gen1_offline_disk_check_mode_then_online(tmp_path):
    machine = _machine(tmp_path, generation=1, scenario="offline-disk")
    tasks = """
        - vmrescue.windows.offline_disk_info:
          register: r_info"""
    with running_simulator(machine) as sim:
        rc, checked, output = _play(tmp_path, sim.inventory_path, tasks, check=True)
        assert rc == 0, output
        assert json.loads((machine / "machine.json").read_text())["disks"][1]["offline"] is True
        checked_commands = _catalogue_commands(sim)
        rc, applied, output = _play(tmp_path, sim.inventory_path, tasks)
        applied_commands = _catalogue_commands(sim)[len(checked_commands):]
    assert rc == 0, output
    assert checked_commands == ["disk-discovery"]
    # Bringing the disk online re-reads layout, hives and stores in the same command.
    assert applied_commands == ["disk-discovery", "disk-prepare"]
    assert checked["r_info"]["changed"] and checked["r_info"]["windows_drive"] is None
    info = applied["r_info"]
    assert info["brought_online"] == [1] and info["generation"] == 1
    assert info["bcd_store"].endswith("\\boot\\BCD") and info["bcd_store"] != info["windows_drive"] + "\\boot\\BCD"
    assert _host_file(machine, info["bcd_store"]).read_bytes()[:4] == b"regf"
    assert json.loads((machine / "machine.json").read_text())["disks"][1]["offline"] is False


def test_gen1_bcd_on_the_os_volume(tmp_path):
    machine = _machine(tmp_path, generation=1, scenario="bcd-on-os-volume")
    with running_simulator(machine) as sim:
        rc, results, output = _play(tmp_path, sim.inventory_path, """
        - vmrescue.windows.offline_disk_info:
          register: r_info""")
        commands = _catalogue_commands(sim)
    assert rc == 0, output
    info = results["r_info"]
    assert info["bcd_store"] == info["windows_drive"] + "\\boot\\BCD" and info["changed"] is False
    assert commands == ["disk-discovery"]


def test_a_gen2_esp_without_a_store_loses_its_temporary_letter_again(tmp_path):
    machine = _machine(tmp_path, generation=2)
    layout = json.loads((machine / "machine.json").read_text())
    esp = next(p for p in layout["disks"][1]["partitions"] if p["role"] == "esp")
    store = machine / esp["volume_dir"] / "EFI" / "Microsoft" / "Boot" / "BCD"
    assert esp["letter"] is None and store.is_file()
    store.unlink()
    with running_simulator(machine) as sim:
        rc, results, output = _play(tmp_path, sim.inventory_path, """
        - vmrescue.windows.offline_disk_info:
          register: r_info""")
        commands = _catalogue_commands(sim)
    assert rc != 0 and "no BCD store" in results["r_info"]["msg"], output
    assert "removed again" in results["r_info"]["msg"] and results["r_info"]["temporary_letters"] == []
    assert commands == ["disk-discovery", "assign-boot-letter", "release-letters"]
    after = json.loads((machine / "machine.json").read_text())["disks"][1]["partitions"]
    assert next(p for p in after if p["role"] == "esp")["letter"] is None


@pytest.mark.parametrize("scenario, words", [("two-windows-disks", "several attached disks"),
                                             ("no-windows-disk", "no attached Windows volume")])
def test_ambiguous_or_missing_windows_disk_fails_clearly(tmp_path, scenario, words):
    machine = _machine(tmp_path, generation=2, scenario=scenario)
    before = (machine / "machine.json").read_text()
    with running_simulator(machine) as sim:
        rc, results, output = _play(tmp_path, sim.inventory_path, """
        - vmrescue.windows.offline_disk_info:
          register: r_info""")
        commands = _catalogue_commands(sim)
    assert rc != 0 and words in results["r_info"]["msg"], output
    assert commands == ["disk-discovery"]
    if scenario == "two-windows-disks":
        assert len(results["r_info"]["candidates"]) == 2
    assert (machine / "machine.json").read_text() == before


def test_a_non_pe_source_is_refused_before_anything_is_written(tmp_path):
    machine = _machine(tmp_path, generation=2)
    target = _host_file(machine, "F:\\Windows\\System32\\drivers\\filecrypt.sys")
    before = target.read_bytes()
    with running_simulator(machine) as sim:
        rc, results, output = _play(tmp_path, sim.inventory_path, """
        - vmrescue.windows.driver_file:
            name: filecrypt.sys
            windows_drive: 'F:'
            src: 'C:\\Windows\\System32\\config\\SOFTWARE'
          register: r_driver""")
        commands = _catalogue_commands(sim)
    assert rc != 0 and "not a PE image" in results["r_driver"]["msg"], output
    assert commands == ["driver-read"] and target.read_bytes() == before


WINDBG_DATA = REPO_ROOT.parent / "shared" / "data" / "text" / "windbg"


def test_safeboot_driver_swap_takes_drivers_from_a_real_windbg_text(tmp_path):
    """The role's driver list task, through real ansible-playbook: WinDbg names join the listed drivers once each."""
    analysis = WINDBG_DATA / "d1_netio_minidump_analyze_v.txt"
    flattened = WINDBG_DATA / "5a_filecrypt_azuredocs_flattened.txt"
    if not (analysis.exists() and flattened.exists()):
        pytest.skip(f"real WinDbg samples not available ({WINDBG_DATA})")
    out = tmp_path / "items.json"
    playbook = tmp_path / "play.yml"
    playbook.write_text(f"""
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: vmrescue.windows.safeboot_driver_swap
        tasks_from: driver_list
      vars:
        safeboot_driver_swap_windbg_file: {analysis}
        safeboot_driver_swap_drivers: [{{name: storport.sys, src: 'D:\\mine\\storport.sys'}}]
        safeboot_driver_swap_source_dir: 'D:\\good'
    - ansible.builtin.set_fact:
        r_from_file: "{{{{ _safeboot_driver_swap_items }}}}"
    - ansible.builtin.include_role:
        name: vmrescue.windows.safeboot_driver_swap
        tasks_from: driver_list
      vars:
        safeboot_driver_swap_windbg_text: "{{{{ lookup('ansible.builtin.file', '{flattened}') }}}}"
        safeboot_driver_swap_drivers: [{{name: FileCrypt.sys, src: 'D:\\mine\\filecrypt.sys'}}]
    - ansible.builtin.copy:
        content: "{{{{ {{'from_file': r_from_file, 'listed_already': _safeboot_driver_swap_items}} | to_json }}}}"
        dest: {out}
""")
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "False",
           "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}
    command = [str(ANSIBLE_PLAYBOOK), "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    items = json.loads(out.read_text())
    assert items["from_file"] == [{"name": "storport.sys", "src": "D:\\mine\\storport.sys"},
                                  {"name": "NETIO.SYS", "src": "D:\\good\\NETIO.SYS"}]
    # The text blames filecrypt.sys, which is listed already (other case): its own source stays the only one.
    assert items["listed_already"] == [{"name": "FileCrypt.sys", "src": "D:\\mine\\filecrypt.sys"}]
