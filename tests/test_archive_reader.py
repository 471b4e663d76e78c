"""Reading WARC/ARC files of every origin, through damage, without losing good records."""

from __future__ import annotations

import contextlib
import io
import logging
import zlib

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.errors import WarcFormatError
from archive.reader import Problem, Record, iter_records, read_record_at, read_records
from tests.archive_samples import SAMPLES, gz, http_response, plain_records, sample, sample_files, warc_record

# broken samples: what must be reported (substrings of problems or record defects)
BROKEN = {
    "pywb/bad.arc": ["invalid ARC length '-1'", "invalid ARC length 'abc'"],
    "pywb/example-bad.warc.gz.bad": ["several records share one gzip member"],
    "made/whole-file.warc.gz": ["several records share one gzip member"],
    "made/length-mismatch.warc": ["does not match the data", "unexpected bytes"],
    "made/split-members.warc.gz": ["record spans 4 gzip members", "starts 4 bytes into the gzip member"],
    "made/space-in-target-uri.warc.gz": ["WARC-Target-URI contains spaces"],
    "made/space-in-url-cut.arc": ["URL contains spaces", "cut off: block has 1580 of 1591 bytes"],
    "pywb/missing-status-text.warc": ["CR CR LF"],
    "pywb/example.warc": ["Content-Length 320 does not match the data"],
    "pywb/example-extra.warc": ["not an HTTP status line"],
}


def _name(path) -> str:
    return path.relative_to(SAMPLES).as_posix()


def warcio_records(data_or_path) -> list[tuple[int, int, str | None, str]]:
    """(offset, length, record id, type) of every record warcio's own iterator reads."""
    out = []
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        fh = (
            io.BytesIO(data_or_path)
            if isinstance(data_or_path, bytes)
            else stack.enter_context(open(data_or_path, "rb"))
        )
        it = ArchiveIterator(fh)
        for record in it:
            out.append(
                (
                    it.get_record_offset(),
                    it.get_record_length(),
                    record.rec_headers.get_header("WARC-Record-ID"),
                    record.rec_type,
                )
            )
    return out


def messages(path) -> list[str]:
    records, problems = read_records(path)
    return [p.message for p in problems] + [d for r in records for d in r.defects]


def test_samples_are_there():
    names = {_name(p) for p in sample_files()}
    assert len(names) >= 24
    assert set(BROKEN) <= names


@pytest.mark.parametrize("path", [p for p in sample_files() if _name(p) not in BROKEN], ids=_name)
def test_good_sample_reads_every_record_like_warcio(path):
    logging.getLogger("warcio").setLevel(logging.ERROR)
    records, problems = read_records(path)
    assert problems == []
    assert [r.defects for r in records] == [[] for _ in records]
    expected = warcio_records(path)
    assert [(r.offset, r.length) for r in records] == [(o, n) for o, n, _, _ in expected]
    if records[0].format == "warc":
        assert [r.record_id for r in records] == [rid for _, _, rid, _ in expected]
        assert [r.type for r in records] == [t for _, _, _, t in expected]
    for record in records:
        assert record.block_complete and len(record.block) == record.content_length


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_sample_is_reported_and_good_records_kept(name):
    path = sample(name)
    found = messages(path)
    for expected in BROKEN[name]:
        assert any(expected in m for m in found), (expected, found)
    records, _ = read_records(path)
    assert records, "the records around the damage must still be read"
    assert all(isinstance(r.offset, int) and r.length > 0 for r in records)


def test_wget_angle_bracket_uris_are_read_with_a_warning_not_a_defect(wget_demo_warc):
    records, problems = read_records(wget_demo_warc)
    assert problems == [] and all(not r.defects for r in records)
    bracketed = [r for r in records if r.warnings]
    assert bracketed and all("WARC-Target-URI in <>" in r.warnings[0] for r in bracketed)
    assert all(r.target_uri and not r.target_uri.startswith("<") for r in bracketed)


def test_whole_file_gzip_reads_all_records_with_member_offsets():
    path = sample("made/whole-file.warc.gz")
    records, problems = read_records(path)
    plain = warcio_records(zlib.decompress(path.read_bytes(), 31))
    assert [r.record_id for r in records] == [rid for _, _, rid, _ in plain]  # warcio itself stops after one
    assert [r.inner_offset for r in records] == [o for o, _, _, _ in plain]
    assert {r.offset for r in records} == {0}
    assert len(problems) == 1 and problems[0].offset == 0
    # each record can be read back by (member, inner offset)
    for record in records:
        again = read_record_at(path, record.offset, record.inner_offset)
        assert (again.record_id, again.block) == (record.record_id, record.block)


