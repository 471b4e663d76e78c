"""One extraction pool for all the processes of `xxgk crawl --processes N`.

Each crawl process used to start its own pool (a forkserver and a worker of ~100 MB each),
although N crawl processes already keep N cores busy while they crawl. Here the parent
process, which only routes requests between its children, owns the one pool; a child hands
its documents over a pipe of its own and gets each row back on it (`PoolClient`, which the
child's DocumentPipeline uses as its executor). The jobs are those of one process: a
reference to the WARC record, which any worker can read (`pipelines.live.extract_job`).

When every crawl process has finished capturing, what they left to extract gets a worker per
core (XXGK_EXTRACT_CATCH_UP_WORKERS), as one process's pools do (crawler/pools.py).

A dead worker breaks the pool: the parent replaces it once and answers each job it had with
BrokenProcessPool, so the child tries the document again as it would with its own pool. If
the parent is gone, a child's client fails what it had the same way and the child goes on
with a pool of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from crawler.pools import ExtractionPools

logger = logging.getLogger(__name__)

# the child's end of its pipe to the parent's pool, set before its crawl starts (None: no service)
CHANNEL: Connection | None = None


def _portable(exc: BaseException) -> BaseException:
    """An exception that crosses the pipe: the pool's own kinds as they are, others as text."""
    if isinstance(exc, BrokenProcessPool | RuntimeError):
        return exc
    return RuntimeError(f"{type(exc).__name__}: {exc}")


class PoolService:
    """The parent's side: one set of pools (crawler/pools.py), a pipe per crawl process, a thread
    reading each pipe."""

    def __init__(self, context: Any, workers: int, catch_up_workers: int, catch_up_min: int, nice: int):
        self.context = context
        self.pipes: list[Connection] = []  # the parent's end of each crawl process's pipe
        self.workers, self.catch_up_workers, self.catch_up_min = workers, catch_up_workers, catch_up_min
        self.nice = nice
        self.pools: ExtractionPools | None = None
        self.lock = threading.Lock()  # the catch-up tally
        self.send_locks: list[threading.Lock] = []
        self.catching_up: dict[int, int] = {}  # process → documents it had left when capture ended
        self.gone: set[int] = set()
        self.grown = False
        self.threads: list[threading.Thread] = []

    def open_pipe(self) -> Connection:
        """A pipe for the next crawl process: its end (the parent closes its copy once the process
        has started, so that the process's end is the only one: its death is end-of-file here)."""
        parent, child = self.context.Pipe()
        self.pipes.append(parent)
        self.send_locks.append(threading.Lock())
        return child

    def start(self) -> None:
        """Once the crawl processes are started (no thread may exist here when they fork)."""
        self.pools = ExtractionPools(self.workers, self.nice, os.getpid())
        for index in range(len(self.pipes)):
            thread = threading.Thread(
                target=self._serve, args=(index,), name=f"extract-p{index}", daemon=True
            )
            thread.start()
            self.threads.append(thread)

    def close(self) -> dict[str, int]:
        """After every crawl process ended: the pools shut down; their stats."""
        for thread in self.threads:
            thread.join(timeout=5)
        for parent in self.pipes:
            parent.close()
        stats = {"xxgk/extract/shared_pool_workers": self.workers}
        if self.pools is not None:
            self.pools.shutdown(wait=True)
            if self.pools.workers > self.workers:
                stats["xxgk/extract/catch_up_workers"] = self.pools.workers
            if self.pools.replaced:
                stats["xxgk/extract/pool_replaced"] = self.pools.replaced
        return stats

    def _serve(self, index: int) -> None:
        conn = self.pipes[index]
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the crawl process ended (or died)
                break
            if message[0] == "job":
                _, job_id, fn, job = message
                assert self.pools is not None
                self.pools.submit(fn, job).add_done_callback(
                    lambda done, job_id=job_id: self._answer(index, job_id, done)
                )
            elif message[0] == "catch_up":
                with self.lock:
                    self.catching_up[index] = message[1]
                self._maybe_grow()
        with self.lock:
            self.gone.add(index)
        self._maybe_grow()

    def _answer(self, index: int, job_id: int, future: Future) -> None:
        exc = future.exception()
        message = (job_id, False, _portable(exc)) if exc is not None else (job_id, True, future.result())
        with self.send_locks[index], contextlib.suppress(OSError):  # OSError: the process is gone
            self.pipes[index].send(message)

    def _maybe_grow(self) -> None:
        """Every crawl process has captured all it will: what they left gets a worker per core."""
        with self.lock:
            waiting = set(range(len(self.pipes))) - self.gone
            if self.grown or not waiting or not waiting <= set(self.catching_up):
                return
            self.grown = True
            left = sum(self.catching_up[i] for i in waiting)
        if self.pools is not None:
            self.pools.catch_up(self.catch_up_workers, left, self.catch_up_min)


class PoolClient:
    """A crawl process's side: submit() as an executor's, answered by the parent's pool."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.ids = itertools.count()
        self.futures: dict[int, Future] = {}
        self.send_lock = threading.Lock()
        self.alive = True
        threading.Thread(target=self._read, name="extract-answers", daemon=True).start()

    def submit(self, fn: Any, job: dict[str, Any]) -> Future:
        future: Future = Future()
        job_id = next(self.ids)
        self.futures[job_id] = future
        self._send(("job", job_id, fn, job))
        return future

    def catch_up(self, left: int) -> None:
        """Capture is over here, with `left` documents not yet extracted."""
        self._send(("catch_up", left))

    def _send(self, message: tuple) -> None:
        try:
            with self.send_lock:
                self.conn.send(message)
        except (OSError, ValueError) as exc:  # the parent is gone (or its end closed)
            self._lost(exc)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """The pool is the parent's: nothing to shut down here."""

    def _read(self) -> None:
        while True:
            try:
                job_id, ok, value = self.conn.recv()
            except (EOFError, OSError) as exc:
                self._lost(exc)
                return
            future = self.futures.pop(job_id, None)
            if future is None:
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _lost(self, exc: BaseException) -> None:
        """The parent is gone: what it had is answered as a broken pool's jobs are."""
        if self.alive:
            logger.error(
                "lost the shared extraction pool (%s): this process starts its own", exc or type(exc).__name__
            )
        self.alive = False
        for job_id in list(self.futures):
            future = self.futures.pop(job_id, None)
            if future is not None and not future.done():
                future.set_exception(BrokenProcessPool(f"the shared extraction pool is gone: {exc}"))
