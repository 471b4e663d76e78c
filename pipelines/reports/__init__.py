"""Annual reports (政府信息公开工作年度报告) → structured figures, with the format's own checks.

Public API (stable; the dataset pipeline calls these):

    parse_report(*, text=None, html=None, meta=None, previous=None) -> dict
    flat_row(report) -> dict            # one annual_reports table row; FLAT_FIELDS gives its columns
    is_annual_report(title, text) -> bool

The document schema (xxgk.annual_report/1) follows the annual-reports research note, §10;
parse.py documents where it goes beyond it.
"""

from pipelines.reports.classify import is_annual_report
from pipelines.reports.flat import FLAT_FIELD_NAMES, FLAT_FIELDS, flat_row
from pipelines.reports.parse import PARSER_VERSION, SCHEMA, parse_report

__all__ = [
    "FLAT_FIELDS",
    "FLAT_FIELD_NAMES",
    "PARSER_VERSION",
    "SCHEMA",
    "flat_row",
    "is_annual_report",
    "parse_report",
]
