"""The page scans of pipelines/pages.py find exactly what their plain forms (lazy ``.*?``, no
look at the character after "<") found: same matches, same groups, on real pages and on
random markup built from the pieces the scans care about."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from crawler.demo import build_site
from pipelines import pages
from pipelines.page_patterns import REQUISITE_ATTRIBUTES

FIXTURES = Path(__file__).parent / "fixtures"
_VALUE = pages._VALUE
PLAIN_SCAN = re.compile(
    r"<!--.*?-->|<script\b[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>"
    rf"|<(?:(a)|area)\b[^>]*?\shref{_VALUE}[^>]*>([^<]*)"
    rf"|<i?frame\b[^>]*?\ssrc{_VALUE}[^>]*>"
    rf"|<base\b[^>]*?\shref{_VALUE}",
    re.I | re.S,
)
PLAIN_REQUISITE_TAGS = re.compile(
    r"<!--.*?-->|<style\b[^>]*>(.*?)</style\s*>|<(link|" + "|".join(REQUISITE_ATTRIBUTES) + r")\b([^>]*)>",
    re.I | re.S,
)
# Pieces of markup, the unclosed and the oddly cased (re.I: ſ is an s, İ and ı are i's) included.
PIECES = [
    *("<", ">", "<!--", "-->", "--", "-", "!", "<!", "<!-", "/", "=", '"', "'", " ", "\n", "x", "中"),
    *("<script", "</script>", "</script >", "</SCRIPT\n>", "<style", "</style>", "<STYLE", "<Sty"),
    *("<a", "<A", "<area", "</a>", " href", "href", "&amp;", "<iframe", "<frame", " src", "<base"),
    *("<ſcript", "<İframe", "<ıframe", "ſ", "K", "<s", "<b", "<i", "<f", "<img", "<link", "<td", "<body"),
    *(" rel=stylesheet", " background", "url(x)", "<div>"),
]


def _pages() -> list[str]:
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(FIXTURES.rglob("*.*htm*"))]
    site = build_site(size=40, seed=3)
    return texts + [site.resolve(path).body.decode("utf-8", "replace") for path in site.pages]


@pytest.mark.parametrize(
    ("scan", "plain"),
    [(pages._SCAN, PLAIN_SCAN), (pages._REQUISITE_TAGS, PLAIN_REQUISITE_TAGS)],
    ids=["links", "requisites"],
)
def test_scans_match_their_plain_forms(scan: re.Pattern[str], plain: re.Pattern[str]) -> None:
    texts = _pages()
    assert len(texts) > 40
    rnd = random.Random(1)
    texts += ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 40))) for _ in range(20_000)]
    for text in texts:
        assert scan.findall(text) == plain.findall(text), text[:300]
