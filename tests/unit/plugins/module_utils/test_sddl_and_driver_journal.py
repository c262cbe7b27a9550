"""SDDL parts (owner, DACL) and the journal's driver records."""

from __future__ import annotations

import pytest

from ansible_collections.vmrescue.windows.plugins.module_utils import _journal, _sddl
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError

TI = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"


def test_owner_and_dacl_are_compared_and_the_group_is_not():
    original = _sddl.parse(f"O:{TI}G:{TI}D:PAI(A;;FA;;;{TI})(A;;0x1200a9;;;BA)", "x")
    assert original.owner_sid == TI and original.dacl == f"D:PAI(A;;FA;;;{TI})(A;;0x1200a9;;;BA)"
    assert original.same_owner_and_dacl(_sddl.parse(f"O:{TI}G:SYD:PAI(A;;FA;;;{TI})(A;;0x1200a9;;;BA)", "x"))
    assert not original.same_owner_and_dacl(_sddl.parse(f"O:BAG:{TI}D:PAI(A;;FA;;;{TI})(A;;0x1200a9;;;BA)", "x"))
    assert not original.same_owner_and_dacl(
        _sddl.parse(f"O:{TI}G:{TI}D:PAI(A;;FA;;;{TI})(A;;0x1200a9;;;BA)(A;;FA;;;BA)", "x"))


def test_aliases_become_sids_for_icacls_and_unknown_ones_are_refused():
    assert _sddl.parse("O:BAG:SYD:(A;;FA;;;BA)", "x").owner_sid == "S-1-5-32-544"
    assert _sddl.parse("O:SYG:SYD:", "x").owner_sid == "S-1-5-18"
    with pytest.raises(VmrescueError, match="cannot be named by SID"):
        _sddl.parse("O:ZZG:SYD:", "x").owner_sid
    for text in ("", "D:(A;;FA;;;BA)", "O:BA D:", "O:BAG:SY"):
        with pytest.raises(VmrescueError, match="not SDDL"):
            _sddl.parse(text, "x")


def test_the_first_driver_record_wins_and_survives_a_round_trip():
    journal = _journal.empty()
    assert _journal.driver_records(journal) == {}
    first = {"path": "windows\\system32\\drivers\\x.sys", "sha256": "a" * 64, "sddl": "O:BAG:SYD:"}
    assert _journal.record_driver(journal, "mbr:0a0b0c0d:1048576|windows\\system32\\drivers\\x.sys", first)
    assert not _journal.record_driver(journal, "mbr:0a0b0c0d:1048576|windows\\system32\\drivers\\x.sys",
                                      dict(first, sha256="b" * 64))
    again = _journal.parse(_journal.render(journal))
    assert _journal.driver_records(again) == {"mbr:0a0b0c0d:1048576|windows\\system32\\drivers\\x.sys": first}
