"""What every CMS family module gives the spider: evidence, items, more pages.

A family is recognised by evidence in the page (markers: plain substrings,
cheap to test once per page), never by host name. Once recognised it reads
what ordinary <a href> extraction cannot see: pagers written by scripts, items
embedded in XML islands, JSON listing APIs, POST-only page requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from parsel import Selector

from pipelines.pages import ATTACHMENT, DETAIL, LISTING, PAGE  # noqa: F401 (the families' roles)


@dataclass(frozen=True)
class Page:
    """A response as the families see it: no Scrapy objects, so they test without a crawler."""

    url: str
    text: str
    content_type: str = "text/html"
    method: str = "GET"
    _selector: list[Selector] = field(default_factory=list, compare=False, repr=False)

    @property
    def selector(self) -> Selector:
        if not self._selector:  # parsed on demand: JSON and XML data pages never need it
            self._selector.append(Selector(text=self.text, type="html"))
        return self._selector[0]


@dataclass(frozen=True)
class Found:
    """A URL a family found on a page, with its role and, for POST, the form to send."""

    url: str
    role: str  # LISTING (more pages of a listing), DETAIL (an item), ATTACHMENT
    text: str | None = None  # the item's title / the pager's label
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()  # POST fields, in the order the page gives them
    api: bool = False  # a CMS data endpoint (JSON API, data proxy): any path of the page's host


class Family(Protocol):
    """One CMS family: a module with NAME, MARKERS and these functions."""

    NAME: str
    MARKERS: tuple[str, ...]  # any of these substrings in a page is evidence of the family

    def data_only(self, page: Page) -> bool:
        """True for the family's data responses (XML/JSON listings): no HTML links to read."""
        ...

    def discover(self, page: Page) -> Iterator[Found]:
        """Items and further listing requests the page carries in the family's own way."""
        ...
