# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: offline_backup
short_description: Back up the broken disk's BCD store and registry hives, verified by SHA-256
description:
  - Copies the BCD store with its C(.LOG) files and each hive under C(Windows\System32\config) with its C(.LOG) files
    into C(<backup_dir>\<run_id>\bcd) and C(...\config) on the recovery VM.
  - Hashes every source and every copy (SHA-256); only when all copies match, writes C(manifest.json)
    (source, backup path, size, SHA-256 of every file) into the backup folder and as C(<backup_dir>\latest.json).
  - The copies go to C(<run_id>.partial) first; the folder gets its final name only once its manifest is in it, so a
    folder under its final name always holds a complete, verified backup. A new backup first removes the
    C(.partial) folders that interrupted backups left in O(backup_dir) (RV(interrupted_backups_removed)).
  - An existing folder is never copied over; a O(run_id) whose folder exists fails before anything is written.
  - Idempotent. When C(latest.json) names a backup whose files still hash as recorded, nothing is copied
    (C(changed=false)) unless O(force=true).
  - Repair tasks should run only after this module returned RV(verified=true).
options:
  windows_drive:
    description: Drive of the attached Windows volume (from offline_disk_info).
    type: str
    required: true
  bcd_store:
    description: Path of the BCD store to back up.
    type: str
    required: true
  hives:
    description: Hive file names under C(Windows\System32\config).
    type: list
    elements: str
    default: [SYSTEM]
  backup_dir:
    description: Folder that receives the backups. Defaults to C(<windows_drive>\vmrescue-backup).
    type: str
  run_id:
    description:
      - Name of the new backup folder. Defaults to the UTC time, such as V(20250131T120000Z).
      - 1-64 letters, digits, C(.), C(_) or C(-), not ending in C(.partial).
    type: str
  force:
    description: Take a new backup even when a verified one exists.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads and reports the new backup folder; nothing is copied or written.
  diff_mode:
    support: partial
    description: Returns the previous and the new backup folder, and the interrupted backups' folders to remove.
    details: File contents are not diffed; the manifest lists them with their SHA-256.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; the logic runs on the controller.
notes:
  - Remote commands. A new backup is three, one reading the sources, C(latest.json) and the backup folders, one
    removing interrupted backups and hashing every source, copying it and hashing the copy, and one writing the
    manifest and renaming the folder. The manifest is a command of its own because
    the remote command cannot compare hashes, so the controller compares them and only then sends it.
    An existing verified backup costs two, the read and one hashing its files.
seealso:
  - module: vmrescue.windows.offline_disk_info
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Back up before any change
  vmrescue.windows.offline_backup:
    windows_drive: "{{ disk.windows_drive }}"
    bcd_store: "{{ disk.bcd_store }}"
    hives: [SYSTEM]
  register: backup

- name: Stop unless the backup is verified
  ansible.builtin.assert:
    that: backup.verified
"""

RETURN = r"""
verified:
  description: Every file of the backup hashes as recorded in its manifest.
  returned: always
  type: bool
backup_path:
  description: Folder of the backup (existing or new).
  returned: success
  type: str
manifest:
  description: The manifest (format, created, backup_path, files with source, backup, size, sha256).
  returned: success
  type: dict
manifest_path:
  description: Path of manifest.json.
  returned: success
  type: str
files:
  description: Source files included.
  returned: success
  type: list
  elements: str
interrupted_backups_removed:
  description:
    - Folders that interrupted backups left (C(<run_id>.partial)), removed before this backup was copied (in check
      mode, those a real run would remove).
  returned: when a new backup is taken
  type: list
  elements: str
previous_backup_problems:
  description: Why an existing backup did not verify (a new one was taken).
  returned: when an existing backup failed verification
  type: list
  elements: str
remote_commands:
  description: The remote commands sent.
  returned: always
  type: list
  elements: dict
"""
