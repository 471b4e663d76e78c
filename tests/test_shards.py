"""`xxgk crawl --processes N`: one crawl sharded over processes (crawler/shards.py).

The sharded crawl of the demo portal must capture exactly what the one-process crawl
captures, fetch every URL once (robots.txt once per process), keep valid WARCs, one
index and complete datasets; the parent's end-of-crawl detection and the politeness
split are checked on their own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from scrapy.settings import Settings

from crawler.shards import Router, child_settings, merge_stats, shard_of
from pipelines.provenance import CAPTURE_FIELDS
from tests.support.groundtruth import ground_truth_mismatches
from tests.support.processes import descendants, wait_until_gone
from tests.support.runner import FAST, xxgk
from tests.support.warcs import assert_valid_warcs, records


@dataclass
class ShardedRun:
    out: Path
    stdout: str
    requested: Counter

    @property
    def collection(self) -> Path:
        return self.out / "collections" / "demo"


@pytest.fixture(scope="module")
def sharded_crawl(demo_portal, tmp_path_factory) -> ShardedRun:
    _, portal = demo_portal
    out = tmp_path_factory.mktemp("sharded-crawl")
    portal.clear_requests()
    proc = xxgk(
        "crawl", portal.root_url, "--out", str(out), "--name", "demo", "--processes", "2", *FAST, check=True
    )
    requested = Counter((r.method, r.path) for r in portal.requests)
    return ShardedRun(out, proc.stdout, requested)


def captured(collection: Path) -> Counter:
    return Counter(r["uri"] for r in records(collection) if r["type"] in ("response", "revisit"))


def test_every_url_is_fetched_once_by_one_process(sharded_crawl):
    twice = {key: n for key, n in sharded_crawl.requested.items() if n > 1}
    assert twice == {("GET", "/robots.txt"): 2}  # each process reads robots.txt itself
    assert "responses" in sharded_crawl.stdout


def test_captures_the_same_urls_as_one_process(sharded_crawl, demo_crawl):
    sharded = captured(sharded_crawl.collection)
    single = captured(demo_crawl.collection)
    assert set(sharded) == set(single)
    assert {uri: n for uri, n in sharded.items() if n > 1} == {demo_crawl.portal.url("/robots.txt"): 2}


def test_each_process_writes_its_own_valid_warcs(sharded_crawl):
    files = sorted((sharded_crawl.collection / "archive").glob("*.warc.gz"))
    assert {f.name.split("-")[1] for f in files} == {"p0", "p1"}
    assert not list((sharded_crawl.collection / "archive").glob("*.open"))
    assert_valid_warcs(files)


def test_one_index_lists_every_capture_of_both_processes(sharded_crawl):
    index = sharded_crawl.collection / "indexes" / "index.cdxj"
    lines = index.read_bytes().splitlines()
    assert lines == sorted(lines)
    files = Counter(orjson.loads(line.split(b" ", 2)[2])["filename"].split("-")[1] for line in lines)
    assert set(files) == {"p0", "p1"}
    assert len(lines) == sum(captured(sharded_crawl.collection).values())
    assert not list((sharded_crawl.collection / "indexes" / ".pending").glob("*"))


def test_datasets_hold_every_document_once_with_ground_truth_metadata(sharded_crawl, demo_portal):
    site, portal = demo_portal
    datasets = sharded_crawl.out / "datasets" / "demo"
    rows = [orjson.loads(line) for line in (datasets / "documents.jsonl").read_bytes().splitlines() if line]
    by_url = {r["url"]: r for r in rows}
    assert len(by_url) == len(rows)
    mismatches = ground_truth_mismatches(site, portal.base_url, by_url)
    assert not mismatches, "\n".join(mismatches[:40])
    # the parent derives Parquet once both processes are done: every row, not one process's
    assert pq.read_table(datasets / "documents.parquet").num_rows == len(rows)
    reports = (datasets / "annual_reports.jsonl").read_bytes().splitlines()
    assert reports and pq.read_table(datasets / "annual_reports.parquet").num_rows == len(reports)


def test_in_a_process_with_threads_children_are_spawned(demo_portal, demo_crawl, tmp_path):
    """`xxgk demo` serves its portal from a thread: forking could copy a held lock, so spawn."""
    from crawler import shards
    from crawler.run import run_crawl

    _, portal = demo_portal
    assert shards._start_method() == "spawn"  # the portal's server thread is running
    result = run_crawl(
        [portal.root_url],
        tmp_path,
        "demo",
        {
            "XXGK_PROCESSES": 2,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
            "ITEM_PIPELINES": {},
        },
    )
    assert result.stats["finish_reason"] == "finished"
    assert result.stats["xxgk/shards/forwarded"] == result.stats["xxgk/shards/received"] > 0
    spawned = captured(tmp_path / "collections" / "demo")
    assert set(spawned) == set(captured(demo_crawl.collection))
    assert {uri: n for uri, n in spawned.items() if n > 1} == {portal.url("/robots.txt"): 2}


def test_bad_process_counts_and_incompatible_modes_are_refused(demo_portal, tmp_path):
    _, portal = demo_portal
    proc = xxgk("crawl", portal.root_url, "--out", str(tmp_path), "--processes", "0")
    assert proc.returncode == 2 and "--processes: must be at least 1" in proc.stderr
    proc = xxgk("crawl", portal.root_url, "--out", str(tmp_path), "-s", "XXGK_PROCESSES=0")
    assert proc.returncode == 2 and "XXGK_PROCESSES must be 1 or more" in proc.stderr
    # versioned rows (`xxgk run`'s incremental mode) need one process; resuming does not
    proc = xxgk(
        "crawl", portal.root_url, "--out", str(tmp_path), "--processes", "2", "-s", "XXGK_VERSIONS=True"
    )
    assert proc.returncode != 0 and "one-shot crawls" in proc.stderr
    proc = xxgk("crawl", portal.root_url, "--out", str(tmp_path), "-s", "XXGK_PROCESSES=two")
    assert proc.returncode != 0 and "must be a whole number" in proc.stderr
    assert not list(tmp_path.glob("collections/*/archive/*.warc*"))


# -- the parts, on their own ---------------------------------------------------------


def test_a_url_has_one_owner_whatever_its_spelling():
    spellings = [
        "http://a.gov.cn/x/list.jsp?page=2&cid=7",
        "http://a.gov.cn/x/list.jsp?cid=7&page=2#top",
        "http://a.gov.cn/x/list.jsp?cid=7&page=2&jsessionid=ABC",
    ]
    assert len({shard_of(url, 4, by_host=False) for url in spellings}) == 1
    owners = {shard_of(f"http://a.gov.cn/p/{i}.html", 2, by_host=False) for i in range(50)}
    assert owners == {0, 1}  # URLs of one host are spread
    hosts = {shard_of(f"http://a.gov.cn/p/{i}.html", 2, by_host=True) for i in range(50)}
    assert len(hosts) == 1  # by host: the whole portal is one child's


def test_politeness_budget_is_split_not_multiplied():
    settings = Settings(
        {
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
            "DOWNLOAD_DELAY": 0.5,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
            "CLOSESPIDER_PAGECOUNT": 101,
        }
    )
    share = child_settings(settings, 2)
    assert share["XXGK_SHARD_BY_HOST"] is False
    assert share["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1 and share["CONCURRENT_REQUESTS"] == 8
    assert share["DOWNLOAD_DELAY"] == 1.0 and share["AUTOTHROTTLE_TARGET_CONCURRENCY"] == 0.5
    assert share["CLOSESPIDER_PAGECOUNT"] == 51
    # one connection per host cannot be split: whole hosts per child, their politeness untouched
    polite = child_settings(
        Settings({"CONCURRENT_REQUESTS": 512, "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 1.0}), 2
    )
    assert polite["XXGK_SHARD_BY_HOST"] is True
    assert "DOWNLOAD_DELAY" not in polite and "CONCURRENT_REQUESTS_PER_DOMAIN" not in polite


def test_router_finishes_only_when_all_are_idle_and_have_taken_in_all_routed():
    sent: list[tuple[int, tuple]] = []
    router = Router(2, lambda child, message: sent.append((child, message)))
    router.handle(1, ("forward", 0, [{"url": "a"}, {"url": "b"}]))  # p1 → p0, two requests
    assert sent == [(0, ("requests", [{"url": "a"}, {"url": "b"}]))]
    router.handle(1, ("idle", 0))
    router.handle(0, ("idle", 0))  # a stale report: p0 went idle before taking in the two
    assert not router.finished
    router.handle(0, ("forward", 1, [{"url": "c"}]))  # p0 at work, found one of p1's
    router.handle(0, ("idle", 2))
    assert not router.finished  # p1 has not taken in "c" yet
    router.handle(1, ("idle", 1))
    assert router.finished
    assert sent[-2:] == [(0, ("finish",)), (1, ("finish",))]
    router.handle(1, ("idle", 1))
    assert [m for _, m in sent].count(("finish",)) == 2  # said once


def test_router_does_not_wait_for_a_dead_child():
    sent: list[tuple[int, tuple]] = []
    router = Router(2, lambda child, message: sent.append((child, message)))
    router.handle(0, ("forward", 1, [{"url": "a"}]))
    router.handle(0, ("idle", 0))
    router.child_gone(1)  # killed with a request it never took in
    assert router.finished


def test_router_drops_what_is_forwarded_to_a_child_that_stopped_early():
    sent: list[tuple[int, tuple]] = []
    router = Router(2, lambda child, message: sent.append((child, message)))
    router.child_gone(1)  # p1 reached its share of --max-pages
    router.handle(0, ("forward", 1, [{"url": "a"}]))
    assert router.dropped == 1 and not any(child == 1 and m[0] == "requests" for child, m in sent)
    router.handle(0, ("idle", 0))
    assert router.finished


def test_stats_of_the_processes_merge_into_one_crawl():
    from datetime import datetime

    merged = merge_stats(
        [
            {
                "response_received_count": 3,
                "xxgk/capture_seconds": 2.0,
                "finish_reason": "finished",
                "xxgk/warc/files": ["a"],
                "start_time": datetime(2026, 1, 1, 0, 0, 2),
            },
            {
                "response_received_count": 4,
                "xxgk/capture_seconds": 3.0,
                "finish_reason": "finished",
                "xxgk/warc/files": ["b"],
                "start_time": datetime(2026, 1, 1, 0, 0, 1),
            },
            {"xxgk/extract/documents_per_second": None},  # a stat one process left unset
            {"xxgk/extract/documents_per_second": 12.5},
        ]
    )
    assert merged["response_received_count"] == 7
    assert merged["xxgk/capture_seconds"] == 3.0  # in parallel: the longer one
    assert merged["finish_reason"] == "finished"
    assert merged["xxgk/warc/files"] == ["a", "b"]
    assert merged["start_time"] == datetime(2026, 1, 1, 0, 0, 1)
    assert merged["xxgk/extract/documents_per_second"] == 12.5


def test_rows_and_reports_match_the_one_process_crawl(sharded_crawl, demo_crawl):
    """Same documents, columns, texts and annual-report figures; only where they were captured differs."""
    provenance = {*CAPTURE_FIELDS, "first_seen"}

    def content(out: Path, name: str) -> list[dict]:
        lines = (out / "datasets" / "demo" / f"{name}.jsonl").read_bytes().splitlines()
        rows = [
            {k: v for k, v in orjson.loads(line).items() if k not in provenance} for line in lines if line
        ]
        return sorted(rows, key=lambda r: orjson.dumps(r, option=orjson.OPT_SORT_KEYS))

    for name in ("documents", "annual_reports"):
        assert content(sharded_crawl.out, name) == content(demo_crawl.out, name), name


def test_killing_the_parent_keeps_what_the_processes_archived(demo_portal, tmp_path):
    """SIGKILL to the parent mid-crawl: each crawl process finishes its own queue and closes its
    WARCs and index entries properly; nothing already archived is lost or left open."""
    from tests.support.runner import REPO

    _, portal = demo_portal
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "crawl",
            portal.root_url,
            "--out",
            str(tmp_path),
            "--name",
            "demo",
            "--processes",
            "2",
            *FAST,
            "-s",
            "DOWNLOAD_DELAY=0.05",
            "-s",
            "ITEM_PIPELINES={}",
        ],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    archive = tmp_path / "collections" / "demo" / "archive"
    deadline = time.monotonic() + 60
    while len(list(archive.glob("*.warc.gz.open"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    children = descendants(proc.pid)  # the two crawl processes (and, later, what they start)
    assert len(children) >= 2
    time.sleep(0.5)  # both at work
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert not wait_until_gone(children, timeout=60), "crawl processes outlived the parent by a minute"
    files = sorted(archive.glob("*.warc.gz"))
    assert {f.name.split("-")[1] for f in files} == {"p0", "p1"} and not list(archive.glob("*.open"))
    assert_valid_warcs(files)
    index = (tmp_path / "collections" / "demo" / "indexes" / "index.cdxj").read_bytes().splitlines()
    assert len(index) == sum(captured(tmp_path / "collections" / "demo").values()) > 2
    logs = "".join(p.read_text() for p in (tmp_path / "runs" / "demo").glob("*/crawl-p*.log"))
    assert "lost the parent process" in logs


def _popen_sharded_crawl(portal, out: Path, *settings: str) -> subprocess.Popen:
    """`xxgk crawl --processes 2` of the portal, its output in out/../crawl.out."""
    from tests.support.runner import xxgk_popen

    args = ["crawl", portal.root_url, "--out", str(out), "--name", "demo", "--processes", "2", *FAST]
    return xxgk_popen(*args, "-s", "DOWNLOAD_DELAY=0.02", *settings, log=out.parent / "crawl.out")


def _rows(out: Path) -> list[dict]:
    from pipelines.datasets import read_jsonl

    return list(read_jsonl(out / "datasets" / "demo" / "documents.jsonl"))


def test_the_processes_share_one_extraction_pool_and_a_killed_worker_loses_nothing(tmp_path):
    """One pool, the parent's (crawler/shared_pool.py): the crawl processes start none. A worker
    SIGKILLed mid-crawl breaks it; the parent replaces it and the documents it had are tried again."""
    from crawler.demo import DemoPortal, build_site
    from tests.support.processes import children, crawl_processes, extraction_workers

    site = build_site(size=60, seed=4, reports_dir=tmp_path / "no-extra-reports")
    out = tmp_path / "out"
    with DemoPortal(site) as portal:
        crawl = _popen_sharded_crawl(portal, out)
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while crawl.poll() is None and time.monotonic() < deadline and not workers:
            workers = extraction_workers(crawl.pid) if len(portal.requests) > 20 else []
            time.sleep(0.02)
        assert workers, "the crawl ended before a worker could be killed"
        crawlers = crawl_processes(crawl.pid)
        assert len(crawlers) == 2
        assert not [pid for c in crawlers for pid in children(c)], "a crawl process started a pool"
        assert len(workers) == 1  # XXGK_EXTRACT_WORKERS=1 for the two processes, while they crawl
        os.kill(workers[0], signal.SIGKILL)
        crawl.wait(timeout=240)
        expected = sorted({portal.url(d.path) for d in site.documents})
    output = (tmp_path / "crawl.out").read_text(errors="replace")
    assert crawl.returncode == 0, output
    rows = _rows(out)
    assert sorted(r["url"] for r in rows) == expected  # each exactly once
    assert not [r for r in rows if "worker" in (r["extraction_error"] or "")]
    assert "an extraction worker died: its pool is replaced" in output


def test_without_the_parent_the_processes_extract_with_pools_of_their_own(tmp_path):
    """SIGKILL to the parent, and with it to the shared pool's workers: each crawl process goes on
    with a pool of its own, and every document it archived gets its row, once."""
    from crawler.demo import DemoPortal, build_site

    site = build_site(size=60, seed=5, reports_dir=tmp_path / "no-extra-reports")
    out = tmp_path / "out"
    with DemoPortal(site) as portal:
        crawl = _popen_sharded_crawl(portal, out, "-s", "DOWNLOAD_DELAY=0.05")
        deadline = time.monotonic() + 60
        while crawl.poll() is None and time.monotonic() < deadline and len(portal.requests) < 40:
            time.sleep(0.02)
        below = descendants(crawl.pid)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait(timeout=10)
        assert not wait_until_gone(below, timeout=120), "processes outlived the parent by two minutes"
        documents = {portal.url(d.path) for d in site.documents}
    archived = set(captured(out / "collections" / "demo")) & documents
    rows = _rows(out)
    urls = [r["url"] for r in rows]
    assert len(urls) == len(set(urls)) and set(urls) == archived and len(archived) > 20
    assert not [r for r in rows if "worker" in (r["extraction_error"] or "")]
    logs = "".join(p.read_text() for p in (out / "runs" / "demo").glob("*/crawl-p*.log"))
    assert "lost the shared extraction pool" in logs
