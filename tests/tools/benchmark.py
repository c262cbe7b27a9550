"""Benchmark: remote commands and time of the collection against the way operators do it today.

    python -m tests.tools.benchmark [--latency-ms 30] [--repeat 3]

Both approaches apply the enable_dump role's settings (serial console in the BCD store, CrashControl values in every
control set of the SYSTEM hive) to a fresh simulated recovery VM, twice: the first run changes everything, the second
finds nothing to change.

- collection: ``benchmark_playbooks/collection.yml``, the role's one ``vmrescue.windows.bcd`` task and one
  ``vmrescue.windows.offline_registry`` task;
- baseline: ``benchmark_playbooks/baseline.yml``, the article's commands as ``ansible.builtin.raw`` tasks, one remote
  command per setting (bcdedit ``/set`` per element; ``reg load``, ``reg add`` per value per control set,
  ``reg unload``), as ``win_shell`` with ``changed_when: true`` would send them.

Each simulator adds ``--latency-ms`` to every WS-Management request and every process, so a round trip costs what it
would over a network. Remote commands come from the simulator's command log; times are medians over ``--repeat``
repeats, and ratios are baseline/collection measured in the same run (per repeat, then the median), never absolute
claims: these machines are noisy. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.simulator.fixture import build, running_simulator

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = Path(__file__).resolve().parent / "benchmark_playbooks"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
COUNTS_VARIABLE = "VMRESCUE_BENCHMARK_COUNTS"   # read by benchmark_playbooks/callback_plugins/benchmark_counts.py
PLAYBOOK_TIMEOUT_S = 600
BASELINE = "baseline"
COLLECTION = "collection"
APPROACH_LABELS = {
    BASELINE: "baseline: `raw` bcdedit/reg, one command per setting",
    COLLECTION: "collection: `bcd` + `offline_registry` tasks",
}
RUN_LABELS = ("1st run (changes)", "2nd run (nothing to change)")
_CONTROL_SET = re.compile(r"^ControlSet\d{3}$")


class BenchmarkError(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    """Where the broken disk's files are, as the recovery VM sees them, and its control sets."""
    bcd_store: str
    system_hive: str
    control_sets: list[str]

    def extra_vars(self) -> dict:
        return {"enable_dump_bcd_store": self.bcd_store, "enable_dump_system_hive": self.system_hive,
                "baseline_control_sets": self.control_sets}


@dataclass(frozen=True)
class RunMeasure:
    """One ansible-playbook run."""
    commands: int          # processes the simulator started (catalogue, ansible-internal and other)
    changed: int           # task results reporting changed, each loop item counted
    wall_s: float          # the ansible-playbook process, start to exit
    play_s: float          # first play start to the recap (without ansible-playbook's own start-up)


def describe_target(machine: Path) -> Target:
    """The broken disk (generation 1) from ``machine.json``; its control sets read with hivex from the hive file."""
    import hivex

    layout = json.loads((machine / "machine.json").read_text(encoding="utf-8"))
    broken = next(disk for disk in layout["disks"] if not disk["is_system"])
    by_role = {partition["role"]: partition for partition in broken["partitions"]}
    boot, windows = by_role["system-reserved"], by_role["os"]
    hive_file = machine / windows["volume_dir"] / "Windows" / "System32" / "config" / "SYSTEM"
    hive = hivex.Hivex(str(hive_file))
    names = sorted(hive.node_name(child) for child in hive.node_children(hive.root()))
    return Target(bcd_store=f"{boot['letter']}:\\boot\\BCD",
                  system_hive=f"{windows['letter']}:\\Windows\\System32\\config\\SYSTEM",
                  control_sets=[name for name in names if _CONTROL_SET.match(name)])


def _ansible_env(counts_file: Path) -> dict[str, str]:
    return {**os.environ,
            "ANSIBLE_COLLECTIONS_PATH": str(REPO_ROOT / ".cache" / "collections"),
            "ANSIBLE_CALLBACK_PLUGINS": str(PLAYBOOKS / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "benchmark_counts",
            COUNTS_VARIABLE: str(counts_file),
            "ANSIBLE_NOCOLOR": "1", "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_DEPRECATION_WARNINGS": "False"}


def run_playbook(sim, playbook: str, target: Target, work: Path, *, check: bool = False) -> RunMeasure:
    """Run one benchmark playbook against a running simulator; the commands are those its log gained meanwhile."""
    counts_file = work / "counts.json"
    counts_file.unlink(missing_ok=True)
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(sim.inventory_path), str(PLAYBOOKS / f"{playbook}.yml"),
               "-e", json.dumps(target.extra_vars())]
    if check:
        command.append("--check")
    seen = len(sim.commands())
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, env=_ansible_env(counts_file),
                          timeout=PLAYBOOK_TIMEOUT_S, check=False)
    wall_s = time.perf_counter() - started
    if done.returncode != 0 or not counts_file.exists():
        raise BenchmarkError(f"{playbook}.yml failed (rc {done.returncode}):\n"
                             f"{done.stdout[-4000:]}{done.stderr[-2000:]}")
    counts = json.loads(counts_file.read_text(encoding="utf-8"))
    if counts["failed"]:
        raise BenchmarkError(f"{playbook}.yml had {counts['failed']} failed results:\n{done.stdout[-4000:]}")
    return RunMeasure(commands=len(sim.commands()) - seen, changed=counts["changed"], wall_s=wall_s,
                      play_s=counts["play_seconds"])


