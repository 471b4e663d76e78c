"""Main text: furniture removed, metadata not repeated, short notices kept, fallback when trafilatura fails."""

from __future__ import annotations

import pytest

from pipelines import text as text_module
from pipelines.boilerplate import is_boilerplate_line
from pipelines.document import extract_document


@pytest.mark.parametrize(
    "line",
    [
        "扫一扫在手机打开当前页",
        "【字体：大 中 小】",
        "【打印本页】【关闭窗口】",
        "打印本页 关闭窗口",
        "分享到：微信 微博 QQ空间",
        "附件下载：",
        "您当前的位置：首页 > 政务公开 > 通知公告",
        "浏览次数：123",
        "[大] [中] [小]",
        "上一篇：关于某某的通知",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "请各单位于3月1日前打印本表并关闭门窗。",
        "附件：1. 2019年工作要点",
        "微信公众号“美丽高桥”发布信息108条。",
        "金贵镇人民政府",
    ],
)
def test_document_lines_are_not_furniture(line: str) -> None:
    assert not is_boilerplate_line(line)


def _page(body: str, title: str = "测试通知_某县人民政府") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>".encode()
    )


def test_metadata_written_into_the_content_div_keeps_the_content() -> None:
    # the info line is the content <div>'s own text: pruning that element would lose the document
    body = (
        "<div class='content'>发布时间：2019-03-01<br>"
        + "<br>".join(f"第{i}段正文内容。" for i in range(1, 6))
        + "</div>"
    )
    row = extract_document("http://a.cn/t.html", {"Content-Type": "text/html"}, _page(body))
    assert row["publish_date"] == "2019-03-01"
    assert "第1段正文内容。" in row["text"] and "第5段正文内容。" in row["text"]


def test_title_and_navigation_heading_above_it_are_not_text() -> None:
    body = (
        "<div class='side'><h3>信息公开目录</h3></div><div class='main'><h1>测试通知</h1>"
        "<p>各村：请按时参加会议。会议地点在镇政府三楼会议室，时间为上午九点。</p></div>"
    )
    row = extract_document("http://a.cn/t.html", {"Content-Type": "text/html"}, _page(body))
    assert row["title"] == "测试通知"
    assert row["text"] == "各村：请按时参加会议。会议地点在镇政府三楼会议室，时间为上午九点。"


def test_fallback_when_trafilatura_returns_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module.trafilatura, "extract", lambda *a, **k: None)
    body = "<div>您当前的位置：首页 &gt; 通知</div><p>第一段。</p><p>打印本页</p><p>第二段。</p>"
    row = extract_document("http://a.cn/t.html", {"Content-Type": "text/html"}, _page(body))
    assert row["text"] == "第一段。\n第二段。"


def test_page_without_text_has_null_text() -> None:
    row = extract_document("http://a.cn/t.html", {"Content-Type": "text/html"}, _page(""))
    assert (row["text"], row["text_length"]) == (None, None)


def test_trafilatura_config_lowers_minimum_sizes() -> None:
    cfg = text_module.trafilatura_config()
    assert cfg.getint("DEFAULT", "MIN_EXTRACTED_SIZE") < 250
    assert cfg.getint("DEFAULT", "EXTRACTION_TIMEOUT") == 0
