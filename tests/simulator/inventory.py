"""The INI inventory ``serve --inventory-out`` writes for ansible (WinRM, Basic auth, validated TLS)."""

from __future__ import annotations

import os
from pathlib import Path

GROUP = "windows"
HOST_NAME = "simulator"


def _quote(value: str) -> str:
    # INI inventory values are parsed with shlex: single quotes keep spaces and '#' literal.
    return "'" + value.replace("'", "'\"'\"'") + "'"


def write_inventory(path: Path, *, host: str, port: int, scheme: str, username: str, password: str,
                    ca_path: Path | None) -> None:
    variables = {
        "ansible_host": host,
        "ansible_port": str(port),
        "ansible_connection": "winrm",
        "ansible_winrm_transport": "basic",
        "ansible_winrm_scheme": scheme,
        "ansible_user": username,
        "ansible_password": password,
    }
    if scheme == "https":
        if ca_path is None:
            raise ValueError("an https inventory needs the CA file clients validate against")
        variables["ansible_winrm_ca_trust_path"] = str(ca_path)
    line = " ".join(f"{name}={_quote(value)}" for name, value in variables.items())
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(f"[{GROUP}]\n{HOST_NAME} {line}\n", encoding="utf-8")
    os.replace(temporary, path)   # readers never see half an inventory
