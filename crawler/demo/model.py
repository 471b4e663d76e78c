"""What a demo site is made of: served resources and the ground truth about them.

`DemoSite` is plain data: the server serves `DemoSite.resolve(target)`, the
exporter writes `DemoSite.pages`, and tests compare what the crawler found with
`documents`, `listing_pages` and `columns`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

# The metadata fields the ground truth records for each document, in the
# project's names (pipelines/fields.py). Absent on the page = None.
METADATA_FIELDS: tuple[str, ...] = (
    "title",
    "index_no",
    "doc_no",
    "doc_no_issuer",
    "doc_no_year",
    "doc_no_serial",
    "publish_date",
    "publish_time",
    "publisher",
    "written_date",
    "category",
    "genre",
    "keywords",
    "validity",
    "disclosure_term",
    "disclosure_scope",
    "source",
    "column",
    "region_code",
)


class Resource:
    """One HTTP response the portal serves for a path (with query).

    The body may be rendered lazily (PDF/DOCX attachments): rendering is pure,
    so two renders give the same bytes and no lock is needed.
    """

    __slots__ = ("_body", "_etag", "_render", "content_type", "headers", "modified", "status")

    def __init__(
        self,
        body: bytes | Callable[[], bytes],
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        modified: datetime | None = None,
    ) -> None:
        if callable(body):
            self._body: bytes | None = None
            self._render: Callable[[], bytes] | None = body
        else:
            self._body, self._render = body, None
        self.content_type = content_type
        self.status = status
        self.headers: dict[str, str] = dict(headers or {})
        self.modified = modified  # Last-Modified; None = dynamic, no validators
        self._etag: str | None = None

    @property
    def body(self) -> bytes:
        body = self._body
        if body is None:
            assert self._render is not None
            # two threads may both render: same bytes, so the race is harmless
            body = self._body = self._render()
        return body

    @property
    def cacheable(self) -> bool:
        """Static 200 pages carry ETag/Last-Modified and answer 304."""
        return self.status == 200 and self.modified is not None

    @property
    def etag(self) -> str | None:
        if not self.cacheable:
            return None
        if self._etag is None:
            self._etag = '"' + hashlib.md5(self.body).hexdigest()[:20] + '"'
        return self._etag

    @property
    def last_modified(self) -> str | None:
        if not self.cacheable:
            return None
        assert self.modified is not None
        return format_datetime(self.modified.astimezone(UTC), usegmt=True)

    def response_headers(self) -> dict[str, str]:
        """Content-Type, validators and extras (Location, Content-Disposition…)."""
        out = {"Content-Type": self.content_type}
        if self.cacheable:
            out["Last-Modified"] = self.last_modified or ""
            out["ETag"] = self.etag or ""
        out.update(self.headers)
        return out

    def __repr__(self) -> str:
        size = len(self._body) if self._body is not None else "lazy"
        return f"Resource(status={self.status}, content_type={self.content_type!r}, size={size})"


@dataclass(frozen=True)
class Column:
    """A 栏目 of the 信息公开 tree."""

    code: str  # short pinyin code, also the TRS directory name: "xzfwj"
    name: str  # 县政府文件
    family: str  # "trs" | "query" | "parent" (overview page of sub-columns)
    path: str  # entry page: first listing page, or the parent's overview page
    parent: str | None = None  # parent column code
    cid: int | None = None  # query family: ?cid=
    children: tuple[str, ...] = ()
    listing_paths: tuple[str, ...] = ()  # every listing page, in page order
    document_paths: tuple[str, ...] = ()  # detail pages listed, newest first


@dataclass(frozen=True)
class ListingPage:
    path: str  # with query for the query family
    column: str  # column code
    family: str  # "trs" | "query"
    number: int  # 1-based page number
    total_pages: int
    items: tuple[str, ...]  # detail paths linked from this page, in order

    @property
    def index(self) -> int:
        """0-based, as TRS createPageHTML counts (index.htm = 0, index_1.htm = 1)."""
        return self.number - 1


def _absolute(base_url: str, path: str) -> str:
    """Paths are on the portal; a document on another host (a file server) has its full URL."""
    return path if "://" in path else base_url + path


@dataclass
class Document:
    """A detail page or an attachment, with what a perfect extractor would return."""

    path: str
    kind: str  # "page" | "attachment"
    parent: str | None  # attachment: the detail page linking it
    title: str
    column: str  # column name (栏目) it is listed in
    column_code: str
    metadata: dict[str, Any]  # METADATA_FIELDS -> value (None when absent)
    encoding: str  # codec the bytes are in: "utf-8" | "gbk" (attachments: "binary")
    content_type: str  # media type without parameters
    layout: str  # metadata template (layouts.TEMPLATES key, or "trs") / attachment format: pdf|docx|xlsx
    family: str  # pagination family of its column: "trs" | "query"
    paragraphs: tuple[str, ...] = ()  # body text, block by block (tables as tab-joined rows)
    attachments: tuple[str, ...] = ()  # attachment paths linked from the page
    # table/list layouts: label -> value exactly as printed; trs: {"info_line": "发布时间：… | 来源：…"}
    printed: dict[str, str] = field(default_factory=dict)
    http_charset: str | None = None  # charset in the Content-Type header, None if absent
    meta_charset: str | None = None  # charset declared in the HTML
    seed: str | None = None  # seed key ("000"…) when the text is a real seed document
    link_text: str | None = None  # attachment: the anchor text on the parent page
    revision: int = 0  # first published in build_site(revision=...)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def expected(self, base_url: str) -> dict[str, Any]:
        """The dataset row a perfect crawl + extraction would produce (fields of
        pipelines/fields.py that the generator knows; provenance is left out)."""
        return {
            "url": _absolute(base_url, self.path),
            "kind": self.kind,
            "parent_url": _absolute(base_url, self.parent) if self.parent else None,
            "content_type": self.content_type,
            "status": 200,
            **self.metadata,
            "attachments": [_absolute(base_url, a) for a in self.attachments]
            if self.kind == "page"
            else None,
        }


@dataclass
class DemoSite:
    """A generated portal: resources by path, plus the generator's ground truth."""

    name: str
    seed: int
    size: int
    title: str  # portal name shown in the header
    root_path: str  # the 信息公开 root, where a crawl starts
    pages: dict[str, Resource]  # path (with query) -> static resource
    documents: list[Document]
    listing_pages: list[ListingPage]
    columns: list[Column]
    redirects: dict[str, str]  # path -> Location (301)
    broken_links: tuple[str, ...]  # linked paths that answer 404, as on real portals
    disallowed_prefixes: tuple[str, ...]  # robots.txt Disallow
    options: dict[str, Any] = field(default_factory=dict)  # build flags (e.g. wrong_charset)
    # dynamic endpoints: path -> handler(method, query, body) (Hanweb's POST data proxy, traps)
    handlers: dict[str, Callable[[str, str, bytes], Resource]] = field(default_factory=dict)
    # answers before everything else (rate limits, WAF walls: crawler/demo/walls.py); None = pass
    gate: Callable[[str, str], Resource | None] | None = None

    _doc_index: dict[str, Document] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def document(self, path: str) -> Document:
        """The ground truth of one detail page or attachment by path."""
        if not self._doc_index:
            with self._lock:
                self._doc_index = {d.path: d for d in self.documents}
        return self._doc_index[path]

    @property
    def detail_pages(self) -> list[Document]:
        return [d for d in self.documents if d.kind == "page"]

    @property
    def attachments(self) -> list[Document]:
        return [d for d in self.documents if d.kind == "attachment"]

    def column(self, code: str) -> Column:
        for col in self.columns:
            if col.code == code:
                return col
        raise KeyError(code)

    def resolve(self, target: str) -> Resource:
        """The response for a request target (path + optional query); never raises.

        Static pages come from `pages`; redirects, 404s and the dynamic pages
        (site search, print view) are answered by crawler.demo.routes.
        """
        from crawler.demo.routes import resolve  # routes renders pages: import late

        return resolve(self, target)

    def respond(self, method: str, target: str, body: bytes = b"") -> Resource:
        """The response to any request: the gate, dynamic handlers, then `resolve` for GET/HEAD."""
        if self.gate is not None:
            gated = self.gate(method, target)
            if gated is not None:
                return gated
        if self.handlers:
            path, _, query = target.partition("?")
            handler = self.handlers.get(path)
            if handler is not None:
                return handler(method, query, body)
        if method not in ("GET", "HEAD"):
            return Resource(b"", "text/html", status=405, headers={"Allow": "GET, HEAD"})
        return self.resolve(target)
