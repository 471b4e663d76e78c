"""Public API, output schema, flat row and the `xxgk report` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from crawler.cli import main
from pipelines.errors import ExtractionError
from pipelines.reports import FLAT_FIELD_NAMES, FLAT_FIELDS, SCHEMA, flat_row, is_annual_report, parse_report
from tests.fixtures.reports import build
from tests.fixtures.reports.specs import DONGHU_2022, DONGHU_2023, SHUIWU_2023

SEEDS = Path(__file__).parent / "fixtures" / "reports" / "seeds"
TOP_KEYS = {
    "schema",
    "doc",
    "sections",
    "proactive",
    "applications",
    "review_litigation",
    "info_processing_fee",
    "legacy",
    "prose_figures",
    "totals",
    "cells",
    "checks",
    "parser",
}
DOC_KEYS = {
    "url",
    "warc_record_id",
    "fetched_at",
    "content_type",
    "title",
    "organ",
    "organ_kind",
    "region_code",
    "report_year",
    "published_date",
    "index_no",
    "doc_no",
    "doc_type",
    "format",
    "format_evidence",
    "table_layout",
}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("XX县交通运输局2021年政府信息公开工作年度报告", True),
        ("关于2022年度政府信息公开工作年度报告", True),
        ("东湖镇2019年政务公开工作年度报告", True),
        ("2020年政府信息公开年报", True),
        ("贺兰县金贵镇2018年政务公开工作总结暨2019年工作计划", False),
        ("关于2023年政务公开工作要点落实情况的函", False),
        ("关于印发2024年政务公开工作要点的通知", False),
    ],
)
def test_is_annual_report_by_title(title, expected):
    assert is_annual_report(title, None) is expected


def test_is_annual_report_without_title_reads_the_head_or_the_table():
    assert is_annual_report(None, "首页 > 年报\n贺兰县东湖镇2023年政府信息公开工作年度报告\n一、总体情况")
    table_only = "一、本年新收政府信息公开申请数量\t3\n四、结转下年度继续办理\t0"
    assert is_annual_report(None, table_only)
    assert not is_annual_report(None, "本镇将于年底前公开政府信息公开年报。")
    assert not is_annual_report(None, None)


REPORT_TEXTS = sorted((Path(__file__).parent / "fixtures" / "reports" / "corpus").glob("*.txt"))


@pytest.mark.parametrize(
    "text",
    [
        *(path.read_text(encoding="utf-8") for path in REPORT_TEXTS),
        "一、本年新收政府信息\n公开申请数量\t3\n四、結轉下年度繼續辦理\t0",  # broken by a line, 繁體
        "統計指標\u3000主動公開政府信息數\t12",
        "历 年 累 计\n主动公开信息数",
        "历年累计：主动公开文件\n\n数",
        "历年累计主动公开数",  # neither 文件 nor 信息
        "本年新收政府信息公开申请数量：本报告不含结转",
        "⼀、本年新收政府信息公开申请数量\t3\n四、结转下年度继续办理",  # a Kangxi radical (NFKC: 一)
        "本年新收",
    ],
)
def test_the_report_table_is_found_in_the_raw_text_as_in_the_normalised_one(text):
    from pipelines.reports.classify import _has_report_table, _has_report_table_in
    from pipelines.reports.textnorm import norm

    assert _has_report_table_in(text) is _has_report_table(norm(text))


def test_simplified_skips_the_script_map_only_for_texts_it_would_not_change():
    import random
    import unicodedata

    from pipelines.reports.textnorm import _T2S, simplified

    rng = random.Random(7)
    # traditional forms, compatibility forms NFKC folds (U+F902 to a traditional character the map
    # holds, full-width digits, a Kangxi radical), simplified text and ASCII
    alphabet = "開報結轉總計\uf902\uf900⼀１２：（）\u3000报告结转总计年度政府信息公开 ab12"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _char in range(rng.randrange(0, 12)))
        assert simplified(text) == unicodedata.normalize("NFKC", text).translate(_T2S), text


def test_document_shape():
    report = parse_report(
        html=build.to_html(DONGHU_2023),
        meta={
            "url": "http://x.gov.cn/ndbg/1.htm",
            "warc_record_id": "<urn:uuid:1>",
            "fetched_at": "2026-11-25T09:14:00Z",
            "publish_date": "2024-01-18",
            "index_no": "640122-001/2024-00001",
        },
    )
    assert set(report) == TOP_KEYS and report["schema"] == SCHEMA == "xxgk.annual_report/1"
    assert set(report["doc"]) == DOC_KEYS
    assert (
        report["doc"]["url"] == "http://x.gov.cn/ndbg/1.htm"
        and report["doc"]["warc_record_id"] == "<urn:uuid:1>"
    )
    assert (
        report["doc"]["index_no"] == "640122-001/2024-00001" and report["doc"]["content_type"] == "text/html"
    )
    assert report["doc"]["format_evidence"][:2] == ["本年制发件数", "本年废止件数"]
    assert report["applications"]["columns"] == [
        "natural_person",
        "commercial",
        "research",
        "social_welfare",
        "legal_service",
        "other_org",
        "total",
    ]
    assert len(report["applications"]["rows"]) == 25
    assert set(report["applications"]["derived"]) == {
        "denied",
        "unable",
        "not_processed",
        "other",
        "components_sum",
    }
    assert report["applications"]["derived"]["other"]["total"] == 2
    assert set(report["review_litigation"]) == {"review", "litigation_direct", "litigation_after_review"}
    for c in report["checks"]:
        assert {"id", "scope", "status", "lhs", "rhs"} <= set(c) and c["status"] in (
            "pass",
            "fail",
            "not_assessable",
        )
    for c in report["cells"]:
        assert {"table", "row", "col", "raw", "value", "blank", "recovered", "ambiguous", "span"} <= set(c)
    assert report["parser"]["version"]
    orjson.dumps(report)  # JSON-serialisable as is


def test_flat_row_columns():
    names = [f.name for f in FLAT_FIELDS]
    assert names == FLAT_FIELD_NAMES and len(set(names)) == len(names)
    assert {f.type for f in FLAT_FIELDS} <= {
        "string",
        "int64",
        "float64",
        "date",
        "timestamp",
        "list<string>",
    }
    for name in (
        "organ",
        "report_year",
        "format",
        "new_received_total",
        "carried_over_total",
        "granted_total",
        "partial_total",
        "denied_total",
        "unable_total",
        "not_processed_total",
        "other_total",
        "processed_total",
        "carried_forward_total",
        "review_total",
        "litigation_total",
        "checks_failed",
    ):
        assert name in names
    assert not set(names) & (TOP_KEYS - {"schema"})  # flat keys can sit beside the nested document


def test_flat_row_values():
    row = flat_row(parse_report(html=build.to_html(DONGHU_2023)))
    assert list(row) == FLAT_FIELD_NAMES
    assert (
        row["new_received_total"],
        row["carried_over_total"],
        row["processed_total"],
        row["carried_forward_total"],
    ) == (30, 2, 31, 1)
    assert (
        row["granted_total"],
        row["partial_total"],
        row["denied_total"],
        row["unable_total"],
        row["not_processed_total"],
        row["other_total"],
    ) == (13, 4, 2, 8, 2, 2)
    assert (row["review_total"], row["litigation_total"]) == (1, 1)
    assert (
        row["proactive_normative_in_force"],
        row["proactive_licensing_decisions"],
        row["proactive_fees_amount"],
    ) == (25, 128, 1.25)
    assert row["proactive_normative_new_made"] is None  # a 2019 column stays empty for a 2021 report
    assert row["checks_failed"] == 0 and row["checks_failed_ids"] == []
    assert row["info_processing_fee_amount"] == 0.0 and row["info_processing_fee_unit"] == "元"
    bad = flat_row(parse_report(html=build.to_html(SHUIWU_2023)))
    assert bad["checks_failed"] == 3 and bad["processed_total"] == 21


def test_flat_rows_of_every_seed_are_complete():
    for path in sorted(SEEDS.glob("*.txt")):
        row = flat_row(parse_report(text=path.read_text(encoding="utf-8")))
        assert list(row) == FLAT_FIELD_NAMES
        orjson.dumps(row)


def test_no_input_is_an_error():
    with pytest.raises(ExtractionError):
        parse_report()
    assert parse_report(text="")["parser"]["warnings"] == ["empty_document"]


def test_pipelines_never_import_scrapy_or_the_crawler():
    code = (
        "import sys, pipelines.reports, pipelines.reports.parse; "
        "bad = [m for m in sys.modules if m == 'scrapy' or m.startswith(('scrapy.', 'crawler'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1]
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------- xxgk report


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    out["html"] = tmp_path / "report.html"
    out["html"].write_text(build.to_html(DONGHU_2023), encoding="utf-8")
    out["prev_html"] = tmp_path / "prev.htm"
    out["prev_html"].write_text(build.to_html(DONGHU_2022), encoding="utf-8")
    out["txt"] = tmp_path / "seed.txt"
    out["txt"].write_bytes((SEEDS / "000_fb12dab025da1e23.txt").read_bytes())
    out["docx"] = tmp_path / "report.docx"
    out["docx"].write_bytes(build.to_docx(SHUIWU_2023))
    return out


def test_cli_json_carries_flat_keys_beside_the_document(files, capsys):
    assert main(["report", str(files["html"]), "--json"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["schema"] == SCHEMA
    assert (
        out["new_received_total"] == 30
        and out["checks_failed"] == 0
        and out["organ"] == "贺兰县东湖镇人民政府"
    )
    assert out["doc"]["format"] == "gb2021" and out["applications"]["rows"]["granted"]["total"] == 13
    assert set(out) >= set(FLAT_FIELD_NAMES) | TOP_KEYS


def test_cli_previous_year(files, capsys, tmp_path):
    assert main(["report", str(files["prev_html"]), "--json"]) == 0
    prev = tmp_path / "prev.json"
    prev.write_bytes(capsys.readouterr().out.encode())
    assert main(["report", str(files["html"]), "--json", "--previous", str(prev)]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert [c["status"] for c in out["checks"] if c["id"] == "S1"] == ["pass"] * 7


def test_cli_table(files, capsys):
    assert main(["report", str(files["docx"])]) == 0
    out = capsys.readouterr().out
    assert "贺兰县水务局2023年政府信息公开工作年度报告" in out and "gb2021" in out
    assert "(七)总计" in out and "failed checks" in out and "H2" in out


def test_cli_table_for_a_legacy_text_file(files, capsys):
    assert main(["report", str(files["txt"])]) == 0
    out = capsys.readouterr().out
    assert "legacy_national_2014" in out and "312" in out and "165" in out


@pytest.mark.parametrize("content", [b"", b"%PDF-1.4 broken", b"\x00\x01garbage"])
def test_cli_bad_input_is_one_error_line(tmp_path, capsys, content):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(content)
    rc = main(["report", str(bad)])
    err = capsys.readouterr().err
    assert rc != 0 and err.startswith("xxgk report: error:") and err.count("\n") == 1
    assert "Traceback" not in err


def test_cli_missing_file_and_bad_previous(tmp_path, files, capsys):
    assert main(["report", str(tmp_path / "nope.html")]) != 0
    assert "no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    assert main(["report", str(files["html"]), "--previous", str(junk)]) != 0
    assert "not an annual report JSON" in capsys.readouterr().err


def _every_match_holds_one_of(node, chars: str) -> bool:
    """Whether every string the parsed regex `node` matches holds a character of `chars`."""
    from re import _constants as c  # type: ignore[attr-defined]

    def item(op, av) -> bool:
        if op is c.LITERAL:
            return chr(av) in chars
        if op is c.SUBPATTERN:
            return seq(av[-1])
        if op is c.BRANCH:
            return all(seq(branch) for branch in av[1])
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            return av[0] >= 1 and seq(av[2])
        return False

    def seq(items) -> bool:
        return any(item(op, av) for op, av in items)

    return seq(node)


def test_a_head_without_the_patterns_characters_cannot_match_them():
    """doc_type skips normalising a text's head when it holds none of _HEAD_PATTERN_CHARS: every
    pattern it looks for in the head must need one of them."""
    import re

    from pipelines.reports import labels
    from pipelines.reports.classify import _HEAD_PATTERN_CHARS

    for name in ("REPORT_HEADING", "REPORT_HEADING_YEARLESS", "REPORT_OPENING", "WORK_SUMMARY"):
        parsed = re._parser.parse(getattr(labels, name))  # type: ignore[attr-defined]
        assert _every_match_holds_one_of(parsed, _HEAD_PATTERN_CHARS), name
    assert not _every_match_holds_one_of(re._parser.parse(r"本(?:年度)?(?:通知)?"), _HEAD_PATTERN_CHARS)
