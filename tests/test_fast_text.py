"""The fast text path: a known body container read with lxml gives trafilatura's text, and
trafilatura stays the fallback (no known container) and the judge (per site)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.extract_speed import both_paths
from pipelines import fast_text
from pipelines import text as text_module
from pipelines.document import extract_document
from pipelines.htmltree import parse_html

FIXTURES = Path(__file__).parent / "fixtures"
REAL_PAGES = sorted((FIXTURES / "pages").glob("*.html")) + sorted(
    (FIXTURES / "reports" / "corpus").glob("*.html")
)
HTML = {"Content-Type": "text/html"}


@pytest.fixture(autouse=True)
def fresh_judge(monkeypatch: pytest.MonkeyPatch) -> fast_text.SiteJudge:
    judge = fast_text.SiteJudge()
    monkeypatch.setattr(fast_text, "JUDGE", judge)
    monkeypatch.delenv("XXGK_FAST_TEXT", raising=False)
    return judge


class TrafilaturaCalls:
    """Counts trafilatura passes (and lets them run)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = text_module.trafilatura.extract

        def counted(*args, **kwargs):
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(text_module.trafilatura, "extract", counted)


# Real pages and what reads them: a known CMS container, a container learned from the page, or none
# (the re-rendered Shanghai report is bare <p> and <table> in <body>: trafilatura reads it).
EXPECTED_KEYS = {
    "divspan_pingluo_tongfu.gbk.html": "gkmlpt",
    "dl_yanchi_gaoshawo.html": "learned://div[@class='doc-body']",
    "inline_short_notice.html": "learned://div[@class='text']",
    "li_shapotou_dongyuan.html": "learned://div[@class='xxgk_xl_con']",
    "table_helan_jingui.html": "trs-ueditor",
    "trs_shaxian_gaoqiao.html": "trs-editor",
    "shanghai-bgt-2019.html": None,
    "shuyang-fgj-2023.html": "zoomcon",
}
# Pages whose fast-path text is better than trafilatura's by `fast_text.compare`'s rule: trafilatura
# adds the label cells of the metadata table above the body (文号 关键词 / 文件下载 / 时效).
BETTER = {"shuyang-fgj-2023.html"}


@pytest.mark.parametrize("path", REAL_PAGES, ids=lambda p: p.name)
def test_real_pages_fast_path_equals_trafilatura(path: Path) -> None:
    judge, url, body = fast_text.SiteJudge(), f"http://www.example.gov.cn/{path.name}", path.read_bytes()
    key, fast, slow, verdict = both_paths(url, HTML, body, judge=judge)
    if key is None:  # none known: the page was searched for one, as a site's first page is; read with it
        key, fast, slow, verdict = both_paths(url, HTML, body, judge=judge)
    if path.name in EXPECTED_KEYS:  # (a fixture added since is held to the rule below all the same)
        assert key == EXPECTED_KEYS[path.name]
    if key is not None:
        assert verdict == ("better" if path.name in BETTER else "equal")
        assert verdict == "better" or fast == slow  # equal pages are equal byte for byte


def test_known_container_is_trusted_after_the_judge_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    page = (FIXTURES / "pages" / "trs_shaxian_gaoqiao.html").read_bytes()
    calls = TrafilaturaCalls(monkeypatch)
    slow = extract_document("http://a.gov.cn/0.html", HTML, page, include_text=True)
    texts = [extract_document(f"http://a.gov.cn/{i}.html", HTML, page)["text"] for i in range(1, 8)]
    # the first JUDGE_PAGES pages of the site went through both paths; the rest through the fast path
    assert calls.count == fast_text.JUDGE_PAGES
    assert all(t == slow["text"] for t in texts)
    verdicts = fast_text.JUDGE.sites["a.gov.cn"].containers["trs-editor"]
    assert (verdicts.agreed, verdicts.disagreed) == (fast_text.JUDGE_PAGES, 0)


