"""A broken disk whose identity collides with the recovery VM's (the recovery VM made from the same image), Gen1
(MBR signature) and Gen2 (GPT disk GUID), through critical_service_repair.yml against the simulator:

- ``--check`` leaves every disk's identity unchanged;
- a real run ends with the attached disk's identity as it was and every temporary change undone (no record left);
- every BCD device element of the broken disk's store still resolves to the broken disk's partitions, read with
  regipy and machine.json (the decoding here follows bcd-and-registry.md §1 and shares no code with the simulator);
- a run killed at each catalogue command converges on re-run to the fault-free end state.
"""

from __future__ import annotations

import json
import struct
import uuid
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.e2e.test_playbooks_support import assert_ok, broken_disk, run_playbook
from tests.simulator.fixture import build, running_simulator
from tests.simulator.inventory import HOST_NAME as HOST
from tests.simulator.windows.machine import Machine

pytestmark = pytest.mark.slow
RECORD = Path("C") / "ProgramData" / "vmrescue" / "temporary-changes.json"
DEVICE_ELEMENTS = ("11000001", "21000001")          # device, osdevice
PHASES = {"vmrescue_hosts": "windows", "vmrescue_phases": ["discover"]}
# The catalogue commands of one fault-free discover-only run, in order (checked by test_a_real_run_...): the run lock
# is taken before the hives are read and released before the disk's temporary state is put back; release reads the
# store first to prove its device elements still name the disk (bcd-read).
COMMANDS = {
    1: ["disk-discovery", "disk-prepare", "lock-read", "lock-create", "registry-read", "registry-read", "lock-read",
        "lock-release", "bcd-read", "partition-letters", "release-letters"],
    2: ["disk-discovery", "disk-prepare", "assign-boot-letter", "lock-read", "lock-create", "registry-read",
        "registry-read", "lock-read", "lock-release", "bcd-read", "partition-letters", "release-letters"],
}
# Kill points inside the commands that make several changes (top-level statements: begin marker, pipeline, abort
# test, end marker per step): disk-prepare after the record (6), after the identity change (10), after onlining (14);
# release-letters after its first and second change.
INNER_KILLS = {"disk-prepare": (6, 10, 14), "assign-boot-letter": (6, 10), "release-letters": (3, 7)}


def _machine(tmp_path: Path, generation: int) -> Path:
    machine = tmp_path / "machine"
    build(machine, generation=generation, scenario="offline-disk")
    return machine


def identities(machine: Path) -> list[tuple[int, object, object, bool]]:
    disks = json.loads((machine / "machine.json").read_text())["disks"]
    return [(d["number"], d["signature"], d["guid"], d["offline"]) for d in disks]


def end_state(machine: Path) -> dict:
    disks = json.loads((machine / "machine.json").read_text())["disks"]
    return {"disks": identities(machine), "record": (machine / RECORD).exists(),
            "letters": [(d["number"], p["number"], p["letter"]) for d in disks for p in d["partitions"]]}


def _device(blob: bytes) -> tuple:
    """A partition device element: ("GPT", disk guid, partition guid) or ("MBR", signature, offset)."""
    assert len(blob) == 0x58 and struct.unpack_from("<I", blob, 0x10)[0] == 6, blob.hex()
    if struct.unpack_from("<I", blob, 0x34)[0] == 0:
        return ("GPT", str(uuid.UUID(bytes_le=blob[0x38:0x48])), str(uuid.UUID(bytes_le=blob[0x20:0x30])))
    return ("MBR", struct.unpack_from("<I", blob, 0x38)[0], struct.unpack_from("<Q", blob, 0x20)[0])


def store_devices(store: Path) -> list[tuple]:
    """Every device/osdevice element of the store, decoded."""
    found = []
    for key in RegistryHive(str(store)).recurse_subkeys(as_json=False):
        parts = key.path.lower().split("\\")
        if len(parts) < 2 or parts[-2] != "elements" or parts[-1] not in DEVICE_ELEMENTS:
            continue
        for value in key.values:
            if value.name == "Element":
                data = value.value if isinstance(value.value, bytes) else bytes.fromhex(value.value)
                found.append(_device(data))
    return found


def broken_disk_partitions(machine: Path) -> set[tuple]:
    """What the attached disk's partitions are called by device elements, from machine.json."""
    disk = next(d for d in json.loads((machine / "machine.json").read_text())["disks"] if not d["is_system"])
    if disk["partition_style"] == "GPT":
        return {("GPT", disk["guid"].strip("{}").lower(), p["guid"].strip("{}").lower()) for p in disk["partitions"]}
    return {("MBR", disk["signature"], p["offset"]) for p in disk["partitions"]}


