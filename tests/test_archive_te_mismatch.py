"""Bodies stored de-chunked under `Transfer-Encoding: chunked` (pywb's recorder writes them so):
read as stored by every reader, reported by `warc check` as a warning, never an empty body."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.reader import iter_records
from tests.archive_samples import http_response
from tests.support.runner import xxgk

PAGE = (
    "<html><head><meta charset='utf-8'><title>关于印发防汛工作方案的通知</title></head><body>"
    "<h1>关于印发防汛工作方案的通知</h1><table><tr><td>索引号：</td><td>000014349/2024-00012</td></tr>"
    "</table><div class='content'>"
    + "<p>各乡镇人民政府：现将防汛工作方案印发给你们，请认真贯彻执行。</p>" * 12
    + "</div></body></html>"
).encode()
CHUNKED = [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]


def _write(path: Path, url: str, headers: list[tuple[str, str]], body: bytes) -> None:
    with path.open("ab") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
        )


def _mixed_warc(tmp_path: Path) -> Path:
    """One record stored de-chunked under a chunked header (as pywb records), one truly chunked."""
    path = tmp_path / "mixed.warc.gz"
    _write(path, "http://xxgk.example.gov.cn/zcwj/202405/t20240501_1.html", CHUNKED, PAGE)
    framed, _ = http_response(PAGE, chunked=True)
    _write(
        path,
        "http://xxgk.example.gov.cn/zcwj/202405/t20240502_2.html",
        CHUNKED,
        framed.split(b"\r\n\r\n", 1)[1],
    )
    return path


def test_readers_take_the_stored_body(tmp_path):
    path = _mixed_warc(tmp_path)
    records = [r for r in iter_records(path) if r.type == "response"]
    assert [r.entity() for r in records] == [PAGE, PAGE]
    assert "stored without chunk framing" in records[0].warnings[0]
    assert records[1].warnings == [] and records[0].defects == records[1].defects == []
    with path.open("rb") as fh:  # warcio reads both the same way
        assert [r.content_stream().read() for r in ArchiveIterator(fh) if r.rec_type == "response"] == [
            PAGE,
            PAGE,
        ]


def test_check_warns_and_passes(tmp_path):
    proc = xxgk("warc", "check", str(_mixed_warc(tmp_path)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 warnings" in proc.stdout and "stored without chunk framing" in proc.stdout


def test_show_and_parse_give_the_page(tmp_path):
    path = _mixed_warc(tmp_path)
    first = next(r for r in iter_records(path) if r.type == "response")
    shown = xxgk("warc", "show", str(path), str(first.offset), "--body")
    assert shown.returncode == 0 and "防汛工作方案" in shown.stdout
    proc = xxgk("parse", str(path), "--out", str(tmp_path), "--name", "te", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    rows = [
        orjson.loads(x) for x in (tmp_path / "datasets" / "te" / "documents.jsonl").read_bytes().splitlines()
    ]
    assert len(rows) == 2
    assert all(r["title"] == "关于印发防汛工作方案的通知" and "贯彻执行" in r["text"] for r in rows)
