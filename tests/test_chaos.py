"""Chaos: SIGKILL at random moments, then the invariants of a collection that lost nothing.

Rounds of kills land on the run's parent process (its whole process group, as the OOM killer
or a power cut would), on one extraction worker (the pool is replaced, the run goes on), and,
in distributed mode, on one of two workers sharing a real Redis (its leased requests return
to the other; what it captured without a row is extracted by the survivor). After the final
run, whatever the moments were:

- every ground-truth document is in the dataset exactly once;
- every WARC passes `xxgk warc check`;
- index.cdxj equals a rebuild from the WARCs, and no .open or pending files are left;
- the manifests' document counts equal the rows.

The moments are drawn from a seeded generator (XXGK_CHAOS_SEED; printed on failure) and
counted in requests served, so a round is bounded whatever the machine's speed.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.support.invariants import collection_problems, jsonl
from tests.support.processes import crawl_processes, extraction_workers
from tests.support.runner import xxgk, xxgk_popen
from tests.test_distributed_redis import REDIS_URL, redis_server
from tests.test_resume_kill import SLOW, finish, kill_after, served_portal, start_run

SEED = int(os.environ.get("XXGK_CHAOS_SEED", "20261206"))


@pytest.fixture
def rng(request) -> random.Random:
    seed = SEED + sum(map(ord, request.node.name))
    request.node.user_properties.append(("chaos seed", seed))
    print(f"chaos seed {seed}")  # shown with a failure's captured output
    return random.Random(seed)


def assert_whole(out: Path, expected_urls: set[str]) -> None:
    assert collection_problems(out, "demo", expected_urls, out.parent / "reparsed") == []


def kill_a_worker_then_the_run(proc: subprocess.Popen, portal, at: int, then: int) -> None:
    """SIGKILL one extraction worker once `at` requests were served, then the whole run at `then`."""
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while not workers and proc.poll() is None:
        assert time.monotonic() < deadline, "crawl made no progress"
        workers = extraction_workers(proc.pid) if len(portal.requests) >= at else []
        time.sleep(0.01)
    assert workers, "the run ended before a worker could be killed"
    os.kill(workers[0], signal.SIGKILL)
    kill_after(proc, portal, then, signal.SIGKILL)


def test_kills_of_the_run_and_its_workers_lose_nothing(tmp_path, rng):
    with served_portal(tmp_path, 30, 11) as (portal, sites, out, _):
        expected = {portal.url(d.path) for d in portal.site.documents}
        for kind in ("run", "worker", "run"):
            portal.clear_requests()
            proc = start_run(sites, out)
            if kind == "worker":
                at = rng.randint(4, 12)
                kill_a_worker_then_the_run(proc, portal, at, at + rng.randint(3, 10))
            else:
                kill_after(proc, portal, rng.randint(3, 20), signal.SIGKILL)
        portal.clear_requests()
        assert finish(start_run(sites, out)) == 0
    assert_whole(out, expected)


def test_xxgk_crawl_killed_resumes_and_writes_each_document_once(tmp_path, rng):
    with served_portal(tmp_path, 30, 12) as (portal, _, out, _):
        expected = {portal.url(d.path) for d in portal.site.documents}
        args = ["crawl", portal.root_url, "--out", str(out), "--name", "demo", *SLOW]
        for _ in range(2):
            portal.clear_requests()
            kill_after(xxgk_popen(*args), portal, rng.randint(5, 25), signal.SIGKILL)
        portal.clear_requests()
        done = xxgk(*args)
        assert done.returncode == 0, done.stderr
        assert "resumed       run" in done.stdout
        refetched = [r for r in portal.requests if portal.url(r.path) in expected]
    assert_whole(out, expected)
    # what the killed sessions archived was answered from the WARCs, not fetched again
    assert len(refetched) < len(expected)


def test_rows_a_killed_crawl_wrote_but_did_not_record_are_not_written_again(tmp_path):
    """Killed between a row's line and the state store's commit: as if every row of the killed
    session were in that window, the resumed crawl still writes each document once."""
    with served_portal(tmp_path, 30, 15) as (portal, _, out, collection):
        expected = {portal.url(d.path) for d in portal.site.documents}
        args = ["crawl", portal.root_url, "--out", str(out), "--name", "demo", *SLOW]
        proc, rows = xxgk_popen(*args), out / "datasets" / "demo" / "documents.jsonl"
        deadline = time.monotonic() + 120
        while not (rows.exists() and len(jsonl(rows)) >= 5) and proc.poll() is None:
            assert time.monotonic() < deadline, "crawl made no progress"
            time.sleep(0.02)
        assert proc.poll() is None, "the crawl finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        with sqlite3.connect(collection / "state.sqlite") as db:
            db.execute("UPDATE urls SET row_run = NULL, version = 0")
        done = xxgk(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    assert_whole(out, expected)


def test_xxgk_crawl_in_two_processes_killed_resumes_and_writes_each_document_once(tmp_path, rng):
    """`--processes 2`: the whole group killed, then one crawl process alone, then to the end."""
    with served_portal(tmp_path, 30, 14) as (portal, _, out, _):
        expected = {portal.url(d.path) for d in portal.site.documents}
        args = ["crawl", portal.root_url, "--out", str(out), "--name", "demo", "--processes", "2", *SLOW]
        portal.clear_requests()
        kill_after(xxgk_popen(*args), portal, rng.randint(5, 20), signal.SIGKILL)
        portal.clear_requests()
        proc = xxgk_popen(*args)
        deadline = time.monotonic() + 120
        while len(portal.requests) < rng.randint(3, 8) and proc.poll() is None:
            assert time.monotonic() < deadline, "crawl made no progress"
            time.sleep(0.01)
        crawlers = crawl_processes(proc.pid)
        assert crawlers, "the crawl ended before a crawl process could be killed"
        os.kill(crawlers[0], signal.SIGKILL)
        assert finish(proc) != 0  # a crawl process failed: said so
        portal.clear_requests()
        done = xxgk(*args)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "resumed       run" in done.stdout
    assert_whole(out, expected)


@pytest.mark.parametrize("restart", [True, False], ids=["restarted", "killed-for-good"])
def test_a_distributed_worker_killed_loses_nothing(tmp_path, rng, restart):
    server = redis_server()
    prefix = f"xxgk-test:{uuid.uuid4().hex}"
    try:
        with served_portal(tmp_path, 40, 13) as (portal, sites, out, _):
            expected = {portal.url(d.path) for d in portal.site.documents}

            def worker(name: str) -> subprocess.Popen:
                return xxgk_popen(
                    "run", str(sites), "--out", str(out), "--redis", REDIS_URL, "--worker-id", name, *SLOW,
                    "-s", f"XXGK_REDIS_PREFIX={prefix}", "-s", "XXGK_LEASE_SECONDS=4",
                    log=out / f"{name}.out",
                )  # fmt: skip

            survivor, victim = worker("w1"), worker("w2")
            kill_after(victim, portal, rng.randint(10, 40), signal.SIGKILL)
            # restarted, it recovers its WARC and goes on; killed for good, the survivor takes its
            # leases, its captures and its reports
            codes = [finish(survivor), finish(worker("w2")) if restart else 0]
        assert codes == [0, 0], [(out / f"{w}.out").read_text()[-3000:] for w in ("w1", "w2")]
        assert_whole(out, expected)
        assert not list(server.scan_iter(f"{prefix}:requests*"))  # the frontier was emptied
    finally:
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)
        server.close()
