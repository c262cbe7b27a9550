# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: offline_registry
short_description: Set or remove values and keys in an offline registry hive, idempotently
description:
  - Loads the hive (for example the broken disk's SYSTEM) under a name derived from its path, reads the keys the task
    names, and unloads it, in one remote command. A mount left behind by an interrupted run is unloaded first.
  - Keys starting with C(CurrentControlSet\) are applied to the control sets O(control_sets) selects (an offline hive
    has no CurrentControlSet).
  - Compares type-exactly. When something differs, loads the hive again, runs C(reg add)/C(reg delete) (each only after
    the previous one succeeded), reads the touched keys back to verify and always unloads (retried), in a second
    command. With nothing to change, exactly one remote command runs.
  - Refuses a hive on the recovery VM's own system or boot disk, a missing file, or a file that is not a hive.
  - A write that fails half way or does not verify is undone in the same run, from the values the read found (the
    ones the journal recorded), and the failure message says whether that undo verified.
options:
  hive:
    description: Path of the hive file on the recovery VM.
    type: str
    required: true
  control_sets:
    description:
      - V(current) (C(Select\Current), or C(Default) when Current is 0), V(default), V(all) (every C(ControlSetNNN)),
        or a list such as V([ControlSet001, ControlSet002]). Only used for keys starting with C(CurrentControlSet\).
    type: raw
    default: current
  values:
    description: Values to set or remove. One of O(values), O(keys) or O(restore_journal=true) is required.
    type: list
    elements: dict
    default: []
    suboptions:
      key:
        description:
          - Key below the hive root. Key names with leading or trailing white space, or longer than 255 characters,
            are refused.
        type: str
        required: true
      name:
        description:
          - Value name (the default value is not supported). Names with leading or trailing white space or four
            spaces in a row (the column gap of C(reg query)), or longer than 16,383 characters, are refused.
        type: str
        required: true
      type:
        description: string, expand_string, multi_string, dword, qword, binary or none (REG_* names accepted too).
        type: str
      data:
        description:
          - The data. dword/qword take numbers (or C(0x) hex text), binary takes hex text or a list of bytes,
            multi_string a list of strings. Strings cannot contain line breaks.
        type: raw
      state: {description: Whether the value should exist., type: str, choices: [present, absent], default: present}
  keys:
    description: Keys that should exist or not (removal deletes the whole subtree).
    type: list
    elements: dict
    default: []
    suboptions:
      key: {description: Key below the hive root., type: str, required: true}
      state: {description: Whether the key should exist., type: str, choices: [present, absent], default: present}
  restore_journal:
    description:
      - Put every value and key the journal recorded for this hive back instead of applying O(values) and O(keys).
        Values recorded present get exactly their original type and bytes, values and keys recorded absent are
        deleted.
      - Every record is reported in RV(records) as V(restored), V(already original) or V(could not) with the
        reason. A value with no exact C(reg add) form, or a record that cannot be mapped to the attached disk, is
        not written; the others are put back, and the task then fails naming every record that could not be
        restored.
      - The keys to read are only known from the journal, so a restore reads the journal, then the recorded keys
        (two read commands), then writes and verifies in one command. The journal itself is not changed.
    type: bool
    default: false
extends_documentation_fragment:
  - vmrescue.windows._common
  - vmrescue.windows._common.notes
  - vmrescue.windows._common.journal
seealso:
  - module: vmrescue.windows.offline_registry_info
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Kernel dump, no automatic reboot, in every control set
  vmrescue.windows.offline_registry:
    hive: 'F:\Windows\System32\config\SYSTEM'
    control_sets: all
    journal: 'F:\vmrescue\journal.json'
    values:
      - {key: 'CurrentControlSet\Control\CrashControl', name: CrashDumpEnabled, type: dword, data: 2}
      - {key: 'CurrentControlSet\Control\CrashControl', name: AutoReboot, type: dword, data: 0}

- name: Put back every value and key the journal recorded
  vmrescue.windows.offline_registry:
    hive: 'F:\Windows\System32\config\SYSTEM'
    journal: 'F:\vmrescue\journal.json'
    restore_journal: true
"""

RETURN = r"""
control_sets:
  description: The control sets CurrentControlSet-relative keys were applied to.
  returned: success
  type: list
  elements: str
values:
  description: Per resolved key and name, before and after as {type, data} (null = absent).
  returned: success
  type: list
  elements: dict
keys:
  description: Per resolved key, whether it existed before and after.
  returned: success
  type: list
  elements: dict
reg_commands:
  description: The reg.exe command lines that ran (empty when nothing changed or in check mode).
  returned: always
  type: list
  elements: str
records:
  description:
    - With O(restore_journal=true), one entry per journal record of the hive with C(record) (the value as
      C(key\name), or C(key <path>)), C(status) (V(restored), V(already original) or V(could not)) and C(reason)
      (null unless V(could not)).
  returned: when restore_journal is true
  type: list
  elements: dict
  sample:
    - {record: 'ControlSet001\Control\CrashControl\AutoReboot', status: restored, reason: null}
"""