def assert_devices_resolve(machine: Path) -> None:
    devices = store_devices(broken_disk(machine).bcd)
    assert len(devices) >= 2, devices
    assert set(devices) <= broken_disk_partitions(machine), (devices, broken_disk_partitions(machine))


@pytest.mark.parametrize("generation", [1, 2])
def test_check_mode_leaves_every_identity_unchanged(tmp_path, generation):
    machine = _machine(tmp_path, generation)
    before = identities(machine)
    with running_simulator(machine) as sim:
        run = run_playbook("critical_service_repair.yml", sim.inventory_path, PHASES, check=True)
        commands = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
    assert_ok(run, HOST, changed=None)
    assert identities(machine) == before and not (machine / RECORD).exists()
    assert commands == ["disk-discovery"]
    assert "temporary" in run.output and "new identity" in run.output


@pytest.mark.parametrize("generation", [1, 2])
def test_a_real_run_keeps_the_attached_identity_and_undoes_every_temporary_change(tmp_path, generation):
    machine = _machine(tmp_path, generation)
    before = end_state(machine)
    assert before["disks"][1][3] and before["disks"][1][1:3] == before["disks"][0][1:3]     # offline, colliding
    assert_devices_resolve(machine)
    with running_simulator(machine) as sim:
        run = run_playbook("critical_service_repair.yml", sim.inventory_path, PHASES)
        commands = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
    assert_ok(run, HOST, changed=None)
    assert commands == COMMANDS[generation]
    assert end_state(machine) == before
    assert_devices_resolve(machine)


@pytest.mark.parametrize("generation", [1, 2])
def test_a_full_repair_on_a_colliding_disk(tmp_path, generation):
    """discover, backup, enable_dump: the store was written while the disk was online under its own identity."""
    machine = _machine(tmp_path, generation)
    before = end_state(machine)
    bcd_before = broken_disk(machine).bcd.read_bytes()
    with running_simulator(machine) as sim:
        run = run_playbook("critical_service_repair.yml", sim.inventory_path, {"vmrescue_hosts": "windows"})
        again = run_playbook("critical_service_repair.yml", sim.inventory_path, {"vmrescue_hosts": "windows"})
    assert_ok(run, HOST, changed=True)
    assert_ok(again, HOST, changed=False)           # the temporary changes are no lasting change
    assert end_state(machine) == before
    assert broken_disk(machine).bcd.read_bytes() != bcd_before
    assert_devices_resolve(machine)


@pytest.mark.parametrize("generation", [1, 2])
def test_release_fails_when_windows_re_signed_the_disk(tmp_path, generation):
    """The trap all this avoids, made on purpose: the colliding disk brought online directly gets a new identity, and
    offline_disk_release's device check names the elements that no longer find their partitions."""
    machine = _machine(tmp_path, generation)
    Machine.load(machine).set_disk_offline(1, False)          # Windows re-signs it
    assert identities(machine)[1][1:3] != identities(machine)[0][1:3]
    playbook = tmp_path / "release.yml"
    playbook.write_text("""
- hosts: windows
  gather_facts: false
  tasks:
    - vmrescue.windows.offline_disk_info:
      register: found
    - vmrescue.windows.offline_disk_release:
        temporary_letters: "{{ found.temporary_letters }}"
        bcd_store: "{{ found.bcd_store }}"
""")
    with running_simulator(machine) as sim:
        run = run_playbook(str(playbook), sim.inventory_path)
    assert run.rc != 0 and "do not all name partitions" in run.output and "osdevice" in run.output, run.explain()
    # The temporary changes were put back all the same: no record, and no ESP letter left on Gen2.
    assert not (machine / RECORD).exists()
    if generation == 2:
        assert [letter for d, p, letter in end_state(machine)["letters"] if (d, p) == (1, 1)] == [None]


def _kill_cases() -> list:
    cases = []
    for generation, commands in COMMANDS.items():
        for index, name in enumerate(commands, start=1):
            for statement in (2,) + INNER_KILLS.get(name, ()):
                case_id = f"gen{generation}-{index}-{name}-{statement}"
                cases.append(pytest.param(generation, index, statement, id=case_id))
    return cases


@pytest.mark.parametrize("generation, index, statement", _kill_cases())
def test_a_run_killed_at_any_command_converges(tmp_path, generation, index, statement):
    reference = _machine(tmp_path / "reference", generation)
    expected = end_state(reference)          # a fault-free run ends where it started (checked above)
    machine = _machine(tmp_path, generation)
    with running_simulator(machine, faults=[f"kill@{index}:{statement}"]) as sim:
        run_playbook("critical_service_repair.yml", sim.inventory_path, PHASES)
    with running_simulator(machine) as sim:
        again = run_playbook("critical_service_repair.yml", sim.inventory_path, PHASES)
    assert_ok(again, HOST, changed=None)
    assert end_state(machine) == expected
    assert_devices_resolve(machine)
