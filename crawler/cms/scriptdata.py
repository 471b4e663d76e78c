"""Listings whose entries exist only as data in a script (provincial 集约化 platforms).

Jiangxi's and Zhejiang's intensive platforms ship a listing's articles as JSON and render them in
the browser with a template engine; the HTML has no <a> to any article:

    var listData = {"total": 50, "perPage": 20, "current": 1, "articleList": [
      {"title": "…", "urls": "{\\"pc\\":\\"/art/col/col123/content/content_18452.html\\"}",
       "articleFiles": [{"url": "/uploadfiles/…/a.pdf"}]}, …]};

Every URL-like string in such data (JSON-escaped once, twice, or not at all) that looks like a
detail page or an attachment is an item; the data's own paging fields (total / perPage / current,
pageCount) say how many pages there are, and a data-proxy URL in the script (a URL with a page
parameter), or else the page itself with the data's current-page parameter, reaches them.
The same reading applies to the proxy's JSON answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.cms.base import ATTACHMENT, DETAIL, LISTING, Found, Page
from pipelines.pages import link_role

NAME = "scriptdata"
# Evidence: the field names these platforms' data uses (data: extend here).
MARKERS: tuple[str, ...] = ("articleList", "listData", '"urls"', "articleFiles", "dataList", "infoList")

SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)
# a quoted path or absolute URL, once the data is unescaped
QUOTED_URL = re.compile(r"""["'](https?://[^"'\s<>]+|/[^"'\s<>/][^"'\s<>]*)["']""")
# paging fields of the data: "total": 50, perPage: 20, current: 1, "pageCount": 3
NUMBER_FIELD = r"""["']?{name}["']?\s*:\s*["']?(\d+)"""
TOTAL_KEYS: tuple[str, ...] = ("total", "totalRecord", "totalCount", "recordCount", "totalNum")
PER_PAGE_KEYS: tuple[str, ...] = ("perPage", "pageSize", "perpage", "page_size", "rows")
PAGES_KEYS: tuple[str, ...] = ("pageCount", "totalPage", "totalPages", "pages")
CURRENT_KEYS: tuple[str, ...] = ("current", "pageNum", "pageNo", "currentPage", "page", "pageIndex")
MAX_PAGES = 2000  # pages a listing's data may claim; more is a trap


def _unescaped(data: str) -> str:
    """The data with JSON string escapes undone, nested ones too ("{\\"pc\\":\\"/a\\/b.html\\"}")."""
    for _ in range(3):
        before = data
        data = data.replace("\\\\", "\\").replace('\\"', '"').replace("\\/", "/").replace("\\u002F", "/")
        if data == before:
            break
    return data


def _field(data: str, keys: tuple[str, ...]) -> tuple[str, int] | None:
    for key in keys:
        match = re.search(NUMBER_FIELD.format(name=re.escape(key)), data)
        if match:
            return key, int(match.group(1))
    return None


def data_only(page: Page) -> bool:
    # the data proxy's answer: JSON carrying the platform's fields
    head = page.text.lstrip()[:1]
    return ("json" in page.content_type or head in ("{", "[")) and any(m in page.text for m in MARKERS)


def _blocks(page: Page) -> list[str]:
    if data_only(page):
        return [page.text]
    return [body for body in SCRIPT.findall(page.text) if any(m in body for m in MARKERS)]


def _paging(data: str) -> tuple[int | None, int | None]:
    """(pages, records) one block of unescaped data states."""
    total, per_page, pages = _field(data, TOTAL_KEYS), _field(data, PER_PAGE_KEYS), _field(data, PAGES_KEYS)
    count = pages[1] if pages else None
    if count is None and total and per_page and per_page[1]:
        count = math.ceil(total[1] / per_page[1])
    return (min(count, MAX_PAGES) if count else None), (total[1] if total else None)


def claimed(page: Page) -> tuple[int | None, int | None]:
    """(pages, records) the page's data says the listing has."""
    for block in _blocks(page):
        pages, records = _paging(_unescaped(block))
        if pages or records:
            return pages, records
    return None, None


def items(page: Page, data: str) -> Iterator[Found]:
    seen: set[str] = set()
    for match in QUOTED_URL.finditer(data):
        url = urljoin(page.url, match.group(1)).split("#", 1)[0]
        role = link_role(url)
        if role in (DETAIL, ATTACHMENT) and url not in seen:
            seen.add(url)
            yield Found(url, role)


def _proxy(page: Page, data: str) -> tuple[str, str] | None:
    """A data URL in the script with a page parameter: (URL, the parameter's name)."""
    for match in QUOTED_URL.finditer(data):
        url = urljoin(page.url, match.group(1))
        keys = {k for k, _ in parse_qsl(urlsplit(url).query)}
        for key in CURRENT_KEYS:
            if key in keys and link_role(url) not in (DETAIL, ATTACHMENT):
                return url, key
    return None


def _with_page(url: str, key: str, number: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    return parts._replace(query=urlencode([*query, (key, str(number))])).geturl()


def discover(page: Page) -> Iterator[Found]:
    for block in _blocks(page):
        data = _unescaped(block)
        yield from items(page, data)
        pages, _ = _paging(data)
        current = _field(data, CURRENT_KEYS)
        if not pages or pages < 2 or (current and current[1] > 1):
            continue  # one page, or not the first: the first asks for all the others
        proxy = _proxy(page, data)
        if proxy:
            url, key = proxy
        elif current and not data_only(page):
            url, key = page.url, current[0]  # the page itself, with the data's own parameter
        else:
            continue
        api = url != page.url
        for number in range(2, pages + 1):
            yield Found(_with_page(url, key, number), LISTING, "下一页", api=api)
