# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: offline_registry_info
short_description: Read keys and values of an offline registry hive
description:
  - Loads the hive, reads C(Select), the root's subkeys and the keys the task names, and unloads it, in one remote
    command (a second one only when C(Select) names a control set beyond ControlSet003 that was not read).
options:
  hive:
    description: Path of the hive file on the recovery VM.
    type: str
    required: true
  keys:
    description: Keys below the hive root; C(CurrentControlSet\...) is resolved through O(control_sets).
    type: list
    elements: str
    default: []
  control_sets:
    description: V(current), V(default), V(all) or a list of C(ControlSetNNN).
    type: raw
    default: current
  recurse:
    description: Also return every key below each requested key.
    type: bool
    default: false
extends_documentation_fragment:
  - vmrescue.windows._common.info
  - vmrescue.windows._common.notes
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Read CrashControl of the current control set
  vmrescue.windows.offline_registry_info:
    hive: 'F:\Windows\System32\config\SYSTEM'
    keys: ['CurrentControlSet\Control\CrashControl']
  register: crash
"""

RETURN = r"""
select:
  description: The Select values (Current, Default, Failed, LastKnownGood; null when absent).
  returned: success
  type: dict
control_sets:
  description: The control sets CurrentControlSet was resolved to.
  returned: success
  type: list
  elements: str
keys:
  description: Resolved key path to C(exists), C(values) (name to {type, data}) and C(subkeys).
  returned: success
  type: dict
"""
