"""The demo portal, tested as a crawler sees it: over real HTTP on 127.0.0.1.

Every fetch loop is bounded; nothing here measures time.
"""

from __future__ import annotations

import http.client
import io
import re
import urllib.error
import urllib.request
import urllib.robotparser
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from crawler.demo import METADATA_FIELDS, DemoPortal, DemoSite, build_site
from crawler.demo.__main__ import main as demo_main

MAX_FETCHES = 2000
CREATE_PAGE = re.compile(r'createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"([^"]+)"\s*,\s*"([^"]+)"\s*\)')
LISTING_URL = re.compile(r"(/index(_\d+)?\.htm$)|(/list\.jsp$)")


@pytest.fixture(scope="module")
def no_reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # hermetic: extra report files other work drops into data/reports do not change these sites
    return tmp_path_factory.mktemp("no-reports")


@pytest.fixture(scope="module")
def site(no_reports: Path) -> DemoSite:
    # small, but deep enough that both pagination families have several pages
    return build_site(60, seed=0, page_size=2, reports_dir=no_reports)


@pytest.fixture(scope="module")
def portal(site: DemoSite):
    with DemoPortal(site) as running:
        yield running


class Fetched:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def text(self) -> str:
        return decode_html(self.body, self.content_type)


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
    """GET/HEAD without following redirects, errors returned rather than raised."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=10) as resp:
            return Fetched(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read(), url)
    except urllib.error.HTTPError as err:
        return Fetched(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read(), url)


def declared_charset(body: bytes, content_type: str) -> str | None:
    m = re.search(r"charset=([\w-]+)", content_type, re.I)
    if m:
        return m.group(1).lower()
    m = re.search(rb'<meta[^>]+charset="?([\w-]+)', body[:2048], re.I)
    return m.group(1).decode("ascii").lower() if m else None


def decode_html(body: bytes, content_type: str) -> str:
    charset = declared_charset(body, content_type) or "utf-8"
    if charset in ("gbk", "gb2312", "gb18030"):
        charset = "gb18030"  # the superset: what a careful reader uses for any GB declaration
    return body.decode(charset)


def hrefs(html: str, base: str) -> list[str]:
    """Absolute URLs of <a href>, minus javascript:/fragments, as a browser resolves them."""
    out = []
    for href in Selector(text=html).css("a::attr(href)").getall():
        href = href.strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        out.append(urljoin(base, href))
    return out


def target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def normalise(text: str) -> str:
    return "".join(unescape(text).split())


_CN = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _cn_int(s: str) -> int:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)
    return int("".join(str(_CN[c]) for c in s))


def parse_printed_date(s: str) -> str:
    """The test's own reading of every date form the portal prints."""
    s = s.strip()
    if m := re.match(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})", s):
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    if m := re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", s):
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    if m := re.match(
        r"^([〇一二三四五六七八九]{4})年([〇一二三四五六七八九十]+)月([〇一二三四五六七八九十]+)日$", s
    ):
        return date(_cn_int(m[1]), _cn_int(m[2]), _cn_int(m[3])).isoformat()
    raise AssertionError(f"unreadable date {s!r}")


# -- reachability: a miniature crawler over real HTTP ---------------------------------------


def crawl_listings(portal: DemoPortal, broken: tuple[str, ...]) -> dict[str, list[str]]:
    """From the root, follow column and listing links only (the way our spider must):
    <a> links to index*.htm / list.jsp, and TRS page counts from createPageHTML.
    Returns {listing target: detail targets it links, in order}."""
    robots = urllib.robotparser.RobotFileParser(portal.url("/robots.txt"))
    robots.read()
    queue = [portal.root_url]
    seen = {target(portal.root_url)}
    listings: dict[str, list[str]] = {}
    fetches = 0
    while queue and fetches < MAX_FETCHES:
        url = queue.pop(0)
        page = fetch(url)
        fetches += 1
        if page.status == 404 and target(url) in broken:
            continue  # real portals keep dead links to removed columns
        assert page.status == 200, url
        html = page.text()
        links = hrefs(html, url)
        is_listing = bool(CREATE_PAGE.search(html)) or "/list.jsp" in url
        if is_listing:
            listings[target(url)] = [
                target(u)
                for u in dict.fromkeys(links)
                if urlsplit(u).netloc == urlsplit(url).netloc and _is_detail(u)
            ]
        more = [
            u
            for u in links
            if urlsplit(u).netloc == urlsplit(url).netloc and LISTING_URL.search(urlsplit(u).path)
        ]
        for m in CREATE_PAGE.finditer(html):
            total, _current, name, ext = int(m[1]), int(m[2]), m[3], m[4]
            more += [urljoin(url, name + (f"_{i}" if i else "") + "." + ext) for i in range(total)]
        for u in more:
            t = target(u)
            if t not in seen and robots.can_fetch("*", u):
                seen.add(t)
                queue.append(u)
    assert not queue, "crawl bound reached"
    return listings


