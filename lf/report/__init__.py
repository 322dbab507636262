"""Reports of a label matrix: a terminal table, JSON (schema ``lf.report/2``) and HTML."""

from lf.report.data import ReportData, build_report
from lf.report.gates import GateResult, check_gates
from lf.report.html import render_html, write_html
from lf.report.json import report_dict, report_document
from lf.report.terminal import print_report

__all__ = [
    "GateResult",
    "ReportData",
    "build_report",
    "check_gates",
    "print_report",
    "render_html",
    "report_dict",
    "report_document",
    "write_html",
]
