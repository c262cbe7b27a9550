"""diagnosis_info through real ansible-playbook and WinRM against the simulator, whose broken disk carries real
signed drivers, a catalog store, dump headers and a boot log (build --signed-evidence, see
tests/simulator/windows/signed_evidence.py). On a crashed disk, filecrypt.sys is a real Microsoft driver with one
flipped byte; on a clean disk every boot-critical driver is validly signed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_repair_modules import _play
from tests.simulator.fixture import build, running_simulator
from tests.simulator.windows.i18n import LANGUAGES
from tests.unit.plugins.hive_text import DATA

SIGNING = DATA / "signing"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (SIGNING / "pciide.sys").exists(), reason=f"real signed samples not at {SIGNING}")]


def _diagnose(tmp_path: Path, inventory: Path, store: Path, extra: str = "") -> dict:
    rc, results, output = _play(tmp_path, inventory, f"""
        - vmrescue.windows.diagnosis_info:
            windows_drive: 'F:'
            evidence_store: {store}{extra}
          register: r_diagnosis
""")
    assert rc == 0, output
    return results["r_diagnosis"]


def _machine(tmp_path: Path, name: str, scenario: str) -> Path:
    machine = tmp_path / name
    build(machine, scenario=scenario, signed_evidence=SIGNING)
    return machine


def test_the_planted_driver_is_named_first_in_every_language_and_a_second_host_moves_no_file(tmp_path):
    machine, store = _machine(tmp_path, "crashed", "critical-service-failed"), tmp_path / "store"
    for number, language in enumerate(LANGUAGES):
        with running_simulator(machine, language=language) as sim:
            result = _diagnose(tmp_path, sim.inventory_path, store)
            catalogue = [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
        diagnosis = result["diagnosis"]
        assert (diagnosis["bugcheck"]["bugcheck_name"], diagnosis["bugcheck"]["load_status_name"]) == (
            "CRITICAL_SERVICE_FAILED", "STATUS_INVALID_IMAGE_HASH"), language
        first = diagnosis["suspects"][0]
        assert (first["service"], [e["kind"] for e in first["evidence"]]) == (
            "FileCrypt", ["signature", "boot-log"] + ["event-log"] * 4), language
        assert first["evidence"][0]["verdict"] == "digest-mismatch"
        # The boot a day before the crash: SCM 7026 and 7000 (%%577), Code Integrity 3004 and 3077 (0xC0000428); the
        # older boot's 7000 for storvsc does not count.
        logged = [(e["log"], e["id"], e.get("error") or e.get("status")) for e in first["evidence"][2:]]
        assert logged == [("code-integrity", 3004, None), ("code-integrity", 3077, "0xC0000428"),
                          ("system", 7026, None), ("system", 7000, "%%577")], logged
        assert diagnosis["event_logs"]["last_recorded_boot"] == "2024-07-18T09:00:05.000Z"
        assert diagnosis["free_space"]["status"] == "ok" and diagnosis["free_space"]["memory_source"] == "dump-header"
        assert [s["service"] for s in diagnosis["suspects"]] == ["FileCrypt"], language
        assert diagnosis["recommendation"]["action"] == "swap-driver"
        verdicts = {d["service"]: d["signature"]["verdict"] for d in result["drivers"]}
        assert verdicts == {"CNG": "embedded", "disk": "embedded", "FileCrypt": "digest-mismatch",
                            "storvsc": "embedded", "volmgr": "catalog"}
        transfer = result["transfer"]
        # The simulator's own log: the three catalogue commands, nothing else of the collection's.
        assert catalogue == ["registry-read", "diagnosis-evidence", "diagnosis-hashes"], catalogue
        assert transfer["remote_commands"] == 3
        if number == 0:
            assert transfer["fetched"] > 0 and transfer["fetched_bytes"] > 0
        else:   # the same image again: every file is already held by its SHA-256
            assert (transfer["fetched"], transfer["fetched_bytes"]) == (0, 0), transfer


def test_a_healthy_disk_with_the_real_signed_samples_has_no_suspect(tmp_path):
    machine = _machine(tmp_path, "clean", "clean")
    with running_simulator(machine) as sim:
        result = _diagnose(tmp_path, sim.inventory_path, tmp_path / "store", "\n            vm_memory_mb: 4194304")
    assert result["diagnosis"]["suspects"] == []
    assert result["diagnosis"]["bugcheck"] is None
    # Both logs are there, with entries of the IDs read (a 7000 for Spooler, a 3004 for a DLL): none names a driver.
    logs = result["diagnosis"]["event_logs"]
    assert logs["logs"] == {"system": True, "code-integrity": True} and logs["entries_counted"] == 1, logs
    # No dump records the memory size: the operator's size is used, and 4 TiB does not fit.
    assert result["diagnosis"]["free_space"]["memory_source"] == "vm_memory_mb"
    assert result["diagnosis"]["free_space"]["status"] == "low"
    assert result["diagnosis"]["warnings"] == [result["diagnosis"]["free_space"]["text"]]
    assert {d["signature"]["verdict"] for d in result["drivers"]} == {"embedded", "catalog"}


def _host_block(output: str, host: str, marker: str) -> str:
    """The debug message of ``host`` that contains ``marker`` (several hosts print their blocks in any order)."""
    for block in output.split(f"ok: [{host}] => ")[1:]:
        block = block.split("\n}\n", 1)[0]
        if marker in block:
            return block
    return ""


def test_the_diagnose_phase_of_the_repair_playbook_names_the_driver_in_every_language(tmp_path):
    """One ansible-playbook run, one crashed machine and simulator per display language (a host each): every host
    names FileCrypt first, with its evidence, in its own summary and in the fleet summary. A healthy host with more
    memory than its volume has room for (diagnose_vm_memory_mb) names no suspect and shows the free-space warning."""
    import contextlib

    from tests.e2e.test_playbooks_support import run_playbook, write_inventory

    hosts = {f"rescue-{language.lower()}": language for language in LANGUAGES}
    with contextlib.ExitStack() as stack:
        simulators = {name: stack.enter_context(running_simulator(
            _machine(tmp_path, name, "critical-service-failed"), language=language))
            for name, language in hosts.items()}
        simulators["rescue-healthy"] = stack.enter_context(running_simulator(_machine(tmp_path, "healthy", "clean")))
        inventory = write_inventory(tmp_path / "languages.ini", {n: s.inventory_path for n, s in simulators.items()})
        # 4 TiB of memory on the healthy host only: its disk has no dump header to say the real size.
        lines = inventory.read_text(encoding="utf-8").splitlines()
        inventory.write_text("\n".join(line + " diagnose_vm_memory_mb=4194304" if line.startswith("rescue-healthy ")
                                       else line for line in lines) + "\n", encoding="utf-8")
        extra = {"vmrescue_phases": "discover,diagnose", "diagnose_evidence_store": str(tmp_path / "store")}
        run = run_playbook("critical_service_repair.yml", inventory, extra, forks=len(hosts))
        catalogue = {name: [c["name"] for c in sim.commands() if c["kind"] == "catalogue"]
                     for name, sim in simulators.items()}
    assert run.rc == 0, run.explain()
    for name, language in hosts.items():
        shown = _host_block(run.output, name, "Suspects: ")
        assert "Suspects: FileCrypt: signature+boot-log+event-log\"" in shown, (language, shown or run.explain())
        assert "CRITICAL_SERVICE_FAILED (0xC0000428 STATUS_INVALID_IMAGE_HASH)" in shown, language
        summary = _host_block(run.output, name, "Diagnosis: ")
        assert "Diagnosis: CRITICAL_SERVICE_FAILED, suspects FileCrypt - Replace" in summary, (language, summary)
        assert f"{name}: done; suspects: FileCrypt\"" in run.output, (language, run.explain())   # the fleet summary
        assert catalogue[name].count("diagnosis-evidence") == 1 and catalogue[name].count("diagnosis-hashes") == 1
        assert "WARNING: " not in summary, (language, summary)
    healthy = _host_block(run.output, "rescue-healthy", "Diagnosis: ")
    assert "suspects none" in healthy and "WARNING: The Windows volume has" in healthy and "less than" in healthy, healthy
    assert all(counts["changed"] == 0 for counts in run.recap.values()), run.recap


def _disk_files(machine: Path) -> dict[str, str]:
    """SHA-256 of every file of the broken disk's volumes, except what the run itself keeps there (backup, lock)."""
    import hashlib

    return {str(path.relative_to(machine)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(machine.rglob("*")) if path.is_file() and path.relative_to(machine).parts[0] != "C"
            and "vmrescue" not in str(path.relative_to(machine)).lower() and path.name != "machine.json"}


def _swap_auto(tmp_path: Path, machine: Path, source: bytes):
    from tests.e2e.test_playbooks_support import run_playbook

    (machine / "C" / "known-good").mkdir(parents=True)
    (machine / "C" / "known-good" / "filecrypt.sys").write_bytes(source)
    extra = {"vmrescue_phases": "safeboot,swap", "vmrescue_hosts": "all", "safeboot_driver_swap_drivers": "auto",
             "safeboot_driver_swap_source_dir": "C:\\known-good", "diagnose_evidence_store": str(tmp_path / "store")}
    with running_simulator(machine) as sim:
        return run_playbook("critical_service_repair.yml", sim.inventory_path, extra)


def test_swap_auto_replaces_exactly_the_suspect_with_its_verified_signed_copy(tmp_path):
    machine = _machine(tmp_path, "crashed", "critical-service-failed")
    drivers = machine / "F" / "Windows" / "System32" / "drivers"
    others = {path.name: path.read_bytes() for path in drivers.iterdir() if path.name != "filecrypt.sys"}
    good = (SIGNING / "pciide.sys").read_bytes()
    run = _swap_auto(tmp_path, machine, good)
    assert run.rc == 0, run.explain()
    assert (drivers / "filecrypt.sys").read_bytes() == good
    assert {path.name: path.read_bytes() for path in drivers.iterdir() if path.name != "filecrypt.sys"} == others


def _refused(tmp_path: Path, machine: Path, source: bytes, reason: str) -> None:
    before = _disk_files(machine)
    run = _swap_auto(tmp_path, machine, source)
    assert run.rc != 0, run.explain()
    assert reason in run.output and "Nothing was changed by safe mode or the driver swap" in run.output, run.explain()
    assert _disk_files(machine) == before


def test_swap_auto_refuses_an_unsigned_copy_and_leaves_the_disk_unchanged(tmp_path):
    from tests.simulator.windows.pefile_min import build_driver_image

    machine = _machine(tmp_path, "crashed", "critical-service-failed")
    _refused(tmp_path, machine, build_driver_image("filecrypt.sys"), "the replacement is not validly signed")


def test_swap_auto_refuses_an_older_copy_and_leaves_the_disk_unchanged(tmp_path):
    machine = _machine(tmp_path, "crashed", "critical-service-failed")
    newer = bytearray((SIGNING / "DXCore.dll").read_bytes())     # 10.0.26100.4768, signed; one byte flipped
    newer[0x800] ^= 0x01
    (machine / "F" / "Windows" / "System32" / "drivers" / "filecrypt.sys").write_bytes(bytes(newer))
    _refused(tmp_path, machine, (SIGNING / "pciide.sys").read_bytes(), "is older than the current 10.0.26100.4768")


@pytest.mark.parametrize("generation, warned", [(2, True), (1, False)])
def test_debug_boot_warns_that_secure_boot_ignores_the_integrity_options_on_generation_2(tmp_path, generation, warned):
    from tests.e2e.test_playbooks_support import run_playbook

    machine = tmp_path / "machine"
    build(machine, generation=generation)
    with running_simulator(machine) as sim:
        run = run_playbook("enable_dump.yml", sim.inventory_path, {"enable_dump_debug_boot": True, "vmrescue_hosts": "all"},
                           check=True)
    assert run.rc == 0, run.explain()
    assert ("nointegritychecks and testsigning have no effect (Secure Boot blocks them)" in run.output) is warned
