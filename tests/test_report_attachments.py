"""The same composed reports as text, DOCX and PDF, read back through pipelines.attachments.

A PDF's text layer drops blank cells and wraps long labels; where the checks cannot tell
which column a number sat in, the cell must stay null (ambiguous) — never a wrong number.
"""

from __future__ import annotations

import pytest

from pipelines import attachments
from pipelines.reports import parse_report
from tests.fixtures.reports import build
from tests.fixtures.reports.specs import DEMO_SPECS, DONGHU_2022, SHUIWU_2023


def read_back(kind: str, spec) -> str:
    if kind == "text":
        return build.to_text(spec)
    body = build.to_docx(spec) if kind == "docx" else build.to_pdf(spec)
    content = attachments.read_attachment(body, filename=f"report.{kind}")
    assert content.error is None, content.error
    return content.text


@pytest.fixture(scope="module", params=["text", "docx", "pdf"])
def kind(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def parsed(kind) -> list[tuple]:
    return [(spec, parse_report(text=read_back(kind, spec))) for spec in DEMO_SPECS]


def _cells(report: dict) -> dict:
    return {(row, col): v for row, cols in report["applications"]["rows"].items() for col, v in cols.items()}


def test_figures_are_right_or_null(kind, parsed):
    for spec, report in parsed:
        expected = build.expected(spec)
        assert report["doc"]["format"] == spec.fmt
        assert report["doc"]["report_year"] == spec.year
        truth = {(row, col): v for row, cols in expected["applications"].items() for col, v in cols.items()}
        got = _cells(report)
        wrong = {k: (truth[k], v) for k, v in got.items() if v is not None and v != truth[k]}
        assert wrong == {}, spec.slug
        assert report["review_litigation"] == expected["review_litigation"], spec.slug
        assert {
            r: {c: (v["value"] if isinstance(v, dict) else v) for c, v in cols.items()}
            for r, cols in report["proactive"].items()
        } == {
            r: {c: (v["value"] if isinstance(v, dict) else v) for c, v in cols.items()}
            for r, cols in expected["proactive"].items()
        }, spec.slug
        # every row total is printed in the last column: never ambiguous
        assert all(got[(row, "total")] == truth[(row, "total")] for row in expected["applications"]), (
            spec.slug
        )
        nulls = [k for k, v in got.items() if v is None]
        amb = {(c["row"], c["col"]) for c in report["cells"] if c["ambiguous"]}
        assert set(nulls) == amb, spec.slug  # a null cell is always explained
        failed = sorted(f"{c['id']}:{c['scope']}" for c in report["checks"] if c["status"] == "fail")
        assert failed == expected["checks_failed"], spec.slug


@pytest.mark.parametrize("tabular", ["text", "docx"])
def test_tab_separated_and_docx_read_every_cell(tabular):
    for spec in DEMO_SPECS:
        report = parse_report(text=read_back(tabular, spec))
        assert report["applications"]["rows"] == build.expected(spec)["applications"], spec.slug
        assert report["doc"]["table_layout"] == "tsv"


def test_pdf_blank_cells_lost_but_recovered_when_the_checks_decide():
    report = parse_report(text=read_back("pdf", DONGHU_2022))
    # every 0-valued cell vanished from the text layer; H1/H2/H3 leave exactly one placement
    assert report["applications"]["rows"] == build.expected(DONGHU_2022)["applications"]
    assert "lost_cells_read_as_blank" in report["parser"]["warnings"]
    assert not [c for c in report["cells"] if c["ambiguous"]]


def test_pdf_page_break_inside_the_tables():
    text = read_back("pdf", SHUIWU_2023)
    assert "\f" in text
    report = parse_report(text=text)
    assert report["review_litigation"]["review"]["total"] == 0  # fifteen "0" lines after the break
    assert report["parser"]["completeness"]["t4"] == {"expected": 15, "found": 15}
