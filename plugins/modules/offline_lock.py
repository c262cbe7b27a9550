# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: offline_lock
short_description: Take or release the run lock on the broken disk, so that only one run works on it at a time
description:
  - Two runs against the same broken disk at the same time (for example C(enable_dump) and C(safeboot)) would both
    read, amend and write the journal and load the same hives. This module keeps them apart with a lock file on the
    broken disk itself, so it also protects the disk from runs from other controllers.
  - O(state=present) creates the lock file with C(New-Item) without C(-Force), which fails when the file exists, so of
    two runs only one takes it. The file names its owner (controller host, O(run_id), start time, O(purpose)) and when
    it expires.
  - A lock held by another run is waited for, polling every O(poll_interval) seconds, for at most O(wait_timeout)
    seconds; then the task fails with a message naming the owner.
  - A lock past its expiry (a run that was killed) is taken over, with a warning. Two runs that find the same expired
    lock cannot both take it over. A lock file that cannot be read as a lock is never taken over.
  - O(state=absent) removes the lock only when it is this run's (same O(run_id)); another run's lock is left in place
    with a warning.
  - O(state=absent) with O(unload_hives) first unloads the collection's mounts of those hive files that a cut-off
    command of this run left loaded (Windows keeps a C(reg load)ed hive after the process that loaded it dies), in the
    same remote command. Only while the lock is held are those mounts this run's own.
  - Times are the controller's clock (UTC).
options:
  path:
    description:
      - The lock file on the broken disk, for example V(F:\\vmrescue\\lock.json). An absolute path of a file in a
        folder; the folder is created when missing.
    type: str
    required: true
  run_id:
    description:
      - Identifies this run. The same value takes the lock again without waiting (a re-run of the task) and releases
        it.
    type: str
    required: true
  state:
    description: V(present) takes the lock, V(absent) releases it.
    type: str
    choices: [present, absent]
    default: present
  purpose:
    description: Free text recorded in the lock and shown to a run that has to wait (for example the phases).
    type: str
    default: ""
  expires_after:
    description:
      - Seconds after which the lock counts as abandoned and another run may take it over. Make it longer than the
        longest run.
    type: int
    default: 7200
  wait_timeout:
    description: Seconds to wait for a lock held by another run; V(0) fails at once.
    type: int
    default: 0
  poll_interval:
    description: Seconds between two looks at a held lock while waiting.
    type: int
    default: 10
  unload_hives:
    description:
      - With O(state=absent), the broken disk's hive files this run may have mounted (its SYSTEM and SOFTWARE hives and
        its BCD store). A mount of one of them by this collection (C(HKLM\\vmrescue_...)) that is still loaded is
        unloaded before the lock is released, with a warning; one that cannot be unloaded is reported in
        RV(hives_left_loaded) (the next run unloads it before loading the file again).
      - Nothing is unloaded when the lock is not this run's.
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description:
      - Reads the lock and reports whether a real run could take it (RV(held_by), a warning when another run holds
        it); writes nothing and does not wait.
  diff_mode:
    support: full
    description: The lock file's text before and after.
  platform:
    support: full
    platforms: windows
    description: Runs against the Windows recovery VM over WinRM; the logic runs on the controller.
notes:
  - Every result carries C(remote_commands), the catalogue commands the task sent.
seealso:
  - module: vmrescue.windows.offline_disk_info
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Take the run lock of the broken disk, waiting up to 10 minutes for another run
  vmrescue.windows.offline_lock:
    path: 'F:\vmrescue\lock.json'
    run_id: "{{ my_run_id }}"
    purpose: enable_dump
    wait_timeout: 600

- name: Release it (in an always section), with any hive a cut-off command of this run left mounted
  vmrescue.windows.offline_lock:
    path: 'F:\vmrescue\lock.json'
    run_id: "{{ my_run_id }}"
    state: absent
    unload_hives:
      - 'F:\Windows\System32\config\SYSTEM'
      - 'F:\Windows\System32\config\SOFTWARE'
      - 'F:\boot\BCD'
"""

RETURN = r"""
path:
  description: The lock file, normalised.
  returned: always
  type: str
  sample: 'F:\vmrescue\lock.json'
owner:
  description: The lock this run holds (V(null) after a release and in check mode).
  returned: always
  type: dict
  sample: {"format": 1, "controller": "ctl-01", "run_id": "5f1c0d2a9b7e4410", "purpose": "enable_dump",
           "started": "2026-12-01T03:00:00Z", "expires": "2026-12-01T05:00:00Z"}
held_by:
  description: Another run's lock that was found (in check mode, on failure, or left in place by a release).
  returned: always
  type: dict
waited:
  description:
    - The lock was taken after waiting for another run. What that run did to the recovery VM meanwhile (a temporary
      drive letter it released, for example) may have changed what an earlier discovery found, so discover again.
  returned: when the lock was taken
  type: bool
hives_unloaded:
  description: Hive files of O(unload_hives) that were still mounted by a cut-off command and were unloaded.
  returned: with O(state=absent)
  type: list
  elements: str
hives_left_loaded:
  description: Hive files of O(unload_hives) still mounted that could not be unloaded (in use).
  returned: with O(state=absent)
  type: list
  elements: str
remote_commands:
  description: The remote commands sent.
  returned: always
  type: list
  elements: dict
"""
