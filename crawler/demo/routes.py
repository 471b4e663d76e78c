"""Answer a request target from a DemoSite: static pages, redirects, dynamic pages, 404.

Kept apart from the HTTP server so the same answers can be checked without a
socket and exported for nginx.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.demo import chrome, pages
from crawler.demo.columns import CONTENT_JSP, LIST_JSP
from crawler.demo.model import DemoSite, Resource

_SEARCH_LIMIT = 20


def _canonical_query(path: str, query: str) -> str | None:
    """JSP endpoints accept parameters in any order and ignore unknown ones, as real
    back ends do; map such targets to the one URL the site links."""
    params = dict(parse_qsl(query))
    if path == LIST_JSP and "cid" in params:
        page = params.get("page", "1")
        return f"{LIST_JSP}?cid={params['cid']}" + ("" if page == "1" else f"&page={page}")
    if path == CONTENT_JSP and "id" in params:
        return f"{CONTENT_JSP}?id={params['id']}"
    return None


def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Resource:
    return Resource(text.encode("utf-8"), "text/html; charset=utf-8", status=status, headers=headers)


def not_found() -> Resource:
    return _html(pages.not_found_page(), status=404)


def redirect(location: str) -> Resource:
    body = f'<html><head><title>301 Moved Permanently</title></head><body><center><h1>301 Moved Permanently</h1></center><hr><center>nginx</center><a href="{location}">{location}</a></body></html>\n'
    return _html(body, status=301, headers={"Location": location})


def _search(site: DemoSite, query: str) -> Resource:
    q = dict(parse_qsl(query)).get("q", "").strip()
    hits = [d for d in site.detail_pages if q and q in d.title]
    results = [(d.path, d.title) for d in hits[:_SEARCH_LIMIT]]
    return _html(pages.search_page(q, results, len(hits)))


def _print_view(site: DemoSite, query: str) -> Resource:
    target = dict(parse_qsl(query)).get("url", "")
    try:
        doc = site.document(target)
    except KeyError:
        return not_found()
    return _html(pages.print_page(doc.title, tuple(doc.paragraphs)))


def resolve(site: DemoSite, target: str) -> Resource:
    """The resource for `target` ("/path?query"); unknown targets get the 404 page."""
    found = site.pages.get(target)
    if found is not None:
        return found
    parts = urlsplit(target)
    path = unquote(parts.path) or "/"
    query = parts.query
    found = site.pages.get(f"{path}?{query}" if query else path)
    if found is not None:
        return found
    canonical = _canonical_query(path, query)
    if canonical and canonical in site.pages:
        return site.pages[canonical]
    if path in site.redirects:
        return redirect(site.redirects[path])
    if path.startswith(chrome.SEARCH_PATH):
        return _search(site, query)
    if path.startswith(chrome.PRINT_PATH):
        return _print_view(site, query)
    if path.endswith("/") and path + "index.htm" in site.pages:
        return site.pages[path + "index.htm"]  # a TRS column directory serves its index
    if path in site.pages:
        return site.pages[path]  # static files ignore the query (cache busters like ?v=2)
    return not_found()
