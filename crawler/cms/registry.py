"""The CMS families the spider knows, as data: add a module here (or name it in the
XXGK_CMS_FAMILIES setting) to teach it another one.

Order matters only for `data_only`: the first family that claims a data response wins.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from types import ModuleType

from crawler.cms import generic, gkmlpt, hanweb, script, scriptdata, trs
from crawler.cms.base import Found, Page

FAMILIES: tuple[ModuleType, ...] = (trs, hanweb, gkmlpt, generic, script, scriptdata)


def load(names: Iterable[str]) -> tuple[ModuleType, ...]:
    """Family modules by dotted name (XXGK_CMS_FAMILIES); none given: FAMILIES."""
    modules = tuple(importlib.import_module(name) for name in names)
    return modules or FAMILIES


def recognise(page: Page, families: Iterable[ModuleType] = FAMILIES) -> list[ModuleType]:
    """The families with evidence in this page (one substring test per marker)."""
    text = page.text
    return [family for family in families if any(marker in text for marker in family.MARKERS)]


def discover(page: Page, families: list[ModuleType] | None = None) -> Iterator[Found]:
    """Everything the recognised families find beyond the page's plain links."""
    for family in recognise(page) if families is None else families:
        yield from family.discover(page)
