"""Distributed mode: two worker processes share one crawl through a real Redis (scrapy-redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter

import orjson
import pytest
import redis

from archive.reader import iter_records
from crawler.demo import DemoPortal, build_site
from tests.support.runner import REPO

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_server():
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        # a skip where a developer runs pytest without Redis; CI (XXGK_FAIL_ON_SKIP=1) fails on it
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run installs and starts one)")
    return server


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    server = redis_server()
    prefix = f"xxgk-test:{uuid.uuid4().hex}"  # this test's keys only
    site = build_site(size=40, seed=3, reports_dir=tmp_path_factory.mktemp("no-extra-reports"))
    out = tmp_path_factory.mktemp("distributed")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    try:
        with DemoPortal(site) as portal:
            sites = out / "sites.yaml"
            sites.write_text(f"sites:\n  - name: demo\n    seeds: [{portal.root_url}]\n", encoding="utf-8")
            procs = []
            for worker in ("w1", "w2"):
                with open(out / f"{worker}.out", "wb") as log:
                    procs.append(
                        subprocess.Popen(
                            [
                                sys.executable,
                                "-m",
                                "crawler.cli",
                                "run",
                                str(sites),
                                "--out",
                                str(out),
                                "--redis",
                                REDIS_URL,
                                "--worker-id",
                                worker,
                                "-s",
                                f"XXGK_REDIS_PREFIX={prefix}",
                                "-s",
                                "DOWNLOAD_DELAY=0.02",
                                "-s",
                                "AUTOTHROTTLE_ENABLED=False",
                            ],
                            cwd=REPO,
                            env=env,
                            stdout=log,
                            stderr=log,
                        )
                    )
            try:
                codes = [p.wait(timeout=240) for p in procs]
            finally:
                for p in procs:
                    if p.poll() is None:
                        p.kill()
                        p.wait()
            requests = portal.requests
            root = portal.base_url
        leftover = sorted(k.decode() for k in server.scan_iter(f"{prefix}:*"))
    finally:
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)
        server.close()
    return site, out, codes, requests, root, leftover


def test_both_workers_finish_and_clear_their_keys(two_workers):
    _, out, codes, _, _, leftover = two_workers
    assert codes == [0, 0], [(out / f"{w}.out").read_text() for w in ("w1", "w2")]
    assert leftover == []  # a complete crawl leaves nothing in Redis


def test_every_page_fetched_exactly_once_nothing_missing(two_workers):
    site, _, _, requests, _, _ = two_workers
    gets = Counter(r.path for r in requests if r.method == "GET" and r.path != "/robots.txt")
    assert [p for p, n in gets.items() if n > 1] == []
    assert {d.path for d in site.documents} <= set(gets)


def test_each_worker_writes_its_own_warcs_and_one_index_holds_all(two_workers):
    site, out, _, _, root, _ = two_workers
    archive = out / "collections" / "demo" / "archive"
    files = sorted(archive.glob("*.warc.gz"))
    assert {f.name.split("-")[1] for f in files} == {"w1", "w2"}  # demo-<worker>-<timestamp>-<serial>
    responses = Counter()
    for path in files:
        for record in iter_records(path):
            if getattr(record, "type", None) == "response":
                responses[record.target_uri] += 1
    assert max(responses.values()) <= 2  # robots.txt once per worker; everything else once
    assert [u for u, n in responses.items() if n > 1 and not u.endswith("/robots.txt")] == []
    index = (out / "collections" / "demo" / "indexes" / "index.cdxj").read_bytes().splitlines()
    indexed = {orjson.loads(line.split(b" ", 2)[2])["url"] for line in index}
    assert {root + d.path for d in site.documents} <= indexed
    assert index == sorted(index)


def test_workers_share_the_run_and_the_dataset(two_workers):
    site, out, _, _, _, _ = two_workers
    [run_dir] = (out / "runs" / "demo").iterdir()
    manifests = [orjson.loads((run_dir / f"manifest-{w}.json").read_bytes()) for w in ("w1", "w2")]
    assert {m["worker"] for m in manifests} == {"w1", "w2"}
    rows = [
        orjson.loads(x) for x in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]
    assert Counter(r["url"] for r in rows).most_common(1)[0][1] == 1
    assert len(rows) == len(site.documents)
    assert sum(m["counts"]["documents"]["new"] for m in manifests) == len(site.documents)