def _is_detail(url: str) -> bool:
    path = urlsplit(url).path
    return bool(re.search(r"/t\d{8}_\d+\.htm$", path)) or path.endswith("/content.jsp") or "/art/" in path


def test_every_document_is_reachable_from_the_root_via_listings(site: DemoSite, portal: DemoPortal) -> None:
    already = len(portal.requests)
    listings = crawl_listings(portal, site.broken_links)
    assert set(listings) == {lp.path for lp in site.listing_pages}
    for lp in site.listing_pages:
        assert listings[lp.path] == list(lp.items), lp.path
    linked = {t for items in listings.values() for t in items}
    assert linked == {d.path for d in site.detail_pages}
    # attachments: each detail page links exactly its attachments
    for doc in site.detail_pages:
        page = fetch(portal.url(doc.path))
        assert page.status == 200
        found = {
            target(u) for u in hrefs(page.text(), page.url) if target(u) in {a.path for a in site.attachments}
        }
        assert found == set(doc.attachments), doc.path
    # what robots.txt disallows was never fetched by the crawl
    assert not [r.path for r in portal.requests[already:] if r.path.startswith(("/search/", "/xxgk/print/"))]


def test_both_pagination_families_are_deep(site: DemoSite) -> None:
    deepest = {"trs": 0, "query": 0}
    for lp in site.listing_pages:
        deepest[lp.family] = max(deepest[lp.family], lp.total_pages)
    assert deepest["trs"] >= 3
    assert deepest["query"] >= 3


def test_trs_listings_only_announce_pages_in_create_page_html(site: DemoSite, portal: DemoPortal) -> None:
    for lp in [p for p in site.listing_pages if p.family == "trs"]:
        html = fetch(portal.url(lp.path)).text()
        calls = CREATE_PAGE.findall(html)
        assert calls == [(str(lp.total_pages), str(lp.index), "index", "htm")]
        # the page links exist only at runtime in a browser, never as <a> in the HTML
        assert not [u for u in hrefs(html, portal.url(lp.path)) if re.search(r"/index_\d+\.htm$", u)]
        # detail links are relative to the column directory
        assert all(f'href="./{p.rsplit("/", 2)[-2]}/' in html for p in lp.items)


def test_query_listings_link_next_and_last(site: DemoSite, portal: DemoPortal) -> None:
    for lp in [p for p in site.listing_pages if p.family == "query"]:
        url = portal.url(lp.path)
        sel = Selector(text=fetch(url).text())
        nxt = sel.xpath('//a[text()="下一页"]/@href').get()
        last = sel.xpath('//a[text()="尾页"]/@href').get()
        if lp.number < lp.total_pages:
            assert target(urljoin(url, nxt)).endswith(f"&page={lp.number + 1}")
            assert target(urljoin(url, last)).endswith(f"&page={lp.total_pages}")
        else:
            assert nxt is None and last is None