def measure(approach: str, template: Path, work: Path, target: Target, latency_ms: int,
            verify_end_state: bool) -> tuple[list[RunMeasure], int | None]:
    """First and second run of one approach on a fresh copy of the machine.

    With ``verify_end_state``, the collection then runs in check mode on the same machine: the changes it would
    still make (0 when both approaches set the same values) are returned."""
    machine = work / f"machine-{approach}"
    shutil.rmtree(machine, ignore_errors=True)
    shutil.copytree(template, machine, symlinks=True)
    with running_simulator(machine, latency_ms=latency_ms) as sim:
        runs = [run_playbook(sim, approach, target, work) for _label in RUN_LABELS]
        left_to_change = run_playbook(sim, COLLECTION, target, work, check=True).changed if verify_end_state else None
    shutil.rmtree(machine, ignore_errors=True)
    return runs, left_to_change


def _median_ratio(baseline: list[float], collection: list[float]) -> float:
    """Median of the per-repeat ratios: each pair was measured minutes apart at most, so drift cancels out."""
    return statistics.median(b / c for b, c in zip(baseline, collection) if c > 0)


def _commands_cell(values: list[int]) -> str:
    return str(values[0]) if len(set(values)) == 1 else f"{min(values)}–{max(values)}"


def render_table(results: dict[str, list[list[RunMeasure]]], *, latency_ms: int, repeat: int,
                 left_to_change: int | None) -> str:
    """The Markdown report: one row per approach and run, then one ratio row per run.

    ``results[approach][repeat_index][run_index]``."""
    lines = ["| approach | run | remote commands | changed results | wall s (median) | play s (median) |",
             "|---|---|---:|---:|---:|---:|"]
    column = {approach: [[runs[index] for runs in repeats] for index in range(len(RUN_LABELS))]
              for approach, repeats in results.items()}
    for approach in (BASELINE, COLLECTION):
        for index, label in enumerate(RUN_LABELS):
            measures = column[approach][index]
            lines.append(f"| {APPROACH_LABELS[approach]} | {label} | {_commands_cell([m.commands for m in measures])} "
                         f"| {_commands_cell([m.changed for m in measures])} "
                         f"| {statistics.median(m.wall_s for m in measures):.2f} "
                         f"| {statistics.median(m.play_s for m in measures):.2f} |")
    for index, label in enumerate(RUN_LABELS):
        base, ours = column[BASELINE][index], column[COLLECTION][index]
        command_ratio = statistics.median(m.commands for m in base) / statistics.median(m.commands for m in ours)
        wall_ratio = _median_ratio([m.wall_s for m in base], [m.wall_s for m in ours])
        play_ratio = _median_ratio([m.play_s for m in base], [m.play_s for m in ours])
        lines.append(f"| **ratio baseline/collection** | {label} | {command_ratio:.1f}× | – "
                     f"| {wall_ratio:.1f}× | {play_ratio:.1f}× |")
    verdict = ("Same end state: the collection in check mode after the baseline finds 0 changes"
               if left_to_change == 0 else
               f"DIFFERENT END STATE: the collection in check mode after the baseline finds {left_to_change} changes"
               if left_to_change is not None else "End state not compared")
    lines += ["",
              f"Simulator latency {latency_ms} ms per WS-Management request and per process; times are medians of "
              f"{repeat} repeat(s), ratios the median of per-repeat ratios. Remote commands are processes the "
              "simulated recovery VM ran (its command log). \"changed results\" counts every loop item. Wall time "
              "includes ansible-playbook's start-up; play time does not.",
              "", f"{verdict}."]
    return "\n".join(lines)


def run_benchmark(latency_ms: int, repeat: int, scratch: Path) -> tuple[dict[str, list[list[RunMeasure]]], int | None]:
    """Build one machine, then per repeat measure both approaches (alternating which goes first) on fresh copies."""
    template = scratch / "template"
    build(template, generation=1)
    target = describe_target(template)
    results: dict[str, list[list[RunMeasure]]] = {BASELINE: [], COLLECTION: []}
    left_to_change = None
    for index in range(repeat):
        order = (BASELINE, COLLECTION) if index % 2 == 0 else (COLLECTION, BASELINE)
        for approach in order:
            verify = index == 0 and approach == BASELINE
            runs, left = measure(approach, template, scratch, target, latency_ms, verify_end_state=verify)
            results[approach].append(runs)
            left_to_change = left if verify else left_to_change
    return results, left_to_change


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=int, default=30, help="per request and per process (default 30)")
    parser.add_argument("--repeat", type=int, default=3, help="repeats; times are medians (default 3)")
    options = parser.parse_args(argv)
    if options.repeat < 1 or options.latency_ms < 0:
        parser.error("--repeat must be at least 1 and --latency-ms not negative")
    # conftest.py makes the collection link tree for pytest; make sure it exists when run on its own too
    sys.path.insert(0, str(REPO_ROOT))
    import conftest  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="vmrescue-benchmark-") as scratch:
        try:
            results, left_to_change = run_benchmark(options.latency_ms, options.repeat, Path(scratch))
        except BenchmarkError as error:
            sys.stderr.write(f"benchmark failed: {error}\n")
            return 1
    sys.stdout.write(render_table(results, latency_ms=options.latency_ms, repeat=options.repeat,
                                  left_to_change=left_to_change) + "\n")
    return 0 if left_to_change == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
