"""The fleet_progress callback fed with runner events as the strategy sends them (its use by ansible-playbook is
tested in tests/e2e/test_fleet.py)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.vmrescue.windows.plugins.callback.fleet_progress import CallbackModule


def _task(action="ansible.builtin.debug", **args):
    return SimpleNamespace(action=action, args=args)


def _result(host, task):
    return SimpleNamespace(_host=SimpleNamespace(get_name=lambda: host), _task=task)


class _Display:
    def __init__(self):
        self.lines = []

    def display(self, text, **_):
        self.lines.append(text)


def _callback():
    callback = CallbackModule()
    callback._display = _Display()
    callback.v2_playbook_on_play_start(SimpleNamespace())
    return callback


HOSTS = ("rescue01", "rescue02", "rescue03", "rescue04")


def test_a_line_at_each_phase_and_at_the_end_with_the_counts_so_far():
    callback = _callback()
    check = _task("ansible.builtin.assert")
    for host in HOSTS:
        callback.v2_runner_on_ok(_result(host, check))
    callback.v2_playbook_on_task_start(_task("ansible.builtin.set_fact", _vmrescue_phase="discover"), False)
    callback.v2_runner_on_unreachable(_result("rescue04", _task("vmrescue.windows.offline_disk_info")))
    callback.v2_runner_on_failed(_result("rescue03", _task("vmrescue.windows.offline_lock")))
    callback.v2_runner_on_failed(_result("rescue02", _task("ansible.builtin.command")), ignore_errors=True)
    callback.v2_playbook_on_task_start(_task("set_fact", _vmrescue_phase="backup"), False)
    success = _task("ansible.builtin.set_fact", vmrescue_outcome={"status": "done", "phases": []})
    failure = _task("ansible.builtin.set_fact", vmrescue_outcome={"status": "failed", "phases": []})
    callback.v2_runner_on_ok(_result("rescue01", success))
    callback.v2_runner_on_ok(_result("rescue02", success))
    callback.v2_runner_on_ok(_result("rescue03", failure))
    callback.v2_playbook_on_stats(SimpleNamespace())
    assert callback._display.lines == [
        "vmrescue progress: phase discover - 4 hosts: 0 done, 0 failed, 0 unreachable, 4 remaining",
        "vmrescue progress: phase backup - 4 hosts: 0 done, 1 failed, 1 unreachable, 2 remaining",
        "vmrescue progress: end of the run - 4 hosts: 2 done, 1 failed, 1 unreachable, 0 remaining",
    ]


def test_other_set_facts_and_plays_without_phases_print_nothing():
    callback = _callback()
    callback.v2_playbook_on_task_start(_task("ansible.builtin.set_fact", other="x"), False)
    callback.v2_playbook_on_task_start(_task("ansible.builtin.debug", _vmrescue_phase="backup"), False)
    callback.v2_runner_on_ok(_result("localhost", _task("ansible.builtin.assert")))
    callback.v2_playbook_on_stats(SimpleNamespace())
    assert callback._display.lines == []
