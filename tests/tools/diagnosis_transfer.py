"""Measure what diagnosis_info costs on a first host and on a second host of the same image.

    python -m tests.tools.diagnosis_transfer [--signing ../shared/data/signing]

Builds two simulator machines from the same image (the critical-service-failed scenario with real signed files,
``build --signed-evidence``), runs ``diagnosis_info`` on each with one shared evidence store, and prints per host the
module's own ``transfer`` figures and the commands the simulator logged by kind (``catalogue`` = the collection's
commands, ``ansible-internal`` = ansible-core's file transfers).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.simulator.fixture import build, running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signing", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "signing")
    args = parser.parse_args()
    # The collection as this checkout (the link tree conftest.py keeps), as tests.tools.roundtrips does.
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(REPO_ROOT / ".cache" / "collections"), "ANSIBLE_NOCOLOR": "1"}
    with tempfile.TemporaryDirectory(prefix="vmrescue-diagnosis-") as scratch:
        root = Path(scratch)
        out = root / "transfer.json"
        play = root / "play.yml"
        play.write_text(f"""
- hosts: all
  gather_facts: false
  tasks:
    - vmrescue.windows.diagnosis_info: {{windows_drive: 'F:', evidence_store: '{root / "store"}'}}
      register: r
    - ansible.builtin.copy: {{content: "{{{{ r.transfer | to_json }}}}", dest: '{out}'}}
      delegate_to: localhost
""")
        for host in ("first host", "second host, same image"):
            machine = root / host.split(",", maxsplit=1)[0].replace(" ", "-")
            build(machine, signed_evidence=args.signing)
            with running_simulator(machine) as sim:
                subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(sim.inventory_path), str(play)], cwd=REPO_ROOT,
                               capture_output=True, check=True, env=env)
                kinds = dict(collections.Counter(command["kind"] for command in sim.commands()))
            print(f"{host}: transfer {json.loads(out.read_text())}; simulator log {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
