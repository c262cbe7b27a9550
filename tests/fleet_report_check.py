"""Checks of a written fleet report shared by the unit and e2e tests (no tests here): report.json against the schema
kept in docs/, and report.html read back with the standard library's HTML parser, which shares no code with the
collection's writer."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"


def validate_report(report: dict) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(report)


class _ReportPage(HTMLParser):
    """Rows of the report table: {host: {"status": data-status, "cells": [cell texts]}}, plus every URL-bearing
    attribute and tag seen (a self-contained page has none)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, dict] = {}
        self.external: list[str] = []
        self.tables = 0
        self._row: dict | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.external += [f"{tag} {name}={value}" for name, value in attrs if name in ("src", "href")]
        self.external += [tag] if tag in ("script", "link", "img", "iframe") else []
        if tag == "table":
            self.tables += 1
        elif tag == "tr" and "data-host" in attributes:
            self._row = {"host": attributes["data-host"], "status": attributes.get("data-status"),
                         "style": attributes.get("style", ""), "cells": []}
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row["cells"].append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            assert self._row["host"] not in self.rows, f"two rows for {self._row['host']}"
            self.rows[self._row["host"]] = self._row
            self._row = None


def parse_report_page(html: str) -> _ReportPage:
    page = _ReportPage()
    page.feed(html)
    page.close()
    assert page.tables == 1, f"{page.tables} tables"
    assert not page.external, page.external
    return page


def check_written_report(directory: Path, hosts: list[str]) -> dict:
    """report.json validates and names exactly ``hosts`` in order; report.html has one matching row per host (host
    cell, status, distinct colour per status). Returns the report."""
    report = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    validate_report(report)
    assert [record["host"] for record in report["hosts"]] == hosts
    page = parse_report_page((directory / "report.html").read_text(encoding="utf-8"))
    assert list(page.rows) == hosts, list(page.rows)
    colours: dict[str, set[str]] = {}
    for record in report["hosts"]:
        row = page.rows[record["host"]]
        assert row["status"] == record["status"] and row["cells"][0] == record["host"], row
        assert row["cells"][1].startswith(record["status"]), row
        colours.setdefault(record["status"], set()).add(row["style"])
    assert all(len(styles) == 1 for styles in colours.values()), colours
    assert len({next(iter(styles)) for styles in colours.values()}) == len(colours), colours
    return report