def test_page_without_a_known_container_falls_back_to_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    body = (
        "<html><head><title>测试通知</title></head><body><div class='nav'><a href='/'>首页</a></div>"
        "<div class='mystery'><h1>测试通知</h1><p>各村：请按时参加会议。会议地点在镇政府三楼会议室。</p>"
        "<p>特此通知。</p></div></body></html>"
    ).encode()
    calls = TrafilaturaCalls(monkeypatch)
    row = extract_document("http://b.gov.cn/1.html", HTML, body)
    assert calls.count == 1
    assert row["text"] == "各村：请按时参加会议。会议地点在镇政府三楼会议室。\n特此通知。"
    monkeypatch.setenv("XXGK_FAST_TEXT", "0")
    assert extract_document("http://c.gov.cn/1.html", HTML, body)["text"] == row["text"]


def test_a_container_the_judge_disagrees_with_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # #zoom holds only the first paragraph; trafilatura reads the whole article
    body = (
        "<html><body><div class='article'><div id='zoom'><p>第一段，这是放在放大区域里的一段正文文字。</p></div>"
        "<p>第二段，这是放在放大区域之外的另一段正文文字，足够长以便被保留下来作为正文。</p></div></body></html>"
    ).encode()
    calls = TrafilaturaCalls(monkeypatch)
    texts = [extract_document(f"http://d.gov.cn/{i}.html", HTML, body)["text"] for i in range(10)]
    assert all(t == texts[0] and "第二段" in t for t in texts)
    profile = fast_text.JUDGE.sites["d.gov.cn"]
    assert not profile.containers["hanweb-zoom"].trusted()
    # #zoom judged on 3 pages and rejected; the site then learned the article div (page 3), judged
    # it on 2 more and uses it: trafilatura ran for 6 pages of 10
    assert [k for k, _ in profile.learned] == ["learned://div[@class='article']"]
    assert calls.count == 6


def test_learned_container_serves_the_sites_later_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    template = (FIXTURES / "pages" / "li_shapotou_dongyuan.html").read_text(encoding="utf-8")
    pages = [template.replace("确保及时更新。", f"确保及时更新（第{i}次）。") for i in range(8)]
    calls = TrafilaturaCalls(monkeypatch)
    texts = [
        extract_document(f"http://e.gov.cn/{i}.html", HTML, p.encode())["text"] for i, p in enumerate(pages)
    ]
    monkeypatch.setenv("XXGK_FAST_TEXT", "0")
    assert texts == [
        extract_document(f"http://f.gov.cn/{i}.html", HTML, p.encode())["text"] for i, p in enumerate(pages)
    ]
    # learned on page 0 (its first agreement), judged on pages 1 and 2, then trusted
    assert calls.count - len(pages) == fast_text.JUDGE_PAGES
    assert [k for k, _ in fast_text.JUDGE.sites["e.gov.cn"].learned] == [
        "learned://div[@class='xxgk_xl_con']"
    ]


def _both(html: str, title: str | None = None) -> tuple[str | None, str | None]:
    tree = parse_html(html)
    found = fast_text.find_container(tree)
    assert found is not None
    fast = text_module.container_text(found[1], set(), title)
    return fast, text_module.extract_text(tree, title=title, fast=False)


def test_tables_spans_lists_and_links_read_as_trafilatura_reads_them() -> None:
    filler = "".join(f"<p>第{i}段正文，说明有关事项，请各单位认真贯彻执行。</p>" for i in range(6))
    html = (
        "<html><body><div class='TRS_Editor'>" + filler + "<table><tbody>"
        "<tr><th colspan='3'>第二十条第（一）项</th></tr>"
        "<tr><th>信息内容</th><th>本年制发件数</th><th>现行有效件数</th></tr>"
        "<tr><td rowspan='2'>规章</td><td>1</td><td>2</td></tr>"
        "<tr><td>3</td><td>a|b</td></tr>"
        "<tr><td>&nbsp;</td><td></td><td></td></tr></tbody></table>"
        "<ul><li>第一项</li><li>第二项</li></ul>"
        "<p><a href='/a.pdf'>附件1：明细表.pdf</a></p><meta name='ContentEnd'>"
        "</div></body></html>"
    )
    fast, slow = _both(html)
    assert fast == slow
    assert "第二十条第（一）项\t\t" in fast and "\t3\ta|b" in fast and "- 第二项" in fast
    assert "---" not in fast and "明细表" not in fast  # no Markdown rule row; the link-only line is dropped


def test_markdown_rule_rows_and_escaped_pipes_are_not_text() -> None:
    assert text_module._tidy("| a | b |\n|---|---|\n| x\\|y | 2 |", None) == "a\tb\nx|y\t2"


