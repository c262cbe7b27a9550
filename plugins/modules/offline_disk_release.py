# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: offline_disk_release
short_description: Put back the temporary drive letters and disk identity of offline_disk_info
description:
  - Removes each temporary access path (C(Remove-PartitionAccessPath)) that still belongs to the partition it was
    given to, and verifies it is gone.
  - Also puts back what the record of temporary changes on the recovery VM
    (C(C:\ProgramData\vmrescue\temporary-changes.json)) names, including letters left by a killed command. A
    temporary identity of the recovery VM's own disk is undone by taking the attached disk offline again and
    giving the recovery VM's disk its original signature or GUID, both verified before success is reported. The
    record is deleted only when every change was put back.
  - A letter already removed is left alone; a letter that now belongs to another partition is never touched.
  - With nothing to put back it sends one read-only command, so the task is safe in an C(always:) section.
options:
  temporary_letters:
    description: The RV(vmrescue.windows.offline_disk_info#module:temporary_letters) list.
    type: list
    elements: dict
    default: []
    suboptions:
      drive:
        description: The letter, for example V(S:).
        type: str
        required: true
      disk_number:
        description: Disk of the partition.
        type: int
        required: true
      partition_number:
        description: Partition number.
        type: int
        required: true
  bcd_store:
    description:
      - The broken disk's BCD store (RV(vmrescue.windows.offline_disk_info#module:bcd_store)). When given, the task
        first reads it (one command, through the registry) and fails, after putting back the temporary changes,
        unless every C(device)/C(osdevice) partition element names a partition of the disk that holds the store
        (GPT disk and partition GUIDs, or MBR signature and partition offset, compared with Get-Disk/Get-Partition).
      - Elements that name no partition (C(boot), ramdisk) are listed in RV(bcd_devices) as not checked.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports which letters would be removed; nothing is removed.
  diff_mode:
    support: none
    description: Returns no diff; RV(released) lists the letters removed.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; the logic runs on the controller.
seealso:
  - module: vmrescue.windows.offline_disk_info
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Release temporary drive letters
  vmrescue.windows.offline_disk_release:
    temporary_letters: "{{ disk.temporary_letters | default([]) }}"
"""

RETURN = r"""
released:
  description: Letters removed (or, in check mode, to be removed).
  returned: always
  type: list
  elements: dict
already_released:
  description: Letters that were no longer on their partition.
  returned: always
  type: list
  elements: dict
identity_restored:
  description: The temporary identity change put back (as RV(vmrescue.windows.offline_disk_info#module:temporary_identity)),
    or null.
  returned: always
  type: dict
disk_taken_offline:
  description: The attached disk taken offline again before the recovery VM's identity was put back, or null.
  returned: always
  type: int
bcd_devices:
  description: With O(bcd_store), the device/osdevice elements (object, element, volume) sorted into V(resolved),
    V(unresolved) and V(not_checked); null without.
  returned: always
  type: dict
remote_commands:
  description: The remote commands sent.
  returned: always
  type: list
  elements: dict
"""
