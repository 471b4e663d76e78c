"""Completeness against the portal's own words: what each listing says it holds, what the crawl reached.

Listings state their size — 共N条 / 共N页 in the pager, ``var countPage = N``, TRS
``createPageHTML(N, …)``, Hanweb ``<totalrecord>``/``totalRecord``, EmpireCMS's
``<a title="Total record"><b>N</b></a>``, gkmlpt's ``total``, the
``total``/``pageCount`` of data in scripts. The spider tallies, per listing (all pages of one
column's listing share a key: the first page's URL with the page number taken out), the pages it
parsed, the distinct detail links they carried and the documents fetched from them; at the end a
listing whose claim is above what was reached is a shortfall. The summary, the manifest and the
run report list them, and `xxgk crawl` ends with exit status 4 (SHORTFALL_EXIT).

The tallies are counts, so the processes of `--processes N` add theirs up (crawler/shards.py
joins the lists): each listing page and each document is fetched by exactly one process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from crawler.cms import hanweb, scriptdata, trs
from crawler.cms.base import Page
from crawler.cms.patterns import PAGER_QUERY_KEYS

SHORTFALL_EXIT = 4  # `xxgk crawl`: finished, but a listing claims more than the crawl reached
STATS_KEY = "xxgk/listings/tally"  # list of per-listing tallies (joined across processes)
ALIAS_KEY = "xxgk/listings/aliases"  # [key, key] pairs: two keys found to be one listing

# What listings say about their size, as data: (regex, what the number counts).
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
PAGE_FIELD = re.compile(r"""\b(?:pageCount|totalPage|totalPages|pageTotal)\s*[:=]\s*['"]?(\d+)""")
# EmpireCMS (帝国CMS) pager: <a title="Total record">&nbsp;<b>101</b> </a>
TOTAL_RECORD_TITLE = re.compile(
    r"""\btitle\s*=\s*["']?Total\s+record["']?[^>]*>(?:\s|&nbsp;|&#160;|<[a-z][^>]*>)*(\d+)""", re.I
)
PAGE_CLAIMS: tuple[re.Pattern[str], ...] = (
    re.compile(r"共\s*(\d+)\s*页"),
    COUNT_PAGE,
    PAGE_FIELD,
    trs.PAGER,
)
RECORD_CLAIMS: tuple[re.Pattern[str], ...] = (
    re.compile(r"共\s*(\d+)\s*条"),
    re.compile(r"共有\s*(\d+)\s*条"),
    re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I),
    TOTAL_RECORD_TITLE,
    hanweb.TOTAL_IN_SCRIPT,
    re.compile(r'^\s*\{.*?"total"\s*:\s*(\d+)', re.S),  # gkmlpt's JSON answer (page 1)
)
# The claims that start with \b give sre no first character to skip to: each takes ~0.3 ms a
# page, a substring test ~5 us. They are searched only in pages with a text they need.
_NEEDS: dict[re.Pattern[str], tuple[str, ...]] = {
    COUNT_PAGE: ("countPage",),
    PAGE_FIELD: ("pageCount", "totalPage", "pageTotal"),  # totalPages has totalPage
}
# The same for re.I ones, whose text is sought in the page's lowercased UTF-8: re.I pairs t, o,
# a and l with their ASCII capitals alone (not so i, s and k: İ, ı, ſ and K match them too).
_NEEDS_ANY_CASE: dict[re.Pattern[str], bytes] = {
    TOTAL_RECORD_TITLE: b"total",
    hanweb.TOTAL_IN_SCRIPT: b"total",
}
MAX_CLAIM = 1_000_000  # a claim beyond this is a broken counter, not a portal

# the page number in a listing page's file name (index_3.html, list-3.htm) and the first page's names
NUMBERED_FILE = re.compile(r"([_-])\d+(\.\w+)$")
FIRST_PAGE_FILE = re.compile(r"/(?:index|default|list)\.(?:s?html?|jsp|php|aspx?)$", re.I)
PAGE_KEYS = frozenset(k.lower() for k in (*PAGER_QUERY_KEYS, *scriptdata.CURRENT_KEYS))
RANGE_KEYS = frozenset({"startrecord", "endrecord", "perpage"})


@lru_cache(maxsize=4096)  # a listing's pager links repeat on each of its pages: ~10 us a URL
def listing_key(url: str) -> str:
    """The listing a page belongs to: its URL without the page number (index_3.html → ./,
    ?page=3 dropped), so every page of a column's listing has the same key however it was reached."""
    parts = urlsplit(url)
    path = NUMBERED_FILE.sub(r"\2", parts.path) if NUMBERED_FILE.search(parts.path) else parts.path
    for name in ("index", "list"):  # index_3.html → index.html → the directory
        path = re.sub(rf"/{name}_\d+(\.\w+)$", rf"/{name}\1", path)
    path = FIRST_PAGE_FILE.sub("/", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in PAGE_KEYS]
    return parts._replace(path=path, query=urlencode(sorted(query)), fragment="").geturl()


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> int | None:
    lowered: bytes | None = None
    for pattern in patterns:
        if pattern in _NEEDS and not any(needed in text for needed in _NEEDS[pattern]):
            continue
        if pattern in _NEEDS_ANY_CASE:
            if lowered is None:
                lowered = text.encode("utf-8", "surrogatepass").lower()  # ASCII letters only
            if _NEEDS_ANY_CASE[pattern] not in lowered:
                continue
        match = pattern.search(text)
        if match:
            value = int(match.group(1))
            if 0 < value <= MAX_CLAIM:
                return value
    return None


