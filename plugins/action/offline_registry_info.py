# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.offline_registry_info: one read command."""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils import _registry_plan as rp
from ansible_collections.vmrescue.windows.plugins.module_utils._reg_values import shown
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import check_target_path
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {
        "hive": {"type": "str", "required": True},
        "keys": {"type": "list", "elements": "str", "default": []},
        "control_sets": {"type": "raw", "default": "current"},
        "recurse": {"type": "bool", "default": False},
    }

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        check_target_path(params["hive"], "hive")
        option = rp.normalize_option(params["control_sets"])
        keys = params["keys"]
        for index, key in enumerate(keys):
            rp.split_key(key, f"keys[{index}]")   # bad input fails before any command
        read = rp.read_hive(self.run_script, params["hive"], keys, option, params["recurse"], None)
        wanted = [k for key in keys for k in rp.expand_key(key, read.control_sets)]
        found: dict[str, t.Any] = {}
        for key in wanted:
            state = read.states[key.lower()]
            found[key] = _key_result(state)
            if params["recurse"]:
                prefix = key.lower() + "\\"
                for path, sub in read.states.items():
                    if path.startswith(prefix):
                        found[key + sub.path[len(key):]] = _key_result(sub)
        return {"changed": False, "select": read.select, "control_sets": read.control_sets, "keys": found,
                "warnings": read.warnings}


def _key_result(state: rp.KeyState) -> dict[str, t.Any]:
    return {
        "exists": state.exists,
        "values": {state.names[name]: shown(*value) for name, value in state.values.items()},
        "subkeys": state.subkeys,
    }
