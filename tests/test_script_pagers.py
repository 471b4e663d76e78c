"""Script-built pagers (crawler/cms/script.py) and listings that exist only as script data
(crawler/cms/scriptdata.py): unit cases on pages, and crawls of loopback portals built from the
real templates (tests/support/portals.py)."""

from __future__ import annotations

import pytest

from crawler.cms import registry, script, scriptdata
from crawler.cms.base import DETAIL, LISTING, Page
from tests.support.portals import crawl_portal, data_listing_portal, trs_template_portal

BASE = "http://x.gov.cn/xxgk/tzgg/"


def urls(found, role=LISTING) -> list[str]:
    return [f.url for f in found if f.role == role]


def test_classic_trs_pager_script_yields_every_page_it_claims():
    routes, _, _ = trs_template_portal(count=5)
    page = Page(BASE + "index.html", routes["/xxgk/tzgg/index.html"][0].decode())
    assert not list(registry.discover(page, [registry.trs]))  # the pattern rule sees no literal call
    found = list(registry.discover(page))
    assert set(urls(found)) >= {BASE + f"index_{n}.html" for n in range(1, 5)}


def test_pattern_rules_stay_the_fast_path():
    page = Page(
        BASE, '<script>createPageHTML(4, 0, "index", "shtml");</script><script>var countPage = 4;</script>'
    )
    assert list(script.discover(page)) == []  # trs.PAGER read it: the engine is not started


def test_computed_create_page_html_and_pager_functions_and_jquery():
    computed = Page(BASE, '<script>var n = 2 + 1; createPageHTML(n, 0, "index", "htm");</script>')
    assert urls(registry.discover(computed)) == [
        BASE + "index.htm",
        BASE + "index_1.htm",
        BASE + "index_2.htm",
    ]
    function = Page(
        BASE,
        "<script>var totalPage = 3; function turn(p){ window.location.href = 'list.jsp?cid=9&page=' + p; }</script>",
    )
    assert set(urls(script.discover(function))) == {BASE + f"list.jsp?cid=9&page={n}" for n in (1, 2, 3)}
    jquery = Page(
        BASE,
        "<script>var pageCount = 2; $(function(){ var s = '';"
        " for (var i = 1; i <= pageCount; i++) s += '<a href=\"list_' + i + '.html\">' + i + '</a>';"
        " $('#pager').html(s); });</script>",
    )
    assert set(urls(script.discover(jquery))) == {BASE + "list_1.html", BASE + "list_2.html"}


def test_traps_are_bounded():
    huge = Page(
        BASE,
        '<script>var countPage = 100000000; for (var i = 1; i < countPage; i++) document.write("<a href=index_" + i + ".html>" + i + "</a>");</script>',
    )
    found = list(script.discover(huge))
    assert 0 < len(found) <= script.MAX_PAGES
    endless = Page(
        BASE,
        "<script>var countPage = 2; document.write('<a href=index_1.html>2</a>'); while (true) {}</script>",
    )
    assert urls(script.discover(endless)) == [BASE + "index_1.html"]  # the time cap ends it, the output stays
    greedy = Page(
        BASE,
        "<script>var countPage = 2; var a = []; while (true) a.push(new Array(100000).join('x'));</script>",
    )
    assert list(script.discover(greedy)) == []  # the memory cap ends it


def test_script_data_items_escaped_twice_and_its_paging():
    routes, _, _ = data_listing_portal(total=50, per_page=20)
    url = "http://x.gov.cn/col/col123/index.html"
    page = Page(url, routes["/col/col123/index.html"][0].decode())
    found = list(registry.discover(page))
    assert urls(found, DETAIL)[:2] == [
        "http://x.gov.cn/col/col123/content/content_180001.html",
        "http://x.gov.cn/col/col123/content/content_180002.html",
    ]
    assert urls(found) == [url + "?current=2", url + "?current=3"]
    assert scriptdata.claimed(page) == (3, 50)
    second = Page(url + "?current=2", routes["/col/col123/index.html?current=2"][0].decode())
    assert urls(scriptdata.discover(second)) == []  # only the first page asks for the others


@pytest.fixture(scope="module")
def trs_crawl(tmp_path_factory):
    routes, listings, details = trs_template_portal(count=3, per_page=10)
    return crawl_portal(routes, "/xxgk/", tmp_path_factory.mktemp("trs-template"), "t"), listings, details


def test_script_only_pagination_reaches_every_listing_page_and_detail(trs_crawl):
    crawl, listings, details = trs_crawl
    assert crawl.proc.returncode == 0, crawl.proc.stdout + crawl.proc.stderr
    assert set(listings) <= crawl.paths()
    assert {r["url"][len(crawl.base_url) :] for r in crawl.rows()} == set(details)
    assert crawl.paths() <= {"/robots.txt", "/xxgk/", "/xxgk/tzgg/", *listings, *details}  # nothing else
    assert "completeness  1 listings state their size, 0 fell short" in crawl.proc.stdout


def test_metadata_of_the_li_font_block_is_read(trs_crawl):
    crawl, _, details = trs_crawl
    for row in crawl.rows():
        values = details[row["url"][len(crawl.base_url) :]]
        assert row["index_no"] == values["索引号"]
        assert row["doc_no"] == values["发文字号"]
        assert row["publish_date"] == values["发布日期"]
        assert row["publisher"] == values["发布机构"]


def test_articles_that_exist_only_as_json_are_all_reached(tmp_path):
    routes, listings, targets = data_listing_portal(total=50, per_page=20)
    crawl = crawl_portal(routes, "/col/col123/index.html", tmp_path, "d")
    assert crawl.proc.returncode == 0, crawl.proc.stdout + crawl.proc.stderr
    assert set(listings) <= crawl.paths() and set(targets) <= crawl.paths()
    assert crawl.paths() <= {
        "/robots.txt",
        *listings,
        *targets,
    }  # the other site's article is never asked for
    assert len(crawl.rows()) == len(targets) == 55  # 50 articles, 5 attachments
