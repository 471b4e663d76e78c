"""The CDXJ lines the writer keeps while writing (archive.index_sink) are byte for byte the ones
cdxj-indexer reads from the finished files, and a crawl's index equals a full rebuild, killed or not."""

from __future__ import annotations

import gzip
import json
import logging
import random
import signal
from pathlib import Path

import pytest
from scrapy import FormRequest, Request

from archive.extsort import sorted_lines
from archive.http import ResponseParser
from archive.index import _index_file, collection_files, index_warcs
from archive.index_sink import PENDING_DIR, IndexSink
from archive.writer import SERVER_NOT_MODIFIED, Exchange, Original, WarcFileWriter, digest, warc_date
from crawler.capture import build_request_bytes
from crawler.demo.families import build_family_site
from tests.test_cms_families import crawl_family
from tests.test_resume_kill import finish, kill_after, served_portal, start_run

HOST = b"127.0.0.1:8000"
BASE = "http://127.0.0.1:8000"


def exchange(request: Request | None, raw: bytes, url: str | None = None, **kwargs) -> Exchange:
    """An exchange as crawler.capture archives it: request bytes as sent, response bytes as received."""
    parser = ResponseParser(method=request.method if request else "GET")
    parser.feed(raw)
    parser.feed_eof()
    request_bytes = None
    if request is not None:
        target = request.url.removeprefix(BASE).encode("ascii", "surrogateescape") or b"/"
        request_bytes = build_request_bytes(request, HOST, target)
    return Exchange(
        url=url or request.url,
        request_bytes=request_bytes,
        response_bytes=parser.message,
        entity=parser.entity(),
        head_length=parser.head.length,
        date=warc_date(),
        request_body=(request.body if request else b""),
        ip_address="127.0.0.1",
        protocol="http/1.1",
        **kwargs,
    )


def ok(
    body: bytes,
    content_type: bytes | None = b"text/html; charset=utf-8",
    status: bytes = b"200 OK",
    extra: bytes = b"",
) -> bytes:
    head = b"HTTP/1.1 " + status + b"\r\n"
    if content_type is not None:
        head += b"Content-Type: " + content_type + b"\r\n"
    return head + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


