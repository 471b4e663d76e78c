"""Extraction never holds the crawl back: documents go to the workers by WARC reference, queue past
XXGK_EXTRACT_BACKLOG in an on-disk FIFO, and give exactly the rows they gave before."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import orjson
import pytest

from archive.http import ResponseParser
from archive.reader import read_record_at
from archive.writer import Exchange, WarcFileWriter, warc_date
from crawler.spill import SpillQueue
from pipelines.live import by_reference, extract_job, extract_row
from pipelines.provenance import CAPTURE_FIELDS
from tests.support.runner import FAST, crawl_stats, xxgk

FIXTURES = Path(__file__).parent / "fixtures" / "pages"


def jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def without_capture(rows: list[dict]) -> dict[str, dict]:
    # first_seen: when this collection first saw the URL, a time like the capture's own
    return {r["url"]: {k: v for k, v in r.items() if k not in (*CAPTURE_FIELDS, "first_seen")} for r in rows}


# -- the FIFO -------------------------------------------------------------------------------------------
def open_files_in(directory: Path) -> list[str]:
    """Files this process has open in ``directory`` (named or not: an unlinked file shows as '(deleted)')."""
    links = (os.readlink(fd) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink())
    return [link for link in links if link.startswith(str(directory) + "/")]


def test_spill_queue_keeps_order_across_memory_and_disk(tmp_path):
    queue = SpillQueue(tmp_path, memory_limit=3)
    popped: list[int] = []
    pushed = 0
    for round_ in range(50):  # pushes outrun pops, then pops nearly catch up: the file grows and shrinks
        for _ in range(400 if round_ % 2 == 0 else 5):
            queue.push({"n": pushed, "headers": [("Content-Type", "text/html")] * (pushed % 7), "body": None})
            pushed += 1
            assert queue.in_memory <= 3
        for _ in range(min(len(queue), 200)):
            popped.append(queue.pop()["n"])
    assert queue.on_disk > 0 and queue.disk_bytes > 0
    assert len(open_files_in(tmp_path)) == 1 and list(tmp_path.iterdir()) == []  # there, but nameless
    while queue:
        popped.append(queue.pop()["n"])
    assert popped == list(range(pushed)) and pushed == 10_125
    assert queue.spilled > 9_000 and queue.disk_bytes == 0  # emptied once all read back
    with pytest.raises(IndexError):
        queue.pop()
    queue.push({"n": "again"})  # usable after draining: memory first
    assert queue.in_memory == 1 and queue.pop() == {"n": "again"}
    queue.close()
    assert open_files_in(tmp_path) == [] and list(tmp_path.iterdir()) == []


def test_spill_queue_without_memory_spills_everything_and_close_drops_the_rest(tmp_path):
    with SpillQueue(tmp_path / "run", memory_limit=0) as queue:
        for n in range(1000):
            queue.push((n, os.urandom(n % 300) * 300))  # items larger than the read-ahead too
        assert (queue.in_memory, queue.on_disk) == (0, 1000)
        assert [queue.pop()[0] for _ in range(10)] == list(range(10))
        assert open_files_in(tmp_path / "run")
    assert len(queue) == 0 and open_files_in(tmp_path / "run") == []


# -- by reference ---------------------------------------------------------------------------------------
def _capture(writer: WarcFileWriter, url: str, body: bytes, headers: list[tuple[str, str]]) -> dict:
    """Archive one response as the capture handler does; the item the spider would yield for it."""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers).encode("latin-1")
    entity = gzip.compress(body) if ("Content-Encoding", "gzip") in headers else body
    raw = b"HTTP/1.1 200 OK\r\n" + head + b"Content-Length: %d\r\n\r\n" % len(entity) + entity
    parser = ResponseParser()
    parser.feed(raw)
    ref, _ = writer.write_exchange(
        Exchange(
            url=url,
            request_bytes=b"GET / HTTP/1.1\r\n\r\n",
            response_bytes=raw,
            entity=parser.entity(),
            head_length=parser.head.length,
            date=warc_date(),
        )
    )
    delivered = [(k, v) for k, v in headers if k != "Content-Encoding"]  # Scrapy decoded the gzip
    return {
        "url": url,
        "kind": "page",
        "status": 200,
        "headers": delivered,
        "body": body,
        "parent_url": None,
        "column": None,
        "link_text": None,
        "warc": ref.__dict__ | {"truncated": None},
        "flags": [],
    }


def _by_reference(item: dict, archive: Path) -> dict:
    return {**item, "body": None, "body_length": len(item["body"]), "archive": str(archive)}


def test_worker_reads_the_record_from_the_open_and_the_renamed_file(tmp_path):
    archive = tmp_path / "archive"
    writer = WarcFileWriter(archive, "t")
    html = (FIXTURES / "table_helan_jingui.html").read_bytes()
    plain = _capture(writer, "http://x.gov.cn/a.html", html, [("Content-Type", "text/html; charset=utf-8")])
    coded = _capture(
        writer,
        "http://x.gov.cn/b.html",
        html,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
    )
    assert [p.name.endswith(".open") for p in archive.iterdir()] == [True]
    expected = extract_row(plain)
    assert expected[0]["title"]
    for item in (plain, coded):
        assert by_reference(item)
        assert extract_job(_by_reference(item, archive)) == extract_row(item)
    writer.close()  # rotation/close renames the file: the reference still resolves
    assert not any(p.name.endswith(".open") for p in archive.iterdir())
    assert extract_job(_by_reference(coded, archive)) == extract_row(coded)
    wrong = _by_reference(plain, archive)
    wrong["warc"] = {**wrong["warc"], "offset": coded["warc"]["offset"]}
    row, report = extract_job(wrong)
    assert report is None and row["extraction_error"].startswith("cannot read capture: ArchiveError")
    assert (row["url"], row["kind"], row["status"]) == (plain["url"], "page", 200)


def test_what_goes_by_value(tmp_path):
    writer = WarcFileWriter(tmp_path, "t")
    item = _capture(writer, "http://x.gov.cn/a.html", b"<html>x</html>", [("Content-Type", "text/html")])
    writer.close()
    assert by_reference(item)
    ref = item["warc"]
    assert not by_reference({**item, "warc": {**ref, "warc_type": "revisit"}})  # no payload in the record
    assert not by_reference({**item, "warc": {**ref, "truncated": "length"}})  # Scrapy's body is the cut one
    assert not by_reference({**item, "warc": None})
    assert not by_reference({**item, "flags": ["xxgk_replayed"]})
    assert not by_reference({**item, "headers": [*item["headers"], ("Content-Encoding", "compress")]})
    assert read_record_at(tmp_path / ref["filename"], ref["offset"]).record_id == ref["record_id"]


# -- real crawls ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spill_crawls(demo_portal, tmp_path_factory):
    """The session's demo portal crawled with a backlog of 2 (every queued document spilled to disk) and
    WARC files rotated every 300 kB (queued references to renamed files), then again into the same
    collection, where every identical payload becomes a revisit record."""
    _, portal = demo_portal
    out = tmp_path_factory.mktemp("spill-crawl")
    args = (
        "crawl",
        portal.root_url,
        "--out",
        str(out),
        "--name",
        "demo",
        *FAST,
        "-s",
        "XXGK_EXTRACT_BACKLOG=2",
        "-s",
        "XXGK_WARC_MAX_SIZE=300000",
        # what is left when capture ends goes to a pool of 2 (the rows stay the same)
        "-s",
        "XXGK_EXTRACT_CATCH_UP_WORKERS=2",
        "-s",
        "XXGK_EXTRACT_CATCH_UP_MIN=1",
    )
    first = xxgk(*args, check=True)
    first_rows = jsonl(out / "datasets" / "demo" / "documents.jsonl")
    first_reports = jsonl(out / "datasets" / "demo" / "annual_reports.jsonl")
    second = xxgk(*args, check=True)
    return out, first, first_rows, first_reports, second


def test_spilled_crawl_gives_the_default_crawls_rows(demo_crawl, spill_crawls):
    out, first, rows, reports, _ = spill_crawls
    default = jsonl(demo_crawl.datasets / "documents.jsonl")
    assert len(rows) == len(default) == len(demo_crawl.site.documents)
    assert without_capture(rows) == without_capture(default)
    assert any(r["kind"] == "attachment" and r["column"] for r in rows)  # columns inherited from pages
    default_reports = jsonl(demo_crawl.datasets / "annual_reports.jsonl")
    assert reports and len(reports) == len(default_reports)
    assert {r["doc_id"]: r["checks_failed"] for r in reports} == {
        r["doc_id"]: r["checks_failed"] for r in default_reports
    }
    stats = crawl_stats(first, "xxgk/extract/")
    assert stats["xxgk/extract/by_reference"] == len(rows) and stats.get("xxgk/extract/by_value", 0) == 0
    assert stats["xxgk/extract/spilled"] > len(rows) / 2  # the on-disk FIFO carried most of them
    # extraction trails the crawl, so the documents left when capture ended were extracted by 2 workers
    assert stats["xxgk/extract/left_at_capture"] > 2
    assert stats["xxgk/extract/catch_up_workers"] == 2
    assert not list(out.rglob("extract-queue-*")), "the spill file outlived the crawl"
    # the default crawl's documents waited in memory and went to the workers with their bodies: the
    # same rows as the spilled crawl's, whose workers read every body back from the WARCs
    default_stats = crawl_stats(demo_crawl.proc, "xxgk/extract/")
    assert default_stats["xxgk/extract/in_memory"] > len(rows) / 2
    assert len({r["warc_file"] for r in rows}) > 1  # rows from several (rotated, renamed) files


def test_summary_says_how_long_capture_and_extraction_took(spill_crawls):
    _, first, rows, _, _ = spill_crawls
    line = next(x for x in first.stdout.splitlines() if x.split()[:1] == ["capture"])
    assert re.fullmatch(
        r"\s+capture\s+\d+ responses in \d+\.\d s \(\d+/s\); extraction finished \d+\.\d s later "
        rf"\({len(rows)} documents, \d+/s\)",
        line,
    ), line
    assert "responses     " in first.stdout and f"documents     {len(rows)} rows" in first.stdout


def test_revisits_get_their_rows_from_the_body_they_carry(spill_crawls):
    out, _, first_rows, _, second = spill_crawls
    rows = jsonl(out / "datasets" / "demo" / "documents.jsonl")[len(first_rows) :]  # the dataset appends
    assert len(rows) == len(first_rows) and without_capture(rows) == without_capture(first_rows)
    types = {
        read_record_at(out / "collections" / "demo" / "archive" / r["warc_file"], r["warc_offset"]).type
        for r in rows
    }
    assert types == {"revisit"}
    stats = crawl_stats(second, "xxgk/extract/")
    assert stats["xxgk/extract/by_value"] == len(rows) and stats.get("xxgk/extract/by_reference", 0) == 0
    assert not list(out.rglob("extract-queue-*"))


def test_inline_extraction_gives_the_same_rows(demo_crawl, demo_portal, tmp_path):
    _, portal = demo_portal
    proc = xxgk(
        "crawl",
        portal.root_url,
        "--out",
        str(tmp_path),
        "--name",
        "demo",
        *FAST,
        "-s",
        "XXGK_EXTRACT_WORKERS=0",
        check=True,
    )
    rows = jsonl(tmp_path / "datasets" / "demo" / "documents.jsonl")
    assert without_capture(rows) == without_capture(jsonl(demo_crawl.datasets / "documents.jsonl"))
    assert "extraction finished" in proc.stdout


def test_extraction_workers_end_with_a_killed_crawl(demo_portal, tmp_path):
    """SIGKILL leaves a process pool's idle workers (and their forkserver) waiting forever on a
    queue nobody writes to; xxgk's workers watch the crawl process and end with it."""
    import signal
    import subprocess
    import sys
    import time

    from tests.support.processes import descendants, wait_until_gone
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
            *FAST,
            "-s",
            "DOWNLOAD_DELAY=0.2",
        ],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = descendants(proc.pid)
        if len(workers) >= 2:  # the forkserver and its extraction worker
            break
        time.sleep(0.1)
    assert len(workers) >= 2, "no extraction worker started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    alive = wait_until_gone(workers, timeout=20)
    assert not alive, f"processes outlived the killed crawl: {alive}"
