"""What a report's sentences state, read as the real reports of the corpus word it.

Each case is a sentence (or two) taken from a report in tests/fixtures/reports/corpus/pages, with
the totals a reader takes from it; a sentence that states nothing about a total must give nothing.
"""

from __future__ import annotations

import pytest

from pipelines.reports import flat_row, parse_report

OPENING = "本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告所列数据的统计期限为2024年1月1日至2024年12月31日。\n"

CASES = [
    # 晋安区 2024: every outcome category, the number answered and the number carried forward
    (
        "2024年全区受理的226件申请件其中224件申请已按规定在法定期限内予以答复，其中“予以公开”67件、"
        "“部分公开”8件，“不予公开”26件、“无法提供”115件、“不予处理”6件、“其他处理”2件。其余2件结转到下一年度答复。",
        {
            "processed_total": 224,
            "granted_total": 67,
            "partial_total": 8,
            "denied_total": 26,
            "unable_total": 115,
            "not_processed_total": 6,
            "other_total": 2,
            "carried_forward_total": 2,
        },
    ),
    # 晋安区 2023: 区分处理后公开数 is the partial category
    ("“予以公开”86件、“区分处理后公开数”20件。", {"granted_total": 86, "partial_total": 20}),
    # 上海市政府办公厅 2025: 予以公开及部分公开 is neither category alone
    (
        "其中，予以公开及部分公开 208 件（17.46%），不予公开 20 件。",
        {"granted_total": None, "partial_total": None},
    ),
    # 塘下镇 2024: the number received is the request count, not one channel's
    ("2024年，我镇依申请公开请求9件，其中网络平台收到3件，线下邮件收到1件。", {"new_received_total": 9}),
    # 迎宾路街道 2021: a long clause between 受理 and 申请
    (
        "受理公民、法人和其他组织向市政府及市政府办公室提出的政府信息公开申请5件，均在法定时限内予以答复。"
        "信息公开类行政复议1起，正在办理中。",
        {"new_received_total": 5, "review_total": 1},
    ),
    # 建章路街道 2025, 龙归镇 2016, 巍山镇 2017: zeros stated without a digit
    ("2025年度，建章路街道办事处未接收到政府信息公开申请。", {"new_received_total": 0}),
    ("2016年度未接到有关政府信息公开方面的复议、诉讼和申诉。", {"review_total": 0, "litigation_total": 0}),
    (
        "2017年，我镇没有因政府信息公开申请行政复议、诉讼和申诉的情况发生。",
        {"review_total": 0, "litigation_total": 0},
    ),
    # 上海市政府办公厅 2025: no case was corrected or lost — nothing about how many cases there were
    (
        "全年未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。",
        {"review_total": None, "litigation_total": None},
    ),
    # 汉阳区政府办公室 2022
    (
        "共收到8份政府信息公开申请，均为自然人申请。无下年度结转。",
        {"new_received_total": 8, "carried_forward_total": 0},
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES)
def test_prose_totals(sentence, expected):
    row = flat_row(parse_report(text=OPENING + sentence + "\n"))
    assert row["format"] == "prose"
    assert {k: row[k] for k in expected} == expected


def test_outcomes_that_exceed_the_number_answered_are_not_taken():
    """Six categories that add up to more than the number answered cannot all be right: none is kept."""
    row = flat_row(
        parse_report(
            text=OPENING
            + "共办结申请10件，其中予以公开8件，部分公开1件，不予公开1件，无法提供2件，不予处理0件，其他处理0件。\n"
        )
    )
    assert row["processed_total"] == 10
    assert [row[k] for k in ("granted_total", "partial_total", "denied_total", "unable_total")] == [None] * 4


def test_a_table_header_is_never_a_stated_zero():
    """'尚未审结' in a table's header run into other text is not '未…行政诉讼'."""
    text = OPENING + "结果维持结果纠正其他结果尚未审结总计30003\n###行政诉讼\n"
    assert flat_row(parse_report(text=text))["litigation_total"] is None


def test_traditional_script_reads_as_simplified():
    """Portals serve 繁體 versions of their pages (乐山市法制办 2010 and 沙塘镇 2016 are such copies):
    the same sentences in traditional characters give the same totals."""
    text = (
        "本報告根據《中華人民共和國政府信息公開條例》要求編制。\n"
        "2016年,政府信息依申請公開系統共收到1宗信息。2016年未發生申請行政復議和提起行政訴訟情況。\n"
    )
    row = flat_row(parse_report(text=text))
    assert (row["format"], row["new_received_total"], row["review_total"], row["litigation_total"]) == (
        "prose",
        1,
        0,
        0,
    )


def test_carried_over_and_forward_in_prose():
    """闽侯县政府办公室 2023: received, answered including one carried over, one carried into 2024."""
    text = OPENING.replace("2024", "2023") + (
        "本年度我办共收到依申请公开政府信息84件，已答复84件（含上一年结转答复1件），结转至2024年答复1件。\n"
    )
    row = flat_row(parse_report(text=text))
    assert [row[k] for k in ("new_received_total", "carried_over_total", "processed_total")] == [84, 1, 84]
    assert row["carried_forward_total"] == 1
