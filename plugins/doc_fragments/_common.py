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
notes:
  - Every result carries C(remote_commands), the catalogue commands the task sent.
  - Every string of every option is checked before any remote command. A value that cannot be stored and read back
    exactly fails the task, naming the option, and nothing is written. This covers control characters, U+0085, U+2028,
    U+2029, lone surrogates, values longer than a Windows command line, and values that Windows PowerShell 5.1 would
    split on the way to C(reg.exe) or C(bcdedit.exe) (white space after an odd number of double quotes, such as
    C(say "hi there")).
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
notes:
  - Every result carries C(remote_commands), the catalogue commands the task sent.
  - Every string of every option is checked before any remote command. A value that cannot be stored and read back
    exactly fails the task, naming the option, and nothing is written. This covers control characters, U+0085, U+2028,
    U+2029, lone surrogates, values longer than a Windows command line, and values that Windows PowerShell 5.1 would
    split on the way to C(reg.exe) or C(bcdedit.exe) (white space after an odd number of double quotes, such as
    C(say "hi there")).
"""