def test_ground_truth_metadata_is_what_the_page_shows(site: DemoSite, portal: DemoPortal) -> None:
    layouts = set()
    for doc in site.detail_pages:
        assert set(doc.metadata) == set(METADATA_FIELDS)
        page = fetch(portal.url(doc.path))
        html = page.text()
        flat = normalise(html)
        layouts.add(doc.layout)
        assert doc.metadata["title"] == doc.title
        assert normalise(doc.title) in flat
        assert doc.metadata["column"] == doc.column
        if doc.layout == "trs":
            sel = Selector(text=html)
            assert sel.css('meta[name="ArticleTitle"]::attr(content)').get() == doc.title
            pub = sel.css('meta[name="PubDate"]::attr(content)').get()
            if doc.metadata["publish_date"]:
                assert pub and pub.startswith(doc.metadata["publish_date"])
            if "info_line" in doc.printed:
                assert normalise(doc.printed["info_line"]) in flat
            if doc.metadata["source"]:
                assert sel.css('meta[name="ContentSource"]::attr(content)').get() == doc.metadata["source"]
            continue
        for label, value in doc.printed.items():
            assert normalise(label) in flat and normalise(value) in flat, (doc.path, label, value)
        md = doc.metadata
        if md["index_no"]:
            assert md["region_code"] == md["index_no"][:6]
        if md["doc_no"]:
            assert f"{md['doc_no_year']}" in md["doc_no"] and f"{md['doc_no_serial']}号" in md["doc_no"]
            assert md["doc_no"].startswith(md["doc_no_issuer"])
        for fld in ("publish_date", "written_date"):
            printed = [v for (label, v) in doc.printed.items() if _label_field(doc.layout, label) == fld]
            if md[fld]:
                assert parse_printed_date(printed[0]) == md[fld], (doc.path, fld)
        if md["keywords"]:
            assert all(k in flat for k in md["keywords"])
    assert {"trs", "table-v1", "table-v2", "table-v3", "table-hanweb", "list-v5"} <= layouts


def _label_field(layout: str, label: str) -> str | None:
    from crawler.demo.layouts import TEMPLATES

    for fld, labels in TEMPLATES[layout]:
        if label in labels:
            return fld
    return None


def test_metadata_varies_like_real_portals(site: DemoSite) -> None:
    big = build_site(400, seed=1)
    printed = [v for d in big.detail_pages for v in d.printed.values()]
    labels = {k for d in big.detail_pages for k in d.printed}
    assert {"索 引 号", "信息索引号", "关 键 词", "发文字号", "成文日期", "主题分类", "有效性"} <= labels
    assert any(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", v) for v in printed)
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", v) for v in printed)
    assert any(re.fullmatch(r"[〇一二三四五六七八九]{4}年.+月.+日", v) for v in printed)
    doc_nos = [d.metadata["doc_no"] for d in big.detail_pages if d.metadata["doc_no"]]
    for bracket in ("〔", "[", "【", "(", "［"):
        assert any(bracket in n for n in doc_nos), bracket
    assert any("第" in n for n in doc_nos)
    codes = {d.metadata["region_code"] for d in big.detail_pages if d.metadata["region_code"]}
    assert {"640104", "640122", "640181", "640221", "640323", "640502", "649999"} <= codes
    gbk = [d for d in big.detail_pages if d.encoding == "gbk"]
    assert 0.10 <= len(gbk) / len(big.detail_pages) <= 0.20
    with_att = [d for d in big.detail_pages if d.attachments and not d.seed]
    assert 0.10 <= len(with_att) / len(big.detail_pages) <= 0.25


def test_gbk_pages(site: DemoSite, portal: DemoPortal) -> None:
    gbk = [d for d in site.detail_pages if d.encoding == "gbk"]
    assert gbk
    assert any(d.http_charset is None for d in gbk), "a GBK page declared only in <meta>"
    for doc in gbk:
        page = fetch(portal.url(doc.path))
        ctype = page.content_type
        if doc.http_charset is None:
            assert "charset" not in ctype
        else:
            assert f"charset={doc.http_charset}" in ctype
        assert re.search(rb"<meta[^>]+charset=\"?(gbk|gb2312)", page.body[:1024], re.I)
        text = page.body.decode("gb18030")
        assert doc.title in text
        with pytest.raises(UnicodeDecodeError):
            page.body.decode("utf-8")


def test_wrong_charset_is_fault_injection_only(site: DemoSite) -> None:
    assert not [d for d in site.detail_pages if d.encoding == "gbk" and d.http_charset == "utf-8"]
    faulty = build_site(60, seed=0, page_size=2, wrong_charset=True)
    lying = [d for d in faulty.detail_pages if d.encoding == "gbk" and d.http_charset == "utf-8"]
    assert lying
    resource = faulty.pages[lying[0].path]
    assert resource.content_type == "text/html; charset=utf-8"
    assert lying[0].title in resource.body.decode("gb18030")


def test_attachments_hold_real_text(site: DemoSite, portal: DemoPortal) -> None:
    import docx
    import pypdfium2
    import python_calamine

    kinds = set()
    for att in site.attachments:
        got = fetch(portal.url(att.path))
        assert got.status == 200
        assert got.content_type == att.content_type
        kinds.add(att.layout)
        if att.layout == "pdf":
            assert got.body.startswith(b"%PDF-")
            pdf = pypdfium2.PdfDocument(got.body)
            text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
            pdf.close()
            flat = normalise(text)
            assert normalise(att.title) in flat
            assert normalise(att.paragraphs[1].split("\t")[0]) in flat
        elif att.layout == "docx":
            document = docx.Document(io.BytesIO(got.body))
            paras = [p.text for p in document.paragraphs]
            assert paras[0] == att.title
            if att.seed is None or att.seed in ("000", "001"):  # generated annexes and tabular reports
                assert document.tables
            assert att.paragraphs[1] in paras
        else:
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(got.body))
            rows = book.get_sheet_by_index(0).to_python()

            def cells(row: list) -> list[str]:
                out = [str(c).removesuffix(".0") for c in row]
                while out and out[-1] == "":
                    out.pop()  # the reader pads short rows (the title row) to the sheet width
                return out

            assert rows[0][0] == att.title
            assert [cells(r) for r in rows] == [cells(line.split("\t")) for line in att.paragraphs]
        if "downfile.jsp" in att.path:
            assert "filename*=UTF-8''" in got.headers["content-disposition"]
    assert kinds == {"pdf", "docx", "xlsx"}


