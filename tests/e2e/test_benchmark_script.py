"""The benchmark script (tests/tools/benchmark.py): its output format and counts, never its timings.

One tiny real run (no latency, one repeat) checks the printed table; the table renderer is checked on made-up
measures, and the end-state check is shown to count pending changes on a machine nobody changed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.simulator.fixture import build, running_simulator
from tests.tools.benchmark import (
    BASELINE, COLLECTION, RUN_LABELS, RunMeasure, describe_target, render_table, run_playbook,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
HEADER = "| approach | run | remote commands | changed results | wall s (median) | play s (median) |"
_ROW = re.compile(r"^\| (?P<approach>[^|]+) \| (?P<run>[^|]+) \| (?P<commands>[^|]+) \| (?P<changed>[^|]+) "
                  r"\| (?P<wall>[^|]+) \| (?P<play>[^|]+) \|$")
_RATIO = re.compile(r"^\d+\.\d×$")


def _rows(output: str) -> list[dict[str, str]]:
    lines = output.splitlines()
    assert lines[0] == HEADER, output
    assert lines[1] == "|---|---|---:|---:|---:|---:|", output
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        match = _ROW.match(line)
        assert match, f"not a table row: {line!r}"
        rows.append({key: value.strip() for key, value in match.groupdict().items()})
    return rows


def _measures(commands: int, changed: int, walls: list[float]) -> list[list[RunMeasure]]:
    """Repeats of (1st run, 2nd run) with the same counts and the given wall (and play) times."""
    return [[RunMeasure(commands, changed, wall, wall / 2), RunMeasure(commands, changed, wall, wall / 2)]
            for wall in walls]


def test_tiny_benchmark_run_prints_the_table() -> None:
    done = subprocess.run([sys.executable, "-m", "tests.tools.benchmark", "--latency-ms", "0", "--repeat", "1"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = _rows(done.stdout)
    assert len(rows) == 6, done.stdout
    measured, ratios = rows[:4], rows[4:]
    assert [row["run"] for row in measured] == list(RUN_LABELS) * 2
    assert [row["run"] for row in ratios] == list(RUN_LABELS)
    baseline, collection = measured[:2], measured[2:]
    assert all(row["approach"].startswith("baseline") for row in baseline)
    assert all(row["approach"].startswith("collection") for row in collection)
    for row in measured:
        assert row["commands"].isdigit() and row["changed"].isdigit(), row
        assert float(row["wall"]) > 0 and float(row["play"]) > 0, row
    for row in baseline:
        # the baseline sends the same commands every time, and every one of them reports changed
        assert int(row["changed"]) == int(row["commands"]) == int(baseline[0]["commands"]), row
    assert int(collection[1]["changed"]) == 0, collection[1]
    assert int(collection[0]["changed"]) > 0, collection[0]
    assert int(collection[1]["commands"]) < int(collection[0]["commands"]) < int(baseline[0]["commands"])
    for ratio, base, ours in zip(ratios, baseline, collection):
        assert all(_RATIO.match(ratio[key]) for key in ("commands", "wall", "play")), ratio
        assert ratio["commands"] == f"{int(base['commands']) / int(ours['commands']):.1f}×"
    assert "Simulator latency 0 ms" in done.stdout
    assert "Same end state: the collection in check mode after the baseline finds 0 changes." in done.stdout


def test_table_ratios_are_medians_of_per_repeat_ratios() -> None:
    results = {BASELINE: _measures(16, 16, [4.0, 6.0, 5.0]), COLLECTION: _measures(4, 2, [2.0, 2.0, 1.0])}
    output = render_table(results, latency_ms=30, repeat=3, left_to_change=0)
    rows = _rows(output)
    assert rows[0]["wall"] == "5.00" and rows[2]["wall"] == "2.00"       # medians of the times
    # per-repeat ratios 2, 3 and 5: their median is 3.0 (the ratio of the medians would be 2.5)
    assert rows[4]["wall"] == "3.0×" and rows[4]["play"] == "3.0×"
    assert rows[4]["commands"] == "4.0×"
    assert "medians of 3 repeat(s)" in output


def test_table_shows_varying_counts_and_a_different_end_state() -> None:
    baseline = _measures(16, 16, [4.0, 4.0])
    baseline[1][0] = RunMeasure(17, 16, 4.0, 2.0)
    output = render_table({BASELINE: baseline, COLLECTION: _measures(4, 2, [2.0, 2.0])}, latency_ms=0, repeat=2,
                          left_to_change=3)
    assert _rows(output)[0]["commands"] == "16–17"
    assert "DIFFERENT END STATE: the collection in check mode after the baseline finds 3 changes." in output


def test_end_state_check_counts_pending_changes(tmp_path: Path) -> None:
    """The check-mode run that compares end states must see changes on a machine neither approach touched."""
    machine = tmp_path / "machine"
    build(machine, generation=1)
    target = describe_target(machine)
    assert target.control_sets and all(re.fullmatch(r"ControlSet\d{3}", name) for name in target.control_sets)
    with running_simulator(machine) as sim:
        pending = run_playbook(sim, COLLECTION, target, tmp_path, check=True)
    assert pending.changed == 2, pending          # the bcd task and the offline_registry task would both change
    assert pending.commands >= 2, pending
