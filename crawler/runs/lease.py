"""The distributed frontier with leases: Redis Streams consumer groups (XREADGROUP/XACK/XAUTOCLAIM).

scrapy-redis's queues pop a request and forget it: a worker killed with requests in
flight loses them for the whole crawl. Here a request stays in its stream until the
worker that took it is done with it. Taking it (XREADGROUP) puts it in the group's
pending list under that worker; the worker renews the lease while the request is
in flight (XCLAIM to itself, which resets the entry's idle time) and acknowledges it
(XACK, then XDEL) once Scrapy has finished with it: response archived, callback run,
the links it found pushed back to Redis. An entry idle for longer than the lease
(its worker stopped renewing: killed, frozen, cut off) is claimed by the next worker
that asks (XAUTOCLAIM) and crawled again: at-least-once, as Heritrix's and
Frontera's frontiers are.

One stream per request priority (few: the spider uses a handful), highest first, so
the spider's ordering (listings before details, repairs first) holds across workers.
The streams' names are kept in a sorted set beside them.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError, ResponseError
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler

from crawler.signals import nudge_engine

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

GROUP = "xxgk"


_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[3], 'NX', ARGV[3], KEYS[2])
redis.call('XADD', KEYS[2], '*', 'r', ARGV[2])
return 1
"""


class LeasedScheduler(Scheduler):
    """scrapy-redis's scheduler, whose duplicate check and push are one step (LeasedQueue)."""

    def enqueue_request(self, request) -> bool:
        if request.dont_filter or not isinstance(self.queue, LeasedQueue):
            return super().enqueue_request(request)
        if not self.queue.push_unseen(request, self.df.key, self.df.request_fingerprint(request)):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True


class LeasedQueue(Base):
    """A scrapy-redis queue class (SCHEDULER_QUEUE_CLASS) whose pops are leases."""

    lease_seconds = 30.0  # XXGK_LEASE_SECONDS, from the spider's settings when it has a crawler
    consumer = "worker"  # XXGK_WORKER_ID, likewise

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        settings = spider.crawler.settings if getattr(spider, "crawler", None) else {}
        self.lease_seconds = float(settings.get("XXGK_LEASE_SECONDS") or self.lease_seconds)
        self.consumer = str(settings.get("XXGK_WORKER_ID") or self.consumer)
        self.held: dict[tuple[str, str], Any] = {}  # (stream, id) → the request, until acknowledged
        self.claimed: deque[tuple[str, str, bytes]] = deque()  # taken over from a stopped worker
        self.groups: set[str] = set()
        self.last_reclaim = 0.0

    # -- streams ------------------------------------------------------------------

    @property
    def streams_key(self) -> str:
        return f"{self.key}:streams"

    def _stream(self, priority: int) -> str:
        return f"{self.key}:p{priority}"

    def _streams(self) -> list[str]:
        """Every stream, highest priority first."""
        return streams_of(self.server, self.key)

    def _group(self, stream: str) -> None:
        if stream in self.groups:
            return
        try:  # id 0: entries pushed before the group existed are delivered too
            self.server.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self.groups.add(stream)

    # -- the queue API --------------------------------------------------------------

    def __len__(self) -> int:
        """Requests waiting or leased: a leased one is not done until acknowledged (and an
        acknowledged one is deleted)."""
        return frontier_size(self.server, self.key)

    def push(self, request) -> None:
        stream = self._stream(request.priority)
        pipe = self.server.pipeline(transaction=False)
        pipe.zadd(self.streams_key, {stream: -request.priority}, nx=True)
        pipe.xadd(stream, {b"r": self._encode_request(request)})
        pipe.execute()

    def push_unseen(self, request, seen_key: str, fingerprint: str) -> bool:
        """Mark the request seen and push it, as one step (a Lua script runs whole): a worker
        killed between the two would leave a URL marked seen that no one ever crawls."""
        stream = self._stream(request.priority)
        keys = [seen_key, stream, self.streams_key]
        args = [fingerprint, self._encode_request(request), -request.priority]
        return bool(self.server.eval(_PUSH_UNSEEN, len(keys), *keys, *args))

    def pop(self, timeout: int = 0):
        now = time.monotonic()
        if not self.claimed and now - self.last_reclaim > min(5.0, self.lease_seconds / 4):
            self.last_reclaim = now
            self._reclaim()
        if self.claimed:
            stream, entry_id, data = self.claimed.popleft()
            return self._taken(stream, entry_id, data)
        for stream in self._streams():
            self._group(stream)
            answer = self.server.xreadgroup(GROUP, self.consumer, {stream: ">"}, count=1)
            for _, entries in answer or ():
                for entry_id, fields in entries:
                    return self._taken(stream, entry_id.decode(), fields[b"r"])
        return None

    def clear(self) -> None:
        self.clear_key(self.server, self.key)
        self.groups.clear()

    @staticmethod
    def clear_key(server, queue_key: str) -> None:
        """Delete a crawl's streams (the crawl is complete, or flushed)."""
        server.delete(*streams_of(server, queue_key), f"{queue_key}:streams")

    # -- leases ------------------------------------------------------------------------

    def _taken(self, stream: str, entry_id: str, data: bytes):
        request = self._decode_request(data)
        self.held[(stream, entry_id)] = request
        return request

    def _reclaim(self) -> None:
        """Take over entries whose worker stopped renewing their lease."""
        idle_ms = int(self.lease_seconds * 1000)
        for stream in self._streams():
            self._group(stream)
            start = "0-0"
            while True:
                answer = self.server.xautoclaim(stream, GROUP, self.consumer, idle_ms, start, count=100)
                start, entries = answer[0], answer[1]
                for entry_id, fields in entries:
                    if fields is None:  # deleted meanwhile (acknowledged late by its worker)
                        continue
                    entry = entry_id.decode()
                    if (stream, entry) in self.held:
                        continue
                    self.claimed.append((stream, entry, fields[b"r"]))
                if start in (b"0-0", "0-0") or not entries:
                    break
        if self.claimed:
            logger.warning(
                "took over %d request(s) whose worker stopped renewing its lease", len(self.claimed)
            )

    def renew(self) -> None:
        """Reset the idle time of every entry this worker holds (XCLAIM to itself)."""
        for stream, ids in _by_stream(self.held).items():
            for start in range(0, len(ids), 500):
                self.server.xclaim(stream, GROUP, self.consumer, 0, ids[start : start + 500], justid=True)

    def ack(self, leases: list[tuple[str, str]]) -> None:
        """Done with these requests: acknowledged and deleted from their streams."""
        for lease in leases:
            self.held.pop(lease, None)
        by_stream = _by_stream(leases)
        if not by_stream:
            return
        pipe = self.server.pipeline(transaction=False)
        for stream, ids in by_stream.items():
            pipe.xack(stream, GROUP, *ids)
            pipe.xdel(stream, *ids)
        pipe.execute()


