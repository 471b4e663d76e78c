"""A run repairs what an earlier run fetched but never wrote a row for (a worker killed between
capture and row): the row is extracted from the WARC record, or the URL fetched again when the
record is gone. Attachments of unchanged pages (304) are never linked again, so without the
repair they stayed missing for good."""

from __future__ import annotations

import sqlite3

import orjson

from crawler.demo import DemoPortal, build_site
from crawler.state import state_path
from tests.support.runner import FAST, xxgk


def rows(out) -> list[dict]:
    return [
        orjson.loads(x) for x in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]


def test_rows_lost_by_an_earlier_run_are_written_by_the_next(tmp_path):
    site = build_site(size=30, seed=9, reports_dir=tmp_path / "no-extra-reports")
    out = tmp_path / "out"
    with DemoPortal(site) as portal:
        sites = out / "sites.yaml"
        out.mkdir()
        sites.write_text(f"sites:\n  - name: demo\n    seeds: [{portal.root_url}]\n", encoding="utf-8")
        assert xxgk("run", str(sites), "--out", str(out), *FAST).returncode == 0
        first = rows(out)
        attachments = [r for r in first if r["kind"] == "attachment"]
        assert len(attachments) >= 2
        # what a killed extraction worker leaves: fetched and archived, no row, not settled
        lost = {attachments[0]["url"], attachments[1]["url"]}
        gone = attachments[1]["url"]  # and this one's record is unreadable: fetched again
        db = sqlite3.connect(state_path(out / "collections" / "demo"))
        with db:
            db.executemany(
                "UPDATE urls SET row_run = NULL, version = 0, record_id = NULL, etag = NULL, "
                "last_modified = NULL WHERE url = ?",
                [(u,) for u in lost],
            )
            ref = orjson.loads(db.execute("SELECT fetch_ref FROM urls WHERE url = ?", (gone,)).fetchone()[0])
            ref["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000000>"
            db.execute("UPDATE urls SET fetch_ref = ? WHERE url = ?", (orjson.dumps(ref).decode(), gone))
        db.close()
        kept = [r for r in first if r["url"] not in lost]
        dataset = out / "datasets" / "demo" / "documents.jsonl"
        dataset.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in kept))
        portal.clear_requests()
        proc = xxgk("run", str(sites), "--out", str(out), "--force", *FAST)
        assert proc.returncode == 0, proc.stderr
        fetched = [portal.url(r.path) for r in portal.requests if r.method == "GET" and r.status == 200]
    repaired = [r for r in rows(out) if r["url"] in lost]
    assert sorted(r["url"] for r in repaired) == sorted(lost)  # each once
    assert all((r["version"], r["change"]) == (1, "new") and r["parent_url"] for r in repaired)
    assert gone in fetched and attachments[0]["url"] not in fetched  # the WARC answered the other
    log = next(
        p for p in (out / "runs" / "demo").rglob("crawl.log") if "repairing 2 document" in p.read_text()
    )
    assert log
