"""A crawl of a portal that misbehaves on purpose (crawler/demo/faults.py).

One crawl of the fault portal per session; each test checks one promise: the
crawl finishes, good pages all reach the archive and the dataset, every fault
is reported with its reason, truncated captures say so, every WARC is valid,
and retries are bounded.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import orjson
import pytest

from crawler.demo import DemoSite, build_site
from crawler.demo.faults import (
    BIG_SIZE,
    CHAIN_END,
    CHAIN_LENGTH,
    FAULT_DIR,
    FAULTS,
    HUGE_SIZE,
    LOOP_TARGETS,
    FaultPortal,
)
from tests.support.runner import xxgk
from tests.support.warcs import records

RETRY_TIMES = 1
MAXSIZE = 16 * 1024 * 1024  # above big.pdf (archived whole), below huge.pdf (cut: WARC-Truncated: length)
SETTINGS = {
    "DOWNLOAD_TIMEOUT": "3",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "RETRY_TIMES": str(RETRY_TIMES),
    "DOWNLOAD_MAXSIZE": str(MAXSIZE),
}
ATTEMPTS = 1 + RETRY_TIMES


@dataclass
class FaultRun:
    site: DemoSite
    portal: FaultPortal
    out: Path
    proc: CompletedProcess
    counts: dict[str, int]

    @property
    def collection(self) -> Path:
        return self.out / "collections" / "faults"

    def url(self, path: str) -> str:
        return self.portal.base_url + path

    def rows(self) -> dict[str, dict]:
        lines = (self.out / "datasets" / "faults" / "documents.jsonl").read_bytes().splitlines()
        return {row["url"]: row for row in map(orjson.loads, filter(None, lines))}

    def log(self) -> str:
        return "\n".join(
            p.read_text(encoding="utf-8") for p in (self.out / "runs" / "faults").glob("*/crawl.log")
        )

    def warcs(self) -> list[Path]:
        return sorted((self.collection / "archive").glob("*.warc.gz"))


@pytest.fixture(scope="session")
def fault_run(tmp_path_factory) -> FaultRun:
    site = build_site(12, 3, wrong_charset=True)
    out = tmp_path_factory.mktemp("fault-crawl")
    settings = [arg for name, value in SETTINGS.items() for arg in ("-s", f"{name}={value}")]
    with FaultPortal(site, stall_limit=10) as portal:
        proc = xxgk("crawl", portal.root_url, "--out", str(out), "--name", "faults", *settings, timeout=180)
        counts = dict(portal.counts)
    return FaultRun(site, portal, out, proc, counts)


def test_the_crawl_finishes(fault_run):
    proc = fault_run.proc
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "finish reason: finished" in proc.stdout
    assert "Traceback" not in proc.stderr + fault_run.log()


def test_every_good_document_is_archived_and_in_the_dataset(fault_run):
    rows = fault_run.rows()
    captured = {
        r["uri"]
        for r in records(fault_run.collection)
        if r["type"] in ("response", "revisit") and b" 200 " in r["block"][:20]
    }
    good = [fault_run.url(d.path) for d in fault_run.site.documents] + [fault_run.url(CHAIN_END)]
    assert not [u for u in good if u not in rows], "good documents missing from the dataset"
    assert not [u for u in good if u not in captured], "good documents missing from the WARCs"
    statuses: dict[str, set[int]] = {}
    for r in records(fault_run.collection):
        if r["type"] in ("response", "revisit"):  # identical payloads are revisits
            statuses.setdefault(r["uri"], set()).add(int(r["block"].split(b" ", 2)[1]))
    for fault in FAULTS:
        url = fault_run.url(fault.path)
        if fault.row:
            assert url in rows, fault.kind
        if fault.archived:
            assert statuses.get(url) == {fault.status}, f"{fault.kind}: archived statuses {statuses.get(url)}"
        else:
            assert url not in statuses, (
                f"{fault.kind}: no complete response head came, yet a response was archived"
            )


def test_wrong_charsets_do_not_garble_titles(fault_run):
    """GBK pages served as UTF-8 (and pages without an HTTP charset) keep their real titles."""
    rows = fault_run.rows()
    lied = [
        d for d in fault_run.site.detail_pages if d.encoding == "gbk" and d.http_charset not in (None, "gbk")
    ]
    assert lied, "the fault site has no GBK pages served with a wrong charset"
    for doc in fault_run.site.detail_pages:
        assert rows[fault_run.url(doc.path)]["title"] == doc.title, doc.path


def test_every_failure_is_reported_with_its_reason(fault_run):
    log = fault_run.log()
    rows = fault_run.rows()
    for fault in FAULTS:
        url = fault_run.url(fault.path)
        if fault.kind.startswith("redirect-"):
            # archived as answered (a 302 without Location, or to ftp:, is an answer, not an error);
            # loops: test_redirect_loops_are_reported
            continue
        if fault.row and not fault.truncated:
            continue  # odd but usable: a row, no failure
        if fault.truncated and url in rows:
            # a cut capture still gives a row, which says it was cut
            assert f"capture truncated ({fault.truncated})" in (rows[url]["extraction_error"] or ""), (
                fault.kind
            )
            continue
        lines = [line for line in log.splitlines() if url in line and re.search(r"\b(WARNING|ERROR)\b", line)]
        assert lines, f"{fault.kind}: no warning or error in the run log for {url}"
        reasons = {
            "status": r"\b5\d\d\b",
            "stall": r"took longer than",
            "drip": r"took longer than",
            "length-too-long-hang": r"took longer than",
            "not-http": r"not an HTTP status line",
            "close-immediately": r"connection closed",
            "gzip-invalid": r"decompress",
            "header-bomb": r"head larger than",
        }
        pattern = next((p for k, p in reasons.items() if fault.kind.startswith(k)), None)
        assert pattern, f"no expected reason for {fault.kind}"
        assert any(re.search(pattern, line) for line in lines), f"{fault.kind}: reason not in {lines}"
    errors = set(re.findall(r"'(xxgk/errors/[^']+)'", log))
    assert errors, "failures are not counted in the crawl stats"


def test_redirect_loops_are_reported(fault_run):
    log = fault_run.log()
    url = fault_run.url(f"{FAULT_DIR}/loop-a.htm")
    assert any(
        url in line and ("redirect" in line.lower())
        for line in log.splitlines()
        if "WARNING" in line or "ERROR" in line
    )


def test_redirects_are_archived_hop_by_hop_and_bounded(fault_run):
    uris = [r["uri"] for r in records(fault_run.collection) if r["type"] == "response"]
    for n in range(1, CHAIN_LENGTH + 1):
        assert fault_run.url(f"{FAULT_DIR}/chain-{n}.htm") in uris
    for path in LOOP_TARGETS:
        assert fault_run.url(path) in uris
        assert fault_run.counts.get(path, 0) <= 21  # Scrapy's REDIRECT_MAX_TIMES + 1 at the very most


def test_truncated_captures_carry_warc_truncated(fault_run):
    responses = [r for r in records(fault_run.collection) if r["type"] == "response"]
    for fault in FAULTS:
        if not fault.truncated:
            continue
        got = {r["headers"].get("WARC-Truncated") for r in responses if r["uri"] == fault_run.url(fault.path)}
        assert got == {fault.truncated}, f"{fault.kind}: WARC-Truncated {got}"
    huge = [r for r in responses if r["uri"] == fault_run.url(f"{FAULT_DIR}/huge.pdf")]
    assert huge and all(MAXSIZE <= len(r["block"]) < MAXSIZE + (1 << 20) < HUGE_SIZE for r in huge)
    big = [r for r in responses if r["uri"] == fault_run.url(f"{FAULT_DIR}/big.pdf")]
    assert big and all(len(r["block"]) > BIG_SIZE for r in big)  # head + the whole body
    # a complete response is never marked truncated
    for r in responses:
        if "/faults/" not in r["uri"]:
            assert "WARC-Truncated" not in r["headers"], r["uri"]


def test_no_warc_is_invalid(fault_run):
    files = fault_run.warcs()
    assert files and not list((fault_run.collection / "archive").glob("*.open"))
    proc = xxgk("warc", "check", *map(str, files))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # warcio computes payload digests over chunk framing (warcio#75): only chunked records may fail it
    chunked = {
        r["offset"]
        for r in records(fault_run.collection)
        if re.search(rb"(?im)^transfer-encoding:[ \t]*chunked", r["block"].split(b"\r\n\r\n", 1)[0])
    }
    for path in files:
        check = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", "-v", str(path)], capture_output=True, text=True
        )
        offset, failed = None, set()
        for line in check.stdout.splitlines():
            m = re.match(r"\s+offset (\d+) ", line)
            if m:
                offset = int(m.group(1))
            elif "failed" in line:
                failed.add(offset)
        assert failed <= chunked, f"warcio check fails on non-chunked records at {sorted(failed - chunked)}"
        assert check.returncode == (1 if failed else 0), check.stderr


def test_retries_are_bounded(fault_run):
    counts = fault_run.counts
    for fault in FAULTS:
        n = counts.get(fault.path, 0)
        assert n >= 1, f"{fault.kind} never requested"
        # each attempt may be sent twice: once more on a fresh connection when a reused
        # keep-alive connection closes before answering (crawler/capture.py)
        if fault.kind.startswith("status-"):
            assert n == ATTEMPTS, f"{fault.kind}: {n} requests"
        elif fault.retried:
            assert n <= 2 * ATTEMPTS, f"{fault.kind}: {n} requests"
        else:
            assert n <= 2, f"{fault.kind}: {n} requests (a response that came is not asked again)"
    # good pages are fetched once each
    twice = {path: n for path, n in counts.items() if n > 1 and not path.startswith(FAULT_DIR)}
    assert not twice, twice
