"""HTML renderings of reports with real tables: merged cells, blank-for-zero, repeated headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.reports import flat_row, parse_report
from tests.fixtures.reports import build
from tests.fixtures.reports.specs import DEMO_SPECS, DONGHU_2022, DONGHU_2023, JIAOTONG_2020, SHUIWU_2023

DEMO = Path(__file__).resolve().parents[1] / "crawler" / "demo" / "data" / "reports"


def _money_free(proactive: dict) -> dict:
    """Section 二 with money as (value, unit): the raw text is checked separately."""
    return {
        row: {col: (v["value"], v["unit"]) if isinstance(v, dict) else v for col, v in cols.items()}
        for row, cols in proactive.items()
    }


def assert_matches(report: dict, expected: dict) -> None:
    for key in ("doc_type", "format", "report_year", "organ", "organ_kind"):
        assert report["doc"][key] == expected["doc"][key], key
    assert report["applications"]["rows"] == expected["applications"]
    assert report["review_litigation"] == expected["review_litigation"]
    assert _money_free(report["proactive"]) == _money_free(expected["proactive"])
    assert flat_row(report)["checks_failed_ids"] == expected["checks_failed"]
    for w in expected["warnings"]:
        assert w in report["parser"]["warnings"]


@pytest.mark.parametrize("page", sorted(DEMO.glob("*.html")), ids=lambda p: p.stem)
def test_demo_pages_match_their_sidecars(page):
    expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    report = parse_report(html=page.read_text(encoding="utf-8"), meta=expected["meta"])
    assert report["doc"]["table_layout"] == "html_table"
    assert report["doc"]["published_date"] == expected["meta"]["publish_date"]
    assert_matches(report, expected)


def test_demo_folder_holds_the_composed_reports():
    assert {p.stem for p in DEMO.glob("*.html")} >= {s.slug for s in DEMO_SPECS}
    for spec in DEMO_SPECS:  # the committed pages are what the builder writes
        assert (DEMO / f"{spec.slug}.html").read_text(encoding="utf-8") == build.to_html(spec)


def test_demo_pages_have_the_layout_hazards():
    page = (DEMO / f"{DONGHU_2023.slug}.html").read_text(encoding="utf-8")
    assert 'rowspan="3" colspan="3"' in page  # the merged top-left note cell
    assert page.count("申请人情况") == 2  # header repeated after the page break
    assert "三、本年度办理结果（续）" in page
    assert "&nbsp;</p></td>" in page  # blank-for-zero cells
    assert "QQ空间" in page and "您当前的位置" in page  # portal chrome around the article


def test_inconsistent_total_is_flagged_and_kept():
    report = parse_report(html=build.to_html(SHUIWU_2023))
    rows = report["applications"]["rows"]
    assert rows["processed_total"]["total"] == 21  # as printed, never replaced
    assert report["applications"]["derived"]["components_sum"]["total"] == 27
    failed = {(c["id"], c["scope"]): (c["lhs"], c["rhs"]) for c in report["checks"] if c["status"] == "fail"}
    assert failed == {
        ("H1", "total"): (27, 21),
        ("H2", "total"): (21, 27),
        ("H3", "processed_total"): (21, 27),
    }
    assert flat_row(report)["processed_total"] == 21


def test_blank_cells_are_zero_and_marked_blank():
    report = parse_report(html=build.to_html(DONGHU_2023))
    cells = {(c["row"], c["col"]): c for c in report["cells"] if c["table"] == "t3"}
    blank = cells[("denied.state_secret", "total")]
    assert (blank["value"], blank["blank"], blank["raw"]) == (0, True, "")
    printed = cells[("new_received", "research")]
    assert (printed["value"], printed["blank"], printed["raw"]) == (0, False, "0")
    assert len(cells) == 175  # 25 rows x 7 columns
    # HTML cells are located by table position and source line, not text offsets
    loc = cells[("granted", "natural_person")]["loc"]
    assert set(loc) == {"table", "row", "col", "line"} and loc["line"] > 0
    assert cells[("granted", "natural_person")]["span"] is None


def test_gb2019_page():
    report = parse_report(html=build.to_html(JIAOTONG_2020))
    p = report["proactive"]
    assert p["licensing"] == {"prev_items": 12, "change": -2, "decisions": 356}
    assert p["central_procurement"]["amount"] == {"value": 251000, "unit": "元", "raw": "251000"}
    assert "fees" in p and "issued" not in p["normative_documents"]  # 2019 columns, not 2021's
    assert report["applications"]["derived"]["other"]["total"] == 0
    h5 = [c for c in report["checks"] if c["id"] == "H5"]
    assert {c["status"] for c in h5} == {"pass"}  # a negative 本年增/减 is allowed


def test_cross_year_checks_with_previous_report():
    prev = parse_report(html=build.to_html(DONGHU_2022))
    report = parse_report(html=build.to_html(DONGHU_2023), previous=prev)
    s1 = [c for c in report["checks"] if c["id"] == "S1"]
    assert len(s1) == 7 and all(c["status"] == "pass" for c in s1)
    s2 = {c["scope"]: c for c in report["checks"] if c["id"] == "S2"}
    assert s2["normative_documents"]["status"] == "pass"  # 23 + 3 - 1 = 25
    assert (s2["normative_documents"]["lhs"], s2["normative_documents"]["rhs"]) == (26, 26)


def test_cross_year_check_catches_a_mismatch():
    prev = parse_report(html=build.to_html(DONGHU_2022))
    prev["applications"]["rows"]["carried_forward"]["total"] = 5
    report = parse_report(html=build.to_html(DONGHU_2023), previous=prev)
    s1 = {c["scope"]: c for c in report["checks"] if c["id"] == "S1"}
    assert (s1["total"]["status"], s1["total"]["lhs"], s1["total"]["rhs"]) == ("fail", 2, 5)
    assert s1["natural_person"]["status"] == "pass"


def test_previous_report_of_another_year_is_not_assessed():
    prev = parse_report(html=build.to_html(DONGHU_2022))
    prev["doc"]["report_year"] = 2020
    report = parse_report(html=build.to_html(DONGHU_2023), previous=prev)
    assert not [c for c in report["checks"] if c["id"] in ("S1", "S2")]
    assert "previous_not_year_before" in report["parser"]["warnings"]


def test_prose_figures_and_fee_sentence():
    report = parse_report(html=build.to_html(DONGHU_2023))
    t = {c["id"]: c for c in report["checks"] if c["id"].startswith("T")}
    assert (t["T1"]["status"], t["T1"]["lhs"], t["T1"]["rhs"]) == ("pass", 30, 30)
    assert (t["T2"]["status"], t["T2"]["lhs"]) == ("pass", 31)
    assert t["T3"]["status"] == t["T4"]["status"] == "pass"
    assert report["info_processing_fee"] == {
        "amount": {"value": 0, "unit": "元", "raw": "未收取信息处理费"},
        "text": "本年度未收取信息处理费。",
    }
    assert report["proactive"]["fees"]["amount"] == {"value": 1.25, "unit": "万元", "raw": "1.250000"}


def test_sections_and_year_check():
    report = parse_report(html=build.to_html(DONGHU_2023), meta={"publish_date": "2024-01-18"})
    assert [s["no"] for s in report["sections"]] == [1, 2, 3, 4, 5, 6]
    assert report["sections"][4]["heading"] == "五、存在的主要问题及改进情况"
    y1 = next(c for c in report["checks"] if c["id"] == "Y1")
    assert y1["status"] == "pass"
    late = parse_report(html=build.to_html(DONGHU_2023), meta={"publish_date": "2025-06-01"})
    assert next(c for c in late["checks"] if c["id"] == "Y1")["status"] == "fail"


def test_html_label_hazards():
    """Labels broken by <br>, spaces and Word list comments; dashes for blanks; 商业 企业 split."""
    page = build.to_html(DONGHU_2023)
    page = page.replace("本年制发件数", "本年<br>制发件数").replace(
        "三、本年度办理结果<", "三、本年度办 理结果<"
    )
    page = page.replace(">商业企业<", ">商业 企业<").replace(
        "(一)予以公开", "<!--[if !supportLists]-->(一)<!--[endif]-->予以 公开"
    )
    page = page.replace('<p style="text-align:center">&nbsp;</p>', '<p style="text-align:center">—</p>', 5)
    report = parse_report(html=page)
    assert report["doc"]["format"] == "gb2021"
    assert report["applications"]["rows"] == build.expected(DONGHU_2023)["applications"]
    dashes = [c for c in report["cells"] if c["table"] == "t3" and c["blank"] and c["raw"] == "—"]
    assert dashes == [] or all(c["value"] == 0 for c in dashes)


def test_gb2019_cross_year_s3():
    prev = parse_report(html=build.to_html(JIAOTONG_2020))
    nxt = build.ReportSpec(
        **{
            **JIAOTONG_2020.__dict__,
            "slug": "x",
            "year": 2021,
            "published": "2022-01-20",
            "proactive": {
                **JIAOTONG_2020.proactive,
                "licensing": [10, 0, 300],
                "other_mgmt_services": [7, 0, 1100],
            },
        }
    )
    report = parse_report(html=build.to_html(nxt), previous=prev)
    s3 = {c["scope"]: (c["status"], c["lhs"], c["rhs"]) for c in report["checks"] if c["id"] == "S3"}
    assert s3["licensing"] == ("pass", 10, 10)  # 12 + (-2)
    assert s3["other_mgmt_services"] == ("fail", 7, 6)  # 5 + 1
    assert s3["fees"] == ("fail", 3, 2)  # 3 + (-1)
