"""URL and page patterns the crawler uses to navigate portals, kept as data.

Each list is matched in order; patterns are plain regular expressions so they
can be extended from settings or a sites file without touching the logic.
"""

from __future__ import annotations

# Detail (document) pages of the CMS families county portals run on.
DETAIL_URL_PATTERNS: list[str] = [
    r"/t\d{8}_\d+\.s?html?$",  # TRS WCM: ./202503/t20250310_97791.htm
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",  # Hanweb JCMS
    r"/content/(?:\d+/)*post_\d+\.html$",  # Guangdong gkmlpt
    r"/content[._-]?\w*\.(?:jsp|aspx?|php|do)\?.*\b(?:id|infoid|articleid|docid|contentid)=",
    r"/(?:detail|content|info|article|show)/[\w-]*\d+\.s?html?$",
    r"[?&](?:infoid|articleid|docid|contentid)=[\w-]+",
]

# Which links are attachments is shared with the extractors: pipelines/links.py.

# Crawler traps and non-document variants common on government portals. Session ids are
# not here: they are stripped from URLs (SESSION_PARAMS), the page itself is wanted.
TRAP_URL_PATTERNS: list[str] = [
    r"/search(?:/|\.|\?|$)",
    r"[?&](?:q|keyword|keywords|searchword|searchWord|query|wd)=",
    r"(?:^|[/_.?&=-])print(?:[/_.?&=-]|$)",
    r"[?&](?:share|from|spm|utm_[a-z]+)=",
    r"(?:calendar|rili)\b",
]
# Query keys (lower case) and path parameters that carry a session, not a page: removed.
SESSION_PARAMS: frozenset[str] = frozenset({"jsessionid", "phpsessid", "sessionid", "aspsessionid", "sessid"})
# Query strings that grow on every click (a=1&a=1&a=1…, appended filters) are traps.
MAX_QUERY_LENGTH = 256
MAX_SAME_KEY = 1  # a key repeated in one query string
MAX_PATH_REPEATS = 2  # the same path segment repeated (/a/b/a/b/a/b/…: relative-link loops)

# Anchor texts of pagination links (generic CMSs): 下一页 / 尾页 / page numbers.
PAGER_TEXTS: frozenset[str] = frozenset({"下一页", "下页", "尾页", "末页", "上一页", "首页", "next", "last"})
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

# Evidence that an HTML page is a document (detail) page rather than a listing.
DETAIL_META_NAMES: tuple[str, ...] = ("ArticleTitle", "articletitle", "PubDate", "pubdate")
DETAIL_LABELS: tuple[str, ...] = ("索引号", "索 引 号", "发文字号", "发布机构", "成文日期", "文 号")

# Seed pages whose section is wider than their directory: CMS column pages are siblings,
# so a Hanweb 信息公开 root /col/col1228/index.html scopes the crawl to /col/ (its columns),
# and a gkmlpt catalogue to /gkmlpt/. (regex on the seed path, prefix)
SEED_PREFIX_RULES: list[tuple[str, str]] = [
    (r"^/col/col\d+/", "/col/"),
    (r"^/gkmlpt/", "/gkmlpt/"),
]
