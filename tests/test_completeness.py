"""Completeness against the portal's own words (crawler/completeness.py): a listing that claims more
than the crawl reached is listed in the summary, the manifest and the run report, and `xxgk crawl`
ends with exit status 4."""

from __future__ import annotations

import random
from pathlib import Path

import orjson

from crawler import completeness
from crawler.cms.base import Page
from crawler.completeness import (
    ALIAS_KEY,
    SHORTFALL_EXIT,
    STATS_KEY,
    ListingTally,
    claims,
    listing_key,
    report,
)
from crawler.demo import build_site
from tests.support.portals import StaticPortal, crawl_portal, trs_template_portal
from tests.support.runner import FAST, xxgk

# Pieces of what listings say (and of what they do not), cased oddly: re.I matches ſ for s, K for k.
CLAIM_PIECES = [
    *(
        "countPage",
        "countPage = 4",
        "xcountPage=5",
        "pageCount: 3",
        "totalPages='7'",
        "pageTotal=2",
        "PageCount=9",
    ),
    *("Total record", "TOTAL RECORD", "tOtAl", "totalRecord: 523", "TotalRecord=8", "toTal", "ſ", "K", "İ"),
    *(
        "<a title='Total record'>",
        '<a TITLE="total   Record" x>',
        "&nbsp;",
        "<b>",
        "</b>",
        "101",
        " ",
        "共3页",
        "共",
    ),
    *("<totalrecord>12</totalrecord>", "=", ":", "'", '"', ">", "<", "x", "中", "\udc80"),
]


def _plain_first(patterns, text):
    """completeness._first without its substring tests: every pattern searched."""
    for pattern in patterns:
        match = pattern.search(text)
        if match and 0 < int(match.group(1)) <= completeness.MAX_CLAIM:
            return int(match.group(1))
    return None


def test_pages_of_one_listing_share_a_key():
    assert {
        listing_key(u)
        for u in (
            "http://x.cn/xxgk/tzgg/",
            "http://x.cn/xxgk/tzgg/index.html",
            "http://x.cn/xxgk/tzgg/index_7.html",
        )
    } == {"http://x.cn/xxgk/tzgg/"}
    assert listing_key("http://x.cn/list.jsp?pageNo=3&cid=7") == listing_key("http://x.cn/list.jsp?cid=7")
    assert listing_key("http://x.cn/list.jsp?cid=8") != listing_key("http://x.cn/list.jsp?cid=7")


def test_claims_in_the_portals_words():
    assert claims(Page("http://x.cn/a/", "<span>共125条</span> <span>共9页</span>")) == (9, 125)
    assert claims(Page("http://x.cn/a/", "<script>var countPage = 4//共多少页</script>")) == (4, None)
    assert claims(Page("http://x.cn/a/", "<datastore><totalrecord>523</totalrecord></datastore>")) == (
        None,
        523,
    )
    assert claims(
        Page("http://x.cn/api/all/1?page=1", '{"total": 45, "articles": []}', "application/json")
    ) == (None, 45)


def test_empirecms_total_record_is_a_record_claim():
    pager = (
        '<div style="text-align:center;"><a title="Total record">&nbsp;<b>101</b> </a>&nbsp;&nbsp;&nbsp;'
        '<b>1</b>&nbsp;<a href="index_2.html">2</a>&nbsp;<a href="index_7.html">尾页</a></div>'
    )
    assert claims(Page("http://x.cn/xxgk/zz/", pager)) == (None, 101)
    assert claims(Page("http://x.cn/xxgk/zz/", "<a title='Total record'><b> 99 </b></a>")) == (None, 99)
    # the words alone, or a title that names something else, claim nothing
    assert claims(Page("http://x.cn/a/", "<p>Total record</p><b>101</b>")) == (None, None)
    assert claims(Page("http://x.cn/a/", '<a title="Total pages"><b>7</b></a>')) == (None, None)


