"""Finding the links of a portal page and what each one is.

Work here runs for every link of every page (≈50 per page on county portals,
mostly the same navigation), so it is kept to one XPath pass and string
operations, and the spider caches each URL's role: a link seen before costs a
dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from parsel import Selector

from crawler.cms.patterns import (
    DETAIL_LABELS,
    DETAIL_META_NAMES,
    DETAIL_URL_PATTERNS,
    PAGER_TEXTS,
    TRS_PAGER,
)
from pipelines.links import SKIP_SCHEMES, classify_link

_DETAIL = re.compile("|".join(f"(?:{p})" for p in DETAIL_URL_PATTERNS))
_LINKS_XPATH = "//a[@href]|//area[@href]|//iframe[@src]|//frame[@src]"

PAGE, LISTING, DETAIL, ATTACHMENT = "page", "listing", "detail", "attachment"


def link_role(url: str, text: str | None = None) -> str | None:
    """page | listing | detail | attachment for an absolute URL, or None to skip it."""
    kind = classify_link(url, text)
    if kind == "attachment":
        return ATTACHMENT
    if kind != "page":
        return None  # media, scripts, mailto:
    if _DETAIL.search(url):
        return DETAIL
    if text and text.strip() in PAGER_TEXTS:
        return LISTING
    return PAGE


def trs_pager_urls(page_url: str, text: str) -> list[str]:
    """Every page of a TRS WCM listing, from its createPageHTML(total, cur, name, ext) call."""
    match = TRS_PAGER.search(text)
    if not match:
        return []
    total, name, ext = int(match.group(1)), match.group(3), match.group(4)
    total = min(total, 10_000)  # a pager claiming more is broken, not a portal
    base = urljoin(page_url, "./")
    return [urljoin(base, f"{name}.{ext}")] + [urljoin(base, f"{name}_{i}.{ext}") for i in range(1, total)]


def iter_links(url: str, selector: Selector, text: str) -> Iterator[tuple[str, str | None]]:
    """(absolute URL without fragment, anchor text) for each link; pager pages with text "下一页"."""
    base = selector.xpath("//base/@href").get()
    base = urljoin(url, base.strip()) if base else url
    for node in selector.xpath(_LINKS_XPATH):
        root = node.root
        href = root.get("href") or root.get("src")
        if not href:
            continue
        href = href.strip()
        if not href or href.lower().startswith(SKIP_SCHEMES):
            continue
        try:
            absolute = urljoin(base, href)
        except ValueError:  # malformed (bad IPv6 literal, bad port): not fetchable
            continue
        yield absolute.split("#", 1)[0], root.text
    for page in trs_pager_urls(url, text):
        yield page, "下一页"


def looks_like_detail(url: str, selector: Selector, text: str, detail_links: int, paged: bool) -> bool:
    """Whether an HTML page is a document page: by URL, TRS meta tags or a metadata block.

    Listings of 信息公开目录 often have 索引号/发布机构 column headers too, so the
    label evidence only counts on pages that are not part of a paged listing
    (reached through a pager or carrying one) and list few documents themselves.
    """
    if _DETAIL.search(url):
        return True
    for name in DETAIL_META_NAMES:
        if selector.xpath(f"//meta[@name='{name}']/@content").get():
            return True
    if paged:
        return False
    return detail_links < 3 and any(label in text for label in DETAIL_LABELS)
