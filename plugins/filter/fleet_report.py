# Copyright (c) vmrescue.windows contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``fleet_record``, ``fleet_report`` and ``fleet_report_html``: the fleet report of critical_service_repair."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.vmrescue.windows.plugins.plugin_utils._fleet_report import (
    ReportInputError, fleet_report as build_report, host_record,
)
from ansible_collections.vmrescue.windows.plugins.plugin_utils._fleet_report_html import report_html


class FleetReportFilterError(ReportInputError, AnsibleFilterError):
    """Ends the task as a failed result with the report's message (and is a VmrescueError like every other)."""


def _reported(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ReportInputError as error:
        raise FleetReportFilterError(error.msg) from None


def fleet_record(outcome, host, steps=None, target=None, backup=None, diagnosis=None, check_mode=False,
                 next_step=None, run_id=None):
    return _reported(host_record, outcome, host, steps=steps, target=target, backup=backup, diagnosis=diagnosis,
                     check_mode=check_mode, next_step=next_step, run_id=run_id)


def fleet_report(records, hosts, check_mode=False, generated_at=None):
    return _reported(build_report, records, hosts, check_mode=check_mode, generated_at=generated_at)


def fleet_report_html(report):
    if not isinstance(report, dict) or "hosts" not in report:
        raise FleetReportFilterError("fleet_report_html expects the result of vmrescue.windows.fleet_report")
    return report_html(report)


class FilterModule:
    def filters(self):
        return {"fleet_record": fleet_record, "fleet_report": fleet_report, "fleet_report_html": fleet_report_html}
