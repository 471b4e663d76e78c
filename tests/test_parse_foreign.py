"""`xxgk parse` over WARCs other tools wrote: the documents a live crawl finds, from the pages alone."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.provenance import CAPTURE_FIELDS
from tests.support.runner import xxgk

# What a re-parse of another tool's capture cannot share with the live crawl: where it lies.
_PLACE = set(CAPTURE_FIELDS)  # a foreign WARC is no collection: no replay_url either


def jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_wget_crawl_gives_the_live_crawls_documents(demo_crawl, wget_demo_warc, tmp_path):
    proc = xxgk("parse", str(wget_demo_warc), "--out", str(tmp_path), "--name", "wget", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # wget's <URI> quirk is a note, not damage
    parsed = jsonl(tmp_path / "datasets" / "wget" / "documents.jsonl")
    live = {r["doc_id"]: r for r in jsonl(demo_crawl.datasets / "documents.jsonl")}
    assert len(parsed) == len({r["doc_id"] for r in parsed})  # no document twice
    by_id = {r["doc_id"]: r for r in parsed}
    # no listing, navigation page or robots.txt became a document; none was lost
    assert sorted(by_id) == sorted(live)
    attachments = [r for r in parsed if r["kind"] == "attachment"]
    assert attachments and all(r["parent_url"] and r["column"] for r in attachments)
    for key, row in live.items():
        mine = {k: v for k, v in by_id[key].items() if k not in _PLACE}
        assert mine == {k: v for k, v in row.items() if k not in _PLACE}, row["url"]
    live_reports = {r["doc_id"]: r for r in jsonl(demo_crawl.datasets / "annual_reports.jsonl")}
    reports = {r["doc_id"]: r for r in jsonl(tmp_path / "datasets" / "wget" / "annual_reports.jsonl")}
    assert reports.keys() == live_reports.keys() and reports
    for key, row in live_reports.items():
        assert {k: v for k, v in reports[key].items() if k not in _PLACE} == {
            k: v for k, v in row.items() if k not in _PLACE
        }


def test_every_page_takes_each_html_page(wget_demo_warc, demo_crawl, tmp_path):
    proc = xxgk("parse", str(wget_demo_warc), "--out", str(tmp_path), "--name", "w", "--every-page")
    assert proc.returncode == 0, proc.stderr
    rows = jsonl(tmp_path / "datasets" / "w" / "documents.jsonl")
    live = jsonl(demo_crawl.datasets / "documents.jsonl")
    pages = [r for r in rows if r["kind"] == "page"]
    assert len(pages) > len([r for r in live if r["kind"] == "page"])  # listings and navigation too


def _page(title: str, body_text: str) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><table><tr><td>索引号：</td><td>11640000/2024-00001</td></tr>"
        f"<tr><td>发布日期：</td><td>2024-05-01</td></tr></table>"
        f"<div class='content'><p>{body_text}</p></div></body></html>"
    ).encode()


def _write_response(writer: WARCWriter, url: str, body: bytes, date: str) -> str:
    http = StatusAndHeaders(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        "HTTP/1.1",
    )
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Record-ID")


def test_repeat_captures_become_versions(tmp_path):
    url = "http://xxgk.example.gov.cn/zcwj/202405/t20240501_1.html"
    other = "http://xxgk.example.gov.cn/zcwj/202405/t20240502_2.html"
    first = _page("关于做好防汛工作的通知", "各乡镇：请做好防汛准备工作。" * 20)
    changed = _page("关于做好防汛工作的通知", "各乡镇：请做好防汛准备工作，加强值班。" * 20)
    path = tmp_path / "three-crawls.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        v1 = _write_response(writer, url, first, "2024-05-01T08:00:00Z")
        _write_response(writer, other, _page("另一份文件", "内容。" * 30), "2024-05-01T08:00:01Z")
        _write_response(writer, url, first, "2024-06-01T08:00:00Z")  # unchanged: no row
        v2 = _write_response(writer, url, changed, "2024-07-01T08:00:00Z")
    proc = xxgk("parse", str(path), "--out", str(tmp_path), "--name", "v", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    rows = jsonl(tmp_path / "datasets" / "v" / "documents.jsonl")
    chain = sorted((r for r in rows if r["url"] == url), key=lambda r: r["version"])
    assert [(r["version"], r["change"], r["warc_record_id"]) for r in chain] == [
        (1, "new", v1),
        (2, "changed", v2),
    ]
    assert chain[1]["previous_record_id"] == v1 and chain[0]["previous_record_id"] is None
    assert {r["first_seen"] for r in chain} == {"2024-05-01T08:00:00Z"}
    assert "加强值班" in chain[1]["text"] and "加强值班" not in chain[0]["text"]
    (single,) = [r for r in rows if r["url"] == other]
    assert (single["version"], single["change"]) == (1, "new")
