"""The fleet report filters: records from registered results, unreachable hosts, the schema in docs/, the HTML page
(read back with html.parser). The playbook's use of them is tested in tests/e2e/test_fleet.py."""

from __future__ import annotations

import jsonschema
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.vmrescue.windows.plugins.filter.fleet_report import FilterModule
from ansible_collections.vmrescue.windows.plugins.module_utils._errors import VmrescueError
from tests.fleet_report_check import parse_report_page, validate_report

FILTERS = FilterModule().filters()
TARGET = {"windows_drive": "F:", "disk_number": 1, "generation": 2, "bcd_store": "S:\\EFI\\Microsoft\\Boot\\BCD",
          "journal": "F:\\vmrescue\\journal.json", "backup_dir": "F:\\vmrescue-backup"}
STEPS = {
    "serial console (BCD)": {"changed": True, "settings": ["ems"]},
    "memory dump (SYSTEM hive)": {"changed": False},
    "safe mode set": {"changed": False, "skipped": True},
    "drivers replaced": {},
}
DIAGNOSIS = {"bugcheck": {"bugcheck_name": "CRITICAL_SERVICE_FAILED"},
             "suspects": [{"service": "filecrypt", "file": "\\SystemRoot\\System32\\drivers\\filecrypt.sys",
                           "score": 9, "evidence": []}],
             "recommendation": {"action": "swap", "text": "Replace filecrypt.sys."}}


def _done(host="rescue01", **overrides):
    arguments = {"steps": STEPS, "target": TARGET, "backup": {"path": "F:\\vmrescue-backup\\run1"},
                 "next_step": "Next: detach\n   the disk.", "run_id": "run1", **overrides}
    return FILTERS["fleet_record"]({"status": "done", "phases": ["discover", "backup", "enable_dump"]}, host,
                                   **arguments)


def _failed(host="rescue02"):
    outcome = {"status": "failed", "phases": ["discover", "backup", "enable_dump"], "failed_phase": "enable_dump",
               "failed_task": "Write the serial console settings", "message": "bcdedit exit code 1"}
    return FILTERS["fleet_record"](outcome, host, steps=STEPS, target=TARGET, backup={"path": "F:\\b\\run2"},
                                   next_step="Next: fix the cause above and run the playbook again.")


def test_a_done_record_lists_the_areas_that_ran_and_whether_they_changed():
    record = _done()
    assert record["status"] == "done" and record["failed_phase"] is None and record["message"] is None
    assert record["changes"] == [{"area": "serial console (BCD)", "changed": True},
                                 {"area": "memory dump (SYSTEM hive)", "changed": False}]
    assert record["backup_path"] == "F:\\vmrescue-backup\\run1"
    assert record["journal_path"] == "F:\\vmrescue\\journal.json"
    assert record["disk"] == {"windows_drive": "F:", "disk_number": 1, "generation": 2,
                              "bcd_store": "S:\\EFI\\Microsoft\\Boot\\BCD"}
    assert record["diagnosis"] is None and record["next_step"] == "Next: detach the disk."


def test_a_failed_record_names_the_phase_task_and_message():
    record = _failed()
    assert (record["status"], record["failed_phase"], record["failed_task"], record["message"]) == (
        "failed", "enable_dump", "Write the serial console settings", "bcdedit exit code 1")


def test_the_diagnosis_keeps_suspects_and_recommendation():
    record = _done(diagnosis=DIAGNOSIS)
    assert record["diagnosis"] == {"bugcheck": "CRITICAL_SERVICE_FAILED",
                                   "suspects": [{"service": "filecrypt",
                                                 "file": "\\SystemRoot\\System32\\drivers\\filecrypt.sys"}],
                                   "recommendation": "Replace filecrypt.sys."}


def test_check_mode_says_what_would_change_and_where_the_backup_would_go():
    record = _done(check_mode=True, backup={"path": None}, next_step="")
    assert record["check_mode"] is True and record["backup_path"] == "F:\\vmrescue-backup"
    assert "without --check" in record["next_step"]
    unchanged = _done(check_mode=True, backup={"path": None}, next_step="",
                      steps={"serial console (BCD)": {"changed": False}})
    assert "Nothing to do" in unchanged["next_step"]


def test_the_report_has_every_play_host_in_order_the_missing_ones_unreachable():
    records = [_failed("rescue02"), _done("rescue01")]
    report = FILTERS["fleet_report"](records, ["rescue01", "rescue02", "rescue03"], generated_at="2026-12-01T07:00:00Z")
    validate_report(report)
    assert [r["host"] for r in report["hosts"]] == ["rescue01", "rescue02", "rescue03"]
    assert report["hosts"][2]["status"] == "unreachable" and report["hosts"][2]["phases"] == []
    assert report["totals"] == {"hosts": 3, "done": 1, "failed": 1, "unreachable": 1}
    assert report["by_status"] == {"done": ["rescue01"], "failed": ["rescue02"], "unreachable": ["rescue03"]}


def test_the_schema_rejects_a_record_without_its_status():
    report = FILTERS["fleet_report"]([_done()], ["rescue01"])
    del report["hosts"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(report)


@pytest.mark.parametrize("records, hosts, message", [
    ([{"host": "rescue09", "status": "done"}], ["rescue01"], "outside the play"),
    ([{"status": "done"}], ["rescue01"], "not a host record"),
    (["rescue01"], ["rescue01"], "must be a dict"),
    ([], "rescue01", "must be a list"),
])
def test_the_report_refuses_what_is_not_a_host_record(records, hosts, message):
    with pytest.raises(AnsibleFilterError, match=message) as raised:
        FILTERS["fleet_report"](records, hosts)
    assert isinstance(raised.value, VmrescueError)


def test_a_record_refuses_an_outcome_that_is_neither_done_nor_failed():
    with pytest.raises(VmrescueError, match="not done or failed"):
        FILTERS["fleet_record"]({"status": "maybe", "phases": []}, "rescue01")
    with pytest.raises(VmrescueError, match="must be a number"):
        FILTERS["fleet_record"]({"status": "done", "phases": []}, "rescue01", target={"disk_number": "one"})


HOSTILE = '<script>alert("x")</script>&amp;'


def test_the_page_has_one_escaped_row_per_host_and_a_colour_per_status():
    failed = _failed("rescue<02>")
    failed["message"] = f"</td></tr></table>{HOSTILE}"
    report = FILTERS["fleet_report"]([_done("rescue01"), failed], ["rescue01", "rescue<02>", "rescue03"],
                                     generated_at=HOSTILE)
    html = FILTERS["fleet_report_html"](report)
    assert "<script>" not in html
    page = parse_report_page(html)
    assert list(page.rows) == ["rescue01", "rescue<02>", "rescue03"]
    assert [row["status"] for row in page.rows.values()] == ["done", "failed", "unreachable"]
    assert len({row["style"] for row in page.rows.values()}) == 3
    failed_row = page.rows["rescue<02>"]["cells"]
    assert failed_row[0] == "rescue<02>" and failed_row[1] == "failed in phase enable_dump"
    assert HOSTILE in failed_row[-1]
    assert page.rows["rescue01"]["cells"][3] == "serial console (BCD)"


def test_the_page_of_a_check_run_says_so():
    report = FILTERS["fleet_report"]([_done(check_mode=True)], ["rescue01"], check_mode=True)
    html = FILTERS["fleet_report_html"](report)
    assert "CHECK MODE: nothing was written" in html
    assert parse_report_page(html).rows["rescue01"]["cells"][3] == "would change: serial console (BCD)"
    with pytest.raises(VmrescueError):
        FILTERS["fleet_report_html"]({"totals": {}})
