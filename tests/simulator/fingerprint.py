"""The ``--fingerprint-log FILE`` hook: the machine's whole state after each top-level statement of each catalogue
command, one JSON line each. Off unless asked; the fault-matrix test (tests/e2e/test_fault_matrix.py) uses it.

A kill after statement S of command N (``kill@N:S``) leaves the machine as it is right after statement S. The
fingerprint is that state:

- every file of the machine directory (SHA-256): volumes, machine.json (letters, disk identities), acls.json;
- the hives mounted by ``reg load`` (state that is not on disk, kept by the simulator process between commands):
  name, file, writability and, once changed, their pending content walked key by key (hivex commits it to the file
  only at ``reg unload``). The killed PowerShell process itself leaves nothing behind: the simulator runs no other
  process and keeps no other state between commands.

What the client receives from the killed process (its output so far) is recorded apart, as ``output``: it is not part
of the machine's state. Whether the collection reacts the same to two kill points of equal state but different
partial output is the premise the fault-matrix test checks by running sampled equal-state points too.

Each line: ``{"command": N, "name": …, "statement": S, "fingerprint": sha256, "output": sha256,
"loaded_hives": […]}``; ``loaded_hives`` names the mounts in clear so a test can see, from the model itself, whether
any is left loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

import hivex


def file_hashes(machine_dir: Path) -> dict[str, str]:
    return {str(path.relative_to(machine_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(machine_dir.rglob("*")) if path.is_file() and not path.is_symlink()}


def hive_content_digest(hive: hivex.Hivex) -> str:
    """Digest of every key name and value (name, type, raw bytes) of an open hive, depth first."""
    digest = hashlib.sha256()

    def walk(node: int, depth: int) -> None:
        digest.update(f"k{depth}:{hive.node_name(node)}\0".encode("utf-8", "surrogatepass"))
        for value in hive.node_values(node):
            kind, data = hive.value_value(value)
            digest.update(f"v:{hive.value_key(value)}\0{kind}\0".encode("utf-8", "surrogatepass") + data)
        for child in hive.node_children(node):
            walk(child, depth + 1)

    walk(hive.root(), 0)
    return digest.hexdigest()


def loaded_hives(machine: Any) -> list[dict[str, Any]]:
    """The hives ``reg load`` mounted (not the running system's own), as the registry model holds them."""
    mounts = []
    for mount in machine.registry.user_mounts():
        entry = {"root": mount.root, "name": mount.name, "writable": mount.writable, "modified": mount.modified,
                 "file": os.path.relpath(mount.host_path, machine.dir) if mount.host_path else None}
        if mount.modified and mount.handle is not None:
            entry["pending"] = hive_content_digest(mount.handle)
        mounts.append(entry)
    return mounts


def machine_fingerprint(machine: Any) -> tuple[str, list[dict[str, Any]]]:
    """SHA-256 of the machine's whole state, and the loaded hives it includes."""
    hives = loaded_hives(machine)
    state = {"files": file_hashes(machine.dir), "hives": hives}
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode("utf-8")).hexdigest(), hives


class FingerprintLog:
    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()

    def after_statement(self, machine: Any, command_index: int, name: str | None):
        """The callback run_powershell calls after each top-level statement: (statement number, output so far)."""
        def record(statement: int, output: bytes) -> None:
            fingerprint, hives = machine_fingerprint(machine)
            line = {"command": command_index, "name": name, "statement": statement, "fingerprint": fingerprint,
                    "output": hashlib.sha256(output).hexdigest(), "loaded_hives": hives}
            with self._lock, self._path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
        return record


def read_fingerprints(path: Path) -> list[dict[str, Any]]:
    if not Path(path).exists():
        return []
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
