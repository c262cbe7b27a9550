# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: documentation shared by the core modules (action plugins that run catalogue commands)."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reads and plans; nothing is written.
  diff_mode:
    support: full
    description: Returns before and after of everything the task touches.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; logic runs on the controller.
"""

    INFO = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; logic runs on the controller.
"""

    # Listed by every module that uses DOCUMENTATION or INFO. A fragment of its own because ansible-test reads fragments
    # statically: DOCUMENTATION and INFO cannot be built by concatenating one shared string.
    NOTES = r"""
options: {}
notes:
  - Every result carries C(remote_commands), the catalogue commands the task sent.
  - Every string of every option is checked before any remote command. A value that cannot be stored and read back
    exactly fails the task, naming the option, and nothing is written. This covers control characters, U+0085, U+2028,
    U+2029, lone surrogates, values longer than a Windows command line, and values that Windows PowerShell 5.1 would
    split on the way to C(reg.exe) or C(bcdedit.exe) (white space after an odd number of double quotes, such as
    C(say "hi there")).
"""

    JOURNAL = r"""
options:
  journal:
    description:
      - Path of a JSON journal on the broken disk. Before the first change, the original value of everything about to
        change is recorded there unless already recorded (the first record wins); a registry key that C(reg add)
        creates is recorded as absent.
      - The journal must be on the same disk as the store or hive (any of its partitions), so it travels with the
        disk; a path on another disk, on the recovery VM's own disks or on a drive that is not a partition is refused
        before anything is written.
      - Records are kept by the disk's identity (MBR signature and partition offset, or GPT disk and partition
        GUIDs) and the path below the volume root, so they still apply after the disk comes back under other drive
        letters. Journals of the earlier format (keyed by drive-letter path) are still read; see docs/dev/journal.md.
      - The write command writes the journal only if it is still exactly as the read found it; when another run
        wrote it in between, nothing is changed and the task reads and plans again (up to 8 times).
      - Required with O(restore_journal=true); the journal file must then exist.
    type: str
"""
