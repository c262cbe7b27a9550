"""Would a memory dump fit on the Windows volume? Memory from the dump header, else the operator, else unknown."""

from __future__ import annotations

from ansible_collections.vmrescue.windows.plugins.module_utils._free_space import free_space_check

GIB = 1024 ** 3


def test_less_free_space_than_the_dump_header_s_memory_is_a_warning():
    result = free_space_check(4 * GIB, 8 * GIB, None)
    assert (result["status"], result["memory_source"]) == ("low", "dump-header")
    assert "4096 MiB free, less than the VM's memory (8192 MiB" in result["text"]


def test_the_dump_header_wins_over_the_given_size_and_enough_space_is_ok():
    assert free_space_check(16 * GIB, 8 * GIB, 65536)["status"] == "ok"
    result = free_space_check(16 * GIB, None, 32768)
    assert (result["status"], result["memory_bytes"], result["memory_source"]) == ("low", 32 * GIB, "vm_memory_mb")


def test_without_a_memory_size_or_the_free_space_it_says_it_could_not_check():
    assert free_space_check(16 * GIB, None, None)["status"] == "unknown"
    assert free_space_check(None, 8 * GIB, None)["status"] == "unknown"
