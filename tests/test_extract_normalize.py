"""Normalisation rules: dates, 文号, 关键词, empty markers, division codes."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipelines.normalize import (
    clean_value,
    parse_date,
    parse_datetime,
    parse_doc_no,
    split_keywords,
    unlabelled_doc_no,
)
from pipelines.regions import division_table, lookup, region_from_index_no, uscc_is_valid


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("2018-12-10", date(2018, 12, 10)),
        ("2018/12/10", date(2018, 12, 10)),
        ("2018.12.10", date(2018, 12, 10)),
        ("2018-1-5", date(2018, 1, 5)),
        ("2019-01-22 09:14", date(2019, 1, 22)),
        ("2019年1月24日", date(2019, 1, 24)),
        ("2019年01月10日", date(2019, 1, 10)),
        ("二〇一九年一月十日", date(2019, 1, 10)),
        ("二○一八年十二月三十一日", date(2018, 12, 31)),  # U+25CB, as typed on many portals
        ("二零二零年二月二十九日", date(2020, 2, 29)),
        ("２０１９年１月２４日", date(2019, 1, 24)),  # full-width digits
        ("20190110", date(2019, 1, 10)),
        ("发布时间：2019-01-22 09:14 浏览次数：3", date(2019, 1, 22)),
    ],
)
def test_dates_in_every_printed_form(printed: str, expected: date) -> None:
    assert parse_date(printed) == expected


@pytest.mark.parametrize(
    "printed", ["2019-02-30", "二〇一九年十三月一日", "长期公开", "", None, "1899-01-01", "12345678"]
)
def test_impossible_or_absent_dates_are_none(printed: str | None) -> None:
    assert parse_date(printed) is None


def test_time_is_kept_when_printed() -> None:
    assert parse_datetime("2019-01-22 09:14") == (date(2019, 1, 22), datetime(2019, 1, 22, 9, 14))
    assert parse_datetime("2018年12月28日 10:30:05") == (
        date(2018, 12, 28),
        datetime(2018, 12, 28, 10, 30, 5),
    )
    assert parse_datetime("2018-12-10") == (date(2018, 12, 10), None)


@pytest.mark.parametrize(
    ("printed", "issuer", "year", "serial"),
    [
        ("金政发〔2018〕293号", "金政发", 2018, 293),
        ("金政发[2018]293号", "金政发", 2018, 293),
        ("金政发【2018】293号", "金政发", 2018, 293),
        ("金政发(2018)293号", "金政发", 2018, 293),
        ("金政发（2018）293号", "金政发", 2018, 293),
        ("通政发［2019］3号", "通政发", 2019, 3),
        ("东政发(2019)第5号", "东政发", 2019, 5),
        ("贺政办发〔2018〕 第 102 号", "贺政办发", 2018, 102),
        ("国发2018年第5号", "国发", 2018, 5),
    ],
)
def test_doc_no_split_for_every_bracket(printed: str, issuer: str, year: int, serial: int) -> None:
    parsed = parse_doc_no(printed)
    assert parsed is not None
    assert (parsed.raw, parsed.issuer, parsed.year, parsed.serial) == (printed.strip(), issuer, year, serial)


def test_doc_no_unparseable_keeps_raw_and_empty_is_none() -> None:
    parsed = parse_doc_no("内部通知")
    assert parsed is not None and (parsed.raw, parsed.issuer, parsed.year, parsed.serial) == (
        "内部通知",
        None,
        None,
        None,
    )
    assert parse_doc_no("无") is None
    assert parse_doc_no("  ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("柘政〔2018〕16号\n柘城县人民政府\n关于……的实施意见", ("柘政〔2018〕16号", "柘政", 2018, 16)),
        ("柘城县人民政府文件\n\n 国办发 [2019] 第 5 号 \n正文", ("国办发 [2019] 第 5 号", "国办发", 2019, 5)),
        ("根据柘政〔2018〕16号文件精神，现通知如下", None),  # cited in prose
        ("柘政〔2018〕16号文件\n正文", None),  # more than a 文号 on the line
        ("（2018）16号\n正文", None),  # no issuer
        ("一\n二\n三\n柘政〔2018〕16号", None),  # not near the top
        ("", None),
        (None, None),
    ],
)
def test_unlabelled_doc_no_is_a_whole_line_atop_the_body(text: str | None, expected: tuple | None) -> None:
    parsed = unlabelled_doc_no(text)
    assert (parsed and (parsed.raw, parsed.issuer, parsed.year, parsed.serial)) == expected


def test_keywords_split_on_chinese_and_ascii_separators() -> None:
    assert split_keywords("年报；信息公开") == ["年报", "信息公开"]
    assert split_keywords("年度报告,政府信息公开、年度报告  统计") == ["年度报告", "政府信息公开", "统计"]
    assert split_keywords("无") is None


def test_clean_value_collapses_spaces_and_empty_markers() -> None:
    assert clean_value("  金贵镇\u3000人民政府\xa0 ") == "金贵镇 人民政府"
    assert clean_value("——") is None
    assert clean_value("暂无") is None


def test_region_from_six_digit_index_prefix() -> None:
    r = region_from_index_no("640122-150/2018-93016")
    assert r is not None and (r.code, r.name, r.status) == ("640122", "宁夏回族自治区银川市贺兰县", "current")


def test_retired_code_is_kept_and_marked() -> None:
    # 沙县 became 三明市沙县区 (350405) in 2021; seed 002's documents predate that
    r = region_from_index_no("350427/2019-00001")
    assert r is not None and (r.code, r.name, r.status) == ("350427", "福建省三明市沙县", "retired")
    assert lookup("110103").status == "retired"  # 北京市崇文区, merged 2010


def test_unknown_code_is_kept_not_guessed() -> None:
    r = region_from_index_no("640199-001/2019-1")
    assert r is not None and (r.code, r.name, r.status) == ("640199", None, "unknown")


@pytest.mark.parametrize(
    "index_no", ["640221001/2019-00012", "000014349/2019-00012", "201812-0001", "XA-12", "", None]
)
def test_no_region_without_a_division_code(index_no: str | None) -> None:
    assert region_from_index_no(index_no) is None


def test_region_from_unified_social_credit_code() -> None:
    assert uscc_is_valid("11640323MB18512347")
    assert not uscc_is_valid("11640323MB1851234X")
    r = region_from_index_no("11640323MB18512347/2021-00007")
    assert r is not None and (r.code, r.status) == ("640323", "current")
    assert region_from_index_no("11640323MB1851234X/2021-00007") is None  # bad check character


def test_division_table_is_complete_enough() -> None:
    table = division_table()
    assert len(table) > 6000
    assert sum(1 for _, status in table.values() if status == "current") > 3000
    assert table["640000"] == ("宁夏回族自治区", "current")
