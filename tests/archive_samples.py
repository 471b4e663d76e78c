"""Helpers for the archive tests: other tools' archive files and hand-built WARC records.

Nothing here is kept in the repository: pywb's own sample archive (`sample_archive/warcs`, written
by wget 1.14, wpull, pywb's recorder and by hand, with its broken cases) comes with the pywb
package the tools environment installs (archive/replay.py), and the cases it lacks are made at
test time from those files (``made/``): a whole-file gzip, a record split over gzip members, a
Content-Length and a digest that do not match, spaces in target URIs, a cut ARC file, a chunked
body digested as transferred (warcio's own writer). wget's `<URI>` quirk comes from real wget
(the ``wget_demo_warc`` fixture).
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import io
import shutil
import tempfile
import zlib
from pathlib import Path

from archive.replay import ensure_tools_env


def _pywb_samples() -> Path:
    return ensure_tools_env(quiet=True) / "sample_archive" / "warcs"


def _members(data: bytes) -> list[bytes]:
    """The plain bytes of each gzip member."""
    out = []
    while data:
        d = zlib.decompressobj(31)
        out.append(d.decompress(data))
        data = d.unused_data
    return out


def _made(pywb: Path, made: Path) -> None:
    """The broken and unusual cases pywb's samples lack, cut from its example.warc.gz / .arc."""
    warcinfo, response, request, *_ = _members((pywb / "example.warc.gz").read_bytes())
    plain = warcinfo + response + request
    (made / "whole-file.warc.gz").write_bytes(gz(plain))  # several records in one member
    length = response.index(b"Content-Length: ") + len(b"Content-Length: ")
    declared = int(response[length : response.index(b"\r\n", length)])
    shorter = response[:length] + str(declared - 6).encode() + response[response.index(b"\r\n", length) :]
    (made / "length-mismatch.warc").write_bytes(warcinfo + shorter + request)
    body = response.rindex(b"Example Domain")
    (made / "digest-mismatch.warc").write_bytes(
        warcinfo + response[:body] + b"X" + response[body + 1 :] + request
    )
    a, b = len(response) // 3, 2 * len(response) // 3
    split = (
        gz(warcinfo) + gz(response[:a]) + gz(response[a:b]) + gz(response[b:-4]) + gz(response[-4:] + request)
    )
    (made / "split-members.warc.gz").write_bytes(split)
    spaced = response.replace(
        b"WARC-Target-URI: http://example.com?example=1", b"WARC-Target-URI: http://example.com/a b", 1
    )
    (made / "space-in-target-uri.warc.gz").write_bytes(gz(warcinfo) + gz(spaced))
    arc = (
        (pywb / "example.arc")
        .read_bytes()
        .replace(b"\nhttp://example.com/ ", b"\nhttp://example.com/a b ", 1)
    )
    (made / "space-in-url-cut.arc").write_bytes(arc[:-12])
    (made / "chunked-as-transferred.warc").write_bytes(_chunked_by_warcio())


def _chunked_by_warcio() -> bytes:
    """warcio's writer given a chunk-framed body: the payload digest over the bytes as transferred."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for i in range(3):
        raw, _ = http_response(
            f"<html><title>第{i}页</title><p>{'正文' * 200}</p></html>".encode(), chunked=True
        )
        head, framed = raw.split(b"\r\n\r\n", 1)
        headers = [tuple(line.split(": ", 1)) for line in head.decode().split("\r\n")[1:]]
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        url = f"http://xxgk.example.gov.cn/{i}.html"
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(framed), http_headers=http)
        )
    return out.getvalue()


def _build() -> Path:
    root = Path(tempfile.mkdtemp(prefix="xxgk-warc-samples-"))
    atexit.register(shutil.rmtree, root, True)
    shutil.copytree(_pywb_samples(), root / "pywb")
    (root / "made").mkdir()
    _made(root / "pywb", root / "made")
    return root


def sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLES.glob("*/*") if p.is_file())
    assert len(files) > 17, (
        f"pywb's sample archive is missing under {SAMPLES}"
    )  # never an empty parametrisation
    return files


def sample(name: str) -> Path:
    return SAMPLES / name


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def warc_record(
    block: bytes,
    *,
    warc_type: str = "resource",
    uri: str | None = "http://example.gov.cn/a",
    record_id: str = "<urn:uuid:00000000-0000-0000-0000-000000000001>",
    content_type: str | None = "text/plain",
    block_digest: str | None = "auto",
    payload_digest: str | None = None,
    extra: list[tuple[str, str]] | None = None,
    content_length: int | None = None,
    version: str = "WARC/1.1",
) -> bytes:
    """One uncompressed WARC record, digests and length as given (``"auto"``: correct)."""
    fields = [("WARC-Type", warc_type), ("WARC-Record-ID", record_id), ("WARC-Date", "2024-05-01T08:00:00Z")]
    if uri is not None:
        fields.append(("WARC-Target-URI", uri))
    fields += extra or []
    if block_digest == "auto":
        block_digest = sha1(block)
    if block_digest is not None:
        fields.append(("WARC-Block-Digest", block_digest))
    if payload_digest is not None:
        fields.append(("WARC-Payload-Digest", payload_digest))
    if content_type is not None:
        fields.append(("Content-Type", content_type))
    length = len(block) if content_length is None else content_length
    fields.append(("Content-Length", str(length)))
    head = version + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def gz(data: bytes) -> bytes:
    """One gzip member."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def http_response(
    body: bytes, *, chunked: bool = False, headers: str = "Content-Type: text/html"
) -> tuple[bytes, bytes]:
    """(response bytes, entity): a chunked response carries the body in two chunks."""
    if chunked:
        half = len(body) // 2
        framed = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, body[:half], len(body) - half, body[half:])
        head = f"HTTP/1.1 200 OK\r\n{headers}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        return head + framed, body
    head = f"HTTP/1.1 200 OK\r\n{headers}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head + body, body


def plain_records(count: int) -> list[bytes]:
    """``count`` good resource records with distinct ids and URIs."""
    return [
        warc_record(
            f"document {i} ".encode() * 40,
            uri=f"http://example.gov.cn/doc/{i}",
            record_id=f"<urn:uuid:00000000-0000-0000-0000-{i:012d}>",
        )
        for i in range(count)
    ]


SAMPLES = _build()  # last: the builders above use this module's helpers
