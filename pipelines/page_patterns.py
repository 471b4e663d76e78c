"""What tells a document page from a listing or navigation page, kept as data.

Shared by the live crawl (which pages to take as documents, which links page a
listing) and by `xxgk parse` over other tools' WARCs, which has only the pages.
"""

from __future__ import annotations

# Detail (document) pages of the CMS families county portals run on.
DETAIL_URL_PATTERNS: list[str] = [
    r"/t\d{8}_\d+\.s?html?$",  # TRS WCM: ./202503/t20250310_97791.htm
    r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",  # Hanweb JCMS
    r"/content/(?:\d+/)*post_\d+\.html$",  # Guangdong gkmlpt
    r"/\d{4}-\d{2}-\d{2}/\d+\.s?html?$",  # EmpireCMS (帝国CMS): /<column>/2018-07-12/6821.html
    r"/content[._-]?\w*\.(?:jsp|aspx?|php|do)\?.*\b(?:id|infoid|articleid|docid|contentid)=",
    r"/(?:detail|content|info|article|show)/[\w-]*\d+\.s?html?$",
    r"[?&](?:infoid|articleid|docid|contentid)=[\w-]+",
]

# Anchor texts of pagination links (generic CMSs): 下一页 / 尾页 / page numbers.
PAGER_TEXTS: frozenset[str] = frozenset({"下一页", "下页", "尾页", "末页", "上一页", "首页", "next", "last"})
# Evidence that an HTML page is a document (detail) page rather than a listing.
DETAIL_META_NAMES: tuple[str, ...] = ("ArticleTitle", "articletitle", "PubDate", "pubdate")
DETAIL_LABELS: tuple[str, ...] = ("索引号", "索 引 号", "发文字号", "发布机构", "成文日期", "文 号")

# Page requisites: what a browser loads to show a page as the public saw it.
# <link rel=…> values whose href is a requisite (stylesheets, icons, preloaded fonts/scripts)
REQUISITE_LINK_RELS: frozenset[str] = frozenset(
    {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload", "manifest"}
)
# elements and the attributes that load a requisite (old portals still use background=)
REQUISITE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "img": ("src",),
    "input": ("src",),
    "source": ("src",),
    "embed": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "body": ("background",),
    "table": ("background",),
    "td": ("background",),
    "th": ("background",),
}
