"""Crawler traps for the "traps" family portal: pages a crawler can fetch forever.

Every listing page and the root get a block of trap links: an endless 活动日历 (each day
links the next), site search, print and share variants, the same page under a session id,
and the 财政信息 column's pager also under permuted parameters and with a sort link whose
query string grows by one parameter on every page. The back end answers all of them, as
real JSP back ends do, so only the crawler's own rules keep the crawl finite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import escape
from urllib.parse import parse_qsl

from crawler.demo.model import Resource

CALENDAR = "/xxgk/calendar.jsp"
SEARCH = "/xxgk/search.jsp"
PRINT = "/xxgk/print.jsp"
SORT_KEY = "sort"


def _html(text: str) -> Resource:
    return Resource(text.encode("utf-8"), "text/html; charset=utf-8")


def _calendar(method: str, query: str, body: bytes) -> Resource:
    day = dict(parse_qsl(query)).get("date", "2024-03-05")
    try:
        today = date.fromisoformat(day)
    except ValueError:
        today = date(2024, 3, 5)
    links = " ".join(
        f'<a href="{CALENDAR}?date={d.isoformat()}">{d.isoformat()}</a>'
        for d in (today - timedelta(days=1), today + timedelta(days=1))
    )
    return _html(f"<html><body><h1>活动日历 {today.isoformat()}</h1>{links}</body></html>")


def _search(method: str, query: str, body: bytes) -> Resource:
    word = dict(parse_qsl(query)).get("keyword", "")
    more = f'<a href="{SEARCH}?keyword={escape(word)}&amp;page=2">下一页</a>'
    return _html(f"<html><body><p>检索“{escape(word)}”</p>{more}</body></html>")


def _print(method: str, query: str, body: bytes) -> Resource:
    return _html('<html><body><p>打印本页</p><a href="javascript:window.print()">打印</a></body></html>')


def trap_links(path: str) -> str:
    """The trap block added to a page at `path`."""
    return (
        '<div class="tools">'
        f'<a href="{CALENDAR}?date=2024-03-05">活动日历</a> '
        f'<a href="{SEARCH}?keyword=%E9%80%9A%E7%9F%A5">站内检索</a> '
        '<a href="/search?q=%E6%94%BF%E7%AD%96">全站搜索</a> '
        f'<a href="{escape(path)}{"&amp;" if "?" in path else "?"}share=weixin">分享到微信</a> '
        f'<a href="{escape(_with_session(path))}">本页</a> '
        f'<a href="{PRINT}?path={escape(path)}">打印</a>'
        "</div>"
    )


def _with_session(path: str) -> str:
    base, sep, query = path.partition("?")
    return f"{base};jsessionid=4F1C2B9A7E{sep}{query}"


def _inject(resource: Resource, html: str) -> Resource:
    body = resource.body.replace(b"</body>", html.encode("utf-8") + b"</body>", 1)
    return Resource(body, resource.content_type, headers=resource.headers, modified=resource.modified)


def add_traps(
    pages: dict[str, Resource],
    handlers: dict[str, Callable[[str, str, bytes], Resource]],
    columns: list[tuple[str, int]],
) -> None:
    """Add trap links to the root and listing pages of a generic family site, and their answers."""
    handlers[CALENDAR] = _calendar
    handlers[SEARCH] = _search
    handlers[PRINT] = _print
    for path in [
        p for p in pages if p.startswith("/xxgk/") and "/detail/" not in p and "uploadfiles" not in p
    ]:
        if not pages[path].content_type.startswith("text/html"):
            continue
        extra = trap_links(path)
        for code, cid in columns:
            prefix = f"/xxgk/{code}/list.jsp"
            if path.startswith(prefix) or (
                path == f"/xxgk/{code}/index.html" and any(p.startswith(prefix) for p in pages)
            ):
                page_no = dict(parse_qsl(path.partition("?")[2])).get("pageNo", "1")
                extra += (
                    f'<a href="{prefix}?pageNo={page_no}&amp;cid={cid}">本页</a> '
                    f'<a href="{prefix}?cid={cid}&amp;pageNo={page_no}&amp;{SORT_KEY}=date">按日期排序</a>'
                )
        pages[path] = _inject(pages[path], extra)
    for code, cid in columns:
        prefix = f"/xxgk/{code}/list.jsp"
        if any(p.startswith(prefix) for p in pages):
            handlers[prefix] = _list_handler(pages, code, cid)


def _list_handler(pages: dict[str, Resource], code: str, cid: int) -> Callable[[str, str, bytes], Resource]:
    """list.jsp answers any parameter order and ignores what it does not know; a sorted view
    links one more sort parameter each time (the growing query string)."""
    prefix = f"/xxgk/{code}/list.jsp"

    def handle(method: str, query: str, body: bytes) -> Resource:
        params = parse_qsl(query)
        args = dict(params)
        page_no = args.get("pageNo", "1")
        target = f"/xxgk/{code}/index.html" if page_no == "1" else f"{prefix}?cid={cid}&pageNo={page_no}"
        found = pages.get(target)
        if found is None:
            return Resource(b"<html><body>404</body></html>", "text/html; charset=utf-8", status=404)
        sorts = sum(1 for k, _ in params if k == SORT_KEY)
        if not sorts:
            return found
        grown = f"{prefix}?{query}&{SORT_KEY}=date"
        return _inject(found, f'<a href="{escape(grown)}">按日期排序（{sorts + 1}）</a>')

    return handle
