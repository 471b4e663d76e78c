"""Guangdong 政府信息公开目录平台 (gkmlpt): a catalogue in a script, listings from a JSON API.

The catalogue page carries ``window._CONFIG = {"SID": "963", "TREE": [{"id": 1821, "name": …,
"children": [...]}, …]}``; the browser then asks ``/gkmlpt/api/all/{column}?page=N&sid={SID}``,
which answers ``{"total": 45, "articles": [{"title", "url", "created_at", …}, …]}``.
Details live at ``/gkmlpt/content/0/963/post_963149.html`` (metadata in ``_CONFIG.DETAIL``,
read by pipelines/metadata.py).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from crawler.cms.base import DETAIL, LISTING, Found, Page

NAME = "gkmlpt"
MARKERS: tuple[str, ...] = ("window._CONFIG", '"articles"')

CONFIG = re.compile(r"window\._CONFIG\s*=\s*")
API_TEMPLATE = "/gkmlpt/api/all/{column}?page={page}&sid={sid}"
API_PATH = re.compile(r"/gkmlpt/api/all/(\d+)")
# Key names the platform's versions use, tried in order.
SID_KEYS: tuple[str, ...] = ("SID", "sid", "site_id")
TREE_KEYS: tuple[str, ...] = ("TREE", "COLUMNS", "tree", "columns", "catalogs")
CHILD_KEYS: tuple[str, ...] = ("children", "child", "sub", "columns")
ID_KEYS: tuple[str, ...] = ("id", "column_id", "cid")
ARTICLE_KEYS: tuple[str, ...] = ("articles", "data", "list")
URL_KEYS: tuple[str, ...] = ("url", "link", "href")
PAGE_SIZE_KEYS: tuple[str, ...] = ("page_size", "pagesize", "per_page")
SID_FALLBACK = re.compile(r"""\bSID\s*[:=]\s*['"]?(\w+)""")
MAX_PAGES = 10_000


def _first(obj: dict, keys: tuple[str, ...]) -> Any:
    return next((obj[k] for k in keys if k in obj), None)


def config(text: str) -> dict[str, Any]:
    """window._CONFIG as a dict (JSON literal); {} when it is not JSON, with SID found anyway."""
    match = CONFIG.search(text)
    if not match:
        return {}
    try:
        value, _ = json.JSONDecoder().raw_decode(text, match.end())
    except ValueError:
        sid = SID_FALLBACK.search(text, match.end())
        return {"SID": sid.group(1)} if sid else {}
    return value if isinstance(value, dict) else {}


def _column_ids(nodes: Any) -> Iterator[int | str]:
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        ident = _first(node, ID_KEYS)
        children = _first(node, CHILD_KEYS)
        if ident is not None:
            yield ident
        yield from _column_ids(children)


def data_only(page: Page) -> bool:
    return "json" in page.content_type or bool(API_PATH.search(page.url))


def _articles(page: Page) -> Iterator[Found]:
    try:
        data = json.loads(page.text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    articles = _first(data, ARTICLE_KEYS) or []
    for article in articles if isinstance(articles, list) else []:
        if isinstance(article, dict) and isinstance(_first(article, URL_KEYS), str):
            yield Found(urljoin(page.url, _first(article, URL_KEYS)), DETAIL, article.get("title"))
    query = parse_qs(urlsplit(page.url).query)
    if query.get("page", ["1"])[0] != "1" or not articles:
        return  # the first page asks for all the others
    size = _first(data, PAGE_SIZE_KEYS) or len(articles)
    pages = min(math.ceil(int(data.get("total") or 0) / int(size)), MAX_PAGES)
    column = API_PATH.search(page.url)
    sid = query.get("sid", [""])[0]
    if column:
        for n in range(2, pages + 1):
            url = urljoin(page.url, API_TEMPLATE.format(column=column.group(1), page=n, sid=sid))
            yield Found(url, LISTING, api=True)


def discover(page: Page) -> Iterator[Found]:
    if data_only(page):
        yield from _articles(page)
        return
    conf = config(page.text)
    sid = _first(conf, SID_KEYS)
    if sid is None:
        return
    for column in _column_ids(_first(conf, TREE_KEYS)):
        yield Found(urljoin(page.url, API_TEMPLATE.format(column=column, page=1, sid=sid)), LISTING, api=True)
