"""From an archived HTTP message to its content: entity, content decoding, text.

WARC 1.1 §6.3.2 calls the body with transfer coding removed the *payload*
(the entity): de-chunked but still content-coded. That is what payload digests
cover and what dedup compares. Decoding Content-Encoding and the charset is
only for people and parsers reading the content, never for checking.
"""

from __future__ import annotations

import re
import zlib

from archive.encoding import decode_bytes
from archive.errors import ArchiveError
from archive.http import HttpHead, dechunk, is_chunk_framed

__all__ = [
    "ContentDecodingError",
    "content_codings",
    "decode_content",
    "decode_text",
    "entity",
    "is_chunked",
    "is_text",
    "stored_dechunked",
]


class ContentDecodingError(ArchiveError):
    """A body whose Content-Encoding does not decode."""


def is_chunked(head: HttpHead) -> bool:
    # only the last transfer coding frames the message (RFC 9112 §6.3)
    codings = head.tokens("transfer-encoding")
    return bool(codings) and codings[-1] == b"chunked"


def stored_dechunked(head: HttpHead | None, body: bytes) -> bool:
    """Transfer-Encoding says chunked, but the body was stored without its framing."""
    return head is not None and is_chunked(head) and not is_chunk_framed(body)


def entity(head: HttpHead | None, body: bytes) -> tuple[bytes, bool]:
    """(body with chunked framing removed, framing complete). Other bodies, and bodies stored
    de-chunked under a chunked header (pywb's recorder), are returned as stored."""
    if head is not None and is_chunked(head) and is_chunk_framed(body):
        return dechunk(body)
    return body, True


def content_codings(head: HttpHead) -> list[str]:
    """Content codings in the order they were applied (identity left out)."""
    return [c.decode("latin-1") for c in head.tokens("content-encoding") if c != b"identity"]


def _gunzip(data: bytes) -> bytes:
    # concatenated gzip members are legal; decompress them all
    out = []
    while data:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out.append(d.decompress(data))
        if not d.eof:
            break
        data = d.unused_data.lstrip(b"\x00")
    return b"".join(out)


def _inflate(data: bytes) -> bytes:
    # "deflate" should be zlib-wrapped (RFC 9110 §8.4.1.2) but many servers send raw deflate
    try:
        return zlib.decompress(data)
    except zlib.error:
        return zlib.decompress(data, -zlib.MAX_WBITS)


def _brotli(data: bytes) -> bytes:
    import brotli  # optional (pip install brotli); without it "br" bodies are reported, not decoded

    return brotli.decompress(data)


def _zstd(data: bytes) -> bytes:
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        from backports import zstd  # optional
    return zstd.decompress(data)


_DECODERS = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _inflate, "br": _brotli, "zstd": _zstd}


def decode_content(data: bytes, codings: list[str]) -> bytes:
    """Undo content codings (last applied first)."""
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")
        try:
            data = decoder(data)
        except ImportError as exc:
            raise ContentDecodingError(f"cannot decode {coding!r}: {exc.name} is not installed") from exc
        except Exception as exc:  # each library raises its own error type
            raise ContentDecodingError(f"body does not decode as {coding!r}: {exc}") from exc
    return data


_TEXT_TYPES = re.compile(
    r"^(text/|application/(?:[\w.+-]*\+)?(?:json|xml|javascript|ecmascript|x-www-form-urlencoded)\b)"
)


def _as_bytes(content_type: str | bytes | None) -> bytes:
    if isinstance(content_type, str):
        return content_type.encode("latin-1", "replace")
    return content_type or b""


def is_text(content_type: str | bytes | None) -> bool:
    """Whether a Content-Type value names text (text/*, JSON, XML, JavaScript, forms)."""
    media = _as_bytes(content_type).split(b";")[0].strip().decode("latin-1").lower()
    return bool(_TEXT_TYPES.match(media))


def decode_text(body: bytes, content_type: str | bytes | None = None) -> str:
    """Text of a (content-decoded) body, by the one decoder every part of xxgk uses
    (archive.encoding: BOM, valid UTF-8, declared charsets checked against the bytes, detection)."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = (content_type or "").split(";")[0].strip().lower()
    markup = not media or "html" in media or "xml" in media  # <meta charset>, <?xml encoding?> count
    return decode_bytes(body, content_type, html=markup).text
