"""TRS WCM static publishing: the pager is a script call, not links.

    createPageHTML(12, 0, "index", "htm");   (total pages, current index, base name, ext)

gives index.htm, index_1.htm … index_11.htm next to the listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from crawler.cms.base import LISTING, Found, Page

NAME = "trs"
MARKERS: tuple[str, ...] = ("createPageHTML",)

PAGER = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
MAX_PAGES = 10_000  # a pager claiming more is broken, not a portal


def pager_urls(page_url: str, text: str) -> list[str]:
    """Every page of a TRS WCM listing, from its createPageHTML(total, cur, name, ext) call."""
    match = PAGER.search(text)
    if not match:
        return []
    total, name, ext = min(int(match.group(1)), MAX_PAGES), match.group(3), match.group(4)
    base = urljoin(page_url, "./")
    return [urljoin(base, f"{name}.{ext}")] + [urljoin(base, f"{name}_{i}.{ext}") for i in range(1, total)]


def data_only(page: Page) -> bool:
    return False


def discover(page: Page) -> Iterator[Found]:
    urls = pager_urls(page.url, page.text)
    for url in urls:
        yield Found(url, LISTING, "下一页")
    if not urls:
        from crawler.cms import script  # (script.py uses PAGER: imported here, not at the top)

        if not any(marker in page.text for marker in script.MARKERS):  # else script.py runs on its own
            # createPageHTML(countPage, …) with computed arguments: the sandbox evaluates them
            yield from script.discover(page)
