"""Run-time display of a crawl's progress."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class CrawlProgress:
    """A one-line progress display on stderr, refreshed every second (XXGK_PROGRESS)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.task: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("XXGK_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        self.started = time.monotonic()
        self.task = task.LoopingCall(self.show)
        self.task.start(1.0, now=False)

    def line(self) -> str:
        get = self.stats.get_value
        elapsed = max(time.monotonic() - self.started, 1e-6)
        responses = get("response_received_count", 0)
        return (
            f"{responses} responses ({responses / elapsed:.1f}/s) · "
            f"{get('xxgk/pages/detail', 0)} detail pages · {get('xxgk/pages/listing', 0)} listings · "
            f"{get('xxgk/attachments', 0)} attachments · "
            f"{get('scheduler/enqueued', 0) - get('scheduler/dequeued', 0)} queued · "
            f"WARC {get('xxgk/warc/bytes', 0) / 1e6:.1f} MB · {elapsed:.0f} s"
        )

    def show(self) -> None:
        sys.stderr.write("\r\x1b[2K" + self.line())
        sys.stderr.flush()

    def spider_closed(self, spider, reason) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self.show()
        sys.stderr.write("\n")