def claims(page: Page) -> tuple[int | None, int | None]:
    """(pages, records) a listing page (or a CMS data answer) says its listing has."""
    pages, records = scriptdata.claimed(page)
    text = page.text
    if page.method == "POST" or hanweb.RANGE.search(page.url):
        pages = None  # a Hanweb group answer repeats the column's count; it has no pager of its own
    else:
        pages = pages or _first(PAGE_CLAIMS, text)
    return pages, records or _first(RECORD_CLAIMS, text)


class ListingTally:
    """Per listing: claims, pages parsed, detail links seen, documents fetched (as hashes)."""

    def __init__(self) -> None:
        self._listings: dict[str, dict[str, Any]] = {}
        self._aliases: dict[str, str] = {}

    def pager_links(self, key: str, urls: list[str]) -> None:
        """Pages a listing's pager leads to are the same listing, whatever their URLs' keys
        (/czxx/ → ?cid=43&pageNo=2: the page-1 URL does not carry the column's parameter), but for
        a directory above the listing's own: a breadcrumb's 首页 (the site's or the section's home)."""
        for url in urls:
            other = listing_key(url)
            if other != key and other not in self._aliases and not _above(other, key):
                self._aliases[other] = key

    def aliases(self) -> list[list[str]]:
        return [[a, b] for a, b in self._aliases.items()]

    def _entry(self, key: str) -> dict[str, Any]:
        entry = self._listings.get(key)
        if entry is None:
            entry = self._listings[key] = {
                "column": None,
                "claimed_pages": None,
                "claimed_records": None,
                "pages": set(),
                "linked": set(),
                "documents": set(),
            }
        return entry

    def page(self, key: str, url: str, claim: tuple[int | None, int | None], column: str | None) -> None:
        entry = self._entry(key)
        entry["pages"].add(hash(_page_id(url)))
        pages, records = claim
        if pages:
            entry["claimed_pages"] = max(entry["claimed_pages"] or 0, pages)
        if records:
            entry["claimed_records"] = max(entry["claimed_records"] or 0, records)
        entry["column"] = entry["column"] or column

    def linked(self, key: str, urls: list[str]) -> None:
        self._entry(key)["linked"].update(hash(u) for u in urls)

    def document(self, key: str, url: str) -> None:
        self._entry(key)["documents"].add(hash(url))

    def entries(self) -> list[dict[str, Any]]:
        """The listings that state a size, as plain counts (stats: joined across processes)."""
        return [
            {
                "listing": key,
                "column": e["column"],
                "claimed_pages": e["claimed_pages"],
                "claimed_records": e["claimed_records"],
                "pages": len(e["pages"]),
                "linked": len(e["linked"]),
                "documents": len(e["documents"]),
            }
            for key, e in self._listings.items()
            if e["claimed_pages"] or e["claimed_records"]
        ]


def _above(other: str, key: str) -> bool:
    """Whether the listing key `other` is a directory above the directory of the listing `key`."""
    o, k = urlsplit(other), urlsplit(key)
    if o.netloc != k.netloc or o.query or not o.path.endswith("/"):
        return False
    directory = k.path[: k.path.rfind("/") + 1]
    return len(o.path) < len(directory) and directory.startswith(o.path)


def _page_id(url: str) -> str:
    """index.html and the bare directory are the same first page."""
    parts = urlsplit(url)
    return parts._replace(path=FIRST_PAGE_FILE.sub("/", parts.path), fragment="").geturl()


def report(stats: dict[str, Any]) -> dict[str, Any]:
    """{"listings": N checked, "shortfalls": [{listing, column, claimed_pages, reached_pages,
    claimed_records, reached_records}]} from a crawl's (or its processes' joined) stats."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:  # union-find over the aliases (chains, and both directions)
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    for a, b in stats.get(ALIAS_KEY) or []:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb, key=len)] = min(ra, rb, key=len)  # the shorter key names the listing
    merged: dict[str, dict[str, Any]] = {}
    for entry in stats.get(STATS_KEY) or []:
        into = merged.setdefault(
            root(entry["listing"]),
            {
                "column": None,
                "claimed_pages": None,
                "claimed_records": None,
                "pages": 0,
                "linked": 0,
                "documents": 0,
            },
        )
        for name in ("claimed_pages", "claimed_records"):
            if entry[name]:
                into[name] = max(into[name] or 0, entry[name])
        for name in ("pages", "linked", "documents"):
            into[name] += entry[name]
        into["column"] = into["column"] or entry["column"]
    shortfalls = []
    for key, e in sorted(merged.items()):
        reached_records = max(e["linked"], e["documents"])
        short_pages = e["claimed_pages"] is not None and e["pages"] < e["claimed_pages"]
        short_records = e["claimed_records"] is not None and reached_records < e["claimed_records"]
        if short_pages or short_records:
            shortfalls.append(
                {
                    "listing": key,
                    "column": e["column"],
                    "claimed_pages": e["claimed_pages"],
                    "reached_pages": e["pages"],
                    "claimed_records": e["claimed_records"],
                    "reached_records": reached_records,
                }
            )
    return {"listings": len(merged), "shortfalls": shortfalls}


def describe(shortfall: dict[str, Any]) -> str:
    """One line: which listing, what it claims, what was reached."""
    parts = []
    if shortfall["claimed_pages"] is not None:
        parts.append(f"pages {shortfall['reached_pages']} of {shortfall['claimed_pages']}")
    if shortfall["claimed_records"] is not None:
        parts.append(f"items {shortfall['reached_records']} of {shortfall['claimed_records']}")
    column = f" ({shortfall['column']})" if shortfall["column"] else ""
    return f"{shortfall['listing']}{column}: reached " + ", ".join(parts)
