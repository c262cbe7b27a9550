"""Test-only action: put a controller file into the remote temporary directory and fetch it back.

ansible.windows is not installed, and ansible.builtin.copy/fetch need Windows modules; this calls the winrm
connection's put_file/fetch_file directly, which is what those modules' action plugins do underneath.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = True
    _VALID_ARGS = frozenset(("src", "back", "remote_name"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        remote_dir = self._connection._shell.tmpdir
        remote_path = self._connection._shell.join_path(remote_dir, self._task.args.get("remote_name", "payload.bin"))
        try:
            self._connection.put_file(self._task.args["src"], remote_path)
            self._connection.fetch_file(remote_path, self._task.args["back"])
        finally:
            self._remove_tmp_path(remote_dir)
        result.update(changed=True, remote_path=remote_path)
        return result
