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


def report_for_document(row: dict[str, Any], headers, body: bytes) -> dict | None:
    """The annual-report document of a documents row, or None when it is not a report."""
    if row.get("status") not in (None, 200) or not is_annual_report(row.get("title"), row.get("text")):
        return None
    try:
        if row.get("kind") == "page":
            html, _ = decode_html(body, header_value(headers, "content-type"))
            return parse_report(html=html, meta=row)
        if row.get("text"):
            return parse_report(text=row["text"], meta=row)
    except Exception as exc:  # a parser bug must not lose the document row
        logger.exception("annual-report parser failed on %s", row.get("url"))
        return {"schema": "xxgk.annual_report/1", "doc": {"url": row.get("url")}, "error": f"{type(exc).__name__}: {exc}"}
    return None


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
