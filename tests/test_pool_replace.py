"""A dead extraction worker is replaced; its documents are tried again; the crawl goes on.

Workers die for real here: SIGKILL to a worker process of a running crawl, and a job that
ends its own process (as a native crash or the OOM killer would) in the crawl's own pipeline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import orjson
from scrapy.utils.test import get_crawler

from crawler.demo import DemoPortal, build_site
from crawler.pipelines import DocumentPipeline
from pipelines.live import extract_job
from tests.support.processes import extraction_workers
from tests.support.runner import FAST, REPO


def test_a_killed_worker_loses_no_document(tmp_path):
    site = build_site(size=60, seed=4, reports_dir=tmp_path / "no-extra-reports")
    out = tmp_path / "out"
    with DemoPortal(site) as portal:
        crawl = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "crawl", portal.root_url, "--out", str(out), "--name", "demo",
             *FAST, "-s", "XXGK_EXTRACT_WORKERS=2", "-s", "DOWNLOAD_DELAY=0.02"],
            cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while crawl.poll() is None and time.monotonic() < deadline and len(workers) < 2:
            workers = extraction_workers(crawl.pid) if len(portal.requests) > 20 else []
            time.sleep(0.02)
        assert workers, "the crawl ended before its workers could be killed"
        os.kill(workers[0], signal.SIGKILL)
        stdout, stderr = crawl.communicate(timeout=240)
        expected = sorted({portal.url(d.path) for d in site.documents})
    assert crawl.returncode == 0, stderr
    rows = [
        orjson.loads(x) for x in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]
    urls = [r["url"] for r in rows]
    assert sorted(urls) == expected  # each exactly once
    assert not [r for r in rows if "worker" in (r["extraction_error"] or "")]
    log = next((out / "runs" / "demo").rglob("crawl.log")).read_text()
    assert "'xxgk/extract/pool_replaced': 1" in log or '"xxgk/extract/pool_replaced": 1' in log, stdout


POISON = "http://127.0.0.1/poison.html"


def dies_on_poison(job: dict) -> tuple:
    """A worker's job function that ends its own process on one document, every time."""
    if job["url"] == POISON:
        os._exit(9)
    return extract_job(job)


def _item(url: str) -> dict:
    body = f"<html><head><title>{url[-12:]}</title></head><body><p>{'正文。' * 40}</p></body></html>".encode()
    return {"url": url, "kind": "page", "status": 200, "headers": [("Content-Type", "text/html; charset=utf-8")],
            "body": body, "parent_url": None, "column": None, "link_text": None, "warc": None, "flags": []}  # fmt: skip


def _pipeline(tmp_path, **settings) -> tuple:
    """(crawler, its DocumentPipeline) writing JSONL rows under tmp_path, with `settings`."""
    base = {"XXGK_OUT": str(tmp_path), "XXGK_COLLECTION": "t", "XXGK_DATASET_FORMATS": ["jsonl"]}
    crawler = get_crawler(settings_dict={**base, "XXGK_RUN_DIR": str(tmp_path), **settings})
    return crawler, DocumentPipeline(crawler)


def test_a_document_that_kills_its_worker_twice_is_recorded_failed(tmp_path):
    crawler, pipeline = _pipeline(tmp_path, XXGK_EXTRACT_WORKERS=2)
    pipeline.extract = dies_on_poison
    pipeline.open_spider()

    async def crawl() -> None:
        for i in range(6):
            await pipeline.process_item(_item(f"http://127.0.0.1/ok-{i}.html"))
        await pipeline.process_item(_item(POISON))
        for i in range(6, 12):
            await pipeline.process_item(_item(f"http://127.0.0.1/ok-{i}.html"))
        await pipeline.close_spider()

    asyncio.run(crawl())
    [jsonl] = list(tmp_path.rglob("documents.jsonl"))
    rows = {r["url"]: r for r in map(orjson.loads, jsonl.read_bytes().splitlines())}
    assert len(rows) == 13
    assert "died on this document, twice" in rows[POISON]["extraction_error"]
    assert all(r["title"] and not r["extraction_error"] for url, r in rows.items() if url != POISON)
    assert crawler.stats.get_value("xxgk/extract/pool_replaced") == 2  # the first death, and the retry's


