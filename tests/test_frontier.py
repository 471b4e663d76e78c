"""The frontier past XXGK_FRONTIER_MEMORY waits on disk (crawler/frontier.py): same crawl, less memory."""

from __future__ import annotations

import orjson

from tests.support.runner import FAST, crawl_stats, xxgk


def test_a_frontier_mostly_on_disk_fetches_the_same_urls(demo_crawl, tmp_path):
    portal = demo_crawl.portal
    portal.clear_requests()
    out = tmp_path / "out"
    proc = xxgk(
        "crawl",
        portal.root_url,
        "--out",
        str(out),
        "--name",
        "demo",
        *FAST,
        "-s",
        "XXGK_FRONTIER_MEMORY=3",
        check=True,
    )
    fetched = sorted((r.method, r.path, r.body) for r in portal.requests)
    assert fetched == sorted(
        (r.method, r.path, r.body) for r in demo_crawl.requests
    )  # each URL once, none lost
    stats = crawl_stats(proc, "")
    assert stats["scheduler/enqueued/disk"] > 20
    assert stats["scheduler/dequeued/disk"] == stats["scheduler/enqueued/disk"]
    assert stats["xxgk/frontier/peak"] > 3
    rows = {
        orjson.loads(line)["url"]
        for line in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    }
    assert rows == {
        orjson.loads(line)["url"]
        for line in (demo_crawl.datasets / "documents.jsonl").read_bytes().splitlines()
    }
    assert not list((out / "runs").rglob("frontier*"))  # removed at close


def test_by_default_a_small_portal_never_touches_the_disk(demo_crawl):
    stats = crawl_stats(demo_crawl.proc)
    assert stats.get("scheduler/enqueued/disk", 0) == 0
    assert 0 < stats["xxgk/frontier/peak"] < 10_000