def test_record_split_over_gzip_members_is_read_whole():
    records, _ = read_records(sample("made/split-members.warc.gz"))
    _, response, request = records
    assert response.type == "response" and response.status == 200
    assert response.block_length == response.content_length and response.block_complete
    assert b"<title>Example Domain</title>" in response.entity()
    assert request.type == "request" and request.http is not None and request.http.method == "GET"
    assert request.location.endswith("+4")  # 4 bytes into the member holding the response's end


def test_arc_records():
    records, problems = read_records(sample("pywb/example.arc.gz"))
    assert problems == []
    filedesc, response = records
    assert (filedesc.format, filedesc.type, filedesc.version) == ("arc", "warcinfo", "ARC")
    assert response.target_uri == "http://example.com/"
    assert response.date == "2014-02-16T05:02:21Z"
    assert response.status == 200 and response.http.get("content-type") == b"text/html"


def test_revisit_request_resource_and_metadata_records(wget_demo_warc):
    records, _ = read_records(wget_demo_warc)  # wget's: its log as metadata and resource records
    assert {"warcinfo", "request", "response", "metadata", "resource"} <= {r.type for r in records}
    assert records[1].type == "request" and records[1].target_uri.startswith("http://127.0.0.1:")
    records, _ = read_records(sample("pywb/dupes.warc.gz"))
    revisits = [r for r in records if r.type == "revisit"]
    assert revisits and all(r.http is not None and r.status == 200 for r in revisits)


def test_read_record_at_every_offset_of_a_sample():
    path = sample("pywb/dupes.warc.gz")
    records, _ = read_records(path)
    for record in records[:40]:
        again = read_record_at(path, record.offset)
        assert (again.record_id, again.length, again.block) == (record.record_id, record.length, record.block)


def test_read_record_at_rejects_bad_offsets():
    path = sample("pywb/dupes.warc.gz")
    with pytest.raises(WarcFormatError, match="no gzip member starts at offset 17"):
        read_record_at(path, 17)
    with pytest.raises(WarcFormatError, match="outside the file"):
        read_record_at(path, 10**9)
    with pytest.raises(WarcFormatError, match="no WARC/ARC record starts here"):
        read_record_at(sample("pywb/example.warc"), 5)


def test_block_limit_keeps_heads_only():
    path = sample("pywb/dupes.warc.gz")
    full = {r.offset: r for r in read_records(path)[0]}
    for record in read_records(path, block_limit=200)[0]:
        assert len(record.block) <= 200
        assert record.block_length == full[record.offset].block_length
        assert (record.offset, record.length) == (full[record.offset].offset, full[record.offset].length)


# -- damage made on purpose ----------------------------------------------------------------
def _write(tmp_path, data: bytes, name: str = "t.warc") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _uris(items) -> list[str]:
    return [i.target_uri for i in items if isinstance(i, Record)]


