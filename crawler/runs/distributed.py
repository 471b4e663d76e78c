"""Distributed mode: many worker processes share one crawl through Redis.

The frontier (leased Redis streams, crawler/runs/lease.py) and the duplicate filter
(scrapy-redis) live in Redis, so each URL is scheduled once for all workers, and a
request a killed worker held returns to the others. Every worker writes its own WARC
files (``XXGK_WARC_PREFIX`` = ``<name>-<worker>``), merges its index entries into the
collection's CDXJ (flock-protected) when it stops, and records its fetches in the
collection's SQLite state store (shared; workers must see the same file system).

A plain scrapy-redis spider closes as soon as the shared queue is empty — even
while another worker is parsing a listing that will refill it. The
:class:`WorkerCoordination` extension keeps a worker alive while any other
worker has announced recent activity, so workers stop together when the crawl is done.
It also publishes that the worker's process is alive (a timestamp renewed every second,
until its extraction is done), keeps its leases, and, as the last active worker, takes
over what stopped workers left: their open WARC files, the documents they captured
without a row, their annual reports, and (in its manifest) their files.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from redis.exceptions import RedisError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.task import LoopingCall

from crawler.runs.lease import LeasedQueue, LeaseUpkeep, frontier_size
from crawler.signals import nudge_engine
from pipelines.pickled import PickledLog

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
        "SCHEDULER": "crawler.runs.lease.LeasedScheduler",
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
        self.quiet_since: float | None = None  # when this worker first found no other one active
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
            self.server.set(self.alive_key, repr(time.time()), px=int(self.ttl * 1000))
        except RedisError as exc:
            logger.warning("cannot reach Redis: %s", exc)
        self.leases.tick()

    def idle(self, spider) -> None:
        self.server.delete(self.key)
        self.last_beat = 0.0
        others = [k for k in self.server.scan_iter(f"{self.prefix}:active:*") if k.decode() != self.key]
        if not others and self.settling():
            raise DontCloseSpider
        if not others and self.repair_stopped_workers(spider):
            raise DontCloseSpider
        if others:
            logger.debug("frontier empty, %d other worker(s) still active: waiting", len(others))
            # the engine looks for new requests only every 5 s when idle; look again sooner,
            # or an idle worker sits out while the others empty what they add to the queue
            from twisted.internet import reactor

            reactor.callLater(0.5, nudge_engine, self.crawler)
            raise DontCloseSpider

    def settling(self) -> bool:
        """Before the last active worker stops: another worker killed less than
        ALIVE_STALE_SECONDS ago still looks alive. Wait that long once, so what it left is
        known to be left (repaired, adopted) when this worker decides."""
        now = time.monotonic()
        if self.quiet_since is None:
            self.quiet_since = now
        if now - self.quiet_since > ALIVE_STALE_SECONDS + 1:
            return False
        if not live_workers(self.server, self.prefix)[0] - {self.worker}:
            return False
        from twisted.internet import reactor

        reactor.callLater(1.0, nudge_engine, self.crawler)
        return True

    def unsettled(self) -> tuple[list, list]:
        """This run's documents other workers captured without a row yet: (by a stopped worker —
        killed with them in its extraction backlog, or this worker's own earlier session —, by a
        worker still alive). A worker is alive while its process runs: its alive key, renewed
        every second, outlives its crawl until its extraction is done."""
        from crawler.incremental import crawl_state, run_id

        alive = live_workers(self.server, self.prefix)[0] - {self.worker}
        stopped, running = [], []
        for known in crawl_state(self.crawler).unsettled_fetches(run_id(self.crawler), current=True):
            worker = warc_worker(known.ref, self.site)
            if worker == self.worker:  # this session's own are settled by its own pipeline
                if str((known.ref or {}).get("date") or "") < self.session_start:
                    stopped.append(known)
            else:
                (running if worker in alive else stopped).append(known)
        return stopped, running

    def stopped_workers(self) -> list[str]:
        """Other workers with WARC files in the collection and no live process."""
        from crawler.collection import collection_paths

        alive = live_workers(self.server, self.prefix)[0]
        archive = collection_paths(self.crawler).archive
        names = (warc_worker({"filename": p.name}, self.site) for p in archive.glob("*.warc*"))
        return sorted({w for w in names if w} - alive - {self.worker})

    def repair_stopped_workers(self, spider) -> int:
        """What stopped workers captured without a row is extracted here, from their WARC records;
        while a live worker still has captures without rows, wait for it."""
        from archive.coverage import ensure_covered
        from archive.recover import recover_open_files
        from crawler.collection import collection_paths
        from crawler.incremental import ask_again

        # a stopped worker's open WARC is closed (a live writer's lock keeps it from us) and indexed
        paths = collection_paths(self.crawler)
        if paths.archive.exists() and recover_open_files(paths.archive):
            ensure_covered(paths.collection)
        stopped, running = self.unsettled()
        lost = [known for known in stopped if known.url not in self.repaired]
        for known in lost:
            self.repaired.add(known.url)
            ask_again(self.crawler, spider, known, {"xxgk_repair": True})
        if lost:
            logger.warning("extracting %d document(s) a stopped worker captured without a row", len(lost))
            self.crawler.stats.inc_value("xxgk/state/repaired_from_stopped_workers", len(lost))
        if not lost and any(k.url not in self.repaired for k in running):
            from twisted.internet import reactor

            reactor.callLater(1.0, nudge_engine, self.crawler)  # look again when they may be done
            return 1
        return len(lost)

    def closed(self, spider, reason: str) -> None:
        if self.alive is not None and self.alive.running:
            self.alive.stop()
        self.leases.tick()  # what finished is acknowledged; what was cut off returns after its lease
        if reason == "finished":
            from crawler.incremental import crawl_state, record_unaccounted, run_id

            # its own captures (its pipeline is closed: each has its row, or is lost) and what
            # stopped workers left; live workers account for theirs
            def candidates() -> list:
                own = crawl_state(self.crawler).unsettled_fetches(run_id(self.crawler), current=True)
                mine = [known for known in own if warc_worker(known.ref, self.site) == self.worker]
                return mine + self.unsettled()[0]

            record_unaccounted(self.crawler, candidates)
            if not live_workers(self.server, self.prefix)[0] - {self.worker}:
                # the last worker out answers for the files of workers that stopped for good: its
                # manifest counts them (crawler.runs.runner), as it took over their work
                self.crawler.stats.set_value("xxgk/workers/adopted", self.stopped_workers())
        self.server.delete(self.key, self.alive_key)
        others = list(self.server.scan_iter(f"{self.prefix}:active:*"))
        if reason == "finished" and not others and not frontier_size(self.server, f"{self.prefix}:requests"):
            # the crawl is complete: the last worker out clears its keys, so the next scheduled
            # distributed run starts afresh (an interrupted crawl keeps them, and continues)
            LeasedQueue.clear_key(self.server, f"{self.prefix}:requests")
            self.server.delete(f"{self.prefix}:dupefilter", f"{self.prefix}:run_id")
            logger.info("distributed crawl complete: cleared %s:* keys", self.prefix)
        self.server.close()


ALIVE_STALE_SECONDS = 3.0  # an alive key is refreshed every second: older than this, its process is gone


def live_workers(server, prefix: str) -> tuple[set[str], set[str]]:
    """(workers whose process runs, workers whose alive key is still there but no longer refreshed)."""
    live, stale = set(), set()
    now = time.time()
    for key in server.scan_iter(f"{prefix}:alive:*"):
        value = server.get(key)
        worker = key.decode().rsplit(":", 1)[1]
        try:
            fresh = value is not None and now - float(value) < ALIVE_STALE_SECONDS
        except ValueError:
            fresh = False
        (live if fresh else stale).add(worker)
    return live, stale


def warc_worker(ref: dict[str, Any] | None, collection: str) -> str | None:
    """The worker whose WARC holds a capture: its files are named <collection>-<worker>-<time>-<n>."""
    name = (ref or {}).get("filename") or ""
    match = re.match(rf"{re.escape(collection)}-(.+)-\d{{14}}-\d+\.warc", name)
    return match.group(1) if match else None


def stopped_workers_reports(crawler: Crawler, run_dir: Path) -> Iterator[PickledLog]:
    """The annual-report logs of this run's workers that are not alive (killed, never restarted),
    each held under a Redis lock while the caller writes its reports, so two survivors do not."""
    server = redis.Redis.from_url(crawler.settings.get("REDIS_URL"))
    prefix = crawler.settings.get("XXGK_REDIS_PREFIX")
    me = crawler.settings.get("XXGK_WORKER_ID")
    try:
        for path in sorted(run_dir.glob("annual-reports-*.pickled")):
            worker = path.stem.removeprefix("annual-reports-")
            if worker == me or worker in live_workers(server, prefix)[0]:
                continue
            lock = server.lock(f"{prefix}:reports:{worker}", timeout=300, blocking_timeout=60)
            if not lock.acquire():
                continue
            try:
                yield PickledLog.resume(path)
            finally:
                lock.release()
    finally:
        server.close()