def test_annual_report_column_carries_the_seeds(site: DemoSite, portal: DemoPortal) -> None:
    ndbg = site.column("ndbg")
    seeds = {site.document(p).seed: site.document(p) for p in ndbg.document_paths}
    assert {"000", "001", "002", "003", "004"} <= set(seeds)
    years = {"000": 2018, "001": 2020, "002": 2018, "004": 2018}
    for key, year in years.items():
        doc = seeds[key]
        assert doc.metadata["publish_date"].startswith(str(year + 1))
        exts = sorted(site.document(a).layout for a in doc.attachments)
        assert exts == ["docx", "pdf"]
        for a in doc.attachments:
            assert site.document(a).title == doc.title
    summary = seeds["003"].metadata
    assert summary["index_no"] == "640122-150/2018-93016"
    assert summary["doc_no"] == "金政发〔2018〕293号"
    assert summary["publish_date"] == "2018-12-10"
    assert summary["publisher"] == "金贵镇人民政府"
    assert summary["category"] == "政府工作报告/工作总结"
    assert summary["keywords"] == ["工作总结"]
    assert summary["region_code"] == "640122"
    html = fetch(portal.url(seeds["002"].path)).text()
    assert "发布时间:2019-01-22 09:14 | 来源:沙县高桥镇" in html
    # the seed's real table survives as an HTML table
    report_000 = fetch(portal.url(seeds["000"].path)).text()
    assert "<td>统计指标</td><td>单位</td><td>统计数</td>" in report_000


def test_extra_report_pages_are_served(tmp_path: Path) -> None:
    (tmp_path / "r1.html").write_text(
        "<html><head><title>示范镇2021年政府信息公开工作年度报告</title></head><body>"
        "<h1>示范镇2021年政府信息公开工作年度报告</h1><table><tr><td>收到申请数</td><td>3</td></tr></table></body></html>",
        encoding="utf-8",
    )
    extra_site = build_site(10, reports_dir=tmp_path)
    docs = [d for d in extra_site.detail_pages if d.seed == "reports/r1.html"]
    assert len(docs) == 1
    doc = docs[0]
    assert doc.column_code == "ndbg" and doc.metadata["publish_date"].startswith("2022")
    body = extra_site.pages[doc.path].body.decode("utf-8")
    assert "<td>收到申请数</td>" in body and doc.title in body
    assert "收到申请数\t3" in doc.paragraphs


