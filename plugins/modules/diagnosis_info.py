# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: diagnosis_info
short_description: Name the failing driver from the evidence a failed boot left on the broken disk
description:
  - Read-only. Reads the boot-critical drivers of the control set in use from the offline SYSTEM hive (one remote
    command), then the crash dump headers (only their first 8 KiB), the catalog store's file list, existence and
    SHA-256 of C(ntbtlog.txt) and of each driver file, the event log entries below, and the volumes' free space (two
    more commands).
  - Driver files, the boot log and, when a driver has no valid embedded signature, the disk's catalogs
    (C(System32\CatRoot\{F750E6C3-38EE-11D1-85E5-00C04FC295EE})) are fetched to the controller only when
    O(evidence_store) does not hold their SHA-256 yet, so a second VM of the same image moves almost nothing.
  - Decides on the controller, never from translated text. Bugcheck and parameters from the dump header
    (C(PAGEDU64)/C(PAGEDUMP)); drivers that did not load from the last boot of C(ntbtlog.txt) without reading its
    translated status words; each driver's signature offline (embedded Authenticode, or a valid catalog of the
    broken disk's own store found by the file's Authenticode hash). The recovery VM's own catalogs are never used.
  - Event logs, where the disk holds them - C(System32\winevt\Logs\System.evtx) and
    C(Microsoft-Windows-CodeIntegrity%4Operational.evtx) - are read with C(Get-WinEvent -Path) by event ID and raw
    fields, never by the (translated) message - Service Control Manager 7000 and 7026, Code Integrity 3001-3004 and
    3077. An entry names a driver by service name or by file path.
  - B(Limit of the event logs.) A boot that crashes with 0x5A while it loads boot drivers usually dies before its
    events are written, so the logs normally hold earlier boots only. Entries count when they belong to the last
    boot the System log recorded (from 10 minutes before its last EventLog 6005 entry, since boot drivers are checked
    before the event log service starts) and are not later than the crash the dump records; older entries are only
    counted. A missing or unreadable log, or one without such entries, is no
    evidence either way.
  - Suspects are drivers with a fault of their own (missing file, signature not valid, did not load, named by an
    event log entry of the last recorded boot), ranked with their evidence; a healthy disk has none. See
    C(docs/dev/diagnosis.md) for the weights.
  - Warns when the Windows volume has less free space than the VM's memory (a memory dump would not fit). The
    memory size comes from a dump header on the disk (its physical memory block), else from O(vm_memory_mb); without
    either the check reports that it could not be made.
  - Needs C(asn1crypto) and C(cryptography) on the controller (C(requirements/runtime.txt)).
options:
  windows_drive:
    description: The broken disk's Windows volume, e.g. V(F:) (C(vmrescue_target.windows_drive) of the discover role).
    type: str
    required: true
  offline_system_drive:
    description:
      - The drive letter the broken Windows calls its own system drive, for C(ImagePath) values such as
        C(\??\C:\...); a path on any other drive is reported as not on this disk.
    type: str
    default: 'C:'
  evidence_store:
    description: Controller folder that keeps fetched files by SHA-256, shared by every host of the run.
    type: path
    default: ~/.cache/vmrescue.windows/evidence
  replacement_dir:
    description:
      - A folder on the recovery VM (or a share) with known-good copies of drivers, named like the files they replace.
      - When set, each suspect whose file is at fault (signature or missing) is checked against its copy there
        (one more remote command); the copy is fetched as above. It is accepted only when it carries a valid
        signature (embedded, or a catalog of O(replacement_catalog_dir)) and its file version is not older than the
        current file's (a missing current file needs only the signature). The answers are in C(diagnosis.replacements);
        the P(vmrescue.windows.safeboot_driver_swap#role) role uses them for C(safeboot_driver_swap_drivers=auto).
    type: str
  replacement_catalog_dir:
    description:
      - The catalog store of the system the known-good copies come from (for example the recovery VM's own
        C(C:\Windows\System32\CatRoot\{F750E6C3-38EE-11D1-85E5-00C04FC295EE}) when they are its files). Without it
        only an embedded signature counts.
    type: str
  vm_memory_mb:
    description:
      - The failed VM's memory size in MiB, for the free-space check when no crash dump header on the disk records it.
        A dump header's size takes precedence.
    type: int
extends_documentation_fragment:
  - vmrescue.windows._common.info
  - vmrescue.windows._common.notes
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Name the failing driver
  vmrescue.windows.diagnosis_info:
    windows_drive: "{{ vmrescue_target.windows_drive }}"
  register: diagnosis
"""

RETURN = r"""
diagnosis:
  description:
    - C(bugcheck) (code, name, parameters, C(load_status) for 0x5A with its name, OS build, dump type, time,
      C(memory_bytes), path; the latest readable dump) or null; C(dumps); C(boot_log); C(boot_critical_drivers) (a
      count); C(suspects) (ranked; each C(service), C(file), C(score), C(evidence) - items of C(kind) V(file-missing),
      V(signature), V(boot-log) or V(event-log) with C(log), C(id), C(provider), C(time) and, where the entry has
      them, C(status) or C(error)); C(recommendation) (C(action), C(text)).
    - C(event_logs) - C(logs) (each log present or not), C(last_recorded_boot) (its 6005), C(counted_since),
      C(until) (the crash time),
      C(entries_read), C(entries_counted).
    - C(free_space) - C(status) (V(ok), V(low), V(unknown)), C(free_bytes), C(memory_bytes), C(memory_source)
      (V(dump-header), V(vm_memory_mb) or null) and C(text); C(warnings) - the free-space warning when it is low.
    - With O(replacement_dir), C(replacements) - per suspect whose file is at fault - C(service), C(name), C(file),
      C(current_version), C(src), C(src_sha256), C(src_version), C(signature), C(accepted), C(reason) (V(ok),
      V(not-signed), V(older), V(version-unknown), V(no-source)) and C(msg).
  returned: success
  type: dict
drivers:
  description: Each boot-critical driver with its C(ImagePath) form, file, C(exists), C(sha256) and C(signature).
  returned: success
  type: list
  elements: dict
control_set:
  description: The control set in use that was read.
  returned: success
  type: str
transfer:
  description: C(remote_commands), files C(listed), C(fetched), C(reused) (already held by SHA-256), C(fetched_bytes),
    and the number of C(catalogs) consulted.
  returned: success
  type: dict
"""
