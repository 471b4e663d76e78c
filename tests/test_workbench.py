"""`xxgk serve`: a researcher finds a document by what it says and sees it as it was.

The database (pipelines.workbench) and its search are checked against the dataset itself;
the workbench is driven in real Chromium: search a 文号 and a two-character word, open the
row, follow its replay link to pywb and see the archived page; the chart page draws."""

from __future__ import annotations

import random
import sqlite3
from urllib.parse import quote

import orjson
import pytest

from archive.replay import free_port
from pipelines.workbench import SEARCH_SQL, build_database, database_path
from tests.support.runner import xxgk_server
from tests.test_replay_dedup import CHROMIUM, CHROMIUM_ARGS

SEARCHED = ("title", "doc_no", "index_no", "publisher", "text")


def rows(datasets) -> list[dict]:
    return [orjson.loads(x) for x in (datasets / "documents.jsonl").read_bytes().splitlines()]


def test_search_finds_every_substring_of_two_characters_or_more(demo_crawl, tmp_path):
    """Recall against the dataset itself: words of 2, 3 and 4 characters cut from titles and texts."""
    datasets = tmp_path / "demo"
    datasets.mkdir()
    for name in ("documents.jsonl", "annual_reports.jsonl"):
        (datasets / name).write_bytes((demo_crawl.datasets / name).read_bytes())
    db = build_database(datasets)
    assert db == database_path(datasets) and build_database(datasets) == db  # unchanged: not rebuilt
    documents = rows(datasets)
    sample = random.Random(7)
    words = []
    for row in sample.sample(documents, 20):
        source = row["title"] if sample.random() < 0.5 else (row["text"] or row["title"])
        size = sample.choice((2, 3, 4))
        start = sample.randrange(max(1, len(source) - size))
        words.append(source[start : start + size])
    with sqlite3.connect(db) as conn:
        for word in [*words, "低保", "征地"]:
            found = {r[0] for r in conn.execute(SEARCH_SQL, {"q": word})}
            expected = {r["doc_id"] for r in documents if any(word in (r[k] or "") for k in SEARCHED)}
            assert found == expected, word


@pytest.fixture(scope="module")
def workbench(demo_crawl):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = xxgk_server("serve", str(demo_crawl.out), "--port", str(port), answers=base + "/-/versions.json")
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def test_a_researcher_searches_opens_and_replays(workbench, demo_crawl):
    from playwright.sync_api import sync_playwright

    documents = rows(demo_crawl.datasets)
    cited = next(r for r in documents if r["doc_no"] and r["kind"] == "page" and r["replay_url"])
    two = next(r for r in documents if r["kind"] == "page" and r["title"] and len(r["title"]) > 8)
    word = two["title"][4:6]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{workbench}/demo/search?q={quote(cited['doc_no'])}", timeout=60_000)
            assert page.get_by_text(cited["title"]).first.is_visible()
            page.goto(f"{workbench}/demo/search?q={quote(word)}", timeout=60_000)
            assert page.get_by_text(two["title"]).first.is_visible()
            # open the row (its versions), then its replay at capture time
            page.goto(f"{workbench}/demo/documents?doc_id={cited['doc_id']}", timeout=60_000)
            assert page.locator("code", has_text="xxgk warc show").first.is_visible()  # the raw record
            with page.expect_navigation(timeout=60_000):
                page.locator("a.xxgk-replay").first.click()
            frame = page.frame_locator("#replay_iframe")
            frame.locator("body").wait_for(timeout=60_000)
            title = frame.locator("title").text_content(timeout=60_000)
            assert title and cited["title"] in title
            page.goto(f"{workbench}/chart", timeout=60_000)
            page.locator("#chart-svg rect.bar").first.wait_for(timeout=60_000)
            assert page.locator("#chart-svg rect.bar").count() >= 2
        finally:
            browser.close()
