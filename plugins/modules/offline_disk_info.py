# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: offline_disk_info
short_description: Find the attached Windows disk, its volume and its BCD store on a recovery VM
description:
  - Lists disks, partitions and volumes of the recovery VM and finds the attached (broken) Windows volume, a lettered
    volume holding C(\Windows\System32\config\SYSTEM) that is not on the recovery VM's own system or boot disk.
  - Finds the broken disk's BCD store, C(\EFI\Microsoft\Boot\BCD) on the EFI system partition (generation 2, GPT)
    or C(\boot\BCD) on the active partition (generation 1, MBR).
  - Can bring a disk online that Windows took offline and give an EFI system partition without a drive letter a
    temporary one; release it with M(vmrescue.windows.offline_disk_release).
  - A disk whose MBR signature or GPT disk GUID collides with the recovery VM's own disk (a recovery VM made from the
    same image) is never brought online by letting Windows give it a new identity, which would leave its BCD
    C(device)/C(osdevice) elements naming a disk that no longer exists. Instead the recovery VM's own disk gets a
    temporary signature or GUID (C(Set-Disk -Signature)/C(-Guid)), the broken disk comes online with its identity
    intact, and M(vmrescue.windows.offline_disk_release) takes it offline again and puts the recovery VM's identity
    back, verified. Every temporary change (identity and drive letter) is recorded in
    C(C:\ProgramData\vmrescue\temporary-changes.json) on the recovery VM before it is made; a run that finds
    such a record from an interrupted run puts everything it names back first.
  - A collision that only a change to a customer's disk could resolve (with another attached disk, or duplicate
    partition GUIDs) fails before any write, with advice to use a recovery VM made from another image.
  - Decisions come from IsSystem/IsBoot/IsOffline flags, partition types and Test-Path results only.
options:
  windows_drive:
    description: Use this drive (for example V(F:)) instead of discovering it. It must exist, hold a SYSTEM hive
      and not belong to the recovery VM's own disk.
    type: str
  bcd_store:
    description: Use this BCD store path instead of discovering it; it must exist on an attached disk.
    type: str
  disk_number:
    description: Only consider this disk (when several attached disks hold Windows).
    type: int
  bring_online:
    description: Bring offline or read-only attached disks online and writable (C(Set-Disk)), then discover again.
    type: bool
    default: true
  assign_esp_letter:
    description: Give the partition holding the BCD store a temporary drive letter when it has none
      (C(Add-PartitionAccessPath)); it is returned in RV(temporary_letters).
    type: bool
    default: true
  change_identities:
    description: Allow the temporary identity change of the recovery VM's own disk that brings a colliding disk
      online intact. When V(false) (the discover role sets it under C(--check)), a colliding disk stays offline and
      RV(skipped_in_check_mode) says what a real run would do and why.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Can run in check mode and return the discovered facts without changing the recovery VM.
    details: Discovery runs; bringing disks online and assigning letters are skipped and listed in
      RV(skipped_in_check_mode).
  diff_mode:
    support: none
    description: Returns no diff; the changes it makes (a disk online, a temporary letter) are in its result.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; the logic runs on the controller.
notes:
  - Release temporary letters in an C(always:) section, also when a later task fails.
  - Discovery is one remote command (layout, and for every drive letter its hives, BCD stores and dump files).
    Bringing disks online and giving the boot partition a temporary letter are one more command each, which also
    read again what they changed. Every result lists the commands in RV(remote_commands).
  - When no BCD store is found after the boot partition was given a temporary letter, the task removes that letter
    itself (one more command) before it fails, and says so; RV(temporary_letters) then lists only a letter that could
    not be removed.
seealso:
  - module: vmrescue.windows.offline_disk_release
  - module: vmrescue.windows.offline_backup
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Find the broken disk
  vmrescue.windows.offline_disk_info:
  register: disk

- name: Repair, and always release the temporary letter
  block:
    - name: Back up the store and SYSTEM hive
      vmrescue.windows.offline_backup:
        windows_drive: "{{ disk.windows_drive }}"
        bcd_store: "{{ disk.bcd_store }}"
  always:
    - name: Release temporary drive letters
      vmrescue.windows.offline_disk_release:
        temporary_letters: "{{ disk.temporary_letters | default([]) }}"
"""

RETURN = r"""
windows_drive:
  description: Drive of the attached Windows volume.
  returned: success
  type: str
  sample: 'F:'
bcd_store:
  description: Path of the broken disk's BCD store (null when its partition has no letter and none was assigned).
  returned: success
  type: str
  sample: 'S:\EFI\Microsoft\Boot\BCD'
generation:
  description: 1 (BIOS/MBR) or 2 (UEFI/GPT), from the attached disk's partition style.
  returned: success
  type: int
disk_number:
  description: Number of the attached Windows disk.
  returned: success
  type: int
partition_number:
  description: Partition number of the Windows volume.
  returned: success
  type: int
partitions:
  description: Partitions of the attached disk (drive, role esp/msr/recovery/data/active, types, size, label).
  returned: success
  type: list
  elements: dict
temporary_letters:
  description: Letters assigned by this task (drive, disk_number, partition_number); pass them to offline_disk_release.
  returned: always
  type: list
  elements: dict
released:
  description: Letters this task gave and removed again itself because no BCD store was found.
  returned: when no BCD store was found after a temporary letter was given
  type: list
  elements: dict
temporary_identity:
  description: The temporary identity given to the recovery VM's own disk (disk_number, style, original, temporary,
    attached_disk_number, attached_identity), or null; offline_disk_release puts it back.
  returned: always
  type: dict
put_back:
  description: What an interrupted earlier run had left (letters, identity, disk taken offline) and this task put
    back before discovering again; empty when there was nothing.
  returned: always
  type: dict
brought_online:
  description: Disk numbers brought online or made writable by this task.
  returned: always
  type: list
  elements: int
system_hive:
  description: Path of the SYSTEM hive.
  returned: success
  type: str
software_hive:
  description: Path of the SOFTWARE hive, null when it does not exist.
  returned: success
  type: str
dump_files:
  description: MEMORY.DMP and Minidump files (path, size).
  returned: success
  type: list
  elements: dict
candidates:
  description: Attached volumes that hold a SYSTEM hive (drive, disk_number, partition_number).
  returned: always
  type: list
  elements: dict
ignored:
  description: Volumes with a SYSTEM hive that belong to the recovery VM itself.
  returned: always
  type: list
  elements: dict
disks:
  description: Every disk as Get-Disk reported it.
  returned: always
  type: list
  elements: dict
recovery_vm_generation:
  description: Generation of the recovery VM itself (from its system disk).
  returned: always
  type: int
skipped_in_check_mode:
  description: Changes check mode did not make.
  returned: always
  type: list
  elements: str
remote_commands:
  description: The remote commands sent (name, steps, finished).
  returned: always
  type: list
  elements: dict
"""