def test_corrupt_gzip_member_is_skipped_and_the_rest_read(tmp_path):
    members = [gz(r) for r in plain_records(4)]
    bad = bytearray(members[1])
    bad[20:40] = b"\xff" * 20
    path = _write(tmp_path, members[0] + bytes(bad) + members[2] + members[3], "t.warc.gz")
    items = list(iter_records(path))
    assert _uris(items) == [f"http://example.gov.cn/doc/{i}" for i in (0, 2, 3)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert len(problems) == 1
    assert problems[0].offset == len(members[0])
    assert problems[0].skipped == len(bad) and "corrupt gzip member" in problems[0].message
    assert items.index(problems[0]) == 1  # reported in file order


def test_garbage_between_gzip_members(tmp_path):
    members = [gz(r) for r in plain_records(3)]
    path = _write(tmp_path, members[0] + b"\x00junk" * 20 + members[1] + members[2] + b"\n\n", "t.warc.gz")
    items = list(iter_records(path))
    assert len(_uris(items)) == 3
    problems = [i for i in items if isinstance(i, Problem)]
    assert [p.skipped for p in problems] == [100, 2]
    assert all("not gzip" in p.message for p in problems)


def test_gzip_cut_off_at_the_end(tmp_path):
    members = [gz(r) for r in plain_records(3)]
    path = _write(tmp_path, members[0] + members[1] + members[2][: len(members[2]) // 2], "t.warc.gz")
    items = list(iter_records(path))
    assert len(_uris(items)) == 2
    assert any(isinstance(i, Problem) and "cut off" in i.message for i in items)


def test_garbage_between_plain_records(tmp_path):
    recs = plain_records(3)
    path = _write(tmp_path, recs[0] + b"garbage line\r\n" * 3 + recs[1] + recs[2])
    records, problems = read_records(path)
    assert len(records) == 3 and problems == []
    assert "42 unexpected bytes" in records[0].defects[0]


def test_content_length_too_small_and_too_large(tmp_path):
    recs = plain_records(4)
    body_length = len(b"document 1 " * 40)
    short = recs[1].replace(b"Content-Length: %d" % body_length, b"Content-Length: %d" % (body_length - 30))
    long = recs[2].replace(b"Content-Length: %d" % body_length, b"Content-Length: %d" % (body_length + 60))
    path = _write(tmp_path, recs[0] + short + long + recs[3])
    records, problems = read_records(path)
    assert problems == []
    assert _uris(records) == [f"http://example.gov.cn/doc/{i}" for i in range(4)]
    assert "does not match the data" in records[1].defects[0]
    assert "runs 56 bytes into the next record" in records[2].defects[0]
    assert records[3].defects == []


def test_missing_content_length(tmp_path):
    recs = plain_records(3)
    broken = b"".join(
        line for line in recs[1].splitlines(keepends=True) if not line.startswith(b"Content-Length")
    )
    records, _ = read_records(_write(tmp_path, recs[0] + broken + recs[2]))
    assert len(records) == 3
    assert "invalid or missing Content-Length" in records[1].defects[0]
    assert records[2].defects == []


def test_plain_file_cut_off(tmp_path):
    recs = plain_records(2)
    records, _ = read_records(_write(tmp_path, recs[0] + recs[1][:300]))
    assert records[1].truncated and "cut off" in records[1].defects[0]
    records, problems = read_records(_write(tmp_path, recs[0] + recs[1][:60]))
    assert len(records) == 1
    assert "header cut off at the end of the file" in problems[0].message
    assert problems[0].skipped == 60


def test_leading_garbage_is_skipped(tmp_path):
    recs = plain_records(2)
    records, problems = read_records(
        _write(tmp_path, b"WARC/1.0 is not what this is\r\n" + recs[0] + recs[1])
    )
    assert len(records) == 2
    assert problems[0].offset == 0 and "expected a record header" in problems[0].message


def test_not_an_archive_and_empty_files(tmp_path):
    with pytest.raises(WarcFormatError, match="not a WARC or ARC file"):
        list(iter_records(_write(tmp_path, b"<html>\n" * 50, "page.warc")))
    with pytest.raises(WarcFormatError, match="not a WARC or ARC file"):
        list(iter_records(_write(tmp_path, gz(b"<html>\n" * 50), "page.warc.gz")))
    items = list(iter_records(_write(tmp_path, b"", "empty.warc")))
    assert len(items) == 1 and "empty file" in items[0].message
    with pytest.raises(FileNotFoundError):
        list(iter_records(tmp_path / "missing.warc"))


def test_http_heads_and_entity(tmp_path):
    raw, entity = http_response(b"<p>chunked body</p>", chunked=True)
    data = warc_record(raw, warc_type="response", content_type="application/http; msgtype=response")
    (record,), _ = read_records(_write(tmp_path, gz(data), "t.warc.gz"))
    assert record.status == 200
    assert record.body == raw[record.http.length :]
    assert record.entity() == entity


def test_record_damaged_inside_its_block(tmp_path):
    first, second = plain_records(2)
    half = len(first) // 2
    tail = bytearray(gz(first[half:]))
    tail[20:40] = b"\xff" * 20
    path = _write(tmp_path, gz(first[:half]) + bytes(tail) + gz(second), "t.warc.gz")
    items = list(iter_records(path))
    records = [i for i in items if isinstance(i, Record)]
    assert [r.target_uri for r in records] == ["http://example.gov.cn/doc/0", "http://example.gov.cn/doc/1"]
    damaged, good = records
    assert damaged.truncated and "gzip data lost" in damaged.defects[0]
    assert damaged.block == first[first.index(b"\r\n\r\n") + 4 : half]
    assert good.defects == [] and good.block_complete
    assert any(isinstance(i, Problem) and "corrupt gzip member" in i.message for i in items)