def test_report_files_in_the_data_directory_become_pages() -> None:
    from crawler.demo.extra_reports import load_extra_reports

    reports = load_extra_reports()
    assert reports, "crawler/demo/data/reports/ holds no report"
    with_reports = build_site(20)
    by_file = {d.seed: d for d in with_reports.detail_pages if d.seed and d.seed.startswith("reports/")}
    assert {f"reports/{r.filename}" for r in reports} == set(by_file)
    for report in reports:
        doc = by_file[f"reports/{report.filename}"]
        assert doc.title == report.title and doc.column_code == "ndbg"
        assert report.title in with_reports.pages[doc.path].body.decode("utf-8")


def test_builds_are_deterministic() -> None:
    a, b = build_site(30, seed=7), build_site(30, seed=7)
    assert list(a.pages) == list(b.pages)
    for path in a.pages:
        assert a.pages[path].body == b.pages[path].body, path
    assert [d.metadata for d in a.documents] == [d.metadata for d in b.documents]
    other = build_site(30, seed=8)
    assert {p: r.body for p, r in other.pages.items() if p.endswith(".htm")} != {
        p: r.body for p, r in a.pages.items() if p.endswith(".htm")
    }


def test_documents_are_distinct(site: DemoSite) -> None:
    pages = site.detail_pages
    assert len({d.title for d in pages}) == len(pages)
    assert len({d.text for d in pages}) == len(pages)
    assert len({d.path for d in site.documents}) == len(site.documents)


def test_conditional_requests_and_head(site: DemoSite, portal: DemoPortal) -> None:
    for path in (site.root_path, site.detail_pages[0].path, site.attachments[0].path):
        first = fetch(portal.url(path))
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert fetch(portal.url(path), {"If-None-Match": etag}).status == 304
        assert fetch(portal.url(path), {"If-Modified-Since": modified}).status == 304
        assert fetch(portal.url(path), {"If-None-Match": '"other"'}).status == 200
        # If-None-Match wins over a matching If-Modified-Since
        assert (
            fetch(portal.url(path), {"If-None-Match": '"other"', "If-Modified-Since": modified}).status == 200
        )
        assert fetch(portal.url(path), {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status == 200
        head = fetch(portal.url(path), method="HEAD")
        assert head.status == 200 and head.body == b""
        assert int(head.headers["content-length"]) == len(first.body)


def test_keep_alive_connection(site: DemoSite, portal: DemoPortal) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=10)
    try:
        for doc in site.detail_pages[:10]:
            conn.request("GET", doc.path)
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200 and len(body) == int(resp.getheader("Content-Length"))
            assert resp.getheader("Connection") != "close"
    finally:
        conn.close()


def test_robots_search_and_print_links(site: DemoSite, portal: DemoPortal) -> None:
    robots = fetch(portal.url("/robots.txt"))
    assert robots.status == 200 and robots.content_type.startswith("text/plain")
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(robots.body.decode().splitlines())
    assert not parser.can_fetch("xxgk", portal.url("/search/?q=x"))
    assert not parser.can_fetch("xxgk", portal.url("/xxgk/print/?url=/x"))
    assert parser.can_fetch("xxgk", portal.root_url)
    doc = site.detail_pages[0]
    html = fetch(portal.url(doc.path)).text()
    links = [target(u) for u in hrefs(html, portal.url(doc.path))]
    assert any(t.startswith("/search/?q=") for t in links)
    print_link = next(t for t in links if t.startswith("/xxgk/print/"))
    # served when asked directly (the crawler must not ask)
    assert doc.title in fetch(portal.url(print_link)).text()
    found = fetch(portal.url("/search/?q=" + urllib.parse.quote(doc.title[:6])))
    assert found.status == 200 and doc.path.split("?")[0] in unescape(found.text())


def test_redirects_404_and_static_files(site: DemoSite, portal: DemoPortal) -> None:
    moved = fetch(portal.url("/xxgk"))
    assert moved.status == 301 and moved.headers["location"] == "/xxgk/"
    for path, location in site.redirects.items():
        assert fetch(portal.url(path)).headers["location"] == location
    for path in (*site.broken_links, "/no/such/page.htm", "/xxgk/content.jsp?id=1"):
        assert fetch(portal.url(path)).status == 404
    root_html = fetch(portal.root_url).text()
    assert set(site.broken_links) <= {target(u) for u in hrefs(root_html, portal.root_url)}
    icon = fetch(portal.url("/favicon.ico"))
    assert icon.status == 200 and icon.content_type == "image/x-icon" and icon.body[:4] == b"\x00\x00\x01\x00"
    for asset in ("/css/common.css", "/js/common.js", "/images/logo.png"):
        assert fetch(portal.url(asset)).status == 200


def test_request_log(site: DemoSite) -> None:
    with DemoPortal(site) as fresh:
        fetch(fresh.root_url)
        fetch(fresh.url("/missing"), {"X-Probe": "1"})
        fetch(fresh.root_url, method="HEAD")
        records = fresh.requests
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/xxgk/", 200),
        ("GET", "/missing", 404),
        ("HEAD", "/xxgk/", 200),
    ]
    assert records[1].headers["x-probe"] == "1"


