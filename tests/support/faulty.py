"""A pipeline that loses documents on purpose, placed before xxgk's own: work lost for a test to see."""

from __future__ import annotations

from scrapy.exceptions import DropItem


class LoseEveryFifthDocument:
    """Drops every fifth detail page's item before it is extracted (the capture stays archived)."""

    def __init__(self) -> None:
        self.seen = 0

    def process_item(self, item):
        if item.get("kind") == "page":
            self.seen += 1
            if self.seen % 5 == 0:
                raise DropItem("lost on purpose (tests/support/faulty.py)")
        return item
