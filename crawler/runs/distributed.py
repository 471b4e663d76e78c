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
import re
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.task import LoopingCall

from crawler.runs.lease import LeasedQueue, LeaseUpkeep, frontier_size
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
        # leased pops (Redis Streams consumer groups): a killed worker's requests return to the others
        "SCHEDULER_QUEUE_CLASS": "crawler.runs.lease.LeasedQueue",
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
        self.alive: LoopingCall | None = None
        self.site = settings.get("XXGK_COLLECTION") or ""
        self.repaired: set[str] = set()
        self.leases = LeaseUpkeep(crawler)
        self.session_start = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")  # as WARC-Date sorts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerCoordination:
        if not crawler.settings.get("XXGK_REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
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

    @property
    def alive_key(self) -> str:
        return f"{self.prefix}:alive:{self.worker}"

    def opened(self, spider) -> None:
        self.beat()
        self.alive = LoopingCall(self.every_second)
        self.alive.start(1.0)

    def every_second(self) -> None:
        """The worker is alive (its process runs, extracting or crawling); its leases are kept."""
        try:
            self.server.set(self.alive_key, "1", px=int(self.ttl * 1000))
        except RedisError as exc:
            logger.warning("cannot reach Redis: %s", exc)
        self.leases.tick()

    def idle(self, spider) -> None:
        self.server.delete(self.key)
        self.last_beat = 0.0
        others = [k for k in self.server.scan_iter(f"{self.prefix}:active:*") if k.decode() != self.key]
        if not others and self.repair_dead_workers(spider):
            raise DontCloseSpider
        if others:
            logger.debug("frontier empty, %d other worker(s) still active: waiting", len(others))
            # the engine looks for new requests only every 5 s when idle; look again sooner,
            # or an idle worker sits out while the others empty what they add to the queue
            from twisted.internet import reactor

            reactor.callLater(0.5, nudge_engine, self.crawler)
            raise DontCloseSpider

    def repair_dead_workers(self, spider) -> int:
        """Documents a stopped worker captured in this run but never wrote a row for (killed with
        them in its extraction backlog) are extracted here, from its WARC records. A worker is
        alive while its process runs (its alive key, renewed every second, outlives its crawl
        until its extraction is done), so a worker still extracting is left alone."""
        from crawler.incremental import ask_again, crawl_state, run_id

        alive = {k.decode().rsplit(":", 1)[1] for k in self.server.scan_iter(f"{self.prefix}:alive:*")}
        alive.discard(self.worker)

        def stopped(ref: dict[str, Any] | None) -> bool:
            worker = warc_worker(ref, self.site)
            if worker == self.worker:  # this worker's own earlier session, killed
                return bool(ref) and str(ref.get("date") or "") < self.session_start
            return worker not in alive

        lost = [
            known
            for known in crawl_state(self.crawler).unsettled_fetches(run_id(self.crawler), current=True)
            if known.url not in self.repaired and stopped(known.ref)
        ]
        for known in lost:
            self.repaired.add(known.url)
            ask_again(self.crawler, spider, known, {"xxgk_repair": True})
        if lost:
            logger.warning("extracting %d document(s) a stopped worker captured without a row", len(lost))
            self.crawler.stats.inc_value("xxgk/state/repaired_from_stopped_workers", len(lost))
        return len(lost)

    def closed(self, spider, reason: str) -> None:
        if self.alive is not None and self.alive.running:
            self.alive.stop()
        self.leases.tick()  # what finished is acknowledged; what was cut off returns after its lease
        self.server.delete(self.key, self.alive_key)
        others = list(self.server.scan_iter(f"{self.prefix}:active:*"))
        if reason == "finished" and not others and not frontier_size(self.server, f"{self.prefix}:requests"):
            # the crawl is complete: the last worker out clears its keys, so the next scheduled
            # distributed run starts afresh (an interrupted crawl keeps them, and continues)
            LeasedQueue.clear_key(self.server, f"{self.prefix}:requests")
            self.server.delete(f"{self.prefix}:dupefilter", f"{self.prefix}:run_id")
            logger.info("distributed crawl complete: cleared %s:* keys", self.prefix)
        self.server.close()


def warc_worker(ref: dict[str, Any] | None, collection: str) -> str | None:
    """The worker whose WARC holds a capture: its files are named <collection>-<worker>-<time>-<n>."""
    name = (ref or {}).get("filename") or ""
    match = re.match(rf"{re.escape(collection)}-(.+)-\d{{14}}-\d+\.warc", name)
    return match.group(1) if match else None
