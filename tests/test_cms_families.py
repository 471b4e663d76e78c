"""Discovery across CMS families: each family's reader on its own, then `xxgk crawl` of a demo
portal per family (and one mixing them) compared with the generator's ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import orjson
import pytest

from crawler.cms import generic, gkmlpt, hanweb, registry, trs
from crawler.cms.base import DETAIL, LISTING, Page
from crawler.demo import DemoPortal, DemoSite, RequestRecord
from crawler.demo.families import HANWEB_PROXY, NO_COUNT_COLUMNS, build_family_site
from pipelines.document import extract_document
from pipelines.links import classify_link
from tests.support.groundtruth import ground_truth_mismatches
from tests.support.runner import FAST, xxgk

# -- the family readers, on page text alone -----------------------------------------------

HANWEB_PAGE = """<div id="41273"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=1229&unitid=41273&permissiontype=0"></a>]]></nextgroup>
<totalrecord>7</totalrecord><totalpage>3</totalpage><recordset>
<record><![CDATA[<li><a href="/art/2024/3/5/art_1229_12345.html" target="_blank">关于做好春耕的通知</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/3/1/art_1229_12340.html">第二篇</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/2/1/art_1229_12300.html">第三篇</a></li>]]></record>
</recordset></datastore></script><script>var cfg = {perpage: 1};</script></div>"""


def test_hanweb_reads_records_and_posts_for_the_other_groups():
    page = Page("http://x.gov.cn/col/col1229/index.html", HANWEB_PAGE)
    assert registry.recognise(page) == [hanweb]
    found = list(hanweb.discover(page))
    details = [f for f in found if f.role == DETAIL]
    assert details[0].url == "http://x.gov.cn/art/2024/3/5/art_1229_12345.html"
    assert details[0].text == "关于做好春耕的通知"
    posts = [f for f in found if f.method == "POST"]
    assert [p.url for p in posts] == [
        "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=1",
        "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=7&endrecord=7&perpage=1",
    ]
    assert ("columnid", "1229") in posts[0].form and ("unitid", "41273") in posts[0].form
    assert all(p.role == LISTING and p.api for p in posts)
    # the proxy's answer: records only, no further requests
    answer = Page(
        posts[0].url,
        HANWEB_PAGE.split('<script type="text/xml">')[1].split("</script>")[0],
        "text/xml",
        "POST",
    )
    assert hanweb.data_only(answer)
    assert all(f.role == DETAIL for f in hanweb.discover(answer))


def test_hanweb_without_a_count_asks_group_after_group():
    page = Page(
        "http://x.gov.cn/col/col1229/index.html", HANWEB_PAGE.replace("<totalrecord>7</totalrecord>", "")
    )
    [first] = [f.url for f in hanweb.discover(page) if f.method == "POST"]
    assert first.endswith("?startrecord=4&endrecord=6&perpage=1")
    full = Page(
        first, page.text.split('<script type="text/xml">')[1].split("</script>")[0], "text/xml", "POST"
    )
    [second] = [f.url for f in hanweb.discover(full) if f.method == "POST"]
    assert second.endswith("?startrecord=7&endrecord=9&perpage=1")
    short = Page(
        second, full.text.replace("<record>", "<x>", 1).replace("</record>", "</x>", 1), "text/xml", "POST"
    )
    assert not [f for f in hanweb.discover(short) if f.method == "POST"]


def test_gkmlpt_tree_to_api_and_api_to_articles_and_pages():
    page = Page(
        "http://www.x.gov.cn/gkmlpt/index",
        '<script>window._CONFIG = {"SID": "755", "TREE": [{"id": 1, "children": [{"id": 2}]}]};</script>',
    )
    assert gkmlpt in registry.recognise(page)
    assert [f.url for f in gkmlpt.discover(page)] == [
        "http://www.x.gov.cn/gkmlpt/api/all/1?page=1&sid=755",
        "http://www.x.gov.cn/gkmlpt/api/all/2?page=1&sid=755",
    ]
    api = Page(
        "http://www.x.gov.cn/gkmlpt/api/all/2?page=1&sid=755",
        orjson.dumps(
            {
                "total": 5,
                "articles": [
                    {"title": "甲", "url": "/gkmlpt/content/0/755/post_1.html"},
                    {"title": "乙", "url": "/gkmlpt/content/0/755/post_2.html"},
                ],
            }
        ).decode(),
        "application/json",
    )
    found = list(gkmlpt.discover(api))
    assert [f.url for f in found if f.role == DETAIL][
        1
    ] == "http://www.x.gov.cn/gkmlpt/content/0/755/post_2.html"
    assert [f.url for f in found if f.role == LISTING] == [
        "http://www.x.gov.cn/gkmlpt/api/all/2?page=2&sid=755",
        "http://www.x.gov.cn/gkmlpt/api/all/2?page=3&sid=755",
    ]


def test_generic_select_jumps_and_gopage_templates():
    select = Page(
        "http://x.cn/xxgk/a/index.html",
        '<select onchange="window.location.href=this.value"><option value="index.html">1</option>'
        '<option value="index_1.html">2</option></select>',
    )
    assert [f.url for f in generic.discover(select)] == [
        "http://x.cn/xxgk/a/index.html",
        "http://x.cn/xxgk/a/index_1.html",
    ]
    gopage = Page(
        "http://x.cn/xxgk/b/list.jsp",
        '<script>function goPage(n){ if (n == 1) { go("list.jsp"); return; } '
        'location.href = "list.jsp?cid=7&pageNo=" + n; }</script>'
        '<a href="javascript:goPage(2)">2</a><a href="javascript:goPage(2)">下一页</a> 共4页',
    )
    assert [f.url for f in generic.discover(gopage)] == [
        "http://x.cn/xxgk/b/list.jsp?cid=7&pageNo=2",
        "http://x.cn/xxgk/b/list.jsp?cid=7&pageNo=3",
        "http://x.cn/xxgk/b/list.jsp?cid=7&pageNo=4",
    ]
    numbers = Page(
        "http://x.cn/l/",
        '<script>function toPage(p){window.open("p_"+p+".htm")}</script>'
        '<select onchange="toPage(this.value)"><option value="1">1</option><option value="3">3</option></select>',
    )
    assert [f.url for f in generic.discover(numbers)] == ["http://x.cn/l/p_2.htm", "http://x.cn/l/p_3.htm"]


def test_trs_pager_and_evidence_not_hostnames():
    page = Page("http://a.example/x/index.htm", 'createPageHTML(3, 0, "index", "htm");')
    assert registry.recognise(page) == [trs]
    assert [f.url for f in registry.discover(page)][-1] == "http://a.example/x/index_2.htm"
    assert registry.recognise(Page("http://hanweb.gov.cn/gkmlpt/index", "<p>nothing</p>")) == []


def test_gkmlpt_metadata_is_read_from_config_detail():
    site = build_family_site("gkmlpt", size=6)
    doc = next(d for d in site.detail_pages if d.metadata["index_no"])
    body = site.pages[doc.path].body
    assert doc.metadata["index_no"].encode() not in body.split(b"window._CONFIG")[0]  # only in the script
    row = extract_document("http://h" + doc.path, {"Content-Type": "text/html; charset=utf-8"}, body)
    for name in ("title", "index_no", "doc_no", "publisher", "publish_date", "publish_time", "region_code"):
        assert row[name] == doc.metadata[name], name


# -- crawls of the family portals -----------------------------------------------------------


@dataclass
class FamilyCrawl:
    site: DemoSite
    base: str
    out: Path
    proc: CompletedProcess
    requests: list[RequestRecord]

    def rows(self) -> dict[str, dict]:
        lines = (self.out / "datasets" / "fam" / "documents.jsonl").read_bytes().splitlines()
        return {r["url"]: r for r in map(orjson.loads, filter(None, lines))}


def crawl_family(site: DemoSite, out: Path, *extra: str) -> FamilyCrawl:
    with DemoPortal(site) as portal:
        proc = xxgk("crawl", portal.root_url, "--out", str(out), "--name", "fam", *FAST, *extra, check=True)
        return FamilyCrawl(site, portal.base_url, out, proc, portal.requests)


@pytest.fixture(scope="module", params=["hanweb", "gkmlpt", "generic", "mixed"])
def family_crawl(request, tmp_path_factory) -> FamilyCrawl:
    site = build_family_site(request.param, size=30, page_size=3)
    return crawl_family(site, tmp_path_factory.mktemp(f"crawl-{request.param}"))


def test_every_document_of_the_family_is_a_row_with_its_metadata(family_crawl):
    rows = family_crawl.rows()
    mismatches = ground_truth_mismatches(family_crawl.site, family_crawl.base, rows)
    assert not mismatches, "\n".join(mismatches[:30])
    assert len(rows) == len(family_crawl.site.documents)  # listings and data answers are no rows
    assert {d.kind for d in family_crawl.site.documents} == {"page", "attachment"}


def test_every_listing_page_was_fetched_once_and_nothing_outside_scope(family_crawl):
    site = family_crawl.site
    fetched = [r.path for r in family_crawl.requests]
    sent = [(r.method, r.path, r.body) for r in family_crawl.requests]  # POSTs differ by their form
    assert len(sent) == len(set(sent)), "a request was sent twice"
    for listing in site.listing_pages:
        assert listing.path in fetched, listing.path
    documents = {d.path for d in site.documents}
    root = site.root_path.rsplit("/", 2)[0] + "/" if site.root_path.startswith("/col/") else site.root_path
    for r in family_crawl.requests:
        allowed = (
            r.path in documents
            or r.path == "/robots.txt"
            or r.path.startswith(("/xxgk", "/col/", "/gkmlpt/"))
            or r.path.startswith(HANWEB_PROXY)
            or classify_link(r.path) == "media"  # the pages' requisites: scripts, styles, images
        )
        assert allowed, f"left the scope of {root}: {r.path}"
        assert r.status in (200, 301), (r.path, r.status)


def test_hanweb_groups_are_posted_with_the_column_form(family_crawl):
    posts = [r for r in family_crawl.requests if r.method == "POST"]
    expected = [p.path for p in family_crawl.site.listing_pages if p.path.startswith(HANWEB_PROXY)]
    assert set(expected) <= {r.path for r in posts}
    # a column without a record count is read until a group comes back short: one more at most
    assert len(posts) <= len(expected) + len(NO_COUNT_COLUMNS)
    if family_crawl.site.options["family"] in ("hanweb", "mixed"):
        assert posts, "the test portal must need the data proxy"
    for r in posts:
        assert b"columnid=" in r.body and b"unitid=" in r.body
        assert r.headers["content-type"] == "application/x-www-form-urlencoded"


def test_attachments_on_a_file_host_need_it_in_scope(tmp_path):
    with DemoPortal(build_family_site("generic", size=0)) as files:
        site = build_family_site("generic", size=10, page_size=3, file_base=f"http://localhost:{files.port}")
        files.site = site
        assert site.attachments and all(a.path.startswith("http://localhost:") for a in site.attachments)
        run = crawl_family(site, tmp_path / "extra", "-s", "XXGK_EXTRA_HOSTS=localhost")
        rows = run.rows()
        assert all(a.path in rows for a in site.attachments)
        files_fetched = {
            r.path.split("?")[0].rsplit(".", 1)[-1] for r in files.requests if r.path != "/robots.txt"
        }
        assert files_fetched <= {"pdf", "docx", "xlsx"}  # only the files: robots.txt, then attachments
        files.clear_requests()
        run = crawl_family(site, tmp_path / "no-extra")
        assert not files.requests  # another host, not of the same site: counted, not fetched
        assert not any(a.path in run.rows() for a in site.attachments)
        assert "out of scope" in run.proc.stdout


def test_the_families_are_a_setting():
    from crawler import settings

    assert registry.load(settings.XXGK_CMS_FAMILIES) == registry.FAMILIES
    assert registry.load([]) == registry.FAMILIES
    only_trs = registry.load(["crawler.cms.trs"])
    assert registry.recognise(Page("http://x/col/col1/index.html", HANWEB_PAGE), only_trs) == []
