# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the fleet report as one self-contained HTML page (one table, a colour per status, no external assets).

Every value is HTML-escaped: host names, messages and paths come from the inventory and the broken disk.
"""

from __future__ import annotations

from html import escape

# One place for the status colours (background of the status cell and the row's left border).
STATUS_COLOURS = {"done": "#2e7d32", "failed": "#c62828", "unreachable": "#6d4c41"}
COLUMNS = ("Host", "Status", "Phases", "Changes", "Backup", "Journal", "Diagnosis", "Next step")

_STYLE = """
body { font-family: Segoe UI, Helvetica, Arial, sans-serif; margin: 1.5em; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #c8c8c8; padding: 0.35em 0.5em; text-align: left; vertical-align: top; }
th { background: #eeeeee; }
td.status { color: #ffffff; font-weight: bold; white-space: nowrap; }
.check { background: #fff3cd; padding: 0.5em; border: 1px solid #e0c060; }
"""


def _cell(text, css_class: str = "", style: str = "") -> str:
    attributes = (f' class="{css_class}"' if css_class else "") + (f' style="{style}"' if style else "")
    return f"<td{attributes}>{escape(str(text)) if text not in (None, '') else '-'}</td>"


def _status_text(record: dict) -> str:
    if record["status"] == "failed":
        return f"failed in phase {record['failed_phase'] or '?'}"
    return record["status"]


def _changes_text(record: dict, check_mode: bool) -> str:
    changed = [change["area"] for change in record["changes"] if change["changed"]]
    if changed:
        return ("would change: " if check_mode else "") + ", ".join(changed)
    return "nothing" if record["status"] != "done" or not record["changes"] else "nothing (already as asked)"


def _diagnosis_text(diagnosis: dict | None) -> str:
    if not diagnosis:
        return ""
    suspects = ", ".join(s["service"] for s in diagnosis["suspects"]) or "none"
    bugcheck = f"{diagnosis['bugcheck']}; " if diagnosis["bugcheck"] else ""
    return f"{bugcheck}suspects {suspects}. {diagnosis['recommendation'] or ''}".strip()


def _next_text(record: dict) -> str:
    failure = f"{record['failed_task']}: {record['message']}. " if record["status"] == "failed" else ""
    if record["status"] == "unreachable":
        failure = f"{record['message']}. "
    return failure + record["next_step"]


def _row(record: dict, check_mode: bool) -> str:
    colour = STATUS_COLOURS[record["status"]]
    cells = [
        _cell(record["host"], "host"),
        _cell(_status_text(record), "status", f"background: {colour}"),
        _cell(", ".join(record["phases"])),
        _cell(_changes_text(record, check_mode)),
        _cell(record["backup_path"]),
        _cell(record["journal_path"]),
        _cell(_diagnosis_text(record["diagnosis"])),
        _cell(_next_text(record)),
    ]
    return (f'<tr data-host="{escape(record["host"])}" data-status="{record["status"]}" '
            f'style="border-left: 6px solid {colour}">' + "".join(cells) + "</tr>")


def report_html(report: dict) -> str:
    check_mode = report["check_mode"]
    totals = report["totals"]
    title = f"vmrescue.windows fleet report{' (check mode)' if check_mode else ''}"
    notice = ('<p class="check">CHECK MODE: nothing was written; the changes are what would change.</p>'
              if check_mode else "")
    header = "".join(f"<th>{escape(column)}</th>" for column in COLUMNS)
    rows = "\n".join(_row(record, check_mode) for record in report["hosts"])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n{notice}\n"
        f"<p>{escape(report['playbook'])}, {escape(report['generated_at'] or '')}: {totals['hosts']} hosts, "
        f"{totals['done']} done, {totals['failed']} failed, {totals['unreachable']} unreachable.</p>\n"
        f"<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n</body></html>\n"
    )
