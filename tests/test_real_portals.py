"""Real portal pages (tests/fixtures/real_portals, sources in its SOURCES.md) served on loopback:
the real `xxgk crawl` reaches every page the material holds and its pagers claim, stays in scope,
ends with the exit status the material supports (4 when a listing claims more than exists; the
listings that fall short are the portal's "shortfalls"), and reads on every detail page the
metadata a person read from it (portals.json).

A portal whose spec has "xfail" (a gap of the crawler the material shows, with its reason) is
crawled the same way; what holds is still asserted, the gap is an expected failure, and the test
fails when the gap closes so that the mark is taken off. Every stored detail page's metadata is
also read straight from its bytes (extract_document), crawl or no crawl."""

from __future__ import annotations

import re

import pytest

from pipelines.document import extract_document
from tests.support.real_portals import ROOT, crawl, portals, stored_pages

PORTALS = portals()
# the summary's line for a listing that fell short of its stated size (crawler/run.py completeness_lines)
SHORT_LINE = re.compile(r"^  short +(\S+?)(?: \(.*\))?: reached ", re.M)


def test_every_stored_page_is_described_and_sourced():
    sources = (ROOT / "SOURCES.md").read_text(encoding="utf-8")
    for name, spec in PORTALS.items():
        stored = stored_pages(name)
        assert set(stored) == set(spec["pages"]), (
            name
        )  # nothing stored undescribed, nothing described missing
        assert set(spec["seeds"]) <= set(stored)
        for path, page in spec["pages"].items():
            source = page["source"]
            assert {"repo", "path", "commit", "captured"} <= set(source), path
            assert source["commit"] in sources and spec["origin"] + path in sources, path
            assert page["role"] in {"listing", "detail", "data"}


@pytest.fixture(scope="module", params=sorted(PORTALS))
def real_crawl(request, tmp_path_factory):
    return crawl(request.param, tmp_path_factory.mktemp(request.param))


def test_the_crawl_reaches_every_page_and_stays_in_scope(real_crawl):
    spec = PORTALS[real_crawl.portal]
    proc = real_crawl.proc
    assert set(spec["pages"]) <= real_crawl.paths()
    outside = {p for p in real_crawl.paths() if p != "/robots.txt" and not p.startswith(spec["scope"])}
    assert not outside
    details = {path for path, page in spec["pages"].items() if page["role"] == "detail"}
    holds = proc.returncode == spec["exit"] and details <= set(real_crawl.rows())
    if spec.get("xfail"):
        assert not holds, "the gap is closed: take the xfail off"
        pytest.xfail(spec["xfail"])
    assert proc.returncode == spec["exit"], proc.stdout + proc.stderr
    assert details <= set(real_crawl.rows())
    short = {url[len(real_crawl.base_url) :] for url in SHORT_LINE.findall(proc.stdout)}
    assert short == set(spec.get("shortfalls", [])), proc.stdout


def test_metadata_of_every_detail_page_is_what_the_page_says(real_crawl):
    spec = PORTALS[real_crawl.portal]
    rows = real_crawl.rows()
    if spec.get("xfail") and not rows:
        pytest.xfail(spec["xfail"])
    for path, page in spec["pages"].items():
        if page["role"] != "detail":
            continue
        row = rows[path]
        got = {field: row.get(field) for field in page["metadata"]}
        assert got == page["metadata"], path


@pytest.mark.parametrize("name", sorted(PORTALS))
def test_metadata_of_every_stored_detail_page(name):
    """The hand-read metadata from each stored detail page as found, at its own URL."""
    spec = PORTALS[name]
    stored = stored_pages(name)
    for path, page in spec["pages"].items():
        if page["role"] != "detail":
            continue
        row = extract_document(
            spec["origin"] + path, {"content-type": "text/html"}, stored[path].read_bytes(), status=200
        )
        got = {field: row.get(field) for field in page["metadata"]}
        assert got == page["metadata"], path