def test_a_breadcrumb_home_is_not_a_page_of_the_listing():
    # EmpireCMS listings link the site's home as 首页 in their breadcrumb, a pager word: the
    # shortfall must name the listing, not the home page, whichever listing was parsed first
    tally = ListingTally()
    for listing in ("http://x.cn/xxgk/zz/", "http://x.cn/xxgk/nb/"):
        tally.pager_links(
            listing,
            [
                f"{listing}index_2.html",
                "http://x.cn/index.html",
                "http://x.cn/xxgk/index.html",
                f"{listing}?cid=4",
            ],
        )
    assert sorted(tally.aliases()) == [
        ["http://x.cn/xxgk/nb/?cid=4", "http://x.cn/xxgk/nb/"],
        ["http://x.cn/xxgk/zz/?cid=4", "http://x.cn/xxgk/zz/"],
    ]
    tally = ListingTally()  # a page reached by another name pages to its listing's first page
    tally.pager_links("http://x.cn/xxgk/zz/more.html", ["http://x.cn/xxgk/zz/index_2.html"])
    assert tally.aliases() == [["http://x.cn/xxgk/zz/", "http://x.cn/xxgk/zz/more.html"]]


def test_process_tallies_add_up_and_aliases_join_keys():
    stats = {
        STATS_KEY: [
            {
                "listing": "L",
                "column": "c",
                "claimed_pages": 3,
                "claimed_records": 30,
                "pages": 1,
                "linked": 10,
                "documents": 10,
            },
            {
                "listing": "L?cid=1",
                "column": None,
                "claimed_pages": 3,
                "claimed_records": 30,
                "pages": 2,
                "linked": 20,
                "documents": 19,
            },
            {
                "listing": "M",
                "column": None,
                "claimed_pages": 2,
                "claimed_records": None,
                "pages": 1,
                "linked": 5,
                "documents": 5,
            },
        ],
        ALIAS_KEY: [["L?cid=1", "L"]],
    }
    checked = report(stats)
    assert checked["listings"] == 2
    assert checked["shortfalls"] == [
        {
            "listing": "M",
            "column": None,
            "claimed_pages": 2,
            "reached_pages": 1,
            "claimed_records": None,
            "reached_records": 5,
        }
    ]


def test_a_listing_claiming_more_than_is_reachable_is_reported_with_exit_4(tmp_path):
    routes, _, _ = trs_template_portal(count=3, per_page=10, served=1)  # index_1/index_2: 404
    crawl = crawl_portal(routes, "/xxgk/", tmp_path, "s")
    proc = crawl.proc
    assert proc.returncode == SHORTFALL_EXIT == 4, proc.stdout + proc.stderr
    assert "completeness  1 listings state their size, 1 fell short" in proc.stdout
    assert f"short         {crawl.base_url}/xxgk/tzgg/: reached pages 1 of 3" in proc.stdout
    assert "fell short of their stated size" in proc.stderr


def test_the_manifest_and_the_run_report_list_the_shortfall(tmp_path):
    routes, _, _ = trs_template_portal(count=3, per_page=10, served=2)
    with StaticPortal(routes) as portal:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"sites:\n  - name: short\n    seeds: [{portal.url('/xxgk/')}]\n", encoding="utf-8")
        proc = xxgk("run", str(sites), "--out", str(tmp_path / "out"), *FAST)
        seed = portal.url("/xxgk/tzgg/")
    assert proc.returncode == 0, (
        proc.stdout + proc.stderr
    )  # `xxgk run` keeps its cron codes; the manifest says it
    [run_dir] = (tmp_path / "out" / "runs" / "short").iterdir()
    manifest = orjson.loads((run_dir / "manifest.json").read_bytes())
    assert manifest["completeness"] == {
        "listings": 1,
        "shortfalls": [
            {
                "listing": seed,
                "column": None,
                "claimed_pages": 3,
                "reached_pages": 2,
                "claimed_records": None,
                "reached_records": 20,
            }
        ],
    }
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "1 listings state their size, 1 fell short" in html and f"<code>{seed}</code>" in html


def test_claims_are_searched_only_where_they_can_match():
    site = build_site(size=40, seed=3)
    texts = [site.resolve(path).body.decode("utf-8", "replace") for path in site.pages]
    texts += [p.read_text("utf-8", "replace") for p in (Path(__file__).parent / "fixtures").rglob("*.*htm*")]
    rnd = random.Random(4)
    texts += ["".join(rnd.choice(CLAIM_PIECES) for _ in range(rnd.randint(1, 12))) for _ in range(20_000)]
    for text in texts:
        for patterns in (completeness.PAGE_CLAIMS, completeness.RECORD_CLAIMS):
            assert completeness._first(patterns, text) == _plain_first(patterns, text), text
