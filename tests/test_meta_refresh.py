"""The quick meta-refresh middleware redirects exactly where Scrapy's does."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.redirects import QuickMetaRefreshMiddleware

FILLER = "<p>政府信息公开目录 政策文件 规划计划</p>\n" * 120  # ~3,600 characters of Chinese prose


def page(head_extra: str, encoding: str, filler: str = "") -> HtmlResponse:
    html = f"<html><head><title>跳转</title>{filler}{head_extra}</head><body>正文</body></html>"
    return HtmlResponse(
        "http://127.0.0.1/xxgk/index.html",
        body=html.encode(encoding),
        headers={"Content-Type": f"text/html; charset={encoding}"},
        encoding=encoding,
    )


CASES = [
    ('<meta http-equiv="refresh" content="0; url=/xxgk/col/index.html">', ""),
    ('<META HTTP-EQUIV="Refresh" CONTENT="1;URL=../new/">', ""),
    # late in a GBK page: beyond byte 4,096 but within Scrapy's 4,096 characters
    ('<meta http-equiv="refresh" content="0; url=later.html">', FILLER),
    ('<meta name="description" content="no redirect here">', FILLER),
    ("", ""),
]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("head_extra, filler", CASES)
def test_same_answer_as_scrapy(head_extra, filler, encoding):
    crawler = get_crawler()
    quick = QuickMetaRefreshMiddleware.from_crawler(crawler)
    scrapy_own = MetaRefreshMiddleware.from_crawler(crawler)
    request = Request("http://127.0.0.1/xxgk/index.html")
    response = page(head_extra, encoding, filler)
    expected = scrapy_own.process_response(request, response)
    got = quick.process_response(request, response)
    if isinstance(expected, Request):
        assert isinstance(got, Request) and got.url == expected.url
    else:
        assert got is response
    if "later.html" in head_extra and encoding == "gbk":
        assert response.body.find(b"refresh") > 4096  # the case the 16 KiB window is for
        assert isinstance(got, Request)