def test_documents_go_to_the_workers_in_batches_and_each_gets_its_own_row(tmp_path):
    # each hand-over, and its rows' way back, waits on this process's busy threads: a batch at a
    # time, or what is queued when the pool has nothing else to do
    _, pipeline = _pipeline(tmp_path, XXGK_EXTRACT_WORKERS=1, XXGK_EXTRACT_BATCH=4, XXGK_EXTRACT_BACKLOG=256)
    pipeline.open_spider()
    handed: list[int] = []
    submit = pipeline.pool.submit

    def counted(fn, job):
        handed.append(len(job) if isinstance(job, list) else 1)
        return submit(fn, job)

    pipeline.pool.submit = counted
    urls = [f"http://127.0.0.1/doc-{i}.html" for i in range(10)]

    async def crawl() -> None:
        for url in urls:
            await pipeline.process_item(_item(url))
        await pipeline.close_spider()

    asyncio.run(crawl())
    assert handed == [1, 4, 4, 1]  # the first alone (the pool idle), two batches, the rest at the end
    [jsonl] = list(tmp_path.rglob("documents.jsonl"))
    rows = [orjson.loads(line) for line in jsonl.read_bytes().splitlines()]
    assert sorted(r["url"] for r in rows) == sorted(urls)
    assert all(r["title"] == r["url"][-12:] and not r["extraction_error"] for r in rows)


def test_what_the_forkserver_preloads_starts_no_thread():
    """The forkserver forks every worker from a process that imported crawler.pools.PRELOAD:
    a thread started by an import there (numpy's OpenBLAS pool, say) would be forked mid-lock."""
    from crawler.pools import PRELOAD

    code = (
        f"import os; import {', '.join(PRELOAD)}; "
        "print(len(os.listdir(f'/proc/{os.getpid()}/task')), 'numpy' in __import__('sys').modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False"], out.stdout + out.stderr


def worker_pid(job: dict) -> int:
    if job.get("url") == POISON:
        os._exit(9)
    time.sleep(job.get("sleep", 0))
    return os.getpid()


def test_a_grown_pool_keeps_its_first_workers_and_a_broken_one_is_replaced_alone():
    """crawler/pools.py: growing adds a pool beside the first (whose warm workers stay); a worker's
    death breaks and replaces only its own pool."""
    from concurrent.futures.process import BrokenProcessPool

    from crawler.pools import ExtractionPools

    pools = ExtractionPools(1, 0, os.getpid())
    try:
        first = pools.slots[0].executor
        before = pools.submit(worker_pid, {}).result(timeout=60)
        assert pools.grow(3) and not pools.grow(2) and pools.workers == 3
        assert (
            pools.slots[0].executor is first and pools.slots[0].workers == 1 and pools.slots[1].workers == 2
        )
        pids = {f.result(timeout=60) for f in [pools.submit(worker_pid, {"sleep": 0.3}) for _ in range(6)]}
        assert before in pids and len(pids) == 3  # every worker of both pools took some
        executors = [slot.executor for slot in pools.slots]
        poisoned = pools.submit(worker_pid, {"url": POISON})  # goes to the pool with the fewest jobs
        try:
            poisoned.result(timeout=60)
        except BrokenProcessPool:
            pass
        else:
            raise AssertionError("the poisoned job returned")
        deadline = time.monotonic() + 30
        while pools.replaced < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pools.replaced == 1
        replaced = [old is not slot.executor for old, slot in zip(executors, pools.slots, strict=True)]
        assert replaced.count(True) == 1  # the other pool kept its workers
        after = [f.result(timeout=60) for f in [pools.submit(worker_pid, {}) for _ in range(4)]]
        assert all(isinstance(pid, int) and pid != os.getpid() for pid in after)  # the healed pools work
    finally:
        pools.shutdown(wait=True)
