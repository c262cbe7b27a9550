"""bcd, bcd_info, offline_registry and offline_registry_info through real ansible-playbook and WinRM against the
recovery-VM simulator, in every simulator language, on Gen1 and Gen2 machines and on real stores and hives.
Results are confirmed with regipy on the machine's host files and with the simulator's command log."""

from __future__ import annotations

import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.simulator.fixture import build, running_simulator
from tests.simulator.windows.i18n import LANGUAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT.parent / "shared" / "data"
PLAYBOOK = REPO_ROOT / "tests" / "e2e" / "playbooks" / "core_modules.yml"
CONVERGE = REPO_ROOT / "tests" / "e2e" / "playbooks" / "converge.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
# One playbook run: each changing task = read + write, each unchanged task = one read.
EXPECTED_COMMANDS = (["bcd-read"] + ["bcd-read", "bcd-write"] + ["bcd-read"] * 2
                     + ["registry-read"] + ["registry-read", "registry-write"] + ["registry-read"] * 2
                     + ["bcd-read", "registry-read"])

pytestmark = pytest.mark.slow


def _machine(tmp_path: Path, generation: int, **kwargs) -> tuple[Path, str]:
    """A built machine and its broken disk's BCD store path (a Gen2 ESP gets the letter S, as offline_disk_info would)."""
    machine = tmp_path / "machine"
    build(machine, generation=generation, **kwargs)
    if generation == 1:
        return machine, "E:\\boot\\BCD"
    data = json.loads((machine / "machine.json").read_text())
    esp = next(p for d in data["disks"] if not d["is_system"] for p in d["partitions"] if p["role"] == "esp")
    esp["letter"] = "S"
    (machine / "machine.json").write_text(json.dumps(data, indent=2))
    return machine, "S:\\EFI\\Microsoft\\Boot\\BCD"


def _host_file(machine: Path, windows_path: str) -> Path:
    data = json.loads((machine / "machine.json").read_text())
    for disk in data["disks"]:
        for part in disk["partitions"]:
            if (part["letter"] or "").upper() == windows_path[0].upper():
                return machine / part["volume_dir"] / Path(*windows_path[3:].split("\\"))
    raise AssertionError(f"no volume has the letter of {windows_path}")


def _run(tmp_path: Path, inventory: Path, store: str, playbook: Path = PLAYBOOK) -> tuple[int, dict, str]:
    out = tmp_path / f"results-{len(list(tmp_path.glob('results-*')))}.json"
    extra = {"bcd_store": store, "hive": "F:\\Windows\\System32\\config\\SYSTEM",
             "journal": "F:\\vmrescue\\journal.json", "out_file": str(out)}
    env = {**os.environ, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "False"}
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook), "-e", json.dumps(extra)],
                          cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=900, check=False)
    results = json.loads(out.read_text()) if out.exists() else {}
    return done.returncode, results, done.stdout[-8000:] + done.stderr[-3000:]


def _element(hive: RegistryHive, guid: str, code: str) -> bytes | str | None:
    try:
        key = hive.get_key(f"\\Objects\\{guid}\\Elements\\{code}")
    except Exception:     # regipy raises its own not-found errors
        return None
    return next((v.value for v in key.iter_values() if v.name == "Element"), None)


def _confirm_on_disk(machine: Path, store: str, results: dict) -> None:
    bcd = RegistryHive(str(_host_file(machine, store)))
    loader = results["r_bcd_apply"]["objects"][1]["guid"]
    assert _element(bcd, BOOTMGR, "25000004") in ("0a00000000000000", bytes.fromhex("0a00000000000000"))
    assert _element(bcd, BOOTMGR, "26000020") in ("01", b"\x01")
    assert _element(bcd, loader, "25000080") in ("0000000000000000", bytes(8))
    assert _element(bcd, loader, "16000048") is None
    system = RegistryHive(str(_host_file(machine, "F:\\Windows\\System32\\config\\SYSTEM")))
    sets = [k.name for k in system.get_key("\\").iter_subkeys() if k.name.lower().startswith("controlset")]
    assert sets
    for cs in sets:
        crash = {v.name: v.value for v in system.get_key(f"\\{cs}\\Control\\CrashControl").iter_values()}
        assert crash["CrashDumpEnabled"] == 2 and crash["AutoReboot"] == 0
        test = {v.name: v.value for v in system.get_key(f"\\{cs}\\Services\\vmrescue_test").iter_values()}
        assert test["Tags"] == ["a|b", "c;d", "e f"] and test["Empty"] == "" and test["Big"] == (1 << 64) - 1
    journal = json.loads(_host_file(machine, "F:\\vmrescue\\journal.json").read_text(encoding="utf-8-sig"))
    assert journal["format"] == 2 and journal["bcd"] and journal["registry"]


