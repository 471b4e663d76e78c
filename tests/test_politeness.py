"""Politeness and blocks: Retry-After and exponential back-off on 429/503, WAF challenge and
验证码 pages detected (archived, never documents), bounded retries, reported in the summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import orjson
import pytest

from archive.reader import iter_records
from crawler.blocks import detect
from crawler.demo import DemoPortal
from crawler.demo.families import build_family_site
from crawler.demo.walls import CAPTCHA_PAGE, CHALLENGES, Walls, every_nth
from crawler.politeness import retry_after
from crawler.settings import DOWNLOADER_MIDDLEWARES, ROBOTSTXT_OBEY
from tests.support.runner import FAST, xxgk

RETRY_TIMES = 1
BLOCK_RETRY_TIMES = 1


def test_polite_defaults():
    from crawler import settings

    assert ROBOTSTXT_OBEY and settings.DOWNLOAD_DELAY > 0 and settings.AUTOTHROTTLE_ENABLED
    assert 1 <= settings.CONCURRENT_REQUESTS_PER_DOMAIN <= 2
    assert DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert "crawler.politeness.BackoffRetryMiddleware" in DOWNLOADER_MIDDLEWARES


def test_retry_after_header_values():
    assert retry_after(b"7") == 7.0
    now = datetime(2025, 1, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True).encode()
    assert retry_after(later, now=now.timestamp()) == pytest.approx(30.0)
    assert retry_after(b"soon") is None and retry_after(None) is None


def test_block_pages_are_recognised_and_content_is_not():
    assert [detect(status, page.encode()) for status, page in CHALLENGES] == ["yunaq", "safedog", "yunaq"]
    assert detect(200, CAPTCHA_PAGE.encode()) == "captcha"
    assert detect(200, CAPTCHA_PAGE.encode("gbk")) == "captcha"  # GBK walls too
    # a 依申请公开 page with a 验证码 field among lots of content is a page
    form = (
        "<html><body>"
        + "<p>公民、法人或者其他组织申请获取政府信息。</p>" * 800
        + "请输入验证码</body></html>"
    )
    assert detect(200, form.encode()) is None
    assert detect(200, "<html><body><p>关于做好春耕生产的通知</p></body></html>".encode()) is None
    assert detect(403, b"<html><body>Access Denied</body></html>") == "access_denied"


@pytest.fixture(scope="module")
def walled_crawl(tmp_path_factory):
    """Two hosts: one behind a WAF (challenges, 验证码 walls), one rate limiting (429/503 + Retry-After)."""
    waf_site = build_family_site("generic", size=16, page_size=3)
    busy_site = build_family_site("gkmlpt", size=12, page_size=3)
    waf_details = [d.path for d in waf_site.detail_pages]
    busy_details = [d.path for d in busy_site.detail_pages]
    waf = Walls(challenged=every_nth(waf_details, 3), blocked=every_nth(waf_details, 5, 1))
    busy = Walls(
        rate_limited=every_nth(busy_details, 3), always_busy=every_nth(busy_details, 6, 1), retry_after="1"
    )
    waf_site.gate, busy_site.gate = waf, busy
    out = tmp_path_factory.mktemp("walled")
    settings = [
        "-s",
        f"RETRY_TIMES={RETRY_TIMES}",
        "-s",
        f"XXGK_BLOCK_RETRY_TIMES={BLOCK_RETRY_TIMES}",
        "-s",
        "XXGK_BACKOFF_BASE=0.2",
    ]
    with DemoPortal(waf_site) as p1, DemoPortal(busy_site) as p2:
        proc = xxgk(
            "crawl",
            p1.root_url,
            p2.root_url,
            "--out",
            str(out),
            "--name",
            "walled",
            *FAST,
            *settings,
            check=True,
        )
        bases = (p1.base_url, p2.base_url)
    rows = {
        orjson.loads(line)["url"]: orjson.loads(line)
        for line in (out / "datasets/walled/documents.jsonl").read_bytes().splitlines()
        if line
    }
    return {
        "waf": (waf_site, waf, bases[0]),
        "busy": (busy_site, busy, bases[1]),
        "proc": proc,
        "rows": rows,
        "out": out,
    }


def test_challenged_pages_are_retried_and_walls_give_up_without_rows(walled_crawl):
    site, walls, base = walled_crawl["waf"]
    rows = walled_crawl["rows"]
    for path in walls.challenged - walls.blocked:
        assert walls.counts[path] == 2, path  # challenge, then the page after backing off
        assert base + path in rows
    for path in walls.blocked:
        assert walls.counts[path] == 1 + BLOCK_RETRY_TIMES, path  # bounded
        assert base + path not in rows  # a 验证码 page is no document
    got = {d.path for d in site.documents if d.expected(base)["url"] in rows}
    parents_blocked = {d.path for d in site.attachments if d.parent in walls.blocked}
    assert got == {d.path for d in site.documents} - walls.blocked - parents_blocked


def test_429_and_503_honour_retry_after_and_are_bounded(walled_crawl):
    _, walls, base = walled_crawl["busy"]
    rows = walled_crawl["rows"]
    for path in walls.rate_limited - walls.always_busy:
        assert walls.counts[path] == 2, path
        assert base + path in rows
    for path in walls.always_busy:
        assert walls.counts[path] == 1 + RETRY_TIMES, path
        assert base + path not in rows


def test_blocks_are_archived_as_evidence_and_reported(walled_crawl):
    _, walls, base = walled_crawl["waf"]
    blocked_urls = {base + p for p in walls.blocked}
    archived = set()
    for warc in (walled_crawl["out"] / "collections/walled/archive").glob("*.warc.gz"):
        for record in iter_records(warc):
            # the same wall on many URLs: the first is a response record, the others revisits of it
            if getattr(record, "type", None) in ("response", "revisit") and record.target_uri in blocked_urls:
                archived.add(record.target_uri)
    assert archived == blocked_urls
    summary = walled_crawl["proc"].stdout
    line = next(line for line in summary.splitlines() if line.strip().startswith("blocked"))
    assert "blocked/captcha" in line and "backoff/429" in line and "backoff/gave_up" in line
    for _, _, host_base in (walled_crawl["waf"], walled_crawl["busy"]):
        assert f"backoff/host/{host_base.removeprefix('http://')}" in line  # both hosts named


def _middleware(**overrides):
    from scrapy.settings import Settings
    from scrapy.utils.test import get_crawler

    from crawler import settings as xxgk_settings
    from crawler.politeness import BackoffRetryMiddleware
    from crawler.spiders.portal import PortalSpider

    values = {k: v for k, v in vars(xxgk_settings).items() if k.isupper()}
    crawler = get_crawler(PortalSpider, {**values, **overrides})
    crawler.spider = PortalSpider.from_crawler(crawler, start_url="http://a.gov.cn/xxgk/")
    crawler.stats.open_spider()
    assert isinstance(crawler.settings, Settings)
    return BackoffRetryMiddleware.from_crawler(crawler), crawler


def test_backoff_holds_only_the_host_that_asked_and_retries_are_bounded():
    import asyncio
    import time

    from scrapy.http import HtmlResponse, Request

    mw, crawler = _middleware(RETRY_TIMES=2, XXGK_BACKOFF_BASE=0.5, XXGK_BACKOFF_MAX=30)
    request = Request("http://a.gov.cn/xxgk/1.htm")
    busy = HtmlResponse(request.url, status=429, headers={"Retry-After": "20"}, body=b"", request=request)
    retry = mw.process_response(request, busy)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    assert mw._held["a.gov.cn"] - time.monotonic() > 15  # Retry-After, not the base
    # another host is not held: its request goes straight on (the coroutine returns at once)
    asyncio.run(asyncio.wait_for(mw.process_request(Request("http://b.gov.cn/x.htm")), timeout=5))
    # without Retry-After: exponential, capped; after RETRY_TIMES the response is given up
    plain = HtmlResponse(retry.url, status=503, body=b"", request=retry)
    again = mw.process_response(retry, plain)
    assert isinstance(again, Request) and again.meta["retry_times"] == 2
    final = mw.process_response(again, HtmlResponse(again.url, status=503, body=b"", request=again))
    assert final.status == 503
    stats = crawler.stats.get_stats()
    assert (
        stats["xxgk/backoff/429"] == 1
        and stats["xxgk/backoff/503"] == 1
        and stats["xxgk/backoff/gave_up"] == 1
    )


def test_a_wall_is_marked_and_given_up_after_block_retries():
    from scrapy.http import HtmlResponse, Request

    mw, crawler = _middleware(XXGK_BLOCK_RETRY_TIMES=1, XXGK_BACKOFF_BASE=0.01)
    request = Request("http://a.gov.cn/xxgk/2.htm")
    wall = HtmlResponse(
        request.url,
        status=200,
        body=CAPTCHA_PAGE.encode(),
        request=request,
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    retry = mw.process_response(request, wall)
    assert isinstance(retry, Request) and "xxgk_blocked" not in retry.meta
    final = mw.process_response(retry, wall.replace(request=retry))
    assert final is not None and retry.meta["xxgk_blocked"] == "captcha"
    assert crawler.stats.get_value("xxgk/blocked/captcha") == 2
    pdf = HtmlResponse(
        request.url,
        status=200,
        body=b"%PDF-1.4 " + CAPTCHA_PAGE.encode(),
        request=request,
        headers={"Content-Type": "application/pdf"},
    )
    assert mw.process_response(request, pdf) is pdf  # files are never walls
