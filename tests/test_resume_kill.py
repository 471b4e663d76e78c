"""Resume: a run killed at any moment (SIGKILL, SIGTERM, SIGINT) loses nothing it fetched.

The same portal is crawled once without interruption and once killed three
times and resumed; the archives must hold the same URLs, no URL archived twice
in full, and every WARC must pass `warcio check`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.reader import iter_records
from crawler.demo import DemoPortal, build_site
from tests.support.runner import REPO

# slow enough to be killed mid-way, at one request at a time
SLOW = [
    "-s",
    "DOWNLOAD_DELAY=0.03",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=1",
    "-s",
    "RETRY_TIMES=1",
]


INTERRUPTIONS = ((12, signal.SIGKILL), (15, signal.SIGTERM), (15, signal.SIGKILL), (15, signal.SIGINT))
KILLS = sum(sig == signal.SIGKILL for _, sig in INTERRUPTIONS)


def start_run(sites: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    log = open(out / "xxgk-run.out", "ab")  # noqa: SIM115 - a file, not a pipe: orphans cannot hold it up
    try:
        # its own process group: a SIGKILL takes the extraction workers too, as systemd would
        return subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "run", str(sites), "--out", str(out), *SLOW],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    finally:
        log.close()


def sites_file(tmp: Path, portal: DemoPortal) -> Path:
    path = tmp / "sites.yaml"
    path.write_text(f"sites:\n  - name: demo\n    seeds: [{portal.root_url}]\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def served_portal(tmp_path: Path, size: int, seed: int) -> Iterator[tuple[DemoPortal, Path, Path, Path]]:
    """(portal, sites.yaml, --out, collection) of a demo portal served for `xxgk run`s to kill."""
    site = build_site(size=size, seed=seed, reports_dir=tmp_path / "no-extra-reports")
    out = tmp_path / "out"
    out.mkdir()
    with DemoPortal(site) as portal:
        yield portal, sites_file(out, portal), out, out / "collections" / "demo"


def finish(proc: subprocess.Popen, timeout: float = 240) -> int:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise


def kill_after(proc: subprocess.Popen, portal: DemoPortal, served: int, sig: int) -> None:
    """Send `sig` once the portal has served `served` requests in this run (bounded wait)."""
    deadline = time.monotonic() + 120
    while len(portal.requests) < served and proc.poll() is None:
        assert time.monotonic() < deadline, "crawl made no progress"
        time.sleep(0.01)
    assert proc.poll() is None, "the crawl finished before it could be interrupted"
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    assert finish(proc) in (-signal.SIGKILL, 130)


def archived(out: Path) -> tuple[list[Path], Counter, set[str]]:
    files = sorted((out / "collections" / "demo" / "archive").glob("*.warc*"))
    full = Counter()  # URL → 200 responses stored in full
    urls = set()  # URLs with a 200 capture (response or revisit)
    for path in files:
        for record in iter_records(path):
            if getattr(record, "type", None) in ("response", "revisit") and record.status in (200, 304):
                urls.add(record.target_uri)
                if record.type == "response":
                    full[record.target_uri] += 1
    return files, full, urls


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(size=40, seed=5, reports_dir=tmp_path_factory.mktemp("no-extra-reports"))


@pytest.fixture(scope="module")
def uninterrupted(site, tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    with DemoPortal(site) as portal:
        assert finish(start_run(sites_file(out, portal), out)) == 0
        root = portal.base_url
    return out, root


@pytest.fixture(scope="module")
def interrupted(site, tmp_path_factory):
    out = tmp_path_factory.mktemp("killed")
    served = []
    with DemoPortal(site) as portal:
        sites = sites_file(out, portal)
        # each resumed run goes on from where the last one stopped: kill it a few requests later
        for count, sig in INTERRUPTIONS:
            portal.clear_requests()
            kill_after(start_run(sites, out), portal, count, sig)
            served.append(portal.requests)
        portal.clear_requests()
        proc = start_run(sites, out)
        code = finish(proc)
        served.append(portal.requests)
        root = portal.base_url
    return out, root, served, code


def relative(urls: set[str], root: str) -> set[str]:
    return {u.removeprefix(root) for u in urls}


def test_resumed_crawl_archives_the_same_urls(uninterrupted, interrupted):
    whole, whole_root = uninterrupted
    killed, killed_root, _, code = interrupted
    assert code == 0
    _, _, whole_urls = archived(whole)
    _, _, killed_urls = archived(killed)
    assert relative(killed_urls, killed_root) == relative(whole_urls, whole_root)


def test_nothing_archived_twice_in_full(interrupted):
    out, *_ = interrupted
    _, full, _ = archived(out)
    assert full and max(full.values()) == 1, [u for u, n in full.items() if n > 1]


def test_resume_does_not_refetch_what_was_archived(interrupted):
    out, _, served, _ = interrupted
    # a URL fetched again after it was archived would have a second capture (a revisit)
    captures = Counter()
    for path in archived(out)[0]:
        for record in iter_records(path):
            if getattr(record, "type", None) in ("response", "revisit") and record.status in (200, 304):
                captures[record.target_uri] += 1
    assert [u for u, n in captures.items() if n > 1] == []
    # only a request in flight when SIGKILL struck (one at a time here) is fetched again
    gets = Counter(r.path for segment in served for r in segment if r.method == "GET" and r.status == 200)
    assert sum(n - 1 for n in gets.values()) <= KILLS


def test_every_warc_is_closed_and_valid(interrupted):
    out, *_ = interrupted
    files, _, _ = archived(out)
    assert files and not [f for f in files if f.name.endswith(".open")]
    warcio = Path(sys.executable).with_name("warcio")
    proc = subprocess.run(
        [str(warcio), "check", *map(str, files)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_interrupted_run_is_resumed_under_one_run_id(interrupted):
    out, *_ = interrupted
    [run_dir] = (out / "runs" / "demo").iterdir()
    import orjson

    manifest = orjson.loads((run_dir / "manifest.json").read_bytes())
    assert manifest["status"] == "ok" and manifest["resumed"]
    assert manifest["finish_reason"] == "finished"


def test_the_resumed_runs_manifest_counts_every_session(uninterrupted, interrupted):
    """Documents and WARC files of all five sessions, not only the last one's."""
    import orjson

    def manifest(out: Path) -> dict:
        [run_dir] = (out / "runs" / "demo").iterdir()
        return orjson.loads((run_dir / "manifest.json").read_bytes())

    whole, killed = manifest(uninterrupted[0]), manifest(interrupted[0])
    rows = (interrupted[0] / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    assert killed["counts"]["documents"]["new"] == len(rows) == whole["counts"]["documents"]["new"]
    files, _, _ = archived(interrupted[0])
    assert sorted(w["file"] for w in killed["warc_files"]) == sorted(f.name for f in files)
    assert len(files) > 1
