"""Bytes → text without silent mojibake: the one decoder of xxgk.

The spider's link discovery, the WARC metadata records' link text, `xxgk warc show --body`
and the datasets all decode with it, so a page reads the same everywhere.

Order of evidence: byte-order mark, then the bytes themselves (text that is valid UTF-8 and not
plain ASCII is UTF-8 whatever the page claims: GBK text is practically never valid UTF-8), then
the HTTP charset, then <meta charset>/http-equiv/<?xml encoding?>, each accepted only if the
bytes really decode with it, then charset-normalizer. Legacy Chinese labels (gb2312, gbk, cp936…)
decode as gb18030, their superset, so characters outside GB2312 that servers send anyway survive.
When nothing decodes cleanly the least-damaged candidate wins and the damage is counted
(`Decoded.replaced`), never hidden.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Labels a page may declare -> the codec we really decode with.
ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    # WHATWG: latin-1 labels mean windows-1252; Chinese portals that say so usually lie (checked below)
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "unicode": "utf-16",
    "utf-16": "utf-16",
    "utf-16le": "utf-16-le",
    "utf-16be": "utf-16-be",
}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# The declaration must be found where a browser looks for it: the first few KB.
_SNIFF_BYTES = 8192
_META_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.IGNORECASE)
_ASCII = bytes(range(128))
_CT_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # codec actually used, e.g. "utf-8", "gb18030"
    source: str  # why: "bom" | "utf-8-valid" | "http" | "meta" | "detected" | "fallback" | "ascii"
    replaced: int = 0  # bytes that could not be decoded and became U+FFFD
    declared: str | None = None  # what the response claimed, normalised, if anything


def normalize_label(label: str | None) -> str | None:
    """A declared charset label → the Python codec we decode it with (None if unknown)."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in ALIASES:
        return ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The raw charset parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    m = _CT_CHARSET_RE.search(content_type)
    return m.group(1) if m else None


def declared_in_html(body: bytes) -> str | None:
    """The charset declared inside the document (meta charset, http-equiv, XML declaration)."""
    head = body[:_SNIFF_BYTES]
    m = _XML_DECL_RE.match(head) or _META_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(body: bytes, codec: str) -> tuple[str, int]:
    text = body.decode(codec, errors="replace")
    # U+FFFD in the output that was not in the input counts the damage
    return text, text.count("\ufffd")


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: without it we fall back to gb18030
        return None
    best = from_bytes(body[:200_000]).best()
    return normalize_label(best.encoding) if best else None


def decode_bytes(body: bytes, content_type: str | None = None, *, html: bool = True) -> Decoded:
    """Decode `body`, using the HTTP Content-Type value and (for HTML) in-document declarations."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text, bad = _lenient(body[len(bom) :], codec)
            return Decoded(text, codec, "bom", bad)

    http = normalize_label(charset_from_content_type(content_type))
    meta = normalize_label(declared_in_html(body)) if html else None
    declared = http or meta

    if body.isascii():
        return Decoded(
            body.decode("ascii"),
            declared if declared in ("utf-8", "gb18030") else "ascii",
            "ascii",
            declared=declared,
        )

    text = _strict(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8-valid", declared=declared)

    for source, codec in (("http", http), ("meta", meta)):
        if codec and codec not in ("utf-8", "cp1252", "utf-16"):
            text = _strict(body, codec)
            if text is not None:
                return Decoded(text, codec, source, declared=declared)

    # Mostly UTF-8 with a few broken bytes (a truncated response, one pasted GBK fragment): decoding
    # the whole page as GBK would garble everything else, so keep UTF-8 and count the damage.
    if http in (None, "utf-8") and meta in (None, "utf-8", "cp1252"):
        text, bad = _lenient(body, "utf-8")
        if bad * 50 < len(body.translate(None, _ASCII)):
            return Decoded(text, "utf-8", "fallback", bad, declared)

    # Declared UTF-8 (or nothing, or latin-1) but not valid UTF-8: Chinese portals' usual lie is GBK.
    text = _strict(body, "gb18030")
    if text is not None:
        return Decoded(text, "gb18030", "detected", declared=declared)

    detected = _detect(body)
    if detected and detected not in ("utf-8", "gb18030"):
        text = _strict(body, detected)
        if text is not None:
            return Decoded(text, detected, "detected", declared=declared)

    # Nothing is clean: keep the candidate that loses the fewest bytes, and say so.
    candidates = [c for c in (declared, "utf-8", "gb18030", detected) if c and c != "utf-16"]
    best: Decoded | None = None
    for codec in dict.fromkeys(candidates):
        try:
            text, bad = _lenient(body, codec)
        except LookupError:
            continue
        if best is None or bad < best.replaced:
            best = Decoded(text, codec, "fallback", bad, declared)
    assert best is not None  # utf-8 and gb18030 always exist
    return best


def decode_html(body: bytes, content_type_header: str | None = None) -> tuple[str, str]:
    """(text, encoding) of an HTML response body; never raises on bad bytes."""
    d = decode_bytes(body, content_type_header, html=True)
    return d.text, d.encoding
