"""Running the real ``ansible`` CLI against a simulator (shared by the end-to-end tests)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE = REPO_ROOT / ".venv" / "bin" / "ansible"
ACTION_PLUGINS = Path(__file__).resolve().parent / "plugins" / "action"


def run_adhoc(inventory: Path, module: str, args: str, *, timeout: float = 180) -> tuple[int, dict, str]:
    """(ansible rc, the host's result, full output) of ``ansible -i INVENTORY all -m MODULE -a ARGS``."""
    env = {
        **os.environ,
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_ACTION_PLUGINS": str(ACTION_PLUGINS),
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_LOCAL_TEMP": str(inventory.parent / "ansible-local"),
        "ANSIBLE_HOME": str(inventory.parent / "ansible-home"),
    }
    tree = Path(tempfile.mkdtemp(prefix="ansible-tree-", dir=inventory.parent))
    completed = subprocess.run([str(ANSIBLE), "-i", str(inventory), "all", "-m", module, "-a", args,
                                "--tree", str(tree)],
                               capture_output=True, text=True, env=env, timeout=timeout, cwd=inventory.parent,
                               check=False)
    output = completed.stdout + completed.stderr
    results = list(tree.iterdir())   # --tree writes one JSON file per host
    host_result = json.loads(results[0].read_text()) if len(results) == 1 else {}
    return completed.returncode, host_result, output
