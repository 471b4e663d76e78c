"""The five seed documents, with figures read off them by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.reports import flat_row, is_annual_report, parse_report

SEEDS = Path(__file__).parent / "fixtures" / "reports" / "seeds"


def seed(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {n: parse_report(text=seed(n)) for n in ("000", "001", "002", "003", "004")}


def items(report: dict) -> dict:
    return {i["key"]: i for i in report["legacy"]["items"] if i["key"]}


def check(report: dict, cid: str, scope: str) -> dict:
    found = [c for c in report["checks"] if c["id"] == cid and c["scope"] == scope]
    assert len(found) == 1, (cid, scope, report["checks"])
    return found[0]


def test_classification(reports):
    got = {n: (r["doc"]["doc_type"], r["doc"]["format"]) for n, r in reports.items()}
    assert got == {
        "000": ("annual_report", "legacy_national_2014"),
        "001": ("annual_report", "gb2019"),
        "002": ("annual_report", "legacy_fujian"),
        "003": ("work_summary", None),
        "004": ("annual_report", "prose"),
    }


def test_seed003_is_a_work_summary_not_a_report(reports):
    text = seed("003")
    assert not is_annual_report(None, text)
    assert not is_annual_report("贺兰县金贵镇2018年政务公开工作总结暨2019年工作计划", text)
    r = reports["003"]
    assert r["applications"] is None and r["legacy"] is None and r["proactive"] is None
    assert r["checks"] == [] and r["cells"] == []
    assert "not_an_annual_report" in r["parser"]["warnings"]
    assert flat_row(r)["doc_type"] == "work_summary"
    # its metadata block is still read
    assert r["doc"]["index_no"] == "640122-150/2018-93016"
    assert r["doc"]["doc_no"] == "金政发〔2018〕293号"


@pytest.mark.parametrize("name", ["000", "001", "002", "004"])
def test_reports_pass_the_prefilter(name):
    assert is_annual_report(None, seed(name))


def test_identity(reports):
    docs = {n: reports[n]["doc"] for n in ("000", "001", "002", "004")}
    assert {n: (d["organ"], d["organ_kind"], d["report_year"]) for n, d in docs.items()} == {
        "000": ("中卫市沙坡头区东园镇人民政府", "township", 2018),
        "001": ("盐池县高沙窝镇", "township", 2020),
        "002": ("沙县高桥镇人民政府", "township", 2018),
        "004": ("平罗县通伏乡人民政府", "township", 2018),
    }
    assert docs["002"]["published_date"] == "2019-01-22"
    assert docs["004"]["title"] == "平罗县通伏乡人民政府 2018 年政府信息公开年度报告"


def test_seed000_legacy_national_table(reports):
    r = reports["000"]
    it = items(r)
    assert len(r["legacy"]["items"]) == 58 and all(i["key"] for i in r["legacy"]["items"])
    figures = {
        k: it[k]["value"]
        for k in (
            "proactive.total",
            "proactive.normative",
            "proactive.gazette",
            "proactive.website",
            "proactive.weibo",
            "proactive.weixin",
            "proactive.other",
            "response.hot_topics",
            "response.weibo_weixin",
            "response.other",
            "applications.received",
            "applications.answered",
            "review.total",
            "litigation.total",
            "complaints",
            "fees",
            "staff.reading_points",
            "staff.total",
            "staff.full_time",
            "staff.part_time",
            "training.meetings",
            "training.classes",
            "training.trainees",
        )
    }
    assert figures == {
        "proactive.total": 312,
        "proactive.normative": 0,
        "proactive.gazette": 0,
        "proactive.website": 100,
        "proactive.weibo": 4,
        "proactive.weixin": 108,
        "proactive.other": 150,
        "response.hot_topics": 3,
        "response.weibo_weixin": 2,
        "response.other": 1,
        "applications.received": 0,
        "applications.answered": 0,
        "review.total": 0,
        "litigation.total": 0,
        "complaints": 0,
        "fees": 0,
        "staff.reading_points": 1,
        "staff.total": 1,
        "staff.full_time": 0,
        "staff.part_time": 1,
        "training.meetings": 13,
        "training.classes": 1,
        "training.trainees": 28,
    }
    assert (
        it["proactive.total"]["unit"] == "条"
        and it["fees"]["unit"] == "万元"
        and it["training.trainees"]["unit"] == "人次"
    )
    # the table's cell is traceable to the text
    text = seed("000")
    s, e = it["proactive.total"]["span"]
    assert text[s:e] == "312"
    # S5: the table's own sums; the channel counts are not summed to the total (计1条)
    assert check(r, "S5", "staff.total")["status"] == "pass"
    assert check(r, "S5", "applications.received")["status"] == "pass"
    assert not [c for c in r["checks"] if c["id"] == "S5" and c["scope"] == "proactive.total"]
    assert r["applications"] is None  # never fill gb fields from a legacy table


def test_seed000_prose_165_and_table_312_are_both_kept(reports):
    r = reports["000"]
    prose = [f for f in r["prose_figures"] if f["key"] == "proactive_published"]
    assert [(f["value"], f["section"]) for f in prose] == [(165, 2)]
    assert items(r)["proactive.total"]["value"] == 312
    c = check(r, "T6", "proactive_published")
    assert (c["status"], c["lhs"], c["rhs"]) == ("fail", 165, 312)
    assert "prose_table_disagree:proactive_published" in r["parser"]["warnings"]
    # the channels quoted in the same paragraph agree with the table
    assert check(r, "T7", "proactive_website")["status"] == "pass"
    assert check(r, "T7", "proactive_weixin")["status"] == "pass"
    row = flat_row(r)
    assert row["proactive_published_total"] == 312 and row["prose_proactive_published"] == 165
    assert row["checks_failed"] == 1 and row["checks_failed_ids"] == ["T6:proactive_published"]
    assert check(r, "Y1", "report_year")["status"] == "pass"  # title 2018 = (2018 年度)


def test_seed001_gb2019(reports):
    r = reports["001"]
    assert r["proactive"]["licensing"] == {"prev_items": 3, "change": -3, "decisions": 0}
    assert r["proactive"]["penalty"] == {"prev_items": 12, "change": 0, "decisions": 192}
    assert r["proactive"]["fees"] == {"prev_items": 0, "change": 0}
    assert r["proactive"]["central_procurement"]["projects"] == 0
    rows = r["applications"]["rows"]
    assert len(rows) == 23 and all(v == 0 for row in rows.values() for v in row.values())
    assert r["review_litigation"]["review"] == {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 0,
    }
    assert r["parser"]["completeness"]["t3"] == {"expected": 161, "found": 161}
    # 不予公开 / 无法提供 sub-rows lost a cell: read as a blank, at the left (right-edge alignment), H3 confirms
    lost = [c for c in r["cells"] if c.get("lost")]
    assert len(lost) == 11 and {c["col"] for c in lost} == {"natural_person"}
    assert {c["row"].split(".")[0] for c in lost} == {"denied", "unable"}
    assert all(c["recovered"] and c["blank"] for c in lost)
    assert {"label_variant:商业机构", "label_variant:社会组织"} <= set(r["parser"]["warnings"])
    hard = [c for c in r["checks"] if c["id"].startswith("H")]
    assert len(hard) == 7 + 7 + 23 + 3 + 3 and all(c["status"] == "pass" for c in hard)
    assert r["doc"]["table_layout"] == "tsv"
    assert [s["no"] for s in r["sections"]] == [1, 2, 3, 4, 5, 6]


def test_seed002_fujian_vertical_table(reports):
    r = reports["002"]
    assert r["doc"]["table_layout"] == "vertical"
    it = items(r)
    assert (it["proactive.total"]["value"], it["proactive.total"]["cumulative"]) == (208, 2758)
    assert (it["proactive.website"]["value"], it["proactive.website"]["cumulative"]) == (200, 2624)
    assert (it["proactive.gazette"]["value"], it["proactive.gazette"]["cumulative"]) == (0, 0)
    assert [k for k in it] == [
        "proactive.total",
        "proactive.website",
        "proactive.gazette",
        "applications.received",
        "applications.in_person",
        "applications.online",
        "applications.letter_fax",
        "applications.answered",
        "applications.granted",
        "applications.partial",
        "applications.denied",
        "applications.other_type",
        "complaints",
        "review.total",
        "litigation.total",
    ]
    assert all(it[k]["value"] == 0 for k in list(it)[3:])
    assert check(r, "T6", "proactive_published")["status"] == "pass"
    assert check(r, "T6", "proactive_published_cumulative")["status"] == "pass"
    assert all(c["status"] == "pass" for c in r["checks"])
    # headings whose numerals were lost ("、因政府信息公开申请…") are counted on
    assert [s["no"] for s in r["sections"]] == [1, 2, 3, 4, 5, 6]
    row = flat_row(r)
    assert (row["new_received_total"], row["proactive_published_cumulative"], row["unable_total"]) == (
        0,
        2758,
        None,
    )


def test_seed004_prose_only(reports):
    r = reports["004"]
    assert r["applications"] is None and r["legacy"] is None and r["cells"] == []
    got = [(f["key"], f["value"]) for f in r["prose_figures"]]
    assert got == [
        ("proactive_published", 358),
        ("proactive_published", 358),
        ("proactive_normative", 279),
        ("proactive_website", 163),
        ("proactive_weibo", 79),
        ("proactive_weixin", 105),
        ("proactive_other_channels", 32),
        ("applications_received", 0),
        ("review_cases", 0),
        ("litigation_cases", 0),
    ]
    text = seed("004")
    f = r["prose_figures"][0]
    assert "358" in text[f["span"][0] : f["span"][1]]
    assert r["doc"]["table_layout"] == "none"


def test_seed002_cumulative_across_years(reports):
    import copy

    r = reports["002"]
    prev = copy.deepcopy(r)
    prev["doc"]["report_year"] = 2017
    for it in prev["legacy"]["items"]:
        it["cumulative"] = it["cumulative"] - it["value"]  # 2758 - 208 = 2550 the year before
    prev["legacy"]["items"][1]["cumulative"] = 2500  # 政府网站公开数: 2500 + 200 ≠ 2624
    again = parse_report(text=seed("002"), previous=prev)
    s4 = {
        c["scope"]: (c["status"], c["lhs"], c["rhs"])
        for c in again["checks"]
        if c["id"] == "S4" and ":" not in c["scope"]
    }
    assert s4["proactive.total"] == ("pass", 2758, 2758)
    assert s4["proactive.website"] == ("fail", 2624, 2700)
    prev["doc"]["report_year"] = 2015
    stale = parse_report(text=seed("002"), previous=prev)
    assert [c["status"] for c in stale["checks"] if c["id"] == "S4" and c["scope"] == "previous"] == [
        "not_assessable"
    ]
