"""Incremental recrawls: a portal that changes between two runs (added, changed, removed documents)."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from archive.reader import iter_records
from crawler.demo import DemoPortal, build_site
from crawler.state import CrawlState
from tests.support.runner import FAST, xxgk


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    reports = tmp_path_factory.mktemp("no-extra-reports")
    before = build_site(size=40, seed=11, reports_dir=reports)
    after = build_site(size=40, seed=11, reports_dir=reports, revision=1, edits=2)
    out = tmp_path_factory.mktemp("incremental")
    with DemoPortal(before) as portal:
        sites = out / "sites.yaml"
        sites.write_text(f"sites:\n  - name: demo\n    seeds: [{portal.root_url}]\n", encoding="utf-8")
        xxgk("run", str(sites), "--out", str(out), *FAST, check=True)
        first_files = set((out / "collections" / "demo" / "archive").glob("*.warc.gz"))
        portal.site = after
        portal.clear_requests()
        xxgk("run", str(sites), "--out", str(out), "--force", *FAST, check=True)  # daily: not due yet
        requests = portal.requests
    [second_file] = set((out / "collections" / "demo" / "archive").glob("*.warc.gz")) - first_files
    rows = [
        orjson.loads(x) for x in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]
    return before, after, portal, out, requests, second_file, rows


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_new_documents_are_fetched_in_full_known_ones_conditionally(two_runs):
    before, after, _, _, requests, _, _ = two_runs
    known = {d.path for d in before.documents}
    new = {d.path for d in after.documents} - known
    assert new
    detail_gets = {r.path: r for r in requests if r.method == "GET" and (r.path in known or r.path in new)}
    for path in new:
        assert "if-none-match" not in detail_gets[path].headers
    for path in known:
        assert path in detail_gets, f"known document {path} not re-checked"
        headers = detail_gets[path].headers
        assert "if-none-match" in headers and "if-modified-since" in headers
    statuses = Counter(detail_gets[p].status for p in known)
    assert statuses[304] > len(known) / 2  # most documents did not change


def test_unchanged_documents_become_server_not_modified_revisits(two_runs):
    *_, second_file, _ = two_runs
    revisits = [r for r in iter_records(second_file) if getattr(r, "type", None) == "revisit"]
    profiles = Counter(r.header("WARC-Profile").rsplit("/", 1)[1] for r in revisits)
    assert profiles["server-not-modified"] > 10
    for record in revisits:
        assert record.header("WARC-Refers-To") and record.header("WARC-Refers-To-Date")


def test_dataset_keeps_versions_of_changed_documents(two_runs):
    before, after, _, _, _, _, rows = two_runs
    by_url: dict[str, list[dict]] = {}
    for row in rows:
        by_url.setdefault(path_of(row["url"]), []).append(row)
    for path in after.options["changed"]:
        v1, v2 = by_url[path]
        assert (v1["version"], v1["change"]) == (1, "new")
        assert (v2["version"], v2["change"]) == (2, "changed")
        assert v2["previous_record_id"] == v1["warc_record_id"]
        assert v2["payload_digest"] != v1["payload_digest"]
        assert v2["first_seen"] == v1["first_seen"]
    # new documents: one row, version 1; unchanged ones: no second row
    new = {d.path for d in after.documents} - {d.path for d in before.documents}
    for path in new:
        assert [(r["version"], r["change"]) for r in by_url[path]] == [(1, "new")]
    second_rows = sum(1 for r in rows if r["change"] != "new" or path_of(r["url"]) in new)
    assert second_rows < len(before.documents) / 2


def test_removed_documents_are_recorded_with_a_date(two_runs):
    _, after, _, out, _, _, rows = two_runs
    removed = {path_of(r["url"]): r for r in rows if r["change"] == "removed"}
    assert set(after.options["removed"]) <= set(removed)
    for path in after.options["removed"]:
        row = removed[path]
        assert row["removed_reason"] == "HTTP 404" and row["status"] == 404
        assert row["fetched_at"] and row["version"] == 2 and row["previous_record_id"]
    state = CrawlState(out / "collections" / "demo" / "state.sqlite")
    try:
        for row in removed.values():
            known = state.get(row["url"])
            assert known.removed_at and known.removed_reason == "HTTP 404"
    finally:
        state.close()


def test_the_second_run_manifest_counts_changes(two_runs):
    before, after, _, out, *_ = two_runs
    first, second = sorted((out / "runs" / "demo").iterdir())
    m1 = orjson.loads((first / "manifest.json").read_bytes())["counts"]
    m2 = orjson.loads((second / "manifest.json").read_bytes())["counts"]
    assert m1["documents"] == {"new": len(before.documents), "changed": 0, "unchanged": 0, "removed": 0}
    docs = m2["documents"]
    assert docs["new"] == len({d.path for d in after.documents} - {d.path for d in before.documents})
    gone = {d.path for d in before.documents} - {d.path for d in after.documents}  # with their attachments
    assert docs["removed"] == len(gone) >= len(after.options["removed"])
    assert docs["changed"] >= len(after.options["changed"])
    assert docs["new"] + docs["changed"] + docs["unchanged"] + docs["removed"] >= len(before.documents)
    assert m2["conditional_requests"] >= len(before.documents)
    assert m2["warc_bytes"] < m1["warc_bytes"] / 2


def test_posts_to_one_url_are_never_answered_from_the_archive(tmp_path):
    """Hanweb pages listings by POSTing different bodies to one URL: a resumed run must ask the
    server again, not replay the archived answer of another page."""
    import scrapy
    from scrapy.utils.test import get_crawler

    from crawler.incremental import ConditionalRequestMiddleware, crawl_state, run_id

    crawler = get_crawler(
        settings_dict={
            "XXGK_INCREMENTAL": True,
            "XXGK_OUT": str(tmp_path),
            "XXGK_COLLECTION": "t",
            "XXGK_RUN_ID": "r1",
        }
    )
    middleware = ConditionalRequestMiddleware.from_crawler(crawler)
    url = "http://127.0.0.1:9/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=15&perpage=15"
    from archive.writer import Exchange, WarcFileWriter, warc_date

    body = b"<datastore><recordset><record>page 1</record></recordset></datastore>"
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    with WarcFileWriter(tmp_path / "collections" / "t" / "archive", "t") as writer:
        ref, _ = writer.write_exchange(
            Exchange(
                url=url,
                request_bytes=b"POST x",
                response_bytes=raw,
                entity=body,
                date=warc_date(),
                head_length=len(raw) - len(body),
            )
        )
    # the first page's answer, archived earlier in this run
    crawl_state(crawler).fetched(url, "listing", 200, ref.__dict__ | {"truncated": None}, run_id(crawler))
    get = scrapy.Request(url, meta={"xxgk_role": "listing"})
    assert middleware.process_request(get) is not None  # a GET of it is answered from the WARC
    post = scrapy.Request(url, method="POST", body=b"columnid=1229&unitid=2", meta={"xxgk_role": "listing"})
    assert middleware.process_request(post) is None  # goes to the server
    assert b"If-None-Match" not in post.headers and "xxgk_previous_capture" not in post.meta


def test_parse_rebuilds_the_runs_version_chain(two_runs, tmp_path):
    """`xxgk parse` over both runs' WARCs: the same new/changed/removed rows the runs wrote."""
    *_, out, _, _, rows = two_runs
    proc = xxgk("parse", str(out / "collections" / "demo"), "--out", str(tmp_path), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    parsed = [
        orjson.loads(x)
        for x in (tmp_path / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]
    assert Counter(r["change"] for r in rows) == Counter(r["change"] for r in parsed)
    assert {"new", "changed", "removed"} <= {r["change"] for r in parsed}
    live = {(r["doc_id"], r["version"]): r for r in rows}
    mine = {(r["doc_id"], r["version"]): r for r in parsed}
    assert mine.keys() == live.keys()
    for key, row in live.items():
        differ = {k: (v, mine[key][k]) for k, v in row.items() if mine[key][k] != v and k != "first_seen"}
        assert not differ, (row["url"], differ)
        # a run knows when it first found the URL linked; the WARC only when it was first fetched
        fetched = row["fetched_at"][:19] + "Z"
        assert row["first_seen"] <= mine[key]["first_seen"] <= fetched
