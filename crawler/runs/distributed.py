"""Distributed mode: many worker processes share one crawl through Redis (scrapy-redis).

The frontier (request queue) and the duplicate filter live in Redis, so each
URL is scheduled once for all workers. Every worker writes its own WARC files
(``XXGK_WARC_PREFIX`` = ``<name>-<worker>``), merges its index entries into the
collection's CDXJ (flock-protected) when it stops, and records its fetches in the
collection's SQLite state store (shared; workers must see the same file system).

A plain scrapy-redis spider closes as soon as the shared queue is empty — even
while another worker is parsing a listing that will refill it. The
:class:`WorkerCoordination` extension keeps a worker alive while any other
worker has announced recent activity, so workers stop together when the crawl is done.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from crawler.signals import nudge_engine

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


def key_prefix(settings: Settings | dict[str, Any], name: str) -> str:
    return str(settings.get("XXGK_REDIS_PREFIX") or f"xxgk:{name}")


def redis_settings(settings: Settings, name: str) -> dict[str, Any]:
    """scrapy-redis scheduler and duplicate filter under this collection's key prefix."""
    prefix = key_prefix(settings, name)
    return {
        "REDIS_URL": settings.get("XXGK_REDIS_URL"),
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # the spider's priorities still hold
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        # keep the frontier when a worker stops: others (or a restarted one) carry on
        "SCHEDULER_PERSIST": True,
        "XXGK_REDIS_PREFIX": prefix,
    }


def shared_run_id(redis_url: str, overrides: dict[str, Any], name: str) -> str:
    """All workers of a crawl use the run id of the first one to start (SET NX)."""
    import redis

    from crawler.run import new_run_id

    prefix = key_prefix(overrides, name)
    server = redis.Redis.from_url(redis_url)
    try:
        server.set(f"{prefix}:run_id", new_run_id(), nx=True)
        return server.get(f"{prefix}:run_id").decode()
    finally:
        server.close()


class WorkerCoordination:
    """Announce this worker's activity in Redis; stay open while others are active."""

    def __init__(self, crawler: Crawler):
        import redis

        settings = crawler.settings
        self.crawler = crawler
        self.prefix = settings.get("XXGK_REDIS_PREFIX")
        self.worker = settings.get("XXGK_WORKER_ID") or "worker"
        self.ttl = max(10.0, settings.getfloat("XXGK_WORKER_ACTIVE_TTL"))
        self.server = redis.Redis.from_url(settings.get("REDIS_URL"))
        self.last_beat = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerCoordination:
        if not crawler.settings.get("XXGK_REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.beat, signal=signals.spider_opened)
        crawler.signals.connect(ext.beat, signal=signals.request_scheduled)
        crawler.signals.connect(ext.beat, signal=signals.response_received)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    @property
    def key(self) -> str:
        return f"{self.prefix}:active:{self.worker}"

    def beat(self, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        if now - self.last_beat > 1.0:  # at most one write a second
            self.server.set(self.key, "1", px=int(self.ttl * 1000))
            self.last_beat = now

    def idle(self, spider) -> None:
        self.server.delete(self.key)
        self.last_beat = 0.0
        others = [k for k in self.server.scan_iter(f"{self.prefix}:active:*") if k.decode() != self.key]
        if others:
            logger.debug("frontier empty, %d other worker(s) still active: waiting", len(others))
            # the engine looks for new requests only every 5 s when idle; look again sooner,
            # or an idle worker sits out while the others empty what they add to the queue
            from twisted.internet import reactor

            reactor.callLater(0.5, nudge_engine, self.crawler)
            raise DontCloseSpider

    def closed(self, spider, reason: str) -> None:
        self.server.delete(self.key)
        others = list(self.server.scan_iter(f"{self.prefix}:active:*"))
        if reason == "finished" and not others and not self.server.exists(f"{self.prefix}:requests"):
            # the crawl is complete: the last worker out clears its keys, so the next scheduled
            # distributed run starts afresh (an interrupted crawl keeps them, and continues)
            self.server.delete(f"{self.prefix}:dupefilter", f"{self.prefix}:run_id")
            logger.info("distributed crawl complete: cleared %s:* keys", self.prefix)
        self.server.close()
