"""The foundation, end to end: `xxgk crawl` on the demo portal, checked against the generator's ground truth."""

from __future__ import annotations

import orjson
import pyarrow.parquet as pq

from archive.reader import iter_records, read_record_at
from crawler.demo.assets import static_files
from tests.support.groundtruth import ground_truth_mismatches
from tests.support.warcs import assert_valid_warcs


def rows(run) -> list[dict]:
    return [
        orjson.loads(line) for line in (run.datasets / "documents.jsonl").read_bytes().splitlines() if line
    ]


def warcs(run):
    return sorted((run.collection / "archive").glob("*.warc.gz"))


def test_warcs_pass_warcio_check_and_xxgk_check(demo_crawl):
    files = warcs(demo_crawl)
    assert files and not list((demo_crawl.collection / "archive").glob("*.open"))
    assert_valid_warcs(files)


def test_archived_bodies_are_what_the_server_served(demo_crawl):
    site, base = demo_crawl.site, demo_crawl.portal.base_url
    compared = 0
    for path in warcs(demo_crawl):
        for record in iter_records(path):
            if getattr(record, "type", None) != "response" or record.status != 200:
                continue
            target = record.target_uri.removeprefix(base)
            assert record.block_complete, record.target_uri
            entity = record.entity()
            assert entity == site.resolve(target).body, f"archived body differs from served body: {target}"
            compared += 1
    assert compared >= len(site.documents)


def test_every_document_is_a_row_with_the_ground_truth_metadata(demo_crawl):
    by_url = {r["url"]: r for r in rows(demo_crawl)}
    mismatches = ground_truth_mismatches(demo_crawl.site, demo_crawl.portal.base_url, by_url)
    assert not mismatches, "\n".join(mismatches[:40])
    kinds = {r["kind"] for r in by_url.values()}
    assert kinds == {"page", "attachment"}
    assert any(d.encoding == "gbk" for d in demo_crawl.site.documents)  # the check covered GBK pages


def test_rows_point_at_their_capture(demo_crawl):
    for row in rows(demo_crawl):
        record = read_record_at(demo_crawl.collection / "archive" / row["warc_file"], row["warc_offset"])
        assert record.record_id == row["warc_record_id"]
        assert record.target_uri == row["url"]
        assert record.length == row["warc_length"]
        assert record.headers.get_header("WARC-Payload-Digest") == row["payload_digest"]
        assert row["fetched_at"] == record.date


def test_scope_robots_and_traps(demo_crawl):
    site = demo_crawl.site
    paths = [r.path for r in demo_crawl.requests]
    assert paths[0] == "/robots.txt"
    documents = {d.path for d in site.documents}
    for path in paths:
        assert not any(path.startswith(p) for p in site.disallowed_prefixes), f"robots.txt ignored: {path}"
        assert not path.startswith("/search"), path
        requisite = path in static_files()  # the pages' stylesheets, scripts, images
        in_scope = path.startswith("/xxgk") or path in documents or path == "/robots.txt" or requisite
        assert in_scope, f"left the 信息公开 scope: {path}"
    assert len(paths) == len(set(paths)), "a URL was fetched twice"
    for listing in site.listing_pages:  # every page of every listing, both pagination families
        assert listing.path in paths, listing.path


def test_index_is_sorted_and_covers_every_capture(demo_crawl):
    lines = (demo_crawl.collection / "indexes" / "index.cdxj").read_bytes().splitlines()
    assert lines == sorted(lines)
    indexed = {orjson.loads(line.split(b" ", 2)[2])["offset"] for line in lines}
    captures = [
        r
        for p in warcs(demo_crawl)
        for r in iter_records(p)
        if getattr(r, "type", None) in ("response", "revisit")
    ]
    assert {str(r.offset) for r in captures} <= {str(o) for o in indexed}


def test_datasets_parquet_and_dictionary(demo_crawl):
    table = pq.read_table(demo_crawl.datasets / "documents.parquet")
    jsonl = rows(demo_crawl)
    assert table.num_rows == len(jsonl)
    assert sorted(table.column("url").to_pylist()) == sorted(r["url"] for r in jsonl)
    assert str(table.schema.field("publish_date").type) == "date32[day]"
    dictionary = (demo_crawl.datasets / "documents.dictionary.md").read_text(encoding="utf-8")
    assert "`index_no` | 索引号" in dictionary


def test_summary_names_counts_and_places(demo_crawl):
    out = demo_crawl.proc.stdout
    n = len(demo_crawl.site.documents)
    assert f"documents     {n} rows" in out
    assert "index.cdxj" in out and "crawl.log" in out
