"""registry.recognise (one Aho-Corasick scan a page) names the families the plain test names:
any of a family's MARKERS a substring of the page."""

from __future__ import annotations

import random
from pathlib import Path
from types import ModuleType

from crawler.cms import registry
from crawler.cms.base import Page
from crawler.demo import build_site

FIXTURES = Path(__file__).parent / "fixtures"


def plain(text: str, families: tuple[ModuleType, ...]) -> list[ModuleType]:
    return [family for family in families if any(marker in text for marker in family.MARKERS)]


def family(name: str, *markers: str) -> ModuleType:
    module = ModuleType(name)
    module.MARKERS = markers
    return module


def pieces(families: tuple[ModuleType, ...]) -> list[str]:
    """Markers, their starts and ends (so that occurrences overlap), and other text."""
    markers = [m for f in families for m in f.MARKERS if m]
    return [
        *markers,
        *(m[:k] for m in markers for k in (1, 2, 3)),
        *(m[-k:] for m in markers for k in (1, 2, 3)),
    ]


def test_recognise_on_pages() -> None:
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(FIXTURES.rglob("*.*htm*"))]
    site = build_site(size=40, seed=3)
    texts += [site.resolve(path).body.decode("utf-8", "replace") for path in site.pages]
    assert len(texts) > 40
    for text in texts:
        assert registry.recognise(Page("http://x/", text)) == plain(text, registry.FAMILIES)


def test_recognise_on_overlapping_markers() -> None:
    rnd = random.Random(2)
    own = (
        family("a", "abc", "xyz"),
        family("b", "bcd", "cab"),
        family("c", "c", "中文"),
        family("d", "zzz"),
        family("e", ""),  # in every text
    )
    for families in (registry.FAMILIES, own, own[:4], ()):
        choices = [*pieces(families), "中", " ", "x", "\udc80"]
        for _ in range(20_000):
            text = "".join(rnd.choice(choices) for _ in range(rnd.randint(0, 8)))
            assert registry.recognise(Page("http://x/", text), families) == plain(text, families), text
