"""Field-exact accuracy of the twelve flat totals over the real report corpus.

tests/fixtures/reports/corpus/labels.json holds totals read by hand from each document
(SOURCES.md says where each came from). Run with `pytest -q -s tests/test_report_corpus.py`
to see the per-rendering figures.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from crawler.cli.report import load_input
from pipelines.reports import flat_row, parse_report

CORPUS = Path(__file__).parent / "fixtures" / "reports" / "corpus"
LABELS = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
FIELDS: list[str] = LABELS["fields"]
THRESHOLD = 0.98


def _parse(entry: dict) -> dict:
    return parse_report(**load_input(CORPUS / entry["file"]))


@pytest.fixture(scope="module")
def parsed() -> list[tuple[dict, dict, dict]]:
    out = []
    for entry in LABELS["reports"]:
        report = _parse(entry)
        out.append((entry, report, flat_row(report)))
    return out


def test_labels_satisfy_the_format_identities():
    """The labels are the documents' own figures: H1 and H2 hold on them wherever they are known."""
    for entry in LABELS["reports"]:
        t = dict(zip(FIELDS, entry["totals"], strict=True))
        h1 = ("new_received_total", "carried_over_total", "processed_total", "carried_forward_total")
        if all(t[k] is not None for k in h1):
            assert (
                t["new_received_total"] + t["carried_over_total"]
                == t["processed_total"] + t["carried_forward_total"]
            ), entry["file"]
        parts = ["granted_total", "partial_total", "denied_total", "unable_total", "not_processed_total"]
        if all(t[k] is not None for k in [*parts, "other_total", "processed_total"]):
            assert sum(t[k] for k in [*parts, "other_total"]) == t["processed_total"], entry["file"]


def _score(parsed) -> tuple[dict[str, list[int]], list[str]]:
    """Per rendering [exact, labelled, invented], and every wrong non-null value."""
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    wrong: list[str] = []
    for entry, report, row in parsed:
        assert report["doc"]["format"] == entry["format"], entry["file"]
        assert row["report_year"] == entry["year"], entry["file"]
        stats = per[entry["rendering"]]
        for name, label in zip(FIELDS, entry["totals"], strict=True):
            got = row[name]
            if label is None:
                stats[2] += got is not None  # a figure the document does not give
                continue
            stats[1] += 1
            if got == label:
                stats[0] += 1
            elif got is not None:
                wrong.append(f"{entry['file']}:{name} {got} != {label}")
    return per, wrong


def _show(title: str, per: dict[str, list[int]]) -> float:
    exact = sum(s[0] for s in per.values())
    scored = sum(s[1] + s[2] for s in per.values())
    print(f"\n{title}: {exact}/{scored} totals exact ({exact / scored:.1%})")
    for rendering, (ok, labelled, invented) in sorted(per.items()):
        print(f"  {rendering:10s} {ok}/{labelled + invented} exact, {invented} invented")
    return exact / scored


def test_accuracy_over_the_corpus(parsed):
    """Documents as they were found: at least 98% of the labelled totals exact, none wrong."""
    found = [p for p in parsed if not p[0].get("rerendered")]
    per, wrong = _score(found)
    share = _show(f"annual-report corpus, {len(found)} documents as found", per)
    assert not wrong, wrong  # a figure is right or null (with a warning), never a wrong number
    assert all(s[2] == 0 for s in per.values())
    assert share >= THRESHOLD


def test_flattened_renderings_are_right_or_null_with_a_warning(parsed):
    """Flattened text made from the same documents: a total the alignment cannot decide (blank
    cells vanish when cell boundaries go; a row breaking H4 has no consistent reading) stays
    null with a warning; no value is ever wrong."""
    flat = [p for p in parsed if p[0].get("rerendered")]
    per, wrong = _score(flat)
    _show(f"re-rendered flattened text, {len(flat)} documents", per)
    assert not wrong, wrong
    assert all(s[2] == 0 for s in per.values())
    for entry, _report, row in flat:
        nulls = [n for n, v in zip(FIELDS, entry["totals"], strict=True) if v is not None and row[n] is None]
        if nulls:
            assert any(w.startswith(("ambiguous_cells", "recovery_")) for w in row["parser_warnings"]), entry


