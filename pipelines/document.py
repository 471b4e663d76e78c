"""One archived response → one row of the documents dataset.

This is the single entry point the live crawler and the WARC re-parser both call, with plain
(url, headers, body): no Scrapy objects, so both produce identical rows. Provenance fields
(fetched_at, warc_*, payload_digest) are the caller's to fill.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections import defaultdict
from urllib.parse import unquote, urlsplit

from archive.encoding import decode_bytes
from pipelines.attachments import read_attachment
from pipelines.boilerplate import ATTACHMENT_LABEL_RE, compact
from pipelines.fields import empty_document
from pipelines.headers import Headers, disposition_filename, header_value, media_type
from pipelines.htmltree import parse_html
from pipelines.links import ATTACHMENT_EXTENSIONS, extension, find_attachment_links
from pipelines.metadata import column_of, extract_metadata, plain, segments_of
from pipelines.normalize import (
    DocNo,
    clean_value,
    parse_datetime,
    parse_doc_no,
    split_keywords,
    unlabelled_doc_no,
)
from pipelines.regions import region_from_index_no
from pipelines.text import extract_text
from pipelines.title import choose_title
from pipelines.urls import doc_id

log = logging.getLogger(__name__)

HTML_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml", "application/xml+html"})
# Magic bytes that make a response an attachment whatever its Content-Type says:
# zip (docx/xlsx/ofd/zip), OLE2 (doc/wps/xls/et), RAR, 7z.
BINARY_MAGICS: tuple[bytes, ...] = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
)
HTML_STARTS: tuple[bytes, ...] = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<meta",
    b"<body",
    b"<?xml",
    b"<!--",
)
# Simple string fields copied from the metadata block as printed (after whitespace cleaning).
PLAIN_FIELDS: tuple[str, ...] = (
    "publisher",
    "category",
    "genre",
    "validity",
    "disclosure_term",
    "disclosure_scope",
    "source",
)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(HTML_STARTS) or b"<html" in head


def decide_kind(url: str, content_type: str | None, body: bytes, filename: str | None = None) -> str:
    """ "page" or "attachment". The bytes decide first (a PDF served as text/html is a PDF; an
    HTML error page served for a .pdf link is a page, but an .xls "export" that is HTML and
    served as application/vnd.ms-excel is an attachment), then the Content-Type, then the extension."""
    if body.startswith(BINARY_MAGICS) or b"%PDF-" in body[:1024]:
        return "attachment"
    if content_type in HTML_TYPES:
        return "page"
    ext = extension(filename) if filename else extension(urlsplit(url).path)
    binary_type = bool(content_type) and not content_type.startswith("text/")  # type: ignore[union-attr]
    if looks_like_html(body):
        return "attachment" if binary_type and ext in ATTACHMENT_EXTENSIONS else "page"
    if ext in ATTACHMENT_EXTENSIONS or binary_type:
        return "attachment"  # application/octet-stream, application/msword …
    return "page"


def _iso(d: object) -> str | None:
    return d.isoformat() if d is not None else None  # type: ignore[attr-defined]


def _fill_page(row: dict, url: str, content_type: str | None, body: bytes, include_text: bool) -> None:
    decoded = decode_bytes(body, content_type, html=True)
    row["encoding"] = decoded.encoding
    if decoded.replaced:
        row["extraction_error"] = (
            f"{decoded.replaced} undecodable byte sequences replaced (decoded as {decoded.encoding})"
        )
    tree = parse_html(decoded.text)
    segments = segments_of(tree)
    meta = extract_metadata(tree, segments)
    v = meta.values

    title = choose_title(tree, meta_title=v.get("title"), site_name=meta.meta.get("sitename"))
    row["title"] = title
    row["column"] = column_of(meta, title)
    row["index_no"] = v.get("index_no")
    _set_doc_no(row, parse_doc_no(v.get("doc_no")))
    pub_date, pub_time = parse_datetime(v.get("publish_date"))
    row["publish_date"], row["publish_time"] = _iso(pub_date), _iso(pub_time)
    row["written_date"] = _iso(parse_datetime(v.get("written_date"))[0])
    for name in PLAIN_FIELDS:
        row[name] = clean_value(v.get(name))
    row["keywords"] = split_keywords(v.get("keywords"))
    region = region_from_index_no(row["index_no"])
    if region:
        row.update(region_code=region.code, region_name=region.name, region_code_status=region.status)
    row["attachments"] = find_attachment_links(url, tree)

    if include_text:
        prune = list(meta.block_elements)
        if meta.breadcrumb_element is not None:
            prune.append(meta.breadcrumb_element)
        # own text per element to prune, so pruning can tell a metadata cell from a content <div>
        sizes: dict[object, int] = defaultdict(int)
        to_prune = set(prune)
        for seg in segments:
            if seg.element in to_prune:
                sizes[seg.element] += len(compact(seg.text))
        text = extract_text(
            tree,
            prune=prune,
            prune_sizes=sizes,
            title=title,
            # the page's text blocks, made only if trafilatura finds nothing
            fallback_segments=lambda: [plain(s.text) for s in segments],
            site=urlsplit(url).hostname,
            html=decoded.text,
        )
        row["text"] = text
        row["text_length"] = len(text) if text is not None else None
        if row["doc_no"] is None:  # none labelled: one printed alone atop the body
            _set_doc_no(row, unlabelled_doc_no(text))


def _set_doc_no(row: dict, doc_no: DocNo | None) -> None:
    if doc_no:
        row.update(
            doc_no=doc_no.raw,
            doc_no_issuer=doc_no.issuer,
            doc_no_year=doc_no.year,
            doc_no_serial=doc_no.serial,
        )


def _stem(name: str) -> str:
    name = name.strip()
    if extension(name) in ATTACHMENT_EXTENSIONS:
        name = name.rsplit(".", 1)[0].strip()
    return ATTACHMENT_LABEL_RE.sub("", name) or name  # "附件1：清单" → "清单"; a bare "附件" stays


def _attachment_title(
    filename: str | None, url: str, own_title: str | None, link_text: str | None
) -> str | None:
    """The file's own title, else the parent page's link text, else the served file name; a
    URL name only when it is words (P020190122591231213212.pdf says nothing)."""
    for candidate in (own_title, link_text, filename):
        if candidate and _stem(candidate):
            return _stem(candidate)
    stem = _stem(posixpath.basename(unquote(urlsplit(url).path)))
    return stem if _CJK_RE.search(stem) else None


def _fill_attachment(
    row: dict,
    url: str,
    content_type: str | None,
    body: bytes,
    filename: str | None,
    include_text: bool,
    link_text: str | None,
) -> None:
    if not include_text:
        row["title"] = _attachment_title(filename, url, None, link_text)
        return
    content = read_attachment(
        body, filename=filename or posixpath.basename(unquote(urlsplit(url).path)), content_type=content_type
    )
    row["title"] = _attachment_title(filename, url, content.title, link_text)
    row["text"] = content.text
    row["text_length"] = len(content.text) if content.text is not None else None
    row["encoding"] = content.encoding
    if content.error:
        row["extraction_error"] = f"{content.format}: {content.error}"


def extract_document(
    url: str,
    headers: Headers | None,
    body: bytes,
    *,
    status: int | None = None,
    parent_url: str | None = None,
    include_text: bool = True,
    link_text: str | None = None,
) -> dict:
    """The documents row for one response (see `pipelines.fields`); never raises on bad input:
    what could not be read is said in `extraction_error`.

    headers: a dict or (name, value) pairs, any case, names may repeat. include_text=False skips
    the main-text pass (trafilatura, attachment readers). link_text: for an attachment, the anchor
    text on its parent page, the best title when the file names none."""
    row = empty_document()
    row.update(doc_id=doc_id(url), url=url, status=status, parent_url=parent_url)
    raw_ct = header_value(headers, "content-type")
    row["content_type"] = media_type(raw_ct)
    filename = disposition_filename(header_value(headers, "content-disposition"))
    body = body or b""
    row["kind"] = decide_kind(url, row["content_type"], body, filename)
    if not body:
        row["extraction_error"] = "empty body"
        return row
    try:
        if row["kind"] == "page":
            _fill_page(row, url, raw_ct, body, include_text)
        else:
            _fill_attachment(row, url, raw_ct, body, filename, include_text, link_text)
    except Exception as exc:  # one odd page must not stop a crawl of thousands: record and go on
        log.warning("extraction failed for %s", url, exc_info=True)
        row["extraction_error"] = f"internal error: {type(exc).__name__}: {exc}"
    return row
