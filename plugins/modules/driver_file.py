# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: driver_file
short_description: Replace a driver file on the broken disk with a known-good copy
description:
  - Reads the source and the destination (exists, size, SHA-256, FileVersion, first 1024 bytes) in one command.
  - Refuses a missing source, a source that is not a PE image (C(MZ), C(e_lfanew), C(PE\0\0)), or one whose SHA-256
    or file version differs from O(expected_sha256) / O(expected_version), before anything is written.
  - Refuses a source whose PE machine type (x64, x86, arm64) differs from the original's. When the original is not a
    readable PE image (a damaged driver), the types cannot be compared and a warning says so.
  - Refuses a destination that does not exist (a wrong name, or a driver that lives elsewhere, for example in the
    DriverStore, then give its full path as O(dest)); it never creates a new driver file.
  - Idempotent. When the destination already has the source's SHA-256, nothing is done.
  - Backs up the original once into C(<backup_dir>\drivers\<name>) and verifies the backup by SHA-256 before
    overwriting; its permissions (DACL) go next to it into C(<name>.acl) (C(icacls /save); C(icacls /restore) puts
    them back). Then copies and verifies the copy by SHA-256.
  - Driver files of Windows are owned by C(NT SERVICE\TrustedInstaller) and Administrators may only read and run
    them, also on a disk attached to the recovery VM (the well-known SIDs mean the same there), so a plain copy is
    refused with "Access is denied". The replacement therefore runs C(takeown /F <dest> /A), then
    C(icacls <dest> /grant *S-1-5-32-544:F) (only when takeown succeeded), copies only when the grant succeeded, and
    always gives the file back to TrustedInstaller with C(icacls <dest> /setowner *S-1-5-80-956008885-...) (accounts
    are named by SID, since their names are translated on localized Windows). Administrators keep full control of the
    replaced file. A failing step fails the task, saying whether the file was replaced and who
    owns it.
options:
  name:
    description: Driver file name under C(<windows_drive>\Windows\System32\drivers), for example V(filecrypt.sys);
      it must end in C(.sys).
    type: str
  dest:
    description: Full destination path instead of O(name).
    type: str
  src:
    description: Known-good file on the recovery VM (for example its own C(C:\Windows\System32\drivers\...)) or a
      UNC path it can read.
    type: str
  src_controller:
    description: Known-good file on the controller; it is uploaded into a temporary folder on the recovery VM.
    type: path
  windows_drive:
    description: Drive of the attached Windows volume; required by O(name).
    type: str
  backup_dir:
    description: Backup folder. Defaults to C(<drive>\vmrescue-backup).
    type: str
  expected_sha256:
    description: Refuse the source unless its SHA-256 is this.
    type: str
  expected_version:
    description: Refuse the source unless its FileVersion is this (compared numerically, trailing zeros ignored).
    type: str
attributes:
  check_mode:
    support: full
    description: Reads and checks the source; nothing is backed up or copied.
  diff_mode:
    support: full
    description: Returns the destination's path, existence, SHA-256 and file version before and after.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; the logic runs on the controller.
notes:
  - Remote commands. One reads the source, destination and backup. When a change is needed, one more backs the
    original up, hashes the backup and saves its permissions, and one takes ownership, grants, copies the source,
    gives the file back to TrustedInstaller and hashes the copy. Backing up and replacing stay apart so the
    replacement starts only after the controller saw the backup's hash match the original's.
seealso:
  - module: vmrescue.windows.offline_disk_info
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Put back filecrypt.sys from the recovery VM's own copy
  vmrescue.windows.driver_file:
    name: filecrypt.sys
    windows_drive: "{{ disk.windows_drive }}"
    src: 'C:\Windows\System32\drivers\filecrypt.sys'

- name: Upload a vetted copy from the controller
  vmrescue.windows.driver_file:
    dest: 'F:\Windows\System32\drivers\filecrypt.sys'
    src_controller: files/filecrypt.sys
    expected_sha256: "{{ filecrypt_sha256 }}"
"""

RETURN = r"""
dest:
  description: Destination path.
  returned: always
  type: str
src:
  description: Source path on the recovery VM (the uploaded copy for src_controller).
  returned: success
  type: str
sha256:
  description: SHA-256 of the source (and of the destination afterwards).
  returned: success
  type: str
previous_sha256:
  description: SHA-256 of the destination before, null when it did not exist.
  returned: success
  type: str
file_version:
  description: FileVersion of the source.
  returned: success
  type: str
previous_file_version:
  description: FileVersion of the destination before.
  returned: success
  type: str
pe:
  description: PE check of the source (is_pe, reason, machine, format).
  returned: success
  type: dict
backup_file:
  description: Where the original is kept (null when there was none).
  returned: success
  type: str
backed_up:
  description: This run made the backup.
  returned: success
  type: bool
remote_commands:
  description: The remote commands sent.
  returned: always
  type: list
  elements: dict
"""
