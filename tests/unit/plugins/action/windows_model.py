"""Scripted answers of a recovery VM for the catalogue steps, from small models (disks, a store, a hive)."""

from __future__ import annotations

import hashlib
import json
import re
from ansible_collections.vmrescue.windows.tests.unit.plugins.scripted_host import reg_query_text

DISKS = json.dumps([{"Number": 0, "IsSystem": True, "IsBoot": True, "PartitionStyle": 1, "Signature": 0x11111111},
                    {"Number": 1, "IsSystem": False, "IsBoot": False, "PartitionStyle": 1, "Signature": 0x2222abcd}])
PARTITIONS = json.dumps([
    {"DiskNumber": 0, "PartitionNumber": 2, "DriveLetter": "C", "IsSystem": False, "IsBoot": True, "Offset": 1048576},
    {"DiskNumber": 1, "PartitionNumber": 1, "DriveLetter": "E", "IsSystem": False, "IsBoot": False, "Offset": 1048576},
    {"DiskNumber": 1, "PartitionNumber": 2, "DriveLetter": "F", "IsSystem": False, "IsBoot": False,
     "Offset": 524288000},
])
# The file keys of the journal (format 2) for E:\boot\BCD and F:\Windows\System32\config\SYSTEM on disk 1.
STORE_KEY = "mbr:2222abcd:1048576|boot\\bcd"
SYSTEM_KEY = "mbr:2222abcd:524288000|windows\\system32\\config\\system"
BOOTMGR = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}"
LOADER = "{11111111-2222-3333-4444-555555555555}"


def store_objects(mount: str, bootmgr: dict[str, tuple[str, str]], loader: dict[str, tuple[str, str]]) -> list[str]:
    """reg query ...\\Objects /s of a store with a boot manager and one loader ({code: (REG_TYPE, data)})."""
    keys: dict[str, dict[str, tuple[str, str]]] = {}
    for guid, object_type, elements in ((BOOTMGR, 0x10100002, bootmgr), (LOADER, 0x10200003, loader)):
        base = f"HKEY_LOCAL_MACHINE\\{mount}\\Objects\\{guid}"
        keys[base] = {}
        keys[base + "\\Description"] = {"Type": ("REG_DWORD", f"0x{object_type:x}")}
        keys[base + "\\Elements"] = {}
        for code, value in elements.items():
            keys[f"{base}\\Elements\\{code}"] = {"Element": value}
    return reg_query_text(keys)


class Windows:
    """Answers by step name; ``overrides`` maps a step name (regex) to (lines, rc)."""

    def __init__(self, outputs: dict[str, tuple[list[str], int | None]], exists: bool = True,
                 journal: str | None = None) -> None:
        self.outputs = outputs
        self.exists = exists
        self.journal = journal
        self.seen: list[tuple[str, str]] = []

    def __call__(self, step: str, line: str) -> tuple[list[str], int | None]:
        self.seen.append((step, line))
        for pattern, answer in self.outputs.items():
            if re.fullmatch(pattern, step):
                return answer
        if step == "exists":
            return [str(self.exists)], None
        if step == "disks":
            return [DISKS], None
        if step == "partitions":
            return [PARTITIONS], None
        if step == "journal":
            return ([self.journal] if self.journal is not None else []), None
        if step == "journal-hash":
            if self.journal is None:
                return [], None
            return [json.dumps({"Hash": hashlib.sha256(self.journal.encode("utf-8")).hexdigest().upper()})], None
        if step == "journal-guard":
            return [], 0
        if step.startswith(("journal-", "verify-journal")):
            return [], None
        if re.fullmatch(r"(verify-)?probe", step):
            return ["ERROR: The system was unable to find the specified registry key or value."], 1
        if step == "load" and not self.exists:
            return ["ERROR: The system cannot find the file specified. (translated)"], 1
        if re.fullmatch(r"(verify-|raw-)?(load|unload(\.\d)?|stale-unload)", step) \
                or step.startswith(("change.", "raw-change.")):
            return ["The operation completed successfully."], 0
        raise AssertionError(f"no scripted answer for step {step!r}: {line}")


def steps_of(script: str) -> list[str]:
    return re.findall(r"@@vmr:[0-9a-f]{16}:begin:([^']+)'", script)
