"""Callback for tests/tools/benchmark.py: counts changed/failed results per loop item and times the play.

PLAY RECAP counts tasks, not loop items, so a loop of 16 ``raw`` commands would show as one change. This writes
``{"changed": n, "ok": n, "failed": n, "play_seconds": s}`` as JSON to the file named by $VMRESCUE_BENCHMARK_COUNTS.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
    name: benchmark_counts
    type: aggregate
    short_description: Per-item result counts and play time for the vmrescue.windows benchmark
    description: Writes JSON counts to the file named by the VMRESCUE_BENCHMARK_COUNTS environment variable.
    requirements: [enable in configuration]
"""

OUTPUT_VARIABLE = "VMRESCUE_BENCHMARK_COUNTS"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "benchmark_counts"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._counts = {"ok": 0, "changed": 0, "failed": 0}
        self._play_started: float | None = None

    def _count(self, result, failed: bool = False) -> None:
        data = result.result
        if "results" in data:        # a loop's summary: its items were counted one by one
            return
        self._counts["failed" if failed else "ok"] += 1
        if data.get("changed"):
            self._counts["changed"] += 1

    def v2_playbook_on_play_start(self, play) -> None:
        if self._play_started is None:
            self._play_started = time.monotonic()

    def v2_runner_on_ok(self, result) -> None:
        self._count(result)

    def v2_runner_item_on_ok(self, result) -> None:
        self._count(result)

    def v2_runner_on_failed(self, result, ignore_errors: bool = False) -> None:
        self._count(result, failed=True)

    def v2_runner_item_on_failed(self, result) -> None:
        self._count(result, failed=True)

    def v2_runner_on_unreachable(self, result) -> None:
        self._counts["failed"] += 1

    def v2_playbook_on_stats(self, stats) -> None:
        target = os.environ.get(OUTPUT_VARIABLE)
        if not target:
            return
        elapsed = time.monotonic() - self._play_started if self._play_started is not None else 0.0
        with open(target, "w", encoding="utf-8") as handle:
            json.dump({**self._counts, "play_seconds": round(elapsed, 4)}, handle)
