"""Annual reports among the documents: the report document for a documents row.

Runs beside extract_document on the same (url, headers, bytes), live and in
`xxgk parse`. A report published as a page and as PDF/DOCX attachments gives
one report document per rendering, each traceable to its own capture; the
``report_key`` (organ|year) groups renderings of the same report.
"""

from __future__ import annotations

import logging
from typing import Any

from pipelines.encoding import decode_html
from pipelines.fields import DOCUMENT_FIELDS, Field
from pipelines.headers import header_value
from pipelines.reports import FLAT_FIELDS, flat_row, is_annual_report, parse_report

logger = logging.getLogger(__name__)

PROVENANCE_KEYS = ("doc_id", "url", "warc_file", "warc_offset", "warc_length", "warc_record_id", "fetched_at",
                   "payload_digest")

_DOCUMENT_FIELD = {f.name: f for f in DOCUMENT_FIELDS}
ANNUAL_REPORT_FIELDS: list[Field] = [
    _DOCUMENT_FIELD["doc_id"],
    Field("report_key", "报告键", "string", "高桥镇人民政府|2018", "organ|report_year: groups renderings of one report"),
    *FLAT_FIELDS,
    *(_DOCUMENT_FIELD[name] for name in ("warc_file", "warc_offset", "warc_length")),
]


def report_with_source(row: dict[str, Any], headers, body: bytes) -> tuple[dict, dict] | None:
    """(report document, its source as parse_report's keyword arguments), or None when not a report.

    The source is kept so that the report can be parsed again with the same
    organ's previous-year report once the whole crawl is known (link_years).
    """
    if row.get("status") not in (None, 200) or not is_annual_report(row.get("title"), row.get("text")):
        return None
    if row.get("kind") == "page":
        html, _ = decode_html(body, header_value(headers, "content-type"))
        source = {"html": html}
    elif row.get("text"):
        source = {"text": row["text"]}
    else:
        return None
    try:
        return parse_report(**source, meta=row), source
    except Exception as exc:  # a parser bug must not lose the document row
        logger.exception("annual-report parser failed on %s", row.get("url"))
        failed = {"schema": "xxgk.annual_report/1", "doc": {"url": row.get("url")}, "error": f"{type(exc).__name__}: {exc}"}
        return failed, source


def report_for_document(row: dict[str, Any], headers, body: bytes) -> dict | None:
    """The annual-report document of a documents row, or None when it is not a report."""
    found = report_with_source(row, headers, body)
    return found[0] if found else None


def _organ_year(report: dict) -> tuple[str, int] | None:
    doc = report.get("doc") or {}
    organ, year = doc.get("organ"), doc.get("report_year")
    return (organ, year) if organ and isinstance(year, int) else None


def link_years(entries: list[tuple[dict, dict, dict]]) -> int:
    """Cross-year checks (S1–S4): re-parse each report whose organ's previous-year report is here.

    entries: (documents row, source, report); reports are replaced in place.
    Renderings of one report (page, PDF, DOCX) all get the same predecessor,
    the previous year's HTML rendering when there is one (tables read best).
    Returns how many reports were linked.
    """
    previous: dict[tuple[str, int], dict] = {}
    for _row, _, report in sorted(entries, key=lambda e: e[0].get("kind") != "page"):
        key = _organ_year(report)
        if key and "error" not in report:
            previous.setdefault(key, report)
    linked = 0
    for index, (row, source, report) in enumerate(entries):
        key = _organ_year(report)
        prior = previous.get((key[0], key[1] - 1)) if key else None
        if prior is None:
            continue
        try:
            entries[index] = (row, source, parse_report(**source, meta=row, previous=prior))
            linked += 1
        except Exception:  # keep the unlinked report rather than lose it
            logger.exception("cross-year re-parse failed on %s", row.get("url"))
    return linked


def finish_report(report: dict, row: dict[str, Any]) -> tuple[dict, dict]:
    """Stamp the capture's provenance on the report; return (report document, flat row)."""
    doc = report.setdefault("doc", {})
    for key in PROVENANCE_KEYS:
        if row.get(key) is not None:
            doc[key] = row[key]
    flat = flat_row(report) if "error" not in report else {"url": row.get("url")}
    flat.update({key: row.get(key) for key in ("doc_id", "warc_file", "warc_offset", "warc_length")})
    organ, year = flat.get("organ"), flat.get("report_year")
    flat["report_key"] = f"{organ}|{year}" if organ and year else None
    return report, flat