def _check(tmp_path: Path, machine: Path, store: str, language: str) -> None:
    with running_simulator(machine, language=language) as sim:
        rc, results, output = _run(tmp_path, sim.inventory_path, store)
        names = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
    assert rc == 0, output
    assert names == EXPECTED_COMMANDS, names
    _confirm_on_disk(machine, store, results)
    described = {o["guid"]: o for o in results["r_bcd_info"]["objects"]}
    assert described[BOOTMGR]["elements"]["timeout"] == 10
    assert described[results["r_bcd_info"]["default"]]["elements"]["description"] == "Rescued 'it''s' $(x) {y}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("generation", [1, 2])
def test_four_phases_in_every_language(tmp_path, generation, language):
    machine, store = _machine(tmp_path, generation)
    _check(tmp_path, machine, store, language)


def _real(name: str) -> Path:
    path = DATA / "hives" / name
    if not path.exists():
        pytest.skip(f"real hives not available at {DATA / 'hives'}")
    return path


@pytest.mark.parametrize("generation,store_name", [(1, "bcd/windeploy-bios-BCD"), (2, "bcd/regipy-uefi-BCD"),
                                                   (2, "bcd/winefi-esp/EFI/Microsoft/Boot/BCD")])
def test_real_store_and_system_hive(tmp_path, generation, store_name):
    system = tmp_path / "SYSTEM"
    system.write_bytes(lzma.decompress(_real("system/regipy-SYSTEM.xz").read_bytes()))
    machine, store = _machine(tmp_path, generation, bcd=_real(store_name), system=system)
    _check(tmp_path, machine, store, "en-US")


# Catalogue command 3 is the first bcd-write, 8 the first registry-write of core_modules.yml. kill@N:S stops the
# command after its S-th top-level statement: 9 = after the first bcdedit change; 13 = right after reg load; 14 =
# after the first reg add. unload-denied@NxK refuses K unloads (all three attempts): a store or hive left loaded fails
# the task.
@pytest.mark.parametrize("fault,fails", [("kill@3:9", True), ("kill@8:13", True), ("kill@8:14", True),
                                         ("unload-denied@8x3", True), ("unload-denied@3x3", True)])
def test_fault_in_a_write_is_cleaned_up_by_the_next_run_which_converges(tmp_path, fault, fails):
    machine, store = _machine(tmp_path, 1)
    with running_simulator(machine, faults=[fault]) as sim:
        first_rc, _results, first_output = _run(tmp_path, sim.inventory_path, store)
        rc, results, output = _run(tmp_path, sim.inventory_path, store, CONVERGE)
        names = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
    assert (first_rc != 0) == fails, first_output
    assert rc == 0, output
    assert not results["r_bcd_check"]["changed"] and not results["r_reg_check"]["changed"], output
    # the checks at the end find nothing left loaded: every stale mount was cleaned by the re-run's first read
    assert not any("interrupted run" in w for name in ("r_bcd_check", "r_reg_check")
                   for w in results[name].get("warnings", [])), output
    assert names[-2:] == ["bcd-read", "registry-read"]
    _confirm_on_disk(machine, store, {"r_bcd_apply": results["r_bcd_apply"]})


RESTORE = REPO_ROOT / "tests" / "e2e" / "playbooks" / "core_restore.yml"
HIVE = "F:\\Windows\\System32\\config\\SYSTEM"
# Encodings bcdedit would not write: a 4-byte integer (bcdedit writes 8) and a 12-byte boolean (bcdedit writes 1).
ODD_TIMEOUT = bytes.fromhex("1e000000")
ODD_BOOLEAN = bytes.fromhex("010000000400000001000000")


