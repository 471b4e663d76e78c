"""WARC writing: byte-exact blocks, rotation, revisits, and recovery after a kill."""

from __future__ import annotations

import base64
import hashlib
import os
import random
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

from warcio.archiveiterator import ArchiveIterator

from archive.http import ResponseParser
from archive.recover import recover_open_file, recover_open_files
from archive.writer import (
    IDENTICAL_PAYLOAD,
    OPEN_SUFFIX,
    Exchange,
    Original,
    WarcFileWriter,
    base32,
    digest,
    new_record_id,
    warc_date,
)


def exchange(n: int, body: bytes | None = None) -> Exchange:
    body = body if body is not None else f"<html>page {n}</html>".encode()
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    parser = ResponseParser()
    parser.feed(raw)
    return Exchange(
        url=f"http://127.0.0.1/p{n}",
        request_bytes=f"GET /p{n} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode(),
        response_bytes=raw,
        entity=parser.entity(),
        head_length=parser.head.length,
        date=warc_date(),
    )


def read_all(path):
    with open(path, "rb") as fh:
        return [
            (r.rec_type, r.rec_headers, r.raw_stream.read())
            for r in ArchiveIterator(fh, no_record_parse=True)
        ]


def warcio_check(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True
    )


def test_records_round_trip_byte_exact(tmp_path):
    with WarcFileWriter(tmp_path, "t") as writer:
        ex = exchange(1)
        ref, _ = writer.write_exchange(ex)
    [path] = writer.files_written
    assert path.name.endswith(".warc.gz") and not list(tmp_path.glob(f"*{OPEN_SUFFIX}"))
    recs = read_all(path)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request"]
    assert recs[1][2] == ex.response_bytes and recs[2][2] == ex.request_bytes
    assert recs[1][1].get_header("WARC-Payload-Digest") == digest(ex.entity)
    assert recs[2][1].get_header("WARC-Concurrent-To") == ref.record_id
    # the reference points at the record: reading from its offset gives it back
    with open(path, "rb") as fh:
        fh.seek(ref.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_headers.get_header("WARC-Record-ID") == ref.record_id
    assert warcio_check(path).returncode == 0


def test_rotation_keeps_pairs_together(tmp_path):
    writer = WarcFileWriter(tmp_path, "rot", max_size=2000)
    for n in range(20):
        writer.write_exchange(exchange(n, b"x" * 300))
    writer.close()
    assert len(writer.files_written) > 3
    for path in writer.files_written:
        types = [r[0] for r in read_all(path)]
        assert types[0] == "warcinfo"  # every file starts with its warcinfo
        assert types[1:] == ["response", "request"] * ((len(types) - 1) // 2)
        assert warcio_check(path).returncode == 0


def test_revisit_stores_head_only(tmp_path):
    with WarcFileWriter(tmp_path, "rv") as writer:
        ex = exchange(1, b"same body" * 50)
        ref, _ = writer.write_exchange(ex)
        again = exchange(2, b"same body" * 50)
        writer.write_exchange(again, Original(ex.url, ref.date, ref.record_id), IDENTICAL_PAYLOAD)
    recs = read_all(writer.files_written[0])
    revisit = next(r for r in recs if r[0] == "revisit")
    assert revisit[2] == again.response_bytes[: again.head_length]
    assert revisit[1].get_header("WARC-Refers-To") == ref.record_id
    assert revisit[1].get_header("WARC-Refers-To-Date") == ref.date
    assert revisit[1].get_header("WARC-Profile") == IDENTICAL_PAYLOAD
    assert revisit[1].get_header("WARC-Payload-Digest") == digest(again.entity)


def test_recover_after_kill_keeps_complete_records(tmp_path):
    writer = WarcFileWriter(tmp_path, "kill")
    for n in range(5):
        writer.write_exchange(exchange(n))
    open_file = writer.current_file.with_name(writer.current_file.name + OPEN_SUFFIX)
    # a live writer holds the lock: recovery must leave the file alone
    assert recover_open_file(open_file) is None
    os.close(writer._fd)  # the process "dies": lock released, file left .open
    with open(open_file, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00partial gzip member cut by SIGKILL")
    [result] = recover_open_files(tmp_path)
    assert result.records == 11 and result.dropped_bytes > 0
    assert result.path.exists() and not open_file.exists()
    assert len(read_all(result.path)) == 11
    assert warcio_check(result.path).returncode == 0


def test_base32_is_b32encode():
    rnd = random.Random(5)
    raws = [bytes(20), b"\xff" * 20, *(rnd.randbytes(20) for _ in range(20_000))]
    raws += [rnd.randbytes(n) for n in range(41) for _ in range(20)]  # other lengths: b32encode itself
    for raw in raws:
        assert base32(raw) == base64.b32encode(raw).decode("ascii")
    assert digest(b"abc") == "sha1:" + base64.b32encode(hashlib.sha1(b"abc").digest()).decode()


def test_record_ids_are_uuid4():
    for _ in range(2000):
        record_id = new_record_id()
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        value = uuid.UUID(record_id[10:-1])
        assert str(value) == record_id[10:-1]
        assert value.version == 4 and value.variant == uuid.RFC_4122


def test_warc_date_now():
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = warc_date()
    after = datetime.now(UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp)
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert before <= when <= after
    assert warc_date(when) == stamp
    assert (
        warc_date(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC) + timedelta(hours=8))
        == "2024-01-02T11:04:05.000000Z"
    )
