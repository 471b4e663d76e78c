"""The checker: digests over the right bytes (de-chunked entity), lengths, structure."""

from __future__ import annotations

import base64
import hashlib

import pytest

from archive.check import check_file
from archive.http import ResponseParser
from archive.writer import Exchange, WarcFileWriter, warc_date
from tests.archive_samples import gz, http_response, plain_records, sample, sample_files, sha1, warc_record

HTTP = "application/http; msgtype=response"


def _check(tmp_path, *records: bytes, gzipped: bool = True):
    path = tmp_path / ("t.warc.gz" if gzipped else "t.warc")
    path.write_bytes(b"".join(gz(r) if gzipped else r for r in records))
    return check_file(path)


def _response(raw: bytes, payload_digest: str | None, **kwargs) -> bytes:
    return warc_record(raw, warc_type="response", content_type=HTTP, payload_digest=payload_digest, **kwargs)


def test_chunked_response_digest_over_the_dechunked_entity_passes(tmp_path):
    raw, entity = http_response(b"<html>" + "政府信息公开".encode() * 50 + b"</html>", chunked=True)
    report = _check(tmp_path, _response(raw, sha1(entity)))
    assert report.passed, report.details()
    (result,) = report.results
    assert result.status == "ok" and result.digests == 2
    assert any("de-chunked entity" in n for n in result.notes)


def test_chunked_response_digest_over_the_chunked_body_is_accepted_and_named(tmp_path):
    raw, _ = http_response(b"<html>chunks</html>" * 20, chunked=True)
    body = raw[raw.index(b"\r\n\r\n") + 4 :]
    report = _check(tmp_path, _response(raw, sha1(body)))
    assert report.passed
    assert any("chunked body as transferred" in n for n in report.results[0].notes)


def test_wrong_payload_digest_fails(tmp_path):
    raw, entity = http_response(b"<html>x</html>" * 20, chunked=True)
    report = _check(tmp_path, _response(raw, sha1(entity + b"!")))
    assert not report.passed
    assert "matches neither the de-chunked entity nor the chunked body" in report.failed[0].failures[0]
    raw, entity = http_response(b"<html>y</html>")
    report = _check(tmp_path, _response(raw, sha1(raw)))  # digest of the whole block, not the payload
    assert "WARC-Payload-Digest" in report.failed[0].failures[0]


def test_wrong_block_digest_fails(tmp_path):
    raw, entity = http_response(b"<html>z</html>")
    report = _check(tmp_path, _response(raw, sha1(entity), block_digest=sha1(raw + b" ")))
    assert [r.status for r in report.results] == ["failed"]
    assert "WARC-Block-Digest" in report.failed[0].failures[0]


@pytest.mark.parametrize(
    "encode",
    [
        lambda d: base64.b32encode(d).decode(),
        lambda d: d.hex(),
        lambda d: base64.b64encode(d).decode(),
        lambda d: base64.b32encode(d).decode().lower(),
    ],
    ids=["base32", "hex", "base64", "base32-lower"],
)
def test_digest_encodings(tmp_path, encode):
    block = b"some resource bytes"
    report = _check(tmp_path, warc_record(block, block_digest="sha1:" + encode(hashlib.sha1(block).digest())))
    assert report.passed and report.results[0].digests == 1
    digest256 = "sha256:" + encode(hashlib.sha256(block).digest())
    assert _check(tmp_path, warc_record(block, block_digest=digest256)).passed
    assert not _check(tmp_path, warc_record(block + b"x", block_digest=digest256)).passed


def test_unknown_algorithm_fails(tmp_path):
    report = _check(tmp_path, warc_record(b"abc", block_digest="foo:ABCDEF"))
    assert "unknown digest algorithm" in report.failed[0].failures[0]


def test_revisit_payload_not_checked_but_block_is(tmp_path):
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n"
    extra = [("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest")]
    ok = warc_record(head, warc_type="revisit", content_type=HTTP, payload_digest=sha1(b"other"), extra=extra)
    report = _check(tmp_path, ok)
    assert report.passed and report.not_checked == 1
    bad = warc_record(
        head,
        warc_type="revisit",
        content_type=HTTP,
        payload_digest=sha1(b"x"),
        extra=extra,
        block_digest=sha1(b""),
    )
    assert _check(tmp_path, bad).failed


