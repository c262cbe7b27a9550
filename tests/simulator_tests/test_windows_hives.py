"""Hives written from scratch (regf.py) and the safe opener (hivefile.py), checked with regipy as independent reader."""
from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest
from regipy.registry import RegistryHive

from tests.simulator.windows import hivefile, regf

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _data(relative: str) -> Path:
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"shared test data missing: {path}")
    return path


def test_empty_hive_is_clean_and_readable_by_regipy(tmp_path):
    path = regf.write_empty_hive(tmp_path / "EMPTY", "NewStoreRoot")
    raw = path.read_bytes()
    assert raw[:4] == b"regf" and len(raw) == 8192
    assert struct.unpack_from("<II", raw, 4)[0] == struct.unpack_from("<II", raw, 4)[1]
    assert struct.unpack_from("<I", raw, 508)[0] == hivefile.base_block_checksum(raw[:4096])
    hive = RegistryHive(str(path))
    assert hive.root.name == "NewStoreRoot"
    assert list(hive.root.iter_subkeys()) == []


def test_hivex_populates_the_scratch_hive_and_regipy_reads_it_back(tmp_path):
    path = regf.write_empty_hive(tmp_path / "H", "ROOT")
    hive = hivefile.open_hive(path, write=True)
    node = hive.node_add_child(hive.root(), "Select")
    hive.node_set_value(node, {"key": "Current", "t": 4, "value": struct.pack("<I", 2)})
    for index in range(200):  # enough keys to need more than the first hbin
        hive.node_add_child(hive.root(), f"Key{index:03d}")
    hive.commit(None)
    hivefile.check_hive_file(path)  # still clean, checksum still right after hivex's commit
    reread = RegistryHive(str(path))
    assert reread.get_key("\\Select").get_value("Current") == 2
    assert len(list(reread.root.iter_subkeys())) == 201


def test_checksum_mismatch_is_not_a_hive(tmp_path):
    path = regf.write_empty_hive(tmp_path / "H")
    raw = bytearray(path.read_bytes())
    raw[0x30] ^= 0xFF  # inside the checksummed area
    path.write_bytes(bytes(raw))
    with pytest.raises(hivefile.NotAHiveError):
        hivefile.open_hive(path, write=False)


def test_text_file_is_not_a_hive(tmp_path):
    path = tmp_path / "BCD"
    path.write_text("not a hive" * 1000)
    with pytest.raises(hivefile.NotAHiveError):
        hivefile.open_hive(path, write=True)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        hivefile.open_hive(tmp_path / "nope", write=False)


def test_real_dirty_hive_is_refused_and_left_untouched(tmp_path):
    source = _data("hives/dirty/NewDirtyHive1")
    copy = tmp_path / "dirty"
    shutil.copytree(source, copy)
    before = (copy / "NewDirtyHive").read_bytes()
    with pytest.raises(hivefile.DirtyHiveError):
        hivefile.open_hive(copy / "NewDirtyHive", write=True)
    assert hivefile.is_dirty(copy / "NewDirtyHive")
    assert (copy / "NewDirtyHive").read_bytes() == before


def test_windows_recovered_hive_is_clean_and_opens():
    path = _data("hives/dirty/NewDirtyHive1/RecoveredHive_Windows10")
    assert not hivefile.is_dirty(path)
    hive = hivefile.open_hive(path, write=False)
    assert hive.node_nr_children(hive.root()) > 0


@pytest.mark.parametrize("name", ["regipy-uefi-BCD", "windeploy-bios-BCD", "windeploy-efi-BCD"])
def test_real_bcd_stores_open(name):
    hive = hivefile.open_hive(_data(f"hives/bcd/{name}"), write=False)
    assert hive.node_get_child(hive.root(), "Objects") is not None
