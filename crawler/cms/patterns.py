"""URL and page patterns the crawler uses to navigate portals, kept as data.

Each list is matched in order; patterns are plain regular expressions so they
can be extended from settings or a sites file without touching the logic.
"""

from __future__ import annotations

# Which links are attachments, which pages are documents and which links page a listing is
# shared with the extractors: pipelines/links.py, pipelines/page_patterns.py.

# Crawler traps and non-document variants common on government portals. Session ids are
# not here: they are stripped from URLs (pipelines/urls.py SESSION_PARAMS), the page itself is wanted.
TRAP_URL_PATTERNS: list[str] = [
    r"/search(?:/|\.|\?|$)",
    r"[?&](?:q|keyword|keywords|searchword|searchWord|query|wd)=",
    r"(?:^|[/_.?&=-])print(?:[/_.?&=-]|$)",
    r"[?&](?:share|from|spm|utm_[a-z]+)=",
    r"(?:calendar|rili)\b",
]
# Query strings that grow on every click (a=1&a=1&a=1…, appended filters) are traps.
MAX_QUERY_LENGTH = 256
MAX_SAME_KEY = 1  # a key repeated in one query string
MAX_PATH_REPEATS = 2  # the same path segment repeated (/a/b/a/b/a/b/…: relative-link loops)

PAGER_QUERY_KEYS: tuple[str, ...] = (
    "page",
    "pageNo",
    "pageno",
    "pageIndex",
    "pageindex",
    "p",
    "curpage",
    "currentPage",
)

# Seed pages whose section is wider than their directory: CMS column pages are siblings,
# so a Hanweb 信息公开 root /col/col1228/index.html scopes the crawl to /col/ (its columns),
# and a gkmlpt catalogue to /gkmlpt/. (regex on the seed path, prefix)
SEED_PREFIX_RULES: list[tuple[str, str]] = [
    (r"^/col/col\d+/", "/col/"),
    (r"^/gkmlpt/", "/gkmlpt/"),
]
