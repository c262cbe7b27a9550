"""Check a simulated machine after the default repair phases, reading its host files with regipy only.

Usage: python verify_machine.py MACHINE_DIR   (exit 0 when every value is what the article asks for, else 1)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from regipy.registry import RegistryHive

BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
EMSSETTINGS = "{0ce4991b-e6b3-4b16-b23c-5e0d9250e5d9}"
EXPECTED_BOOTMGR = {"26000020": 1, "25000004": 10, "16000020": 1}     # displaybootmenu, timeout, bootems
EXPECTED_LOADER = {"260000b0": 1}                                       # ems
EXPECTED_EMS = {"15000022": 1, "15000023": 115200}                      # emsport, emsbaudrate
EXPECTED_CRASH = {"CrashDumpEnabled": ("REG_DWORD", 2), "DumpFile": ("REG_EXPAND_SZ", "%SystemRoot%\\MEMORY.DMP"),
                  "NMICrashDump": ("REG_DWORD", 1), "AutoReboot": ("REG_DWORD", 0)}


def _element(hive: RegistryHive, guid: str, code: str) -> int | None:
    try:
        key = hive.get_key(f"\\Objects\\{guid}\\Elements\\{code}")
    except Exception:
        return None
    value = next(v.value for v in key.get_values() if v.name == "Element")
    return int.from_bytes(value, "little") if isinstance(value, bytes) else value


def _broken_disk_files(machine_dir: Path) -> tuple[Path, Path]:
    machine = json.loads((machine_dir / "machine.json").read_text(encoding="utf-8"))
    system = store = None
    for disk in machine["disks"]:
        if disk["is_system"] or disk["is_boot"]:
            continue
        for partition in disk["partitions"]:
            volume = machine_dir / (partition.get("volume_dir") or "-")
            if (volume / "Windows/System32/config/SYSTEM").is_file():
                system = volume / "Windows/System32/config/SYSTEM"
            for candidate in (volume / "EFI/Microsoft/Boot/BCD", volume / "boot/BCD"):
                if candidate.is_file():
                    store = candidate
    if system is None or store is None:
        raise SystemExit(f"no broken disk in {machine_dir}")
    return store, system


def main(machine_dir: Path) -> list[str]:
    store_file, system_file = _broken_disk_files(machine_dir)
    store = RegistryHive(str(store_file))
    problems = []
    default = next(v.value for v in store.get_key(f"\\Objects\\{BOOTMGR}\\Elements\\23000003").get_values()).lower()
    for guid, expected in ((BOOTMGR, EXPECTED_BOOTMGR), (default, EXPECTED_LOADER), (EMSSETTINGS, EXPECTED_EMS)):
        for code, value in expected.items():
            found = _element(store, guid, code)
            if found != value:
                problems.append(f"BCD {guid} element {code}: {found!r}, expected {value!r}")
    system = RegistryHive(str(system_file))
    sets = [k.name for k in system.get_key("\\").iter_subkeys() if re.fullmatch(r"ControlSet\d{3}", k.name)]
    for control_set in sets:
        values = {v.name: (v.value_type, v.value) for v in system.get_key(f"\\{control_set}\\Control\\CrashControl").get_values()}
        for name, expected in EXPECTED_CRASH.items():
            if values.get(name) != expected:
                problems.append(f"{control_set}\\Control\\CrashControl\\{name}: {values.get(name)!r}, expected {expected!r}")
    return problems


if __name__ == "__main__":
    found_problems = main(Path(sys.argv[1]))
    for problem in found_problems:
        print(problem, file=sys.stderr)
    sys.exit(1 if found_problems else 0)
