"""Scope (seed host and prefix, XXGK_INCLUDE / XXGK_EXCLUDE / XXGK_EXTRA_HOSTS) and traps:
a portal full of traps is crawled to completion with a bounded number of requests."""

from __future__ import annotations

import orjson
import pytest

from crawler.demo import DemoPortal
from crawler.demo.assets import static_files
from crawler.demo.families import build_family_site
from crawler.demo.traps import CALENDAR, PRINT, SEARCH
from crawler.scope import Scope, growing, path_prefix
from pipelines.pages import ATTACHMENT, link_role
from pipelines.urls import canonical_url, without_session
from tests.support.runner import FAST, xxgk
from tests.support.warcs import records


def test_canonical_names_one_page_once():
    assert canonical_url("http://h/l.jsp?pageNo=2&cid=4") == canonical_url("http://h/l.jsp?cid=4&pageNo=2")
    assert canonical_url("http://h/a.html;jsessionid=AB12") == canonical_url("http://h/a.html")
    assert (
        without_session("http://h/l.jsp;jsessionid=AB?cid=4&PHPSESSID=x&page=2")
        == "http://h/l.jsp?cid=4&page=2"
    )
    assert (
        without_session("http://h/gkmlpt/api/all/1?page=1&sid=963")
        == "http://h/gkmlpt/api/all/1?page=1&sid=963"
    )


def test_growing_urls_are_traps():
    assert growing("http://h/l.jsp?cid=1&sort=date&sort=date")
    assert growing("http://h/l.jsp?q=" + "x" * 300)
    assert growing("http://h/a/b/a/b/a/b/a/index.html")
    assert not growing("http://h/xxgk/zcwj/xzfwj/202401/t20240105_1.htm")
    assert not growing("http://h/l.jsp?cid=1&pageNo=2")


def test_scope_rules():
    scope = Scope.from_seeds(
        ["http://www.hl.gov.cn/xxgk/index.htm"],
        extra_hosts=["files.other.cn"],
        include=[r"/zwgk/zfxxgk/"],
        exclude=[r"/xxgk/rsxx/"],
    )
    assert scope.page("http://www.hl.gov.cn/xxgk/zcwj/index.htm")
    assert not scope.page("http://www.hl.gov.cn/news/index.htm")  # outside the prefix
    assert scope.page("http://www.hl.gov.cn/zwgk/zfxxgk/index.htm")  # XXGK_INCLUDE
    assert not scope.page("http://evil.cn/zwgk/zfxxgk/index.htm")  # include never adds a host
    assert not scope.page("http://www.hl.gov.cn/xxgk/rsxx/index.htm")  # XXGK_EXCLUDE
    assert not scope.attachment("http://www.hl.gov.cn/xxgk/rsxx/a.pdf")
    assert scope.detail("http://www.hl.gov.cn/art/2024/3/5/art_1229_1.html")  # details: the whole seed host
    assert not scope.detail("http://www.other.gov.cn/art/2024/3/5/art_1229_1.html")
    assert scope.attachment("http://file.hl.gov.cn/upload/a.pdf")  # another host of the same site
    assert scope.attachment("http://files.other.cn/a.pdf")  # XXGK_EXTRA_HOSTS
    assert scope.page("http://files.other.cn/any/page.html")
    assert not scope.attachment("http://www.gov.cn/a.pdf")
    for trap in (
        "http://www.hl.gov.cn/xxgk/search.jsp?keyword=a",
        "http://www.hl.gov.cn/search?q=a",
        "http://www.hl.gov.cn/xxgk/print.jsp?id=1",
        "http://www.hl.gov.cn/xxgk/a.htm?share=weixin",
        "http://www.hl.gov.cn/xxgk/calendar.jsp?date=2024-01-01",
    ):
        assert not scope.page(trap), trap
    assert path_prefix("/col/col1228/index.html") == "/col/"  # Hanweb columns are siblings
    assert path_prefix("/gkmlpt/index") == "/gkmlpt/"


def test_a_portal_of_traps_is_crawled_completely_in_bounded_requests(tmp_path):
    site = build_family_site("traps", size=24, page_size=3)
    with DemoPortal(site) as portal:
        proc = xxgk("crawl", portal.root_url, "--out", str(tmp_path), "--name", "traps", *FAST, check=True)
        requisites = set(static_files())  # the pages' stylesheets, scripts, images: not traps
        requests = [r.path for r in portal.requests if r.path not in requisites]
        base = portal.base_url
    rows = {
        orjson.loads(line)["url"]
        for line in (tmp_path / "datasets/traps/documents.jsonl").read_bytes().split(b"\n")
        if line
    }
    assert rows == {d.expected(base)["url"] for d in site.documents}
    for path in requests:
        assert not path.startswith((CALENDAR, SEARCH, PRINT, "/search")), path
        assert "jsessionid" not in path and "share=" not in path, path
        assert path.count("sort=") <= 1, path
    # every listing page once, each document once, plus: robots.txt, the root, /xxgk (301), and
    # for the pageNo column its first page by list.jsp and one sorted view per page (the
    # second sort is a growing query string)
    pageno_pages = sum(1 for p in site.listing_pages if p.column == "czxx")
    bound = len(site.listing_pages) + len(site.documents) + 3 + 1 + pageno_pages
    assert len(requests) <= bound, sorted(requests)
    assert len(requests) == len(set(requests))
    assert "out of scope" in proc.stdout


def test_include_and_exclude_settings_steer_a_crawl(tmp_path):
    site = build_family_site("generic", size=18, page_size=3)
    with DemoPortal(site) as portal:
        xxgk(
            "crawl",
            portal.root_url,
            "--out",
            str(tmp_path),
            "--name",
            "x",
            *FAST,
            "-s",
            "XXGK_EXCLUDE=/xxgk/czxx/,/uploadfiles/",
            check=True,
        )
        requisites = set(static_files())  # the pages' stylesheets, scripts, images: not traps
        requests = [r.path for r in portal.requests if r.path not in requisites]
    assert not any(p.startswith("/xxgk/czxx/") or "/uploadfiles/" in p for p in requests)
    assert any(p.startswith("/xxgk/bmwj/detail/") for p in requests)


@pytest.mark.parametrize(
    "name",
    [
        "a.pdf",
        "a.doc",
        "a.docx",
        "a.wps",
        "a.xls",
        "a.xlsx",
        "a.zip",
        "a.ofd",
        "downfile.jsp?filename=e1f0.pdf",
    ],
)
def test_attachment_formats_are_fetched_as_attachments(name):
    assert link_role("http://www.hl.gov.cn/xxgk/uploadfiles/" + name) == ATTACHMENT


def test_attachment_size_limit_cuts_files_not_pages(tmp_path):
    site = build_family_site("generic", size=12, page_size=3)
    limit = 1000
    with DemoPortal(site) as portal:
        xxgk(
            "crawl",
            portal.root_url,
            "--out",
            str(tmp_path),
            "--name",
            "cut",
            *FAST,
            "-s",
            f"XXGK_ATTACHMENT_MAXSIZE={limit}",
            check=True,
        )
        base = portal.base_url
    responses = {
        r["uri"]: r["headers"] for r in records(tmp_path / "collections" / "cut") if r["type"] == "response"
    }
    attachments = {base + a.path for a in site.attachments}
    assert attachments and attachments <= set(responses)
    for uri, headers in responses.items():
        truncated = headers.get("WARC-Truncated")
        assert truncated == ("length" if uri in attachments else None), uri
