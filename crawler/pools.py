"""The extraction workers of a crawl: a pool that grows when capture is over and heals when a worker dies.

Extraction runs in worker processes (`pipelines.live.extract_job`), never on the crawl's reactor
thread. While the crawl captures, XXGK_EXTRACT_WORKERS workers at a low priority use what CPU the
crawl leaves. When capture is over, what is left may take every core: a second pool joins the
first (the first keeps its warm workers), and each job goes to the pool with the fewest jobs per
worker. A worker that dies (out of memory, a native crash, a SIGKILL) breaks its whole pool: every
job it had fails with BrokenProcessPool; the pool is replaced once, and the caller tries those
documents again.

Workers come from a forkserver that has imported the extraction modules (PRELOAD), so a worker
starts clean (not as a copy of a process running a reactor or threads) and without ~0.5 s of
imports, sharing those pages with the other workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from pipelines.live import init_worker

logger = logging.getLogger(__name__)

# imported once by the forkserver, before it forks the workers (none of these starts a thread at
# import, which a fork would copy mid-lock; numpy, which does, is left to the workers)
PRELOAD = ["pipelines.live", "pipelines.document", "pipelines.annual"]


def new_pool(workers: int, nice: int, owner_pid: int) -> ProcessPoolExecutor:
    """A process pool of `workers`, niced, whose workers end when `owner_pid` is gone."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=init_worker, initargs=(nice, owner_pid)
    )


@dataclass
class _Slot:
    executor: ProcessPoolExecutor
    workers: int
    in_flight: int = 0


class ExtractionPools:
    """An executor (submit, shutdown) over one pool, or two once grown; see the module doc."""

    def __init__(self, workers: int, nice: int, owner_pid: int):
        self.nice, self.owner_pid = nice, owner_pid
        self.slots = [_Slot(new_pool(workers, nice, owner_pid), workers)]
        self.lock = threading.Lock()
        self.replaced = 0  # pools replaced after a worker died

    @property
    def workers(self) -> int:
        return sum(slot.workers for slot in self.slots)

    def submit(self, fn: Any, job: Any) -> Future:
        with self.lock:
            slot = min(self.slots, key=lambda s: s.in_flight / s.workers)
            slot.in_flight += 1
            executor = slot.executor
        try:
            future = executor.submit(fn, job)
        except Exception as exc:  # broken while idle (or shut down): the job's answer says so
            future = Future()
            future.set_exception(exc if isinstance(exc, BrokenProcessPool) else BrokenProcessPool(str(exc)))
        # added first: the pool is healed before the caller's callbacks try the document again
        future.add_done_callback(lambda done: self._done(slot, executor, done))
        return future

    def grow(self, workers: int) -> bool:
        """Up to `workers` in all: a second pool of the difference, the first kept as it is."""
        with self.lock:
            extra = workers - self.workers
            if extra <= 0:
                return False
            self.slots.append(_Slot(new_pool(extra, self.nice, self.owner_pid), extra))
        return True

    def catch_up(self, workers: int, left: int, minimum: int) -> bool:
        """Capture is over with `left` documents to extract: grow to `workers` unless they are too few
        to be worth the new workers' start (`minimum`). Whether it grew."""
        if left < max(1, minimum) or not self.grow(workers):
            return False
        logger.info("capture finished: %d extraction workers for the %d documents left", self.workers, left)
        return True

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        for slot in list(self.slots):
            slot.executor.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _done(self, slot: _Slot, executor: ProcessPoolExecutor, future: Future) -> None:
        with self.lock:
            slot.in_flight -= 1
        if future.cancelled() or not isinstance(future.exception(), BrokenProcessPool):
            return
        with self.lock:
            if slot.executor is not executor:
                return  # replaced already: every job of a broken pool fails at once
            slot.executor = new_pool(slot.workers, self.nice, self.owner_pid)
            self.replaced += 1
        logger.warning("an extraction worker died: its pool is replaced")
        executor.shutdown(wait=False, cancel_futures=True)
