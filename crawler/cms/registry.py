"""The CMS families the spider knows, as data: add a module here (or name it in the
XXGK_CMS_FAMILIES setting) to teach it another one.

Order matters only for `data_only`: the first family that claims a data response wins.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from functools import lru_cache
from types import ModuleType

from ahocorasick_rs import BytesAhoCorasick, MatchKind

from crawler.cms import generic, gkmlpt, hanweb, script, scriptdata, trs
from crawler.cms.base import Found, Page

FAMILIES: tuple[ModuleType, ...] = (trs, hanweb, gkmlpt, generic, script, scriptdata)


def load(names: Iterable[str]) -> tuple[ModuleType, ...]:
    """Family modules by dotted name (XXGK_CMS_FAMILIES); none given: FAMILIES."""
    modules = tuple(importlib.import_module(name) for name in names)
    return modules or FAMILIES


def recognise(page: Page, families: Iterable[ModuleType] = FAMILIES) -> list[ModuleType]:
    """The families with evidence in this page: any of their MARKERS in its text."""
    return _Markers.of(tuple(families)).present(page.text)


def _can_overlap(a: str, b: str) -> bool:
    """Whether occurrences of a and b can overlap in a text: one in the other, or an end of
    one is a start of the other."""
    return (
        a in b
        or b in a
        or any(b.startswith(a[i:]) for i in range(1, len(a)))
        or any(a.startswith(b[i:]) for i in range(1, len(b)))
    )


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate must not raise here


class _Markers:
    """All the families' markers in one Aho-Corasick automaton, so a page is read once instead
    of once a marker (27): about 5x less time per page. Its UTF-8 is searched: a UTF-8
    substring is a substring of the text, and the byte search is twice as fast as the str one.

    The scan reports non-overlapping matches, leftmost first (the fast kind: overlapping
    matches read every byte), so an occurrence is missed only where it overlaps one reported.
    Around each reported match, the markers of other families that could overlap it are
    looked for in the few bytes such an occurrence would take.
    """

    def __init__(self, families: tuple[ModuleType, ...]):
        self.families = families
        owned = [(marker, i) for i, family in enumerate(families) for marker in family.MARKERS]
        searched = [(marker, i) for marker, i in owned if marker]
        self.always = {i for marker, i in owned if not marker}  # "" is in every text
        self.owner = [i for _, i in searched]
        self.automaton = BytesAhoCorasick([_utf8(m) for m, _ in searched], matchkind=MatchKind.LeftmostFirst)
        # per marker: (family, marker) of the other families' markers that can overlap it
        self.neighbours = [
            [(j, _utf8(other)) for other, j in searched if j != i and _can_overlap(marker, other)]
            for marker, i in searched
        ]

    @staticmethod
    @lru_cache(maxsize=16)
    def of(families: tuple[ModuleType, ...]) -> _Markers:
        return _Markers(families)

    def present(self, text: str) -> list[ModuleType]:
        data = _utf8(text)
        matches = self.automaton.find_matches_as_indexes(data)
        found = self.always | {self.owner[m] for m, _, _ in matches}
        for m, start, end in matches:
            for j, other in self.neighbours[m]:
                if j not in found and other in data[max(0, start - len(other) + 1) : end + len(other) - 1]:
                    found.add(j)
        return [family for i, family in enumerate(self.families) if i in found]


def discover(page: Page, families: list[ModuleType] | None = None) -> Iterator[Found]:
    """Everything the recognised families find beyond the page's plain links."""
    for family in recognise(page) if families is None else families:
        yield from family.discover(page)
