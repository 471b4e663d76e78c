"""One canonical URL form for scope, the spider's duplicate check, shards and doc_id."""

from __future__ import annotations

import pytest

from crawler.shards import shard_of
from pipelines.urls import canonical_url, doc_id

SESSION_VARIANTS = [
    "http://xxgk.example.gov.cn/content.jsp?id=1209",
    "http://xxgk.example.gov.cn/content.jsp;jsessionid=8F3A2C1D9E?id=1209",
    "http://xxgk.example.gov.cn/content.jsp?id=1209&JSESSIONID=8F3A2C1D9E",
    "http://xxgk.example.gov.cn/content.jsp?PHPSESSID=q1w2e3&id=1209",
]


def test_session_ids_do_not_make_another_document():
    assert len({doc_id(u) for u in SESSION_VARIANTS}) == 1
    assert len({canonical_url(u) for u in SESSION_VARIANTS}) == 1
    assert len({shard_of(u, 7, by_host=False) for u in SESSION_VARIANTS}) == 1


# doc_ids the datasets already cite, computed before session ids were stripped: they must not move
STABLE = {
    "http://xxgk.hl.gov.cn/zcwj/xzfwj/202405/t20240527_90369.htm": "05b1bd96df15792f",
    "http://EXAMPLE.gov.cn:80/a/b.html#x": "a799841aafd44b70",
    "http://www.yc.gov.cn/art/2025/1/23/art_1221_10134.html": "0e946e97a57f9ad1",
    "http://a.gov.cn/list.jsp?page=2&cid=12": "90baacf595142260",
    "http://a.gov.cn/%D6%D0%CE%C4.pdf": "6f6501eb02d22330",
    "http://a.gov.cn/中文.pdf": "d2a7a5c636e51d55",
    "http://例子.中国/a": "44d65bd1e0819888",
    "http://a.gov.cn/downfile.jsp?filename=政府信息公开年报.pdf": "7242f1a7e835f856",
    "https://xxgk.hl.gov.cn:443/": "90e5dc5d1ff39179",
}


@pytest.mark.parametrize("url", sorted(STABLE))
def test_doc_ids_without_session_ids_are_unchanged(url):
    assert doc_id(url) == STABLE[url]


def test_the_crawl_fetches_a_session_variant_once(tmp_path):
    """A listing linking one page under three session ids: one request, one document row."""
    import orjson

    from tests.support.rawserver import RawHttpServer, Route
    from tests.support.runner import FAST, xxgk

    detail = (
        "<html><head><title>关于征地补偿标准的公告</title></head><body><h1>关于征地补偿标准的公告</h1>"
        "<table><tr><td>索引号：</td><td>11640122/2024-00007</td></tr></table>"
        + "<p>根据有关规定，现将征地补偿标准公告如下。</p>" * 8
        + "</body></html>"
    ).encode()
    links = "".join(
        f"<li><a href='{u.split('gov.cn', 1)[1]}'>公告</a></li>" for u in SESSION_VARIANTS
    ).replace("/content.jsp", "/xxgk/content.jsp")
    listing = f"<html><head><title>公告</title></head><body><ul>{links}</ul></body></html>".encode()

    def ok(body: bytes) -> Route:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
        return Route(head.encode() + body)

    routes = {
        "/robots.txt": Route(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
        "/xxgk/": ok(listing),
        "/xxgk/content.jsp": ok(detail),
    }
    with RawHttpServer(routes) as server:
        proc = xxgk("crawl", server.base_url + "/xxgk/", "--out", str(tmp_path), "--name", "s", *FAST)
        fetched = [t for t, _ in server.received if t.startswith("/xxgk/content.jsp")]
    assert proc.returncode == 0, proc.stderr
    assert fetched == ["/xxgk/content.jsp?id=1209"]  # requested without the session id, once
    rows = (tmp_path / "datasets" / "s" / "documents.jsonl").read_bytes().splitlines()
    expected = doc_id(server.base_url + "/xxgk/content.jsp;jsessionid=X?id=1209")
    assert [orjson.loads(r)["doc_id"] for r in rows] == [expected]