def write_everything(writer: WarcFileWriter) -> None:
    """Every kind of record a crawl writes, and a few it could."""
    page = b"<html><body>" + "政府信息公开".encode() * 40 + b"</body></html>"
    ref, _ = writer.write_exchange(exchange(Request(f"{BASE}/xxgk/index.html"), ok(page)))
    # what crawler.capture._document_found writes: warc-fields metadata, not indexed
    writer.write_record(
        "metadata",
        b"xxgk-document: detail\r\nvia: http://127.0.0.1:8000/\r\nxxgk-link-text: \xe9\x80\x9a\xe7\x9f\xa5\r\n",
        content_type="application/warc-fields",
        target_uri=f"{BASE}/xxgk/index.html",
        extra=[("WARC-Concurrent-To", ref.record_id)],
        rotate=False,
    )
    chunked = (
        b"HTTP/1.1 200 OK\r\ncontent-type:text/html;charset=GBK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    writer.write_exchange(exchange(Request(f"{BASE}/chunked.html?a=1&b=2"), chunked))
    coded = gzip.compress(b"<html>gzip content coding</html>" * 20)
    writer.write_exchange(
        exchange(Request(f"{BASE}/coded.html"), ok(coded, b"text/html", extra=b"Content-Encoding: gzip\r\n"))
    )
    writer.write_exchange(exchange(Request(f"{BASE}/missing.html"), ok(b"not here", status=b"404 Not Found")))
    writer.write_exchange(
        exchange(Request(f"{BASE}/bare"), ok(b"no type", None, status=b"200"))
    )  # no reason phrase
    writer.write_exchange(
        exchange(Request(f"{BASE}/latin1"), ok(b"x", b"text/plain", extra=b"X-Name: caf\xe9\r\n"))
    )
    writer.write_exchange(
        exchange(Request(f"{BASE}/redirect"), ok(b"", None, b"302 Found", b"Location: /xxgk/\r\n"))
    )
    writer.write_exchange(
        exchange(Request(f"{BASE}/%E6%96%87%E4%BB%B6/a.pdf"), ok(b"%PDF-1.4", b"application/pdf"))
    )
    writer.write_exchange(exchange(None, ok(b"answer without a request record"), url=f"{BASE}/no-request"))
    writer.write_exchange(
        exchange(
            Request(f"{BASE}/cut.bin"),
            ok(b"0123456789", b"application/octet-stream")[:-4],
            truncated="length",
        )
    )
    # revisits: identical payload, and a 304 to a conditional request
    again = exchange(Request(f"{BASE}/xxgk/index_1.html"), ok(page))
    writer.write_exchange(again, Original(f"{BASE}/xxgk/index.html", ref.date, ref.record_id))
    writer.write_exchange(
        exchange(Request(f"{BASE}/xxgk/index.html"), b"HTTP/1.1 304 Not Modified\r\n\r\n"),
        Original(f"{BASE}/xxgk/index.html", ref.date),
        SERVER_NOT_MODIFIED,
    )
    # POSTs: the body goes into the key (post-append), in each of cdxj-indexer's encodings
    form = FormRequest(
        f"{BASE}/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3",
        formdata={"col": "1", "webid": "1", "columnid": "1229", "unitid": "41273", "q": "通知 公告"},
    )
    post_ref, _ = writer.write_exchange(exchange(form, ok(b"<datastore></datastore>", b"text/xml")))
    writer.write_exchange(
        exchange(form, ok(b"<datastore></datastore>", b"text/xml")),
        Original(form.url, post_ref.date, post_ref.record_id),
    )  # no body in the key
    as_json = Request(
        f"{BASE}/gkmlpt/api",
        method="POST",
        body=json.dumps({"sid": 755, "page": [1, 2]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    writer.write_exchange(exchange(as_json, ok(b'{"articles": []}', b"application/json")))
    boundary = b"xXxXx"
    multipart = (
        b'--xXxXx\r\nContent-Disposition: form-data; name="page"\r\n\r\n2\r\n'
        b'--xXxXx\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n\x00\x01\r\n--xXxXx--\r\n'
    )
    writer.write_exchange(
        exchange(
            Request(
                f"{BASE}/upload",
                method="POST",
                body=multipart,
                headers={"Content-Type": b"multipart/form-data; boundary=" + boundary},
            ),
            ok(b"ok", b"text/plain"),
        )
    )
    writer.write_exchange(
        exchange(Request(f"{BASE}/binary", method="PUT", body=b"\x00\xff\xfe raw"), ok(b"ok", b"text/plain"))
    )
    writer.write_exchange(exchange(Request(f"{BASE}/empty-post", method="POST"), ok(b"ok", b"text/plain")))
    # records that are not exchanges
    writer.write_record(
        "resource",
        b"plain text resource",
        content_type="text/plain; charset=utf-8",
        target_uri=f"{BASE}/resource.txt",
        payload_digest=digest(b"plain text resource"),
    )
    writer.write_record(
        "resource", b"no payload digest", content_type="text/plain", target_uri=f"{BASE}/nodigest.txt"
    )
    writer.write_record(
        "metadata", b'{"a": 1}', content_type="application/json", target_uri=f"{BASE}/meta.json"
    )
    writer.write_record(
        "resource", b"key: value\r\n", content_type="application/warc-fields", target_uri=f"{BASE}/f"
    )


def kept_lines(sink: IndexSink, warcs: list[Path]) -> list[str]:
    completed = sink.completed()
    return sorted(line for warc in warcs for line in completed[warc].read_text(encoding="utf-8").splitlines())


def reread_lines(warcs: list[Path], root: Path) -> list[str]:
    return sorted(line for warc in warcs for line in _index_file(warc, root))


@pytest.mark.parametrize("compressed", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("max_size", [10**9, 3000], ids=["one-file", "rotating"])
def test_kept_lines_are_cdxj_indexer_lines(tmp_path, compressed, max_size):
    coll = tmp_path / "coll"
    sink = IndexSink.for_collection(coll)
    writer = WarcFileWriter(coll / "archive", "t", gzip=compressed, max_size=max_size, index=sink)
    write_everything(writer)
    writer.close()
    if max_size < 10**9:
        assert len(writer.files_written) > 5
    for warc in writer.files_written:  # file by file: offsets and file names too
        assert kept_lines(sink, [warc]) == reread_lines([warc], coll / "archive"), warc.name
    lines = kept_lines(sink, writer.files_written)
    keys = [line.split(" ", 1)[0] for line in lines]
    assert len(lines) == 21  # responses and revisits, two resources and a metadata record; no requests
    assert (
        "1,0,0,127:8000)/module/web/jpage/dataproxy.jsp?__wb_method=post&col=1&columnid=1229&endrecord=6"
        "&perpage=3&q=%e9%80%9a%e7%9f%a5%20%e5%85%ac%e5%91%8a&startrecord=4&unitid=41273&webid=1"
    ) in keys
    assert sum("__wb_method=" in key for key in keys) == 5
    assert any('"method": "PUT"' in line and "__wb_post_data=" in line for line in lines)


def test_merged_index_equals_a_rebuild_and_sidecars_go(tmp_path):
    coll = tmp_path / "coll"
    sink = IndexSink.for_collection(coll)
    old = WarcFileWriter(coll / "archive", "old")  # an earlier crawl, indexed by reading it
    write_everything(old)
    old.close()
    sink.merge(coll, old.files_written)
    writer = WarcFileWriter(coll / "archive", "new", max_size=4000, index=sink)
    write_everything(writer)
    writer.close()
    assert (coll / "indexes" / PENDING_DIR).is_dir()
    index = sink.merge(coll, writer.files_written)
    archive = coll / "archive"
    assert index.read_text(encoding="utf-8").splitlines() == index_warcs(
        collection_files(archive), root=archive
    )
    assert not (coll / "indexes" / PENDING_DIR).exists()


def test_failures_fall_back_to_reading_the_warcs(tmp_path, caplog):
    coll = tmp_path / "coll"
    archive = coll / "archive"
    sink = IndexSink.for_collection(coll)
    writer = WarcFileWriter(archive, "t", max_size=4000, index=sink)
    write_everything(writer)
    writer.close()
    first, second, *_ = writer.files_written
    sink.sidecar_path(first).unlink()  # a sidecar gone: that file is read
    sink.sidecar_path(second).write_bytes(
        b"\xff\xfe not UTF-8\n"
    )  # a damaged one: the merge fails, all are read
    with caplog.at_level(logging.WARNING, logger="archive.index_sink"):
        index = sink.merge(coll, writer.files_written)
    assert "is gone" in caplog.text and "reading the WARC files instead" in caplog.text
    expected = index_warcs(collection_files(archive), root=archive)
    assert index.read_text(encoding="utf-8").splitlines() == expected

    # a WARC changed after it was written: its sidecar is not trusted
    sink = IndexSink.for_collection(coll)
    writer = WarcFileWriter(archive, "u", index=sink)
    write_everything(writer)
    writer.close()
    [warc] = writer.files_written
    with WarcFileWriter(tmp_path / "elsewhere", "x") as other:
        other.write_record("resource", b"appended", content_type="text/plain", target_uri=f"{BASE}/appended")
    with open(warc, "ab") as fh:
        fh.write(other.files_written[0].read_bytes())  # two more records
    assert sink.completed() == {}
    index = sink.merge(coll, [warc])
    assert index.read_text(encoding="utf-8").splitlines() == index_warcs(
        collection_files(archive), root=archive
    )

    # the sidecar cannot even be created: the writer goes on, the file is read at the end
    caplog.clear()
    (coll / "indexes" / PENDING_DIR).write_text("not a directory")
    sink = IndexSink.for_collection(coll)
    writer = WarcFileWriter(archive, "v", index=sink)
    write_everything(writer)
    writer.close()
    assert "will be indexed by reading it" in caplog.text and sink.completed() == {}
    index = sink.merge(coll, writer.files_written)
    assert index.read_text(encoding="utf-8").splitlines() == index_warcs(
        collection_files(archive), root=archive
    )


def test_sorted_lines_spills_runs_and_cleans_up(tmp_path):
    rng = random.Random(3)
    lines = [f"{rng.randrange(10**6):06d} {'x' * rng.randrange(40)}" for _ in range(3000)]
    with sorted_lines(iter(lines), tmp_dir=tmp_path, run_chars=2000) as merged:
        assert len(list(tmp_path.iterdir())) > 10  # runs on disk
        assert list(merged) == sorted(lines)
    assert list(tmp_path.iterdir()) == []
    with sorted_lines(iter(lines), tmp_dir=tmp_path) as merged:  # one run: in memory
        assert list(tmp_path.iterdir()) == [] and list(merged) == sorted(lines)


# -- real crawls ------------------------------------------------------------------------------


def assert_index_is_a_rebuild(collection: Path) -> list[str]:
    archive = collection / "archive"
    lines = (collection / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines and lines == index_warcs(collection_files(archive), root=archive)
    assert not (collection / "indexes" / PENDING_DIR).exists()
    [log] = (collection.parents[1] / "runs").rglob("crawl.log")
    merged = [line for line in log.read_text(errors="replace").splitlines() if "[archive.index_sink]" in line]
    assert len(merged) == 1 and "kept while writing" in merged[0], merged  # the lines kept, no fallback
    return lines


def test_crawl_index_equals_a_rebuild(demo_crawl):
    assert_index_is_a_rebuild(demo_crawl.collection)


def test_crawl_with_posts_index_equals_a_rebuild(tmp_path):
    crawl = crawl_family(build_family_site("hanweb", size=12, page_size=3), tmp_path)
    lines = assert_index_is_a_rebuild(tmp_path / "collections" / "fam")
    assert any("dataproxy.jsp?__wb_method=post&" in line for line in lines), crawl.proc.stdout


def test_killed_and_resumed_crawl_index_equals_a_rebuild(tmp_path):
    with served_portal(tmp_path, 16, 11) as (portal, sites, out, collection):
        kill_after(start_run(sites, out), portal, 15, signal.SIGKILL)
        [stale] = (collection / "indexes" / PENDING_DIR).glob("*.cdxj.open")  # left by the killed writer
        [left_open] = (collection / "archive").glob("*.warc.gz.open")
        portal.clear_requests()
        assert finish(start_run(sites, out)) == 0
    lines = assert_index_is_a_rebuild(collection)
    recovered = left_open.name.removesuffix(".open")
    assert any(f'"filename": "{recovered}"' in line for line in lines)  # recovered, and read again
    assert any(f'"filename": "{recovered}"' not in line for line in lines)  # the resumed run's own file
    assert not stale.exists()