def test_demo_portal_rows_are_the_same_with_and_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Datasets do not change: every document of a demo portal (both CMS families, GBK pages, reports,
    attachments) gives the same row whichever path read its text."""
    from crawler.demo import build_site

    site = build_site(size=30, seed=7, reports_dir=FIXTURES / "no-such-dir")
    docs = [(f"http://demo.gov.cn{d.path}", site.resolve(d.path)) for d in site.documents]
    fast = [extract_document(url, dict(r.response_headers()), r.body) for url, r in docs]
    monkeypatch.setenv("XXGK_FAST_TEXT", "0")
    slow = [extract_document(url, dict(r.response_headers()), r.body) for url, r in docs]
    assert fast == slow
    assert sum(1 for row in fast if row["kind"] == "page" and row["text"]) >= 20
    verdicts = fast_text.JUDGE.sites["demo.gov.cn"].containers
    assert all(v.trusted() for v in verdicts.values()) and sum(v.seen for v in verdicts.values()) >= 20


def test_headings_trafilatura_drops_make_the_fast_text_better_and_it_is_used() -> None:
    paragraphs = "".join(f"<p>第{i}段正文，说明有关事项，请各单位认真贯彻执行。</p>" for i in range(4))
    body = (
        "<html><body><div class='TRS_Editor'><h2>一、总体情况</h2>"
        + paragraphs
        + "<center>某某镇人民政府</center>"
        "<pre>表头  说明\n第二行</pre></div></body></html>"
    )
    tree = parse_html(body)
    _, container = fast_text.find_container(tree)  # type: ignore[misc]
    fast = text_module.container_text(container, set(), None)
    slow = text_module.extract_text(parse_html(body), fast=False)
    assert (
        "一、总体情况" not in slow and "某某镇人民政府" not in slow
    )  # trafilatura, as configured, loses them
    assert fast_text.compare(fast, slow) == "different"
    assert fast_text.compare(fast, slow, fast_text.heading_lines(container)) == "better"
    rows = [extract_document(f"http://g.gov.cn/{i}.html", HTML, body.encode())["text"] for i in range(5)]
    # judged pages keep the better text too (no effect of page order); the heading is the row's title
    assert len(set(rows)) == 1 and "某某镇人民政府" in rows[0]
    assert fast.splitlines()[0] == "一、总体情况" and "表头  说明\n第二行" in fast


def test_nested_editor_divs_are_one_container_and_twins_are_none() -> None:
    paragraphs = "".join(f"<p>第{i}段正文，说明有关事项，请各单位认真贯彻执行。</p>" for i in range(4))
    nested = (
        f"<html><body><div class='TRS_Editor'><div class='TRS_Editor'>{paragraphs}</div></div></body></html>"
    )
    found = fast_text.find_container(parse_html(nested))
    assert found is not None and found[0] == "trs-editor" and found[1].getparent().tag == "body"
    twins = (
        f"<html><body><div class='TRS_Editor'>{paragraphs}</div><div class='TRS_Editor'>x</div></body></html>"
    )
    assert fast_text.find_container(parse_html(twins)) is None


def test_the_container_found_through_the_page_text_is_the_one_a_walk_of_every_element_finds() -> None:
    # find_container given the page's text looks only at the tags whose markup holds a container's
    # name; it must find what the walk of every element finds, on real pages and on markup that
    # names a container in odd places (upper-case tags, text, another attribute, a script)
    odd = [
        "<html><body><DIV ID=zoom><p>正文</p></DIV></body></html>",
        "<html><body><p>zoom TRS_Editor</p><a title='zoom' href='#'>x</a><td>y</td></body></html>",
        "<html><body><script>doZoom('zoom')</script><TD class='a TRS_Editor b'>正文</TD></body></html>",
        "<html><body><div class='TRS_Editor'><div class='TRS_Editor'>正文</div></div><span id=zoom>z</span></body></html>",
    ]
    pages = [p.read_bytes().decode("utf-8", "replace") for p in REAL_PAGES] + odd
    found = 0
    for html in pages:
        tree = parse_html(html)
        assert fast_text.find_container(tree, html) == fast_text.find_container(tree)
        found += fast_text.find_container(tree, html) is not None
    assert found >= 6