def test_content_length_and_truncation(tmp_path):
    recs = plain_records(3)
    cut = recs[1][:-100]
    report = _check(tmp_path, recs[0], cut, gzipped=False)
    assert [r.status for r in report.results] == ["ok", "failed"]
    assert "cut off" in report.failed[0].failures[0]
    wrong = recs[1].replace(b"Content-Length: 440", b"Content-Length: 430")
    report = _check(tmp_path, recs[0], wrong, recs[2], gzipped=False)
    assert [r.status for r in report.results] == ["ok", "failed", "ok"]
    assert "does not match the data" in report.failed[0].failures[0]


def test_structure(tmp_path):
    rid = "<urn:uuid:00000000-0000-0000-0000-0000000000aa>"
    missing_uri = warc_record(b"x", warc_type="response", uri=None, content_type="text/plain", record_id=rid)
    report = _check(tmp_path, missing_uri)
    assert "needs WARC-Target-URI" in " ".join(report.failed[0].failures)
    no_brackets = warc_record(b"x", record_id="urn:uuid:1234")
    assert "angle brackets" in _check(tmp_path, no_brackets).failed[0].failures[0]
    dup = plain_records(1)[0]
    report = _check(tmp_path, dup, dup)
    assert [r.status for r in report.results] == ["ok", "failed"]
    assert "also used by the record at offset 0" in report.failed[0].failures[0]
    revisit_without_profile = warc_record(b"", warc_type="revisit", content_type=None, block_digest=None)
    assert "needs WARC-Profile" in _check(tmp_path, revisit_without_profile).failed[0].failures[0]


def test_concurrent_to_must_be_in_the_same_file(tmp_path):
    response_id = "<urn:uuid:00000000-0000-0000-0000-0000000000r1>"
    raw, entity = http_response(b"hello")
    response = _response(raw, sha1(entity), record_id=response_id)
    request_block = b"GET /a HTTP/1.1\r\nHost: example.gov.cn\r\n\r\n"
    request = warc_record(
        request_block,
        warc_type="request",
        content_type="application/http; msgtype=request",
        record_id="<urn:uuid:00000000-0000-0000-0000-0000000000q1>",
        extra=[("WARC-Concurrent-To", response_id)],
    )
    assert _check(tmp_path, response, request).passed
    report = _check(tmp_path, request)
    assert "WARC-Concurrent-To" in report.failed[0].failures[0]


def test_our_writer_output_passes(tmp_path):
    """The lead's writer and this checker agree on the payload of a chunked response."""
    raw, _ = http_response(b"<html>" + b"x" * 3000 + b"</html>", chunked=True)
    parser = ResponseParser()
    parser.feed(raw)
    with WarcFileWriter(tmp_path, "t") as writer:
        writer.write_exchange(
            Exchange(
                url="http://example.gov.cn/c",
                request_bytes=b"GET /c HTTP/1.1\r\nHost: example.gov.cn\r\n\r\n",
                response_bytes=raw,
                entity=parser.entity(),
                head_length=parser.head.length,
                date=warc_date(),
            )
        )
    (path,) = writer.files_written
    report = check_file(path)
    assert report.passed, report.details()
    assert report.records == 3 and all(r.digests >= 1 for r in report.results)


def test_every_sample_checks_without_exceptions():
    verdicts = {}
    for path in sample_files():
        report = check_file(path)
        assert report.summary().startswith(str(path))
        verdicts[f"{path.parent.name}/{path.name}"] = report.passed
    assert (
        verdicts["pywb/example.warc.gz"] and verdicts["pywb/dupes.warc.gz"] and verdicts["pywb/example.arc"]
    )
    assert verdicts["made/chunked-as-transferred.warc"]
    for broken in ("made/length-mismatch.warc", "made/digest-mismatch.warc", "pywb/example-bad.warc.gz.bad"):
        assert not verdicts[broken], broken


def test_sample_digest_failures_are_found():
    report = check_file(sample("made/length-mismatch.warc"))
    failures = " ".join(report.failed[0].failures)
    assert "Content-Length" in failures and "Digest sha1:" in failures and "does not match" in failures
    report = check_file(sample("made/digest-mismatch.warc"))  # one byte of the page changed
    [failed] = report.failed
    assert failed.type == "response" and any(
        "Payload-Digest" in f and "does not match" in f for f in failed.failures
    )


def test_missing_file_is_a_problem_not_an_exception(tmp_path):
    report = check_file(tmp_path / "nope.warc.gz")
    assert not report.passed and "cannot read the file" in report.problems[0].message
