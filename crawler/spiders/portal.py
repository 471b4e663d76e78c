"""The one generic spider: 信息公开 root → columns → listings → details → attachments.

Navigation only: which links to follow and what each response is. Plain links
come from one XPath pass; what CMSs hide in scripts, XML islands, JSON APIs and
POST-only pagers comes from the family modules the registry recognises in each
page (crawler/cms/registry.py). Scope is crawler/scope.py; back-off, retries and
WAF walls are crawler/politeness.py (a wall never reaches parse() as a page).
Capture is the download handler's job, extraction and datasets the item pipeline's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from archive.hashindex import HashIndex
from archive.payload import decode_text
from crawler.capture import META_KEY
from crawler.cms import registry
from crawler.cms.base import Found, Page
from crawler.collection import name_from_url
from crawler.completeness import ALIAS_KEY, STATS_KEY, ListingTally, claims, listing_key
from crawler.politeness import BLOCKED_META
from crawler.scope import Scope
from pipelines.pages import (
    ATTACHMENT,
    DETAIL,
    LISTING,
    PAGE,
    LinkResolver,
    iter_css_urls,
    iter_links,
    iter_requisites,
    link_role,
    looks_like_detail,
    meta_tags,
)
from pipelines.urls import canonical_url, without_session

# Scheduling priorities: finish documents before opening more listing pages,
# which keeps the frontier (and memory) small on big portals.
PRIORITY = {ATTACHMENT: 30, DETAIL: 20, LISTING: 10, PAGE: 0}
REQUISITE = "requisite"  # a stylesheet, script, image … of an archived page: never a document
ROLES = (None, PAGE, LISTING, DETAIL, ATTACHMENT)  # a link's role, as the small int the role map keeps
ROLE_CODES = {role: code for code, role in enumerate(ROLES)}


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(
        self,
        start_url: str | None = None,
        start_urls: list[str] | str | None = None,
        collection: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        urls: list[str] = []
        for value in (start_url, start_urls):
            if isinstance(value, str):
                urls.extend(u.strip() for u in value.split(",") if u.strip())
            elif value:
                urls.extend(value)
        if not urls:
            raise ValueError("give at least one start URL: -a start_url=URL")
        self.seed_urls = urls
        self.collection_name = collection or name_from_url(urls[0])
        # Keyed by 64-bit string hashes, not the URLs, in compact arrays (archive/hashindex.py): the
        # per-URL state of a big portal would otherwise be most of the crawl's memory
        self._roles = HashIndex()  # hash of every link URL met → ROLE_CODES of its role (0: skip)
        self._seen = HashIndex(values=False)  # hashes of the canonical URLs scheduled
        self._links = LinkResolver()  # href → absolute URL, memoised: navigation repeats on every page
        self.seed_errors: dict[str, str] = {}  # seeds that never answered, and why
        self.attachment_maxsize = 0  # XXGK_ATTACHMENT_MAXSIZE (from_crawler); 0: DOWNLOAD_MAXSIZE
        self.families = registry.FAMILIES  # XXGK_CMS_FAMILIES (from_crawler)
        self.requisites_left = 0  # XXGK_REQUISITES(_MAX) (from_crawler)
        self.requisite_timeout = 15.0
        self.listings = ListingTally()  # per listing: the size it states vs pages/items reached

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.scope = Scope.from_seeds(
            spider.seed_urls,
            extra_hosts=settings.getlist("XXGK_EXTRA_HOSTS"),
            include=settings.getlist("XXGK_INCLUDE"),
            exclude=settings.getlist("XXGK_EXCLUDE"),
            traps=settings.getbool("XXGK_EXCLUDE_TRAPS", True),
        )
        spider.attachment_maxsize = settings.getint("XXGK_ATTACHMENT_MAXSIZE", 0)
        spider.requisites_left = (
            settings.getint("XXGK_REQUISITES_MAX") if settings.getbool("XXGK_REQUISITES") else 0
        )
        spider.requisite_timeout = settings.getfloat("XXGK_REQUISITE_TIMEOUT")
        spider.families = registry.load(settings.getlist("XXGK_CMS_FAMILIES"))
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.seed_urls:
            self._mark_seen(url)
            yield scrapy.Request(
                url, callback=self.parse, errback=self.on_error, meta={"xxgk_role": PAGE, "xxgk_seed": True}
            )

    def on_error(self, failure) -> None:
        """A request that failed for good (after retries): counted, and reported if it was a seed."""
        request = failure.request
        name = type(failure.value).__name__
        if name.islower():  # zlib.error, socket.error …: the bare name says nothing
            name = f"{type(failure.value).__module__}.{name}"
        reason = f"{name}: {failure.getErrorMessage()}"
        self.crawler.stats.inc_value(f"xxgk/errors/{name}")
        self.logger.warning("failed %s: %s", request.url, reason)
        if request.meta.get("xxgk_seed"):
            self.seed_errors[request.url] = reason

    def _mark_seen(self, url: str, body: bytes = b"") -> bool:
        """True if the URL (canonicalised: session ids, query order, fragments) and, for a
        POST, its body have not been scheduled yet."""
        return self._seen.add(hash(canonical_url(url) + ("\0" + body.decode("latin-1") if body else "")))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        role = response.meta.get("xxgk_role", PAGE)
        stats.inc_value(f"xxgk/status/{response.status}")
        if response.meta.get("xxgk_seed") and response.status >= 400:
            self.seed_errors[response.url] = f"HTTP {response.status}"
        blocked = response.meta.get(BLOCKED_META)
        if blocked:  # a WAF wall or 验证码 page: archived as evidence, never a document or links
            if response.meta.get("xxgk_seed"):
                self.seed_errors[response.url] = f"blocked ({blocked})"
            return
        if response.status >= 400 or META_KEY not in response.meta:
            return
        if not isinstance(response, TextResponse) or role == ATTACHMENT:
            if role == ATTACHMENT or response.meta.get("xxgk_seed"):
                stats.inc_value("xxgk/attachments")
                yield self._document(response, "attachment")
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        # the decoder of the datasets and `warc show`, not Scrapy's own (w3lib trusts the label)
        text = decode_text(response.body, content_type)
        content_type = content_type.lower()
        page = Page(response.url, text, content_type, response.request.method if response.request else "GET")
        families = registry.recognise(page, self.families)
        column = response.meta.get("xxgk_column")
        if any(family.data_only(page) for family in families):
            # a CMS data answer (Hanweb datastore XML, gkmlpt JSON): items and pages only
            stats.inc_value("xxgk/pages/listing")
            found = list(registry.discover(page, families))
            listing = self._tally_listing(
                response, page, column, [f.url for f in found if f.role == DETAIL], found
            )
            yield from self._follow_found(response, found, column, listing)
            return
        detail_links = 0
        details: list[str] = []  # the detail links of the page (a listing's items, for completeness)
        pagers: list[str] = []  # its pager links
        links: list[tuple[str, str, str | None]] = []
        roles = self._roles
        paged = role == LISTING
        for url, anchor_text in iter_links(response.url, text, self._links):
            code = roles.get(hash(url))
            if code is None:
                role_of_link = link_role(url, anchor_text)
                links.append((url, role_of_link, anchor_text))  # new: to be scoped and scheduled
            else:
                role_of_link = ROLES[code]
            if role_of_link == DETAIL:
                detail_links += 1
                details.append(url)
            elif role_of_link == LISTING:
                paged = True
                pagers.append(url)
        # a page reached as a detail is a document: its families' listings would not be followed
        found = list(registry.discover(page, families)) if families and role != DETAIL else []
        for item in found:
            if item.role == DETAIL:
                detail_links += 1
                details.append(item.url)
            else:
                paged = True
        yield from self._requisites(response.url, text)
        meta = meta_tags(text) if role != DETAIL else {}
        is_document = role == DETAIL or looks_like_detail(response.url, meta, text, detail_links, paged)
        listing = None
        if is_document:
            stats.inc_value("xxgk/pages/detail")
            if response.meta.get("xxgk_from_listing"):
                self.listings.document(response.meta["xxgk_from_listing"], response.url)
            yield self._document(response, "page")
        else:
            stats.inc_value("xxgk/pages/listing")
            column = meta.get("ColumnName") or column
            listing = self._tally_listing(response, page, column, details, found, pagers)
        yield from self._follow(response, links, is_document, column, listing)
        if not is_document:  # from a document, only its files (plain links, above)
            yield from self._follow_found(response, found, column, listing)

    def _tally_listing(
        self, response: Response, page: Page, column, details: list[str], found: list[Found], pagers=()
    ) -> str:
        """Count a listing page, its items and what it claims (crawler/completeness.py); its key."""
        key = response.meta.get("xxgk_listing") or listing_key(response.url)
        claim = claims(page)
        self.listings.page(key, response.url, claim, column)
        self.listings.linked(key, details)
        if details or any(claim):  # a listing (not a catalogue of listings): its pager's pages are its own
            self.listings.pager_links(
                key, [*pagers, *(f.url for f in found if f.role == LISTING and f.method == "GET")]
            )
        return key

    def closed(self, reason: str) -> None:
        self.crawler.stats.set_value(STATS_KEY, self.listings.entries())
        self.crawler.stats.set_value(ALIAS_KEY, self.listings.aliases())

    def _requisites(self, base: str, text: str, css: bool = False) -> Iterator[scrapy.Request]:
        """What the page (or stylesheet) needs to be seen as it was: once per URL, any host, low
        priority, one short try (a missing analytics script must not stall the crawl)."""
        if self.requisites_left <= 0:
            return
        roles = self._roles
        for url in iter_css_urls(base, text) if css else iter_requisites(base, text, self._links):
            key = hash(url)
            if key in roles:  # the chrome repeats on every page: a dict lookup, not a canonical URL
                continue
            roles[key] = 0  # never a link to follow
            if not url.startswith(("http://", "https://")) or not self._mark_seen(url):
                continue
            self.requisites_left -= 1
            self.crawler.stats.inc_value("xxgk/requisites/scheduled")
            yield scrapy.Request(
                url,
                callback=self.parse_requisite,
                errback=self.on_requisite_error,
                priority=-10,
                meta={"xxgk_role": REQUISITE, "dont_retry": True, "download_timeout": self.requisite_timeout},
            )
            if self.requisites_left <= 0:
                self.crawler.stats.set_value("xxgk/requisites/capped", True)
                return

    def parse_requisite(self, response: Response, **kwargs: Any) -> Iterator[scrapy.Request]:
        """Archived, never a document; a stylesheet's own url()/@import requisites follow."""
        self.crawler.stats.inc_value(f"xxgk/requisites/status/{response.status}")
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if response.status == 200 and ("css" in content_type or response.url.split("?")[0].endswith(".css")):
            yield from self._requisites(response.url, decode_text(response.body, content_type), css=True)

    def on_requisite_error(self, failure) -> None:
        self.crawler.stats.inc_value(f"xxgk/requisites/failed/{type(failure.value).__name__}")

    def _request(
        self, url: str, role: str, response: Response, column, listing: str | None = None, **kwargs: Any
    ) -> scrapy.Request:
        meta = {"xxgk_role": role, "xxgk_parent": response.url, **kwargs.pop("meta", {})}
        if column:
            meta["xxgk_column"] = column
        if listing:
            meta["xxgk_from_listing"] = listing  # a document reached from this listing counts for it
        return scrapy.Request(
            without_session(url),
            callback=self.parse,
            errback=self.on_error,
            meta=meta,
            priority=PRIORITY[role],
            **kwargs,
        )

    def _follow_found(
        self, response: Response, found: list[Found], column, listing: str | None = None
    ) -> Iterator[scrapy.Request]:
        """What the CMS families found: items, script pagers, POST and JSON listing requests."""
        scope, roles = self.scope, self._roles
        for item in found:
            url = item.url
            if item.method == "GET" and hash(url) in roles:
                continue  # decided before (pager URLs repeat on every page of a listing)
            if item.role == ATTACHMENT:
                allowed = scope.attachment(url)
            elif item.role == DETAIL or item.api:
                allowed = scope.detail(url) or scope.page(url)
            else:
                allowed = scope.page(url)
            if item.method == "GET":
                roles[hash(url)] = ROLE_CODES[item.role] if allowed else 0
            if not allowed:
                self.crawler.stats.inc_value("xxgk/links/out_of_scope")
                continue
            if item.method == "POST":
                request = scrapy.FormRequest(
                    url,
                    formdata=list(item.form),
                    callback=self.parse,
                    errback=self.on_error,
                    meta={
                        "xxgk_role": item.role,
                        "xxgk_parent": response.url,
                        "xxgk_column": column,
                        # a POST to a data proxy is a page of the listing that asked (one URL for all columns)
                        "xxgk_listing": listing,
                    },
                    priority=PRIORITY[item.role],
                )
                if self._mark_seen(url, request.body):
                    yield request
            elif self._mark_seen(url):
                yield self._request(url, item.role, response, column, listing)

    def _follow(
        self, response: Response, links, is_document: bool, column, listing: str | None = None
    ) -> Iterator[scrapy.Request]:
        scope, roles = self.scope, self._roles
        for url, role, anchor_text in links:
            if role is None:
                roles[hash(url)] = 0
                continue
            if role == ATTACHMENT:
                allowed = scope.attachment(url)
            elif is_document:
                # from a document, only its files: its navigation was seen on the listings
                continue
            elif role == DETAIL:
                allowed = scope.detail(url) or scope.page(url)
            else:
                allowed = scope.page(url)
            if not allowed:
                roles[hash(url)] = 0
                self.crawler.stats.inc_value("xxgk/links/out_of_scope")
                continue
            roles[hash(url)] = ROLE_CODES[role]
            if not self._mark_seen(url):
                continue
            meta: dict[str, Any] = {}
            if role == ATTACHMENT:
                if anchor_text:
                    meta["xxgk_link_text"] = anchor_text.strip()
                if self.attachment_maxsize:
                    meta["download_maxsize"] = self.attachment_maxsize
            yield self._request(url, role, response, column, listing, meta=meta)

    def _document(self, response: Response, kind: str) -> dict[str, Any]:
        """The item the pipeline extracts from: the response as (url, headers, body) plus provenance."""
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items()
            for value in values
        ]
        return {
            "url": response.url,
            "kind": kind,
            "status": response.status,
            "headers": headers,
            "body": response.body,
            "parent_url": response.meta.get("xxgk_parent") if kind == "attachment" else None,
            "column": response.meta.get("xxgk_column"),
            "link_text": response.meta.get("xxgk_link_text") if kind == "attachment" else None,
            "warc": response.meta.get(META_KEY),
            "flags": list(response.flags),
        }
