# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: bcd_info
short_description: Read every object and element of an offline BCD store
description:
  - Loads the store as a registry hive, lists it with C(reg query) and unloads it, in one remote command. The result
    does not depend on the recovery VM's display language.
  - Refuses a store on the recovery VM's own system or boot disk, a missing file, or a file that is not a hive.
options:
  store:
    description: Path of the BCD store on the recovery VM.
    type: str
    required: true
extends_documentation_fragment:
  - vmrescue.windows._common.info
  - vmrescue.windows._common.notes
seealso:
  - module: vmrescue.windows.bcd
author:
  - vmrescue.windows contributors (@vmrescue)
"""

EXAMPLES = r"""
- name: Read the store
  vmrescue.windows.bcd_info:
    store: 'F:\boot\BCD'
  register: bcd
"""

RETURN = r"""
objects:
  description: Every object of the store.
  returned: success
  type: list
  elements: dict
  contains:
    guid: {description: Lower-case braced GUID., type: str}
    alias: {description: 'Well-known alias, or null.', type: str}
    type: {description: Object type as 8 hex digits., type: str}
    type_name: {description: Object type in words., type: str}
    description: {description: "The object's description element, or null.", type: str}
    elements: {description: Element name (or custom:XXXXXXXX) to decoded value., type: dict}
    raw: {description: Element code to registry type and data as hex., type: dict}
default:
  description: GUID the boot manager's default element names, or null.
  returned: success
  type: str
bootmgr:
  description: GUID of the boot manager object, or null when the store has none.
  returned: success
  type: str
"""
