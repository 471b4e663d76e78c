"""Link discovery without a DOM: the regex scan must find what an HTML parser finds.

The reference is lxml (what the spider used before): every link of every page
of the demo portals — all CMS families, GBK pages, traps — must come out the
same, in the same order, with the same anchor text. The memoised resolver must
agree with urljoin for every (base, href) shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.html
import pytest

from crawler.demo import build_site
from crawler.demo.families import build_family_site
from pipelines.links import SKIP_SCHEMES
from pipelines.pages import (
    DETAIL,
    LISTING,
    PAGE,
    LinkResolver,
    iter_links,
    link_role,
    looks_like_detail,
    meta_tags,
)


def lxml_links(url: str, text: str) -> Iterator[tuple[str, str | None]]:
    """What a parser-based extractor yields: <base>, a/area href, (i)frame src, root text."""
    tree = lxml.html.fromstring(text)
    bases = tree.xpath("//base/@href")
    base = urljoin(url, bases[0].strip()) if bases and bases[0].strip() else url
    for node in tree.xpath("//a[@href]|//area[@href]|//iframe[@src]|//frame[@src]"):
        href = (node.get("href") or node.get("src") or "").strip()
        if not href or href.lower().startswith(SKIP_SCHEMES):
            continue
        try:
            absolute = urljoin(base, href)
        except ValueError:  # not fetchable
            continue
        yield absolute.split("#", 1)[0], node.text if node.tag == "a" else None


def demo_pages() -> Iterator[tuple[str, str]]:
    sites = [build_site(60, seed=3, page_size=3, wrong_charset=True)]
    sites += [
        build_family_site(family, 12, seed=2) for family in ("hanweb", "gkmlpt", "generic", "mixed", "traps")
    ]
    for site in sites:
        for path, resource in site.pages.items():
            if "html" not in resource.content_type:
                continue
            body = resource.body
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = body.decode("gb18030")
            yield f"http://127.0.0.1:8000{path}", text


def test_same_links_as_an_html_parser_on_every_demo_page():
    resolver = LinkResolver()
    pages = 0
    for url, text in demo_pages():
        assert list(iter_links(url, text, resolver)) == list(lxml_links(url, text)), url
        pages += 1
    assert pages > 150


TRICKY = """<html><head><base href="/sub/"><meta name="ArticleTitle" content="T &amp; x">
<meta content="c1" name=ColumnName><meta name="PubDate" content=""></head><body>
<!-- <a href="commented.html">no</a> --><script>var s = '<a href="script.html">x</a>';</script>
<style>a[href="style.html"] {}</style>
<a class=x href="a.html?x=1&amp;y=2#frag"> 附件.pdf </a><A HREF='/abs.html'><span>t</span></A>
<area shape=rect href="http://other/x"><iframe src="frame.html"></iframe><a data-href="no.html">x</a>
<a href="javascript:go(1)">j</a><a href="">e</a><a href="?page=2">下一页</a><a href="//cdn/x.pdf">x</a>
<a href=bare.html>bare &lt;t&gt;</a><a
   href="multi-line.html"
   >ml</a><a href="  spaced.html  ">s</a><a href="mailto:x@y">m</a><a href="http://[::1">bad</a>
</body></html>"""


def test_tricky_markup_matches_the_parser():
    url = "http://h/d/p.html?q=1"
    found = list(iter_links(url, TRICKY, LinkResolver()))
    assert found == list(lxml_links(url, TRICKY))
    urls = [u for u, _ in found]
    assert "http://h/sub/a.html?x=1&y=2" in urls  # entity decoded, fragment dropped, <base> applied
    assert not any(name in u for u in urls for name in ("commented", "script.html", "style.html", "no.html"))
    assert ("http://h/sub/?page=2", "下一页") in found


def test_meta_tags_and_detail_evidence():
    meta = meta_tags(TRICKY)
    assert meta == {"ArticleTitle": "T & x", "ColumnName": "c1", "PubDate": ""}
    assert looks_like_detail("http://h/x.html", meta, "", 99, True)  # ArticleTitle has content
    assert not looks_like_detail("http://h/x.html", {"PubDate": ""}, "索引号", 0, True)  # empty, paged
    assert looks_like_detail("http://h/x.html", {}, "索引号", 0, False)


@pytest.mark.parametrize(
    ("url", "text", "role"),
    [
        # EmpireCMS (帝国CMS): /<column>/<yyyy-mm-dd>/<id>.html is a document
        ("http://h/xxgk/xxgkml/zfwj/xzfwj/zz/2018-07-12/6821.html", None, DETAIL),
        ("http://h/news/2020-01-05/123.shtml", None, DETAIL),
        # its listing pages, the column's index and a date with no id under it are not
        ("http://h/xxgk/xxgknb/index_2.html", None, PAGE),
        ("http://h/xxgk/xxgknb/index_7.html", "尾页", LISTING),
        ("http://h/xxgk/xxgknb/index.html", None, PAGE),
        ("http://h/xxgk/2018-07-12/index.html", None, PAGE),
        ("http://h/xxgk/2018-07-12.html", None, PAGE),
    ],
)
def test_empirecms_detail_urls_and_not_its_listings(url, text, role):
    assert link_role(url, text) == role
    assert looks_like_detail(url, {}, "", 99, True) is (role == DETAIL)


BASES = [
    "http://h",
    "http://h/",
    "http://h/a/b/c.html",
    "http://h/a/b/",
    "http://h/a/list.jsp?cid=1&page=2",
    "http://h/a/b.html?x=/y/z#f",
    "https://h:8443/a/",
    "http://h/a/b/c.html#top",
]
HREFS = [
    "x.html",
    "./x.html",
    "../x.html",
    "../../../../x.html",
    "/x.html",
    "/a/../x.html",
    "//cdn/x.pdf",
    "?page=3",
    "#part",
    "http://o/p?q#f",
    "HTTPS://O/P",
    "x.html?a=1#b",
    "sub/dir/",
    ".",
    "..",
    "a:b",
    "http://[::1",
    "http://h:99999/",
]


def assert_resolves_like_urljoin(resolver: LinkResolver, base: str) -> None:
    resolve = resolver.resolver(base)
    for href in HREFS:
        try:
            expected: str | None = urljoin(base, href).split("#", 1)[0]
        except ValueError:
            expected = None
        assert resolve(href) == expected, (base, href)


@pytest.mark.parametrize("base", BASES)
def test_memoised_resolution_equals_urljoin(base):
    resolver = LinkResolver()
    for _ in range(2):  # second round: every answer from the cache
        assert_resolves_like_urljoin(resolver, base)


def test_cache_shared_across_pages_of_one_directory_stays_correct():
    resolver = LinkResolver(max_entries=5)  # also exercises the clearing of a full cache
    for page in ("http://h/a/1.html", "http://h/a/2.html?x=1", "http://h/b/3.html", "http://h/a/b/4.html"):
        assert_resolves_like_urljoin(resolver, page)
