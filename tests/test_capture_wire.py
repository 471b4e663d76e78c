"""The WARC holds what crossed the connection, byte for byte.

A raw-socket server sends hand-built responses (chunked + gzip, mixed-case and
repeated headers, GBK header bytes, HTTP/1.0 close-delimited, 301, 404, query
strings, a binary attachment, no reason phrase) and logs the request bytes it
received; a real `xxgk crawl` runs against it and every WARC block is compared
with those bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib

import orjson
import pytest

from archive.http import dechunk
from tests.support.rawserver import RawHttpServer, Route, chunked
from tests.support.runner import FAST, xxgk
from tests.support.warcs import records

PAGE = "<html><head><meta charset='utf-8'><meta name='ArticleTitle' content='{t}'><title>{t}</title></head><body><h1>{t}</h1><p>{p}</p></body></html>"


def html(title: str, text: str) -> bytes:
    return PAGE.format(t=title, p=text).encode("utf-8")


def response(head: str, body: bytes, *, length: bool = True) -> bytes:
    head = head.replace("\n", "\r\n")
    if length:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode("latin-1") + b"\r\n" + body


def sha1_label(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


GZ_BODY = gzip.compress(html("分块压缩页面", "这是一个分块传输并且gzip压缩的页面。" * 20), mtime=0)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
GBK_NAME = "政府信息公开年报.pdf".encode("gbk")

ROUTES = {
    "/robots.txt": Route(response("HTTP/1.1 404 Not Found\nContent-Type: text/plain\n", b"no robots")),
    "/chunked-gzip": Route(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + chunked(GZ_BODY, 300)
    ),
    "/headers": Route(
        response(
            "HTTP/1.1 200 Everything Fine\ncontent-type: text/html; charset=utf-8\nSet-Cookie: a=1; Path=/\n"
            "X-Mixed-CASE: Yes\nSet-Cookie: b=2; Path=/\nServer:  spaced   value \n",
            html("头部", "重复的头部和大小写。"),
        )
    ),
    "/http10": Route(
        b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + html("旧协议", "关闭连接结束的正文。"),
        close=True,
    ),
    "/moved": Route(response("HTTP/1.1 301 Moved Permanently\nLocation: /target?b=2&a=1\n", b"")),
    "/target": Route(
        response("HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n", html("目标", "查询字符串。"))
    ),
    "/missing": Route(response("HTTP/1.1 404 Not Found\nContent-Type: text/html\n", b"<html>gone</html>")),
    "/no-reason": Route(
        response(
            "HTTP/1.1 200\nContent-Type: text/html; charset=utf-8\n",
            html("无原因短语", "状态行没有原因短语。"),
        )
    ),
    "/files/report.pdf": Route(
        b'HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="'
        + GBK_NAME
        + b'"\r\n'
        + f"Content-Length: {len(PDF)}\r\n\r\n".encode()
        + PDF
    ),
}
LINKS = ["/chunked-gzip", "/headers", "/http10", "/moved", "/missing", "/no-reason", "/files/report.pdf"]
ROUTES["/"] = Route(
    response(
        "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n",
        (
            "<html><head><title>信息公开</title></head><body>"
            + "".join(f'<a href="{u}">{u}</a>' for u in LINKS)
            + "</body></html>"
        ).encode(),
    )
)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("wire")
    with RawHttpServer(dict(ROUTES)) as server:
        proc = xxgk("crawl", server.base_url + "/", "--out", str(out), "--name", "wire", *FAST)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        sent = dict(server.sent)
        received = list(server.received)
    return out, server.base_url, sent, received


def test_every_response_block_is_the_bytes_sent(crawl):
    out, base, sent, _ = crawl
    recs = records(out / "collections" / "wire")
    responses = {r["uri"]: r for r in recs if r["type"] == "response"}
    for target, data in sent.items():
        assert base + target in responses, f"no response record for {target}"
        assert responses[base + target]["block"] == data, f"block differs from the wire for {target}"
    assert recs[0]["type"] == "warcinfo"


def test_every_request_block_is_the_bytes_received(crawl):
    out, base, _, received = crawl
    recs = records(out / "collections" / "wire")
    by_id = {r["headers"]["WARC-Record-ID"]: r for r in recs}
    requests = [r for r in recs if r["type"] == "request"]
    got = {(r["uri"], r["block"]) for r in requests}
    for target, data in received:
        assert (base + target, data) in got, f"request record for {target} is not the bytes sent"
    for r in requests:  # each request points at its response
        assert by_id[r["headers"]["WARC-Concurrent-To"]]["uri"] == r["uri"]
    target_request = next(data for t, data in received if t.startswith("/target"))
    assert target_request.startswith(b"GET /target?b=2&a=1 HTTP/1.1\r\n")  # query kept, order kept


def test_payload_digest_is_over_the_dechunked_entity(crawl):
    out, base, _sent, _ = crawl
    recs = {r["uri"]: r for r in records(out / "collections" / "wire") if r["type"] == "response"}
    record = recs[base + "/chunked-gzip"]
    entity, complete = dechunk(record["block"].split(b"\r\n\r\n", 1)[1])
    assert complete and entity == GZ_BODY  # still content-coded: gzip bytes as sent
    assert record["headers"]["WARC-Payload-Digest"] == sha1_label(GZ_BODY)
    assert record["headers"]["WARC-Block-Digest"] == sha1_label(record["block"])
    assert record["headers"]["WARC-IP-Address"] == "127.0.0.1"
    pdf = recs[base + "/files/report.pdf"]
    assert pdf["headers"]["WARC-Payload-Digest"] == sha1_label(PDF)
    assert GBK_NAME in pdf["block"]  # non-UTF-8 header bytes survive


def test_spiders_and_pipelines_get_decoded_responses(crawl):
    out, base, _, _ = crawl
    rows = [
        orjson.loads(line)
        for line in (out / "datasets" / "wire" / "documents.jsonl").read_bytes().splitlines()
    ]
    by_url = {r["url"]: r for r in rows}
    # the PDF attachment is a document row with provenance pointing at its response record
    pdf = by_url[base + "/files/report.pdf"]
    assert pdf["kind"] == "attachment" and pdf["warc_file"].endswith(".warc.gz")
    assert pdf["warc_record_id"].startswith("<urn:uuid:")
    recs = {r["headers"]["WARC-Record-ID"]: r for r in records(out / "collections" / "wire")}
    assert recs[pdf["warc_record_id"]]["uri"] == pdf["url"]
    assert recs[pdf["warc_record_id"]]["offset"] == pdf["warc_offset"]
    # the chunked+gzip page reached the extractor de-chunked and decompressed
    page = by_url[base + "/chunked-gzip"]
    assert page["kind"] == "page" and page["title"] == "分块压缩页面"
    assert "分块传输并且gzip压缩" in page["text"]


def test_redirect_404_and_robots_are_archived(crawl):
    out, base, _, _ = crawl
    statuses = {
        r["uri"]: int(r["block"].split(b" ", 2)[1][:3])
        for r in records(out / "collections" / "wire")
        if r["type"] == "response"
    }
    assert statuses[base + "/moved"] == 301
    assert statuses[base + "/target?b=2&a=1"] == 200
    assert statuses[base + "/missing"] == 404
    assert statuses[base + "/robots.txt"] == 404


def test_https_capture_is_the_decrypted_http_bytes(tmp_path):
    from tests.support.tls import server_context

    routes = {k: v for k, v in ROUTES.items() if k in ("/robots.txt", "/chunked-gzip", "/headers")}
    routes["/"] = Route(
        response(
            "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n",
            b'<html><body><a href="/chunked-gzip">a</a><a href="/headers">b</a></body></html>',
        )
    )
    with RawHttpServer(routes, ssl_context=server_context(tmp_path)) as server:
        proc = xxgk("crawl", server.base_url + "/", "--out", str(tmp_path / "out"), "--name", "tls", *FAST)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        sent, received = dict(server.sent), list(server.received)
    recs = records(tmp_path / "out" / "collections" / "tls")
    responses = {r["uri"]: r for r in recs if r["type"] == "response"}
    for target, data in sent.items():
        record = responses[server.base_url + target]
        assert record["block"] == data
        assert record["headers"]["WARC-Protocol"].startswith("http/1.1, tlsv1.")
    requests = {(r["uri"], r["block"]) for r in recs if r["type"] == "request"}
    assert all((server.base_url + t, data) in requests for t, data in received)


def test_size_limit_cuts_the_record_with_warc_truncated(tmp_path):
    big = b"%PDF-1.4\n" + b"x" * 200_000
    routes = {
        "/robots.txt": ROUTES["/robots.txt"],
        "/": Route(response("HTTP/1.1 200 OK\nContent-Type: text/html\n", b'<a href="/big.pdf">big.pdf</a>')),
        "/big.pdf": Route(response("HTTP/1.1 200 OK\nContent-Type: application/pdf\n", big)),
    }
    with RawHttpServer(routes) as server:
        proc = xxgk(
            "crawl",
            server.base_url + "/",
            "--out",
            str(tmp_path),
            "--name",
            "cut",
            *FAST,
            "-s",
            "DOWNLOAD_MAXSIZE=50000",
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    record = next(
        r
        for r in records(tmp_path / "collections" / "cut")
        if (r["uri"] or "").endswith("/big.pdf") and r["type"] == "response"
    )
    assert record["headers"]["WARC-Truncated"] == "length"
    assert 50_000 < len(record["block"]) < len(big)
    assert routes["/big.pdf"].data.startswith(record["block"])  # a prefix of what was sent, nothing invented
    rows = [
        orjson.loads(x) for x in (tmp_path / "datasets" / "cut" / "documents.jsonl").read_bytes().splitlines()
    ]
    row = next(r for r in rows if r["url"].endswith("/big.pdf"))
    assert "truncated (length)" in row["extraction_error"]
    check = xxgk("warc", "check", *map(str, (tmp_path / "collections" / "cut" / "archive").glob("*.warc.gz")))
    assert check.returncode == 0, check.stdout
