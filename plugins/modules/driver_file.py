# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: driver_file
short_description: Replace a driver file on the broken disk with a known-good copy, or put journaled drivers back
description:
  - Reads the source and the destination (exists, size, SHA-256, FileVersion, first 1024 bytes) in one command.
  - Refuses a missing source, a source that is not a PE image (C(MZ), C(e_lfanew), C(PE\0\0)), or one whose SHA-256
    or file version differs from O(expected_sha256) / O(expected_version), before anything is written.
  - Refuses a source whose PE machine type (x64, x86, arm64) differs from the original's. When the original is not a
    readable PE image (a damaged driver), the types cannot be compared and a warning says so.
  - Refuses a destination that does not exist (a wrong name, or a driver that lives elsewhere, for example in the
    DriverStore, then give its full path as O(dest)); it never creates a new driver file.
  - Refuses a source in the destination's own folder (the broken disk's C(drivers) folder is not a known-good
    copy) and a source identical to a destination that was never replaced (there would be nothing to replace).
  - Idempotent. When the destination already has the source's SHA-256 and its original owner and DACL, nothing is
    done.
  - With O(journal), records the original before anything is written, namely its path below the volume root keyed by the
    volume's identity (disk GUID and partition GUID, or MBR signature and partition offset, so the record survives
    new drive letters), its SHA-256, its owner, group and DACL as SDDL (C(Get-Acl), SIDs only), and where its backup
    and saved DACL are. The first record wins.
  - Backs up the original once into C(<backup_dir>\drivers\<name>) and verifies the backup by SHA-256 before
    overwriting; its DACL goes next to it into C(<name>.acl) (C(icacls /save)). A re-run after an interruption
    finds a missing journal record, backup or C(.acl) file and completes it before anything is replaced. Then copies
    and verifies the copy by SHA-256.
  - Driver files of Windows are owned by C(NT SERVICE\TrustedInstaller) and Administrators may only read and run
    them, also on a disk attached to the recovery VM (the well-known SIDs mean the same there), so a plain copy is
    refused with "Access is denied". The replacement therefore runs C(takeown /F <dest> /A), then
    C(icacls <dest> /grant *S-1-5-32-544:F) (only when takeown succeeded), copies only when the grant succeeded, and
    always puts the saved DACL back with C(icacls <folder> /restore <name>.acl) (which also removes the grant) and the
    original owner with C(icacls <dest> /setowner *<SID>) (accounts are named by SID, since their names are translated
    on localized Windows; setting another owner uses the administrator's SeRestorePrivilege). The new file then has
    exactly the original's owner and DACL, verified by comparing SDDL. A failing step fails the task, saying whether
    the file was replaced and whether its DACL and owner were put back; with O(journal), a re-run finishes a file
    whose DACL or owner were not put back.
  - With O(restore_journal), puts every driver recorded in O(journal) back from its backup (verified by SHA-256) with
    its recorded owner and DACL (verified by SDDL), wherever the volumes are lettered now, and reports each record as
    C(restored), C(already original) or C(could not) with the reason; any C(could not) fails the task after the
    other records were restored. A journal that does not exist fails. The journal is only read, so a second restore
    changes nothing.
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
  journal:
    description:
      - Journal file on the broken disk (the one M(vmrescue.windows.bcd) and M(vmrescue.windows.offline_registry)
        use) that records the original before the swap; required by O(restore_journal).
      - Without it, nothing records the original's owner and DACL beyond the C(.acl) file, and a re-run cannot finish
        a file whose DACL or owner were not put back.
    type: str
  restore_journal:
    description: Put back every driver recorded in O(journal) instead of replacing one; no other option but
      O(journal) may be given with it.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reads and checks the source (or the journal's records); nothing is recorded, backed up or copied.
  diff_mode:
    support: full
    description: Returns the destination's path, SHA-256, file version and SDDL before and after (for
      O(restore_journal), one before/after pair per record).
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; the logic runs on the controller.
notes:
  - Remote commands. One reads the source, destination (with its SDDL), backup, saved DACL and journal. When a change
    is needed, one more writes the journal record, backs the original up, hashes the backup and saves its DACL, and
    one takes ownership, grants, copies the source, puts the DACL and the owner back and hashes the copy and reads
    its SDDL. Backing up and replacing stay apart so the replacement starts only after the controller saw the record,
    the backup's hash and the saved DACL.
  - A journal restore takes three (the journal and the disk layout, the state of each record's files, and one that
    puts back every record that differs).
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

- name: Put back every driver the journal recorded, with its owner and DACL
  vmrescue.windows.driver_file:
    journal: 'F:\vmrescue\journal.json'
    restore_journal: true

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
sddl:
  description: Owner, group and DACL of the destination as SDDL (after the swap when it ran).
  returned: a swap that read the destination
  type: str
original_sddl:
  description: Owner, group and DACL of the original (as journaled, else as read) that the new file gets.
  returned: a swap that read the destination
  type: str
journaled:
  description: The journal holds the original's record.
  returned: a swap that read the destination
  type: bool
records:
  description: Per journaled driver (O(restore_journal)) its C(record) key, current C(path), C(status)
    (C(restored), C(already original), C(could not), or C(would restore) in check mode) and C(reason).
  returned: restore_journal
  type: list
  elements: dict
restored:
  description: Records restored (or that would be, in check mode).
  returned: restore_journal
  type: int
already_original:
  description: Records whose file, owner and DACL were already the original's.
  returned: restore_journal
  type: int
could_not:
  description: Records that could not be restored (the task then fails).
  returned: restore_journal
  type: int
remote_commands:
  description: The remote commands sent.
  returned: always
  type: list
  elements: dict
"""
