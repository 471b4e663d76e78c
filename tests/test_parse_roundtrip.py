"""`xxgk parse`: the same rows from the WARCs alone as the live crawl produced; other tools' WARCs too."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest

from tests.archive_samples import SAMPLES
from tests.support.runner import xxgk


def jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_reparse_gives_the_live_rows(demo_crawl, tmp_path, jobs):
    proc = xxgk("parse", str(demo_crawl.collection), "--out", str(tmp_path), "--jobs", jobs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    live = {r["warc_record_id"]: r for r in jsonl(demo_crawl.datasets / "documents.jsonl")}
    parsed = {r["warc_record_id"]: r for r in jsonl(tmp_path / "datasets" / "demo" / "documents.jsonl")}
    assert parsed.keys() == live.keys()
    for record_id, row in live.items():
        assert parsed[record_id] == row, row["url"]
    live_reports = sorted(jsonl(demo_crawl.datasets / "annual_reports.jsonl"), key=lambda r: r["doc_id"])
    parsed_reports = sorted(
        jsonl(tmp_path / "datasets" / "demo" / "annual_reports.jsonl"), key=lambda r: r["doc_id"]
    )
    assert parsed_reports == live_reports and live_reports


def test_reparse_into_existing_output_replaces_it_whole(demo_crawl, tmp_path):
    for _ in range(2):  # a second parse replaces, never appends
        assert (
            xxgk("parse", str(demo_crawl.collection), "--out", str(tmp_path), "--jobs", "1").returncode == 0
        )
    rows = jsonl(tmp_path / "datasets" / "demo" / "documents.jsonl")
    assert len(rows) == len(demo_crawl.site.documents)


def test_other_tools_warcs_parse(tmp_path, pywb_recorded_warc):
    files = [
        SAMPLES / "pywb" / "example-wget-1-14.warc.gz",
        SAMPLES / "pywb" / "example-wpull.warc.gz",
        SAMPLES / "pywb" / "dupes.warc.gz",
        SAMPLES / "pywb" / "iana.warc.gz",  # pywb's recorder: bodies stored de-chunked under a chunked header
        pywb_recorded_warc[0],
    ]
    # not 信息公开 portals: no page has a document's evidence, so every page is taken
    proc = xxgk(
        "parse", *map(str, files), "--out", str(tmp_path), "--name", "foreign", "--jobs", "1", "--every-page"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = jsonl(tmp_path / "datasets" / "foreign" / "documents.jsonl")
    urls = {r["url"].rstrip("/") for r in rows}
    assert "http://example.com" in urls and any("t20240502_102" in u for u in urls)
    assert len([u for u in urls if "iana.org" in u]) >= 16
    assert len(urls) == len(rows)  # repeat captures of one URL are versions, not duplicates
    pages = [r for r in rows if r["kind"] == "page"]
    assert all(r["title"] and r["text"] for r in pages), [r["url"] for r in pages if not r["text"]]
    assert all(r["warc_record_id"] and r["warc_file"] for r in rows)


def test_broken_warc_is_reported_and_good_records_kept(tmp_path):
    proc = xxgk(
        "parse",
        str(SAMPLES / "made" / "split-members.warc.gz"),
        str(SAMPLES / "pywb" / "example.warc.gz"),
        "--out",
        str(tmp_path),
        "--name",
        "b",
        "--jobs",
        "1",
    )
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1 and "warning:" in proc.stderr
    assert (tmp_path / "datasets" / "b" / "documents.jsonl").exists()


def test_garbage_input_is_a_clear_error_and_damages_nothing(tmp_path, demo_crawl):
    out = tmp_path / "out"
    assert xxgk("parse", str(demo_crawl.collection), "--out", str(out), "--jobs", "1").returncode == 0
    before = hashlib.sha256((out / "datasets" / "demo" / "documents.jsonl").read_bytes()).hexdigest()
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a WARC file at all\n" * 10)
    proc = xxgk("parse", str(junk), "--out", str(out), "--name", "demo")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "nothing readable" in proc.stderr
    after = hashlib.sha256((out / "datasets" / "demo" / "documents.jsonl").read_bytes()).hexdigest()
    assert before == after
    missing = xxgk("parse", str(tmp_path / "nope"), "--out", str(out))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_reports_are_checked_against_the_year_before(tmp_path):
    """The demo's 东湖镇 reports for 2022 and 2023: the 2023 one carries cross-year checks S1/S2."""
    from crawler.demo import DemoPortal, build_site
    from tests.support.runner import FAST

    with DemoPortal(build_site(size=8, seed=3)) as portal:  # with the demo's extra annual reports
        crawl = xxgk("crawl", portal.root_url, "--out", str(tmp_path / "crawl"), "--name", "demo", *FAST)
        assert crawl.returncode == 0, crawl.stderr
    collection = tmp_path / "crawl" / "collections" / "demo"
    assert xxgk("parse", str(collection), "--out", str(tmp_path), "--jobs", "1").returncode == 0
    reports = [
        orjson.loads(p.read_bytes()) for p in (tmp_path / "datasets" / "demo" / "reports").glob("*.json")
    ]
    later = next(
        r for r in reports if r["doc"].get("organ") == "贺兰县东湖镇" and r["doc"].get("report_year") == 2023
    )
    cross = {(c["id"], c["scope"]): c["status"] for c in later["checks"] if c["id"].startswith("S")}
    assert cross[("S1", "total")] == "pass" and cross[("S2", "normative_documents")] == "pass"
    earlier = next(
        r for r in reports if r["doc"].get("organ") == "贺兰县东湖镇" and r["doc"].get("report_year") == 2022
    )
    assert not any(c["id"].startswith("S1") for c in earlier["checks"])  # nothing before 2022 in the archive

    # the live crawl linked them the same way, its reports waiting on disk until the end
    def read(directory):
        return {
            p.name: orjson.loads(p.read_bytes())
            for p in (directory / "datasets" / "demo" / "reports").glob("*.json")
        }

    live, parsed = read(tmp_path / "crawl"), read(tmp_path)
    assert live.keys() == parsed.keys()
    assert all(live[name]["checks"] == parsed[name]["checks"] for name in live)