def _by_stream(leases) -> dict[str, list[str]]:
    """Entry ids grouped by their stream."""
    grouped: dict[str, list[str]] = {}
    for stream, entry_id in leases:
        grouped.setdefault(stream, []).append(entry_id)
    return grouped


def streams_of(server, queue_key: str) -> list[str]:
    """A crawl's streams, highest priority first."""
    return [s.decode() for s in server.zrange(f"{queue_key}:streams", 0, -1)]


def frontier_size(server, queue_key: str) -> int:
    """Requests waiting or leased in a crawl's streams (0: the crawl has nothing left)."""
    return sum(server.xlen(stream) for stream in streams_of(server, queue_key))


class LeaseUpkeep:
    """Renews a worker's leases while their requests are in flight and acknowledges each once
    Scrapy is done with it (it has left the engine: downloaded, archived, parsed, its links
    pushed). Called every second (crawler.runs.distributed.WorkerCoordination): a lease held
    a second longer costs nothing in safety, it only delays the end of the crawl as much."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.lease_seconds = crawler.settings.getfloat("XXGK_LEASE_SECONDS")
        self.last_renewal = 0.0

    def _queue(self) -> LeasedQueue | None:
        slot = getattr(self.crawler.engine, "_slot", None)
        queue = getattr(getattr(slot, "scheduler", None), "queue", None)
        return queue if isinstance(queue, LeasedQueue) else None

    def tick(self) -> None:
        queue = self._queue()
        slot = getattr(self.crawler.engine, "_slot", None)  # private in Scrapy 2.19: guarded
        if queue is None or slot is None:
            return
        in_flight = slot.inprogress  # Scrapy's own set of requests not yet done with
        done = [lease for lease, request in queue.held.items() if request not in in_flight]
        try:
            queue.ack(done)
            self.crawler.stats.inc_value("xxgk/leases/acknowledged", len(done))
            now = time.monotonic()
            if queue.held and now - self.last_renewal >= self.lease_seconds / 3:
                queue.renew()
                self.last_renewal = now
        except RedisError as exc:  # Redis away for a moment: the leases are renewed next tick
            logger.warning("lease upkeep failed: %s", exc)
        # while others hold leases the frontier is not empty, so the engine never idles and
        # looks for requests only at its 5 s heartbeat: look now, for what they push
        nudge_engine(self.crawler)