def test_every_inconsistent_report_is_flagged(parsed):
    for entry, _report, row in parsed:
        failed = {i for i in row["checks_failed_ids"] if i.startswith("H")}
        expected = set(entry["inconsistent"])
        if entry["rendering"] == "flattened":
            # a flattened row that breaks the identities is never read (null + warning), so its
            # inconsistency cannot show as a failed check; it shows as the values left null
            assert failed <= expected, entry["file"]
            continue
        assert failed == expected, entry["file"]


def test_blank_totals_and_prose_totals_carry_their_source(parsed):
    by_file = {e["file"]: (r, row) for e, r, row in parsed}
    report, row = by_file["shanghai-bgt-2019.html"]
    assert report["totals"]["granted_total"] == {"value": 272, "source": "derived"}
    assert report["totals"]["new_received_total"] == {"value": 859, "source": "table"}
    granted = next(c for c in report["cells"] if c["row"] == "granted" and c["col"] == "total")
    assert granted["blank"] and granted["derived"] and granted["source"] == "derived"
    assert "granted_total:derived" in row["totals_source"]
    prose_report, _prose_row = by_file["../seeds/004_e59fbb59a1f12693.txt"]
    assert prose_report["totals"]["new_received_total"] == {"value": 0, "source": "prose"}
    assert prose_report["totals"]["granted_total"] == {"value": None, "source": None}


def test_legacy_and_prose_reports_name_the_totals_they_leave_null(parsed):
    """Pre-2019 tables and reports without a table state only some of the twelve totals: a total
    not stated stays null and the warning names it; none is guessed (a value the labels do not
    have counts as invented in the accuracy test)."""
    seen = 0
    for entry, _report, row in parsed:
        if entry["format"] not in ("legacy_national_2014", "legacy_fujian", "prose"):
            continue
        seen += 1
        nulls = [n for n in FIELDS if row[n] is None]
        if nulls:
            warning = next(w for w in row["parser_warnings"] if w.startswith("totals_not_stated:"))
            assert warning.split(":", 1)[1].split(",") == nulls, entry["file"]
    assert seen >= 10


def test_figures_printed_away_from_their_labels_count_only_when_the_table_confirms_them(parsed):
    """PDF-to-Markdown conversions print several rows' labels first and their figures after. The
    上海市政府办公厅 2025 text reads whole (H1 and H2 hold with the moved figures in place); the 上海市科委
    2024 text, scrambled further, leaves those rows null and says so — its outcome totals then come
    from its own prose, where they close H2 exactly."""
    by_file = {e["file"]: (r, row) for e, r, row in parsed}
    _report, row = by_file["shanghai-bgt-2025.md.txt"]
    assert not any(w.startswith("displaced_rows_unconfirmed") for w in row["parser_warnings"])
    report, row = by_file["shanghai-kewei-2024.md.txt"]
    assert any(w.startswith("displaced_rows_unconfirmed") for w in row["parser_warnings"])
    assert report["applications"]["rows"]["partial"]["total"] is None
    assert report["totals"]["denied_total"] == {"value": 2, "source": "prose"}


def test_prose_that_contradicts_the_table_is_flagged_and_the_table_kept(parsed):
    """A 长春 bureau's 2023 report says 共受理政府信息公开申请2件 in its prose and prints 本年新收 3 in its
    table: the table's figure is the total, and the disagreement is a failed check (T1)."""
    by_file = {e["file"]: (r, row) for e, r, row in parsed}
    report, row = by_file["pages/changchun-styjrswj-2023.txt"]
    assert report["totals"]["new_received_total"] == {"value": 3, "source": "table"}
    assert "T1:applications_received" in row["checks_failed_ids"]
