"""Reports of a label matrix: a terminal table and JSON."""

from lf.report.json import report_dict
from lf.report.terminal import print_report

__all__ = ["print_report", "report_dict"]
