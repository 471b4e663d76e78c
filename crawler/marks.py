"""Spider middleware: announce each document the spider yields (and remember it was one).

The capture handler answers the signal by writing a WARC ``metadata`` record
(what the response is, which page linked it, under which link text) next to
the response record. A re-parse from the WARCs alone (`xxgk parse`) then knows
what the live crawl knew, and produces the same rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from crawler.incremental import yielded_documents
from crawler.signals import document_found


class DocumentMarkMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.yielded = yielded_documents(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _mark(self, item: Any) -> None:
        if isinstance(item, dict) and item.get("warc"):
            self.yielded.add(hash(item["url"]))
            self.crawler.signals.send_catch_log(document_found, item=item)

    def process_spider_output(self, response, result: Iterable[Any]) -> Iterable[Any]:
        for item in result:
            self._mark(item)
            yield item

    async def process_spider_output_async(self, response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            self._mark(item)
            yield item
