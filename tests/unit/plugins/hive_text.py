"""Render a real hive file the way ``reg query <key> /s`` prints it (test input built from real stores)."""

from __future__ import annotations

from pathlib import Path

import hivex

_TYPES = {0: "REG_NONE", 1: "REG_SZ", 2: "REG_EXPAND_SZ", 3: "REG_BINARY", 4: "REG_DWORD", 7: "REG_MULTI_SZ",
          11: "REG_QWORD"}
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _data(kind: int, raw: bytes) -> str:
    if kind in (1, 2):
        return raw.decode("utf-16-le", errors="replace").split("\0", 1)[0]
    if kind == 7:
        items = raw.decode("utf-16-le", errors="replace").split("\0")
        while items and items[-1] == "":
            items.pop()
        return "\\0".join(items)
    if kind == 4 and len(raw) == 4:
        return f"0x{int.from_bytes(raw, 'little'):x}"
    if kind == 11 and len(raw) == 8:
        return f"0x{int.from_bytes(raw, 'little'):x}"
    return raw.hex().upper()


def reg_query_s(hive_path: Path, mount: str, subkey: str) -> str:
    """``reg query HKLM\\<mount>\\<subkey> /s`` of a hive file (mounted at ``mount``)."""
    h = hivex.Hivex(str(hive_path))
    node = h.root()
    for part in subkey.split("\\"):
        node = h.node_get_child(node, part)
    lines: list[str] = []

    def walk(n, path: str) -> None:
        lines.append("")
        lines.append(path)
        for v in h.node_values(n):
            kind, raw = h.value_value(v)
            lines.append(f"    {h.value_key(v) or '(Default)'}    {_TYPES.get(kind, 'REG_BINARY')}    {_data(kind, raw)}")
        for child in h.node_children(n):
            walk(child, f"{path}\\{h.node_name(child)}")

    walk(node, f"HKEY_LOCAL_MACHINE\\{mount}\\{subkey}")
    lines += ["", "End of search: 0 match(es) found."]
    return "\r\n".join(lines)


def real_store(name: str) -> Path:
    import pytest
    path = DATA / "hives" / "bcd" / name
    if not path.exists():
        pytest.skip(f"real BCD stores not available at {path}")
    return path
