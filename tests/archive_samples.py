"""Helpers for the archive tests: other tools' sample files and hand-built WARC records."""

from __future__ import annotations

import base64
import hashlib
import zlib
from pathlib import Path

# warcio's and pywb's own test archives, as their repositories hold them (SOURCES.md there)
SAMPLES = Path(__file__).parent / "fixtures" / "warc-samples"


def sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLES.glob("*/*") if p.name not in ("LICENSE", "SOURCES.md"))
    assert files, f"no sample WARCs under {SAMPLES}"  # never an empty parametrisation
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