def test_pages_weigh_like_real_portals(site: DemoSite) -> None:
    sizes = sorted(
        len(site.pages[d.path].body) for d in site.detail_pages if d.encoding == "utf-8" and not d.seed
    )
    median = sizes[len(sizes) // 2]
    assert 18_000 <= median <= 40_000
    # ~50 navigation links shared by every page (header + footer)
    shared = None
    for doc in site.detail_pages[:5]:
        html = site.pages[doc.path].body.decode(doc.encoding)
        head, foot = html.split('<div class="main')[0], html.split('<div class="links-bar')[1]
        links = set(Selector(text=head + foot).css("a::attr(href)").getall())
        shared = links if shared is None else shared & links
    assert shared is not None and 40 <= len(shared) <= 70
    html = site.pages[site.detail_pages[0].path].body.decode(site.detail_pages[0].encoding)
    for marker in ("扫一扫在手机打开当前页", "主办单位", "ICP备", "分享到"):
        assert marker in html


def test_export_writes_static_files(tmp_path: Path) -> None:
    from crawler.demo.export import _type_keys, file_for

    assert demo_main(["export", str(tmp_path), "--size", "12"]) == 0
    small = build_site(12)
    keys = _type_keys(small)
    for path, resource in small.pages.items():
        assert (
            tmp_path / "htdocs" / file_for(path, resource.content_type, keys)
        ).read_bytes() == resource.body
    assert list((tmp_path / "htdocs" / "xxgk" / "list.jsp.q").glob("cid=12.t*"))
    conf = (tmp_path / "nginx.conf").read_text()
    assert "location = /xxgk/list.jsp" in conf and "return 301 /xxgk/;" in conf


def test_revisions_add_documents_and_keep_old_urls() -> None:
    base, later = build_site(40), build_site(40, revision=1)
    old = {d.path for d in base.documents}
    new = [d for d in later.documents if d.path not in old]
    assert new and all(d.revision == 1 for d in new)
    assert old <= {d.path for d in later.documents}
    newest = min(d.metadata["publish_date"] for d in new if d.kind == "page")
    assert newest > max(d.metadata["publish_date"] or "" for d in base.detail_pages)
    # a new detail page is listed on the first page of its column
    first_pages = {lp.path: lp for lp in later.listing_pages if lp.number == 1}
    for doc in (d for d in new if d.kind == "page"):
        assert doc.path in first_pages[later.column(doc.column_code).listing_paths[0]].items
    # untouched old pages keep their validators: incremental crawls get 304
    kept = [p for p in old if base.pages[p].body == later.pages[p].body]
    assert kept and all(base.pages[p].etag == later.pages[p].etag for p in kept)


def test_expected_rows_use_dataset_field_names(site: DemoSite) -> None:
    from pipelines.fields import DOCUMENT_FIELD_NAMES

    for doc in site.documents[:20]:
        row = doc.expected("http://127.0.0.1:1")
        assert set(row) <= set(DOCUMENT_FIELD_NAMES)
        assert row["url"] == "http://127.0.0.1:1" + doc.path
