"""`xxgk extract FILE [--url URL] [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.cli import main
from pipelines.fields import DOCUMENT_FIELD_NAMES

PAGE = Path(__file__).parent / "fixtures" / "pages" / "table_helan_jingui.html"
DOC = Path(__file__).parent / "fixtures" / "attachments" / "jingui_summary.doc"


def test_json_output_has_exactly_the_dataset_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(PAGE), "--url", "http://www.nxhl.gov.cn/zwgk/a/t1.html", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == DOCUMENT_FIELD_NAMES
    assert (out["index_no"], out["publish_date"], out["kind"]) == (
        "640122-150/2018-93016",
        "2018-12-10",
        "page",
    )
    assert out["attachments"][0] == "http://www.nxhl.gov.cn/zwgk/a/P020181210541263359921.doc"


def test_human_output_shows_labels_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(PAGE)]) == 0
    out = capsys.readouterr().out
    assert "索引号: 640122-150/2018-93016" in out
    assert "行政区划名称: 宁夏回族自治区银川市贺兰县" in out
    assert out.rstrip().endswith("(此件公开发布)")


def test_attachment_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(DOC), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["kind"], out["title"]) == ("attachment", "金贵镇2018年政务公开工作总结")
    assert "坚持以公开为常态" in out["text"]


def test_missing_file_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["extract", str(tmp_path / "nope.html")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"xxgk extract: error: no such file: {tmp_path / 'nope.html'}"
    ]


def test_directory_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["extract", str(tmp_path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_unreadable_document_exits_non_zero_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00" * 64)
    assert main(["extract", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("xxgk extract: error: ") and "unreadable PDF" in err and "Traceback" not in err
