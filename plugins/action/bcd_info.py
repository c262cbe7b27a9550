# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vmrescue.windows.bcd_info: one read command, language-independent (the store as a hive)."""

from __future__ import annotations

import typing as t

from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_bcd import listed_store, read_store
from ansible_collections.vmrescue.windows.plugins.module_utils._catalogue_registry import target_facts
from ansible_collections.vmrescue.windows.plugins.module_utils._safety import (
    check_offline_target, check_target_path, json_objects,
)
from ansible_collections.vmrescue.windows.plugins.plugin_utils._action import VmrescueAction


class ActionModule(VmrescueAction):
    ARGUMENT_SPEC = {"store": {"type": "str", "required": True}}

    def run_module(self, params: dict[str, t.Any], task_vars: dict[str, t.Any]) -> dict[str, t.Any]:
        store_path = params["store"]
        check_target_path(store_path, "BCD store")
        result = self.run_script(read_store(store_path, None))
        facts = target_facts(result)
        check_offline_target(store_path, "BCD store", facts.exists, json_objects(facts.disks),
                             json_objects(facts.partitions))
        store, outcome = listed_store(result, "", store_path)
        bootmgr = store.bootmgr
        return {
            "changed": False,
            "objects": [store.describe(obj) for obj in sorted(store.objects.values(), key=lambda o: o.guid)],
            "default": store.default_guid(),
            "bootmgr": bootmgr.guid if bootmgr else None,
            "warnings": outcome.warnings(store_path),
        }
