"""Annual reports among the documents: the report document for a documents row.

Runs beside extract_document on the same (url, headers, bytes), live and in
`xxgk parse`. A report published as a page and as PDF/DOCX attachments gives
one report document per rendering, each traceable to its own capture; the
``report_key`` (organ|year) groups renderings of the same report.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from archive.encoding import decode_html
from pipelines.fields import DOCUMENT_FIELDS, Field
from pipelines.headers import header_value
from pipelines.reports import FLAT_FIELDS, flat_row, is_annual_report, parse_report

if TYPE_CHECKING:  # not imported at run time: extraction workers need no pyarrow (~40 MB)
    from pipelines.datasets import Dataset

logger = logging.getLogger(__name__)

PROVENANCE_KEYS = (
    "doc_id",
    "url",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_record_id",
    "fetched_at",
    "payload_digest",
)

_PRIORS_KEPT = 256  # previous-year reports read back and kept for their other renderings

_DOCUMENT_FIELD = {f.name: f for f in DOCUMENT_FIELDS}
ANNUAL_REPORT_FIELDS: list[Field] = [
    _DOCUMENT_FIELD["doc_id"],
    Field(
        "report_key",
        "报告键",
        "string",
        "高桥镇人民政府|2018",
        "organ|report_year: groups renderings of one report",
    ),
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
        failed = {
            "schema": "xxgk.annual_report/1",
            "doc": {"url": row.get("url")},
            "error": f"{type(exc).__name__}: {exc}",
        }
        return failed, source


def report_for_document(row: dict[str, Any], headers, body: bytes) -> dict | None:
    """The annual-report document of a documents row, or None when it is not a report."""
    found = report_with_source(row, headers, body)
    return found[0] if found else None


def _organ_year(report: dict) -> tuple[str, int] | None:
    doc = report.get("doc") or {}
    organ, year = doc.get("organ"), doc.get("report_year")
    return (organ, year) if organ and isinstance(year, int) else None


def link_years(entries: Sequence[tuple[dict, dict, dict]]) -> Iterator[tuple[dict, dict, bool]]:
    """Cross-year checks (S1–S4): (row, report, linked) for each entry, in order, the report parsed
    again beside its organ's previous-year report when that is among the entries.

    entries: (documents row, source, report). Renderings of one report (page, PDF, DOCX) all get
    the same predecessor, the previous year's HTML rendering when there is one (tables read best).
    Entries are read one at a time, twice, plus each predecessor: they may be a file
    (pipelines/pickled.py), so thousands of reports with their sources need not be in memory.
    """
    previous: dict[tuple[str, int], tuple[bool, int]] = {}  # (organ, year) → (not a page, position)
    for index, (row, _, report) in enumerate(entries):
        key = _organ_year(report)
        if key and "error" not in report:
            rank = (row.get("kind") != "page", index)
            previous[key] = min(previous.get(key, rank), rank)
    priors: dict[int, dict] = {}  # predecessors read back, by position
    for row, source, report in entries:
        key = _organ_year(report)
        found = previous.get((key[0], key[1] - 1)) if key else None
        if found is None:
            yield row, report, False
            continue
        prior = priors.get(found[1])
        if prior is None:
            if len(priors) >= _PRIORS_KEPT:
                priors.clear()
            prior = priors[found[1]] = entries[found[1]][2]
        try:
            yield row, parse_report(**source, meta=row, previous=prior), True
        except Exception:  # keep the unlinked report rather than lose it
            logger.exception("cross-year re-parse failed on %s", row.get("url"))
            yield row, report, False


def write_reports(
    entries: Sequence[tuple[dict, dict, dict]], reports: Dataset, report_dir: Path, skip: int = 0
) -> dict[str, int]:
    """Link each report to its organ's previous year, then write one JSON document per report
    (``report_dir/<doc_id>.json``) and its flat row; the counts, as crawl stats. The first
    ``skip`` entries (written by an earlier session of a resumed run) are linked, not written."""
    counts = {"xxgk/annual_reports/linked_to_previous_year": 0}
    seen: set[tuple] = set()  # a capture kept twice (a killed session's entry, then its retry)
    for index, (row, report, linked) in enumerate(link_years(entries)):
        key = (row.get("doc_id"), row.get("warc_record_id"))
        if key in seen or index < skip:
            seen.add(key)
            continue
        seen.add(key)
        counts["xxgk/annual_reports/linked_to_previous_year"] += linked
        report, flat = finish_report(report, row)
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / f"{row['doc_id']}.json").write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
        reports.write(flat)
        counts["xxgk/annual_reports"] = counts.get("xxgk/annual_reports", 0) + 1
        if flat.get("checks_failed"):
            counts["xxgk/annual_reports/checks_failed"] = (
                counts.get("xxgk/annual_reports/checks_failed", 0) + 1
            )
    return counts


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
