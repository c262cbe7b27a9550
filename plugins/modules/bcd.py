# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: bcd
short_description: Set and remove elements of an offline BCD store, idempotently
description:
  - Edits the BCD store of the broken Windows disk attached to the recovery VM.
  - Reads the store in one remote command, in a language-independent way (the store is loaded as a registry hive
    and listed with C(reg query); bcdedit's own output is translated and never parsed), and refuses a store on the
    recovery VM's own system or boot disk, a missing file, or a file that is not a hive.
  - Validates every object, element and value before anything is written. Unknown names fail with the nearest valid
    spellings.
  - When something differs, writes with C(bcdedit /store) (objects named by the GUIDs the read resolved; each change
    only after the previous one succeeded) and reads the store again to verify, all in a second command. With
    nothing to change, exactly one remote command runs.
  - A write that fails half way or does not verify is undone in the same run, from the values the read found (the
    ones the journal recorded), and the failure message says whether that undo verified.
  - A store that stays loaded as a registry hive after the read or the write (C(reg unload) refused three times)
    fails the task; the next run unloads it first.
options:
  store:
    description: Path of the BCD store on the recovery VM, for example C(F:\boot\BCD) or C(S:\EFI\Microsoft\Boot\BCD).
    type: str
    required: true
  objects:
    description:
      - Objects to change. Required unless O(restore_journal=true).
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - A well-known alias (V({bootmgr}), V({default}), V({emssettings}), V({dbgsettings}), V({globalsettings}),
            V({bootloadersettings}), V({hypervisorsettings}), V({memdiag}), V({badmemory}), ...) or a braced GUID.
          - V({default}) is the boot manager's C(default) element. V({current}) is refused, because an offline store
            has no running system.
        type: str
        required: true
      set:
        description:
          - Element name (bcdedit's spelling, any case, or C(custom:XXXXXXXX)) to value.
          - Booleans take yes/no, on/off, true/false. Integers take numbers. Enumerations take their names in any
            case (C(safeboot) Minimal/Network/DsRepair, C(bootstatuspolicy), C(integrityservices)
            Default/Enable/Disable, C(nx), C(bootmenupolicy), C(hypervisorlaunchtype), C(debugtype)). Objects take
            an alias or GUID. Device elements cannot be set.
        type: dict
      remove:
        description: Element names to delete. Elements that are not set are fine (nothing to do).
        type: list
        elements: str
  restore_journal:
    description:
      - Put every element the journal recorded for this store back to exactly its original registry type and bytes
        instead of applying O(objects); elements recorded as absent are deleted. The journal itself is not changed,
        so a second restore finds nothing to do.
      - An element goes back through C(bcdedit /set) when bcdedit's encoding gives exactly the recorded type and
        bytes whatever the element's current encoding; otherwise (for example a 4-byte integer, a 12-byte boolean,
        a device element) the store is loaded after bcdedit is done and the element's C(Element) value is written
        raw with C(reg add), in the same write command. Deletions use C(bcdedit /deletevalue).
      - Every record is reported in RV(records) as V(restored), V(already original) or V(could not) with the
        reason. An object that is no longer in the store, a value with no exact C(reg add) form, or a record that
        cannot be mapped to the attached disk is not written; the others are put back, and the task then fails
        naming every record that could not be restored.
    type: bool
    default: false
extends_documentation_fragment:
  - vmrescue.windows._common
  - vmrescue.windows._common.notes
  - vmrescue.windows._common.journal
seealso:
  - module: vmrescue.windows.bcd_info
  - module: vmrescue.windows.offline_disk_info
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Show the boot menu on the serial console and ignore boot failures
  vmrescue.windows.bcd:
    store: 'F:\boot\BCD'
    journal: 'F:\vmrescue\journal.json'
    objects:
      - id: '{bootmgr}'
        set: {displaybootmenu: true, timeout: 10, bootems: true}
      - id: '{default}'
        set: {bootstatuspolicy: IgnoreAllFailures, ems: true}
        remove: [nointegritychecks]

- name: Put back every element the journal recorded
  vmrescue.windows.bcd:
    store: 'F:\boot\BCD'
    journal: 'F:\vmrescue\journal.json'
    restore_journal: true
"""

RETURN = r"""
objects:
  description: Per requested id, the resolved GUID and the decoded value of every element it touched (null = absent).
  returned: success
  type: list
  elements: dict
  sample:
    - id: '{bootmgr}'
      guid: '{9dea862c-5cdd-4e70-acc1-f32b344d4795}'
      before: {timeout: 30, displaybootmenu: null}
      after: {timeout: 10, displaybootmenu: true}
bcdedit_commands:
  description: The bcdedit command lines that ran (empty when nothing changed or in check mode).
  returned: always
  type: list
  elements: str
reg_commands:
  description: With O(restore_journal=true), the raw C(reg add) command lines that ran on the loaded store.
  returned: when restore_journal is true
  type: list
  elements: str
restored:
  description:
    - With O(restore_journal=true), every journaled element of the store with C(guid), C(element) (8 hex
      digits), C(name), C(method) (V(bcdedit), V(reg) or null when nothing is written), C(before)/C(after)
      as C({type, data}) with data as hex of the registry bytes (null = absent), C(status) and C(reason) as in
      RV(records).
  returned: when restore_journal is true
  type: list
  elements: dict
records:
  description:
    - With O(restore_journal=true), one entry per journal record of the store with C(record) (what it is),
      C(status) (V(restored), V(already original) or V(could not)) and C(reason) (null unless V(could not)).
    - Records the journal holds for a store that is not on any attached partition are V(could not).
  returned: when restore_journal is true
  type: list
  elements: dict
  sample:
    - {record: 'timeout (25000004) of {9dea862c-5cdd-4e70-acc1-f32b344d4795}', status: restored, reason: null}
remote_commands:
  description: Every remote command of the task (name, steps, finished), for audit.
  returned: always
  type: list
  elements: dict
"""