def _set_element(store: Path, guid: str, code: str, data: bytes) -> None:
    import hivex      # pylint: disable=import-outside-toplevel  # Debian's binding; only this test writes hives
    hive = hivex.Hivex(str(store), write=True)
    node = hive.root()
    for name in ("Objects", guid, "Elements"):
        node = next(child for child in hive.node_children(node) if hive.node_name(child).lower() == name.lower())
    element = next((c for c in hive.node_children(node) if hive.node_name(c).lower() == code), None)
    if element is None:
        element = hive.node_add_child(node, code)
    hive.node_set_value(element, {"key": "Element", "t": 3, "value": data})
    hive.commit(None)


def _snapshot(hive: RegistryHive, path: str) -> dict[str, object]:
    """Every key below ``path`` with every value's regipy type and data (the data decoded the same way each time)."""
    out: dict[str, object] = {}
    try:
        key = hive.get_key(path)
    except Exception:     # regipy raises its own not-found errors
        return out
    out[path.lower()] = sorted((v.name, v.value_type, repr(v.value)) for v in key.iter_values())
    for sub in key.iter_subkeys():
        out.update(_snapshot(hive, f"{path}\\{sub.name}"))
    return out


def _state(machine: Path, store: str, sets: list[str]) -> tuple[dict[str, object], dict[str, object]]:
    bcd = _snapshot(RegistryHive(str(_host_file(machine, store))), "\\Objects")
    system = RegistryHive(str(_host_file(machine, HIVE)))
    registry: dict[str, object] = {}
    for cs in sets:
        for key in (f"\\{cs}\\Control\\CrashControl", f"\\{cs}\\Services\\vmrescue_test"):
            registry[key.lower()] = _snapshot(system, key)
    return bcd, registry


@pytest.mark.parametrize("generation", [1, 2])
def test_journal_restore_puts_back_original_types_and_bytes(tmp_path, generation):
    machine, store = _machine(tmp_path, generation)
    store_file = _host_file(machine, store)
    loader = RegistryHive(str(store_file)).get_key(f"\\Objects\\{BOOTMGR}\\Elements\\23000003")
    loader_guid = next(v.value for v in loader.iter_values() if v.name == "Element").lower()
    _set_element(store_file, BOOTMGR, "25000004", ODD_TIMEOUT)
    _set_element(store_file, loader_guid, "16000048", ODD_BOOLEAN)
    system = RegistryHive(str(_host_file(machine, HIVE)))
    sets = [k.name for k in system.get_key("\\").iter_subkeys() if k.name.lower().startswith("controlset")]
    original = _state(machine, store, sets)
    with running_simulator(machine) as sim:
        rc, _applied, output = _run(tmp_path, sim.inventory_path, store)
        assert rc == 0, output
        assert _state(machine, store, sets) != original     # the first run changed what the journal recorded
        start = len([c for c in sim.commands() if c["kind"] == "catalogue"])
        rc, results, output = _run(tmp_path, sim.inventory_path, store, RESTORE)
        names = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"][start:]
    assert rc == 0, output
    bcd_now, registry_now = _state(machine, store, sets)
    assert bcd_now == original[0]
    assert registry_now == original[1]
    restored = {(r["guid"], r["element"]): r for r in results["r_bcd_restore"]["restored"]}
    assert restored[(BOOTMGR, "25000004")]["method"] == "reg"
    assert restored[(BOOTMGR, "25000004")]["after"] == {"type": "REG_BINARY", "data": ODD_TIMEOUT.hex()}
    assert restored[(loader_guid, "16000048")]["method"] == "reg"
    assert {r["method"] for r in restored.values()} == {"bcdedit", "reg"}, restored
    assert results["r_bcd_check"]["changed"] and results["r_bcd_restore"]["changed"]
    assert not results["r_bcd_restore2"]["changed"]
    assert results["r_reg_check"]["changed"] and results["r_reg_restore"]["changed"]
    assert not results["r_reg_restore2"]["changed"]
    assert names == (["bcd-read", "bcd-read", "bcd-write", "bcd-read"]
                     + ["registry-journal", "registry-read", "registry-journal", "registry-read", "registry-write",
                        "registry-journal", "registry-read"]), names
