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

from crawler.cms.base import ATTACHMENT, DETAIL, LISTING, PAGE
from crawler.cms.patterns import DETAIL_LABELS, DETAIL_META_NAMES, DETAIL_URL_PATTERNS, PAGER_TEXTS
from pipelines.links import SKIP_SCHEMES, classify_link

_DETAIL = re.compile("|".join(f"(?:{p})" for p in DETAIL_URL_PATTERNS))
_LINKS_XPATH = "//a[@href]|//area[@href]|//iframe[@src]|//frame[@src]"

__all__ = ["ATTACHMENT", "DETAIL", "LISTING", "PAGE", "iter_links", "link_role", "looks_like_detail"]


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


def iter_links(url: str, selector: Selector, text: str) -> Iterator[tuple[str, str | None]]:
    """(absolute URL without fragment, anchor text) for each link of the page.

    Script-driven pagers and embedded listings are the CMS families' (crawler/cms/registry.py)."""
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
