"""The frontier: Scrapy's scheduler, holding at most XXGK_FRONTIER_MEMORY requests in memory.

Scrapy keeps every pending request in memory unless JOBDIR is set, and then
every request goes through its disk queues. Here the first
XXGK_FRONTIER_MEMORY requests stay in memory (a crawl that schedules documents
before further listing pages rarely has more pending); beyond that, requests
go to Scrapy's own disk queues (SCHEDULER_DISK_QUEUE, priorities and
per-host slots kept) in ``<run directory>/frontier/`` (``frontier-p<i>/`` with ``--processes``), so memory stays flat
however wide a portal's listings are — as Heritrix keeps its frontier on disk.
Memory is served first; the directory is emptied when the crawl opens and
removed when it closes (a crawl of xxgk's resumes from its WARCs and state
store, not from a frontier left on disk). With JOBDIR set, Scrapy's own
behaviour applies unchanged.

Also kept: ``xxgk/frontier/peak``, the most requests pending at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scrapy.core.scheduler import Scheduler

FRONTIER_DIR = "frontier"  # under the run directory


class SpillingScheduler(Scheduler):
    memory_limit = 0  # 0: Scrapy's behaviour (disk queues only with JOBDIR)
    own_dir: Path | None = None

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        limit = settings.getint("XXGK_FRONTIER_MEMORY")
        run_dir = settings.get("XXGK_RUN_DIR")
        if scheduler.dqdir is None and limit > 0 and run_dir:
            scheduler.memory_limit = limit
            worker = settings.get("XXGK_WORKER_ID")  # `--processes N`: one directory each
            scheduler.own_dir = Path(run_dir) / (f"{FRONTIER_DIR}-{worker}" if worker else FRONTIER_DIR)
            scheduler.dqdir = str(scheduler.own_dir)
        return scheduler

    def open(self, spider):
        if self.own_dir is not None:  # left by a killed crawl: nothing in it is wanted
            shutil.rmtree(self.own_dir, ignore_errors=True)
            self.own_dir.mkdir(parents=True)
        return super().open(spider)

    def close(self, reason: str):
        try:
            return super().close(reason)
        finally:
            if self.own_dir is not None:
                shutil.rmtree(self.own_dir, ignore_errors=True)

    def enqueue_request(self, request) -> bool:
        added = super().enqueue_request(request)
        if added:
            get = self.stats.get_value
            self.stats.max_value(
                "xxgk/frontier/peak", get("scheduler/enqueued", 0) - get("scheduler/dequeued", 0)
            )
        return added

    def _dqpush(self, request) -> bool:
        if self.memory_limit:
            get = self.stats.get_value
            if get("scheduler/enqueued/memory", 0) - get("scheduler/dequeued/memory", 0) < self.memory_limit:
                return False  # room in memory: no disk queue (Scheduler then pushes to memory)
        return super()._dqpush(request)
