#!/usr/bin/env bash
# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# The README's first command: build a fresh simulated recovery VM with a broken Gen2 disk attached (bugcheck 0x5A
# CRITICAL_SERVICE_FAILED), start the simulator, and run the critical_service_repair playbook against it.
#
#   tools/demo.sh [MACHINE_DIR] [extra ansible-playbook arguments…]
#   e.g. tools/demo.sh demo-machine -e vmrescue_phases=discover,backup,enable_dump --diff
#
# Environment: VMRESCUE_DEMO_GENERATION (1 or 2, default 2), VMRESCUE_DEMO_LANGUAGE (default en-US).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$("$repo_root/tools/setup-env.sh" | tail -n 1)"
machine_dir="$(realpath -m "${1:-$repo_root/demo-machine}")"
shift $(( $# > 0 ? 1 : 0 ))
state_dir="$(mktemp -d "${TMPDIR:-/tmp}/vmrescue-demo.XXXXXX")"
simulator_pid=""

cleanup() {
  if [[ -n "$simulator_pid" ]] && kill -0 "$simulator_pid" 2>/dev/null; then
    kill "$simulator_pid"
    wait "$simulator_pid" 2>/dev/null || true
  fi
  rm -rf "$state_dir"
}
trap cleanup EXIT

# ansible finds the collection through a link tree: <cache>/ansible_collections/vmrescue/windows -> the repository.
collections="$repo_root/.cache/collections"
mkdir -p "$collections/ansible_collections/vmrescue"
ln -sfn "$repo_root" "$collections/ansible_collections/vmrescue/windows"

cd "$repo_root"
rm -rf "$machine_dir"
echo "demo: building a simulated recovery VM with a broken disk in $machine_dir"
"$venv/bin/python" -m tests.simulator build "$machine_dir" --generation "${VMRESCUE_DEMO_GENERATION:-2}"

"$venv/bin/python" -m tests.simulator serve "$machine_dir" --port 0 --scheme https \
  --language "${VMRESCUE_DEMO_LANGUAGE:-en-US}" --log "$state_dir/commands.jsonl" \
  --inventory-out "$state_dir/simulator.ini" --tls-dir "$state_dir/tls" > "$state_dir/simulator.out" 2>&1 &
simulator_pid=$!
for _ in $(seq 1 120); do
  grep -q '^listening on ' "$state_dir/simulator.out" 2>/dev/null && break
  kill -0 "$simulator_pid" 2>/dev/null || { cat "$state_dir/simulator.out" >&2; exit 1; }
  sleep 0.5
done
grep -q '^listening on ' "$state_dir/simulator.out" || { echo "demo: the simulator did not start" >&2; exit 1; }
echo "demo: simulator $(head -n 1 "$state_dir/simulator.out")"

# The simulator's inventory names its one host in group [windows]; the playbook targets group recovery_vms.
sed 's/^\[windows\]$/[recovery_vms]/' "$state_dir/simulator.ini" > "$state_dir/inventory.ini"

ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_HOST_KEY_CHECKING=False \
  "$venv/bin/ansible-playbook" -i "$state_dir/inventory.ini" vmrescue.windows.critical_service_repair "$@"
echo "demo: command log of the simulated recovery VM: one line per remote command"
"$venv/bin/python" - "$state_dir/commands.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    record = json.loads(line)
    if record["kind"] == "catalogue":
        print(f"  {record['seq']:>3}  {record['name']:<32} exit {record['exit_code']}")
PY
