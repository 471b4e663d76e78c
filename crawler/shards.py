"""One crawl over several processes on this machine (`xxgk crawl --processes N`).

A Scrapy crawl is one thread: on a portal served fast enough it is CPU-bound, and a
second core sits idle. Here N child processes each run a full crawl of the same
portal (own reactor, own WARC series ``<name>-p<i>-…``, own log), and every URL
belongs to exactly one of them: its shard. A child's scheduler keeps the requests
of its own shard and forwards the others, through the parent, to their owner,
whose duplicate filter drops what it has seen. Nothing is shared but the pipes,
the collection's CDXJ index (merged under its lock, as distributed workers do)
and the datasets' JSONL files (appended row by row); the parent derives Parquet
and CSV once every child is done.

Sharding by URL splits each host's politeness budget between the children
(concurrency divided, delays multiplied), so a host sees the load one process
would give it. When the budget cannot be split (one connection per host), the
shard is the host instead: each portal is crawled by one child, as a whole.

The parent knows the crawl is over when every child is idle and has taken in every
request routed to it (idle reports carry that count), then tells them to finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.request import request_from_dict

from crawler.frontier import SpillingScheduler
from crawler.signals import nudge_engine
from crawler.state import now_iso
from pipelines.datasets import read_jsonl
from pipelines.urls import canonical_url

logger = logging.getLogger(__name__)

# the child's end of its pipe to the parent, set before its crawl starts
CHANNEL: Connection | None = None
FLUSH_AT = 256  # forwarded requests per message at most (smaller batches go out at once)


def shard_of(url: str, shards: int, by_host: bool) -> int:
    """The child that owns a URL: stable across processes and runs (crc32, not hash())."""
    key = urlsplit(url).netloc.lower() if by_host else canonical_url(url)
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % shards


def child_settings(settings: Any, shards: int) -> dict[str, Any]:
    """Each child's share of the politeness budget, so that together they ask no more of a
    host than one process would. `settings`: the crawl's effective Scrapy settings."""
    per_domain = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
    by_host = per_domain < shards  # one connection per host cannot be split: give whole hosts
    out: dict[str, Any] = {
        "XXGK_SHARDS": shards,
        "XXGK_SHARD_BY_HOST": by_host,
        "SCHEDULER": "crawler.shards.ShardedScheduler",
        "XXGK_PROGRESS": False,
        "XXGK_DATASET_FORMATS": ["jsonl"],  # the parent derives the other formats at the end
        "CONCURRENT_REQUESTS": max(1, math.ceil(settings.getint("CONCURRENT_REQUESTS") / shards)),
    }
    if not by_host:
        out["CONCURRENT_REQUESTS_PER_DOMAIN"] = max(1, per_domain // shards)
        if settings.getfloat("DOWNLOAD_DELAY"):
            out["DOWNLOAD_DELAY"] = settings.getfloat("DOWNLOAD_DELAY") * shards
        out["AUTOTHROTTLE_TARGET_CONCURRENCY"] = settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") / shards
    if settings.getint("CLOSESPIDER_PAGECOUNT"):
        out["CLOSESPIDER_PAGECOUNT"] = max(1, math.ceil(settings.getint("CLOSESPIDER_PAGECOUNT") / shards))
    return out


class ShardedScheduler(SpillingScheduler):
    """Scrapy's scheduler for one shard: foreign requests go to the parent, requests
    routed here come in through the pipe; idle means idle everywhere only when the
    parent says so."""

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        settings = crawler.settings
        scheduler.crawler = crawler
        scheduler.shards = settings.getint("XXGK_SHARDS")
        scheduler.shard = settings.getint("XXGK_SHARD_INDEX")
        scheduler.by_host = settings.getbool("XXGK_SHARD_BY_HOST")
        scheduler.channel = CHANNEL
        scheduler.outbox = {}  # shard → request dicts waiting to be sent
        scheduler.flush_pending = False
        scheduler.received = 0  # requests routed here and scheduled
        scheduler.finishing = False
        scheduler.parent_gone = False
        if scheduler.channel is None or scheduler.shards < 2:
            raise RuntimeError("ShardedScheduler runs only in a child of `xxgk crawl --processes N`")
        crawler.signals.connect(scheduler._idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider):
        result = super().open(spider)
        self.loop = asyncio.get_event_loop()
        self.loop.add_reader(self.channel.fileno(), self._read)
        return result

    def close(self, reason: str):
        if not self.parent_gone:
            self.loop.remove_reader(self.channel.fileno())
            self._flush()
        return super().close(reason)

    def enqueue_request(self, request) -> bool:
        if request.method == "GET":  # POST pagers stay with the child whose listing found them
            owner = shard_of(request.url, self.shards, self.by_host)
            if owner != self.shard:
                self.outbox.setdefault(owner, []).append(request.to_dict(spider=self.spider))
                self.stats.inc_value("xxgk/shards/forwarded")
                if len(self.outbox[owner]) >= FLUSH_AT:
                    self._flush()
                elif not self.flush_pending:
                    self.flush_pending = True
                    self.loop.call_soon(self._flush)
                return True
        return super().enqueue_request(request)

    def _flush(self) -> None:
        self.flush_pending = False
        outbox, self.outbox = self.outbox, {}
        for owner, batch in outbox.items():
            if batch:
                self._send(("forward", owner, batch))

    def _send(self, message: tuple) -> None:
        if self.parent_gone:
            return
        try:
            self.channel.send(message)
        except OSError as exc:
            self._parent_lost(exc)

    def _parent_lost(self, exc: BaseException) -> None:
        """The parent was killed: finish this shard's queue and close properly, captures kept."""
        if not self.parent_gone:
            logger.error(
                "lost the parent process (%s): finishing with what this process has",
                str(exc) or type(exc).__name__,
            )
            self.stats.set_value("xxgk/shards/parent_lost", True)
            self.loop.remove_reader(self.channel.fileno())
        self.parent_gone = self.finishing = True
        nudge_engine(self.crawler)

    def _read(self) -> None:
        try:
            while self.channel.poll():
                message = self.channel.recv()
                if message[0] == "requests":
                    for data in message[1]:
                        self.crawler.engine.crawl(request_from_dict(data, spider=self.spider))
                    self.received += len(message[1])
                    self.stats.inc_value("xxgk/shards/received", len(message[1]))
                elif message[0] == "finish":
                    self.finishing = True
                    nudge_engine(self.crawler)
        except (EOFError, OSError) as exc:
            self._parent_lost(exc)

    def _idle(self, spider) -> None:
        if self.finishing:
            return
        self._flush()
        self._send(("idle", self.received))
        if not self.finishing:
            raise DontCloseSpider


# -- the parent ----------------------------------------------------------------------


@dataclass
class Router:
    """Routes forwarded requests and decides when the whole crawl is done."""

    shards: int
    send: Callable[[int, tuple], None]
    routed: list[int] = field(default_factory=list)  # requests sent to each child
    idle_at: list[int | None] = field(default_factory=list)  # child idle, having taken in this many
    finished: bool = False
    gone: set[int] = field(default_factory=set)  # children that have ended
    dropped: int = 0  # requests forwarded to a child that had ended

    def __post_init__(self) -> None:
        self.routed = [0] * self.shards
        self.idle_at = [None] * self.shards

    def handle(self, child: int, message: tuple) -> None:
        kind = message[0]
        if kind == "forward":
            _, owner, batch = message
            if owner in self.gone:  # it stopped early (--max-pages, a crash): nobody fetches these
                self.dropped += len(batch)
                return
            self.routed[owner] += len(batch)
            self.idle_at[owner] = None
            self.send(owner, ("requests", batch))
        elif kind == "idle":
            self.idle_at[child] = message[1]
        self._check_done()

    def child_gone(self, child: int) -> None:
        """A child ended (or died): what is routed to it can no longer be taken in."""
        self.gone.add(child)
        self.idle_at[child] = self.routed[child]
        self._check_done()

    def _check_done(self) -> None:
        if self.finished:
            return
        if all(at is not None and at >= routed for at, routed in zip(self.idle_at, self.routed, strict=True)):
            self.finished = True
            for child in range(self.shards):
                self.send(child, ("finish",))


def _child_main(
    index: int,
    urls: list[str],
    out: str,
    name: str,
    overrides: dict[str, Any],
    conn: Connection,
    parent_ends: list[Connection],
    pool_conn: Connection | None = None,
) -> None:
    global CHANNEL
    from crawler import shared_pool
    from crawler.run import CrawlSetupError, run_crawl

    # a forked child holds copies of the parent's ends of the pipes: closed, or the parent's
    # death would never reach this process as end-of-file (and a full pipe would block it)
    for end in parent_ends:
        end.close()
    CHANNEL = conn
    shared_pool.CHANNEL = pool_conn  # the parent's extraction pool
    try:
        result = run_crawl(urls, out, name, {**overrides, "XXGK_SHARD_INDEX": index})
    except CrawlSetupError as exc:
        _tell_parent(conn, ("error", str(exc)))
    except BaseException as exc:
        _tell_parent(conn, ("error", f"{type(exc).__name__}: {exc}"))
        raise
    else:
        _tell_parent(conn, ("result", result))
    finally:
        conn.close()


def _tell_parent(conn: Connection, message: tuple) -> None:
    with contextlib.suppress(OSError):  # the parent was killed: this process's captures are on disk
        conn.send(message)


def _start_method() -> str:
    """fork, with the crawl's modules imported once here (a child starts in ~50 ms instead of
    importing Scrapy for ~1 s), when this process has no other thread that a fork could catch
    holding a lock (`xxgk demo` serves its portal from one): spawn then."""
    if threading.active_count() > 1:
        return "spawn"
    import crawler.capture
    import crawler.pipelines
    import crawler.spiders.portal  # noqa: F401

    return "fork"


def run_sharded(prep: Any, processes: int, overrides: dict[str, Any]):
    """Run a prepared crawl (crawler.run.PreparedCrawl, lock held) in `processes` children;
    the merged CrawlResult."""
    from crawler.run import CrawlResult, CrawlSetupError, _now

    shares = child_settings(prep.settings, processes)
    state = _run_state(prep)
    if state is not None:  # begun here, before the processes that share it start
        state.begin_run(prep.run_id)
    session_started = now_iso()
    time.sleep(1.0 - time.time() % 1.0)  # fetches of this session are stamped after it (whole seconds)
    base = prep.settings.get("XXGK_WARC_PREFIX") or prep.paths.name
    method = _start_method()
    context = multiprocessing.get_context(method)
    pipes, children = [], []
    service = _pool_service(prep.settings, context)
    started_at = _now()
    started = time.monotonic()
    for index in range(processes):
        parent_end, child_end = context.Pipe()
        pool_end = service.open_pipe() if service is not None else None
        child_overrides = {
            **overrides,
            **shares,
            "XXGK_RUN_ID": prep.run_id,
            "XXGK_RESUMED": prep.resumed,
            "XXGK_SESSION_STARTED": session_started,
            "XXGK_WORKER_ID": f"p{index}",  # its log: crawl-p<i>.log
            "XXGK_WARC_PREFIX": f"{base}-p{index}",
        }
        process = context.Process(
            target=_child_main,
            name=f"xxgk-crawl-p{index}",
            args=(
                index,
                prep.urls,
                str(prep.paths.out),
                prep.paths.name,
                child_overrides,
                child_end,
                [*pipes, parent_end, *(service.pipes if service else ())] if method == "fork" else [],
                pool_end,
            ),
        )
        process.start()
        child_end.close()
        if pool_end is not None:
            pool_end.close()
        pipes.append(parent_end)
        children.append(process)
    if service is not None:
        service.start()

    outboxes = [queue.SimpleQueue() for _ in range(processes)]

    def sender(index: int) -> None:  # a thread per child: the routing loop never blocks on a full pipe
        while (message := outboxes[index].get()) is not None:
            try:
                pipes[index].send(message)
            except OSError:  # the child is gone; child_gone() accounts for it
                return

    senders = [threading.Thread(target=sender, args=(i,), daemon=True) for i in range(processes)]
    for thread in senders:
        thread.start()
    router = Router(processes, lambda child, message: outboxes[child].put(message))
    results: dict[int, Any] = {}
    errors: dict[int, str] = {}
    # Ctrl-C reaches the children (same process group), which stop gracefully: wait for them
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    previous_term = signal.signal(
        signal.SIGTERM, lambda *_: [p.terminate() for p in children if p.is_alive()]
    )
    try:
        open_pipes = dict(enumerate(pipes))
        while open_pipes:
            for conn in wait(list(open_pipes.values())):
                index = pipes.index(conn)
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    del open_pipes[index]
                    if index not in results and index not in errors:
                        errors[index] = "the crawl process ended without a result (killed?)"
                    router.child_gone(index)
                    continue
                if message[0] == "result":
                    results[index] = message[1]
                elif message[0] == "error":
                    errors[index] = message[1]
                    router.child_gone(index)
                else:
                    router.handle(index, message)
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)
        for box in outboxes:
            box.put(None)
        for process in children:
            process.join()
        pool_stats = service.close() if service is not None else {}
        if prep.lock is not None:
            prep.lock.release()
    if errors and not results:
        raise CrawlSetupError("; ".join(f"process p{i}: {e}" for i, e in sorted(errors.items())))
    parts = [results[i] for i in sorted(results)]
    stats = merge_stats([r.stats for r in parts])
    stats.update(pool_stats)
    if router.dropped:
        stats["xxgk/shards/dropped"] = router.dropped  # found for a process that had stopped
    for index, error in sorted(errors.items()):
        logger.error("crawl process p%d failed: %s", index, error)
        stats[f"xxgk/errors/process p{index}"] = error
        stats["finish_reason"] = "process failed"
    _finish_datasets(prep, processes, stats, [f for r in parts for f in r.warc_files])
    if state is not None:
        # finished only when every process ran out of work; else the next crawl resumes it
        done = not errors and all(r.stats.get("finish_reason") == "finished" for r in parts)
        state.finish_run(prep.run_id, "finished" if done else str(stats.get("finish_reason")))
        state.close()
    first = parts[0]
    return CrawlResult(
        paths=prep.paths,
        stats=stats,
        elapsed=time.monotonic() - started,
        seeds=prep.urls,
        seed_errors={u: e for r in parts for u, e in r.seed_errors.items()},
        log_file=str(Path(first.log_file).with_name("crawl-p*.log")) if first.log_file else None,
        warc_files=sorted(f for r in parts for f in r.warc_files),
        run_id=prep.run_id,
        run_dir=prep.run_dir,
        started_at=started_at,
        finished_at=_now(),
        start_error="; ".join(f"crawl process p{i}: {e}" for i, e in sorted(errors.items()))
        or first.start_error,
    )


def _pool_service(settings: Any, context: Any):
    """The extraction pool the crawl processes share (crawler/shared_pool.py), or None: no
    extraction, or extraction on the reactor thread (XXGK_EXTRACT_WORKERS=0)."""
    from crawler.pipelines import catch_up_workers, extracts
    from crawler.shared_pool import PoolService

    if not extracts(settings) or settings.getint("XXGK_EXTRACT_WORKERS") <= 0:
        return None
    return PoolService(
        context,
        workers=settings.getint("XXGK_EXTRACT_WORKERS"),
        catch_up_workers=catch_up_workers(settings, shared=True),
        catch_up_min=settings.getint("XXGK_EXTRACT_CATCH_UP_MIN"),
        nice=settings.getint("XXGK_EXTRACT_NICE"),
    )


def _run_state(prep: Any):
    """The collection's state store when the crawl keeps one (resumable `xxgk crawl`), else None."""
    if not prep.settings.getbool("XXGK_INCREMENTAL"):
        return None
    from crawler.state import CrawlState, state_path

    return CrawlState(state_path(prep.paths.collection))


# stats that are a maximum or a rate across children rather than a count
_MAX = {
    "xxgk/capture_seconds",
    "xxgk/extract_wait_seconds",
    "elapsed_time_seconds",
    "memusage/max",
    "memusage/startup",
}


def merge_stats(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The children's Scrapy stats as one crawl's: counts summed, times and peaks maxed,
    lists joined, start/finish times widened."""
    merged: dict[str, Any] = {}
    for stats in parts:
        for key, value in stats.items():
            if merged.get(key) is None:  # first seen, or unset (None) in the processes before
                merged[key] = list(value) if isinstance(value, list) else value
            elif value is None:
                continue
            elif key in _MAX:
                merged[key] = max(merged[key], value)
            elif isinstance(value, bool):
                merged[key] = merged[key] or value
            elif isinstance(value, str):
                if merged[key] != value:
                    merged[key] = ", ".join(sorted({*str(merged[key]).split(", "), value}))
            elif isinstance(value, int | float):
                merged[key] += value
            elif isinstance(value, list):
                merged[key].extend(value)
            elif isinstance(value, datetime):
                merged[key] = min(merged[key], value) if key.startswith("start") else max(merged[key], value)
    return merged


def _finish_datasets(prep: Any, processes: int, stats: dict[str, Any], warc_files: list[Path]) -> None:
    """What no single process could do: attachments take the column of a page another process
    extracted, annual reports are linked across years and written, and Parquet / CSV / the
    data dictionaries are derived from the JSONL every process appended to."""
    from crawler.pipelines import extracts, shard_hand_off_path, shard_reports_path
    from pipelines.annual import ANNUAL_REPORT_FIELDS, write_reports
    from pipelines.datasets import Dataset, close_datasets
    from pipelines.fields import DOCUMENT_FIELDS
    from pipelines.pickled import Concatenated, PickledLog

    if not extracts(prep.settings):
        return  # a capture-only crawl
    hand_offs = [shard_hand_off_path(prep.run_dir, index) for index in range(processes)]
    report_files = [shard_reports_path(prep.run_dir, index) for index in range(processes)]
    elsewhere: list[tuple[str, str]] = []
    for path in hand_offs:
        if path.exists():
            elsewhere += pickle.loads(path.read_bytes())["parents_elsewhere"]
    datasets = prep.paths.datasets
    if elsewhere:
        stats["xxgk/shards/columns_inherited"] = inherit_columns(
            datasets / "documents.jsonl", elsewhere, {f.name for f in warc_files}
        )
    formats = prep.settings.getlist("XXGK_DATASET_FORMATS")
    documents = Dataset(datasets, "documents", DOCUMENT_FIELDS, formats)
    reports = Dataset(datasets, "annual_reports", ANNUAL_REPORT_FIELDS, formats)
    with contextlib.ExitStack() as stack:  # every process's reports, read where they lie, one at a time
        logs = [stack.enter_context(PickledLog.read(path)) for path in report_files if path.exists()]
        stats.update(write_reports(Concatenated(logs), reports, datasets / "reports"))
    stats["xxgk/datasets"] = close_datasets(documents, reports)
    for path in hand_offs + report_files:
        path.unlink(missing_ok=True)


def inherit_columns(jsonl: Path, elsewhere: list[tuple[str, str]], run_files: set[str]) -> int:
    """Give attachments of this run the column of their page when another process extracted the
    page (as one process does as it goes). Two streaming passes (rows carry whole texts: the
    file can be far bigger than memory should be); the JSONL is replaced atomically, other
    lines byte for byte."""
    parents = {parent for _, parent in elsewhere}
    attachments = {url for url, _ in elsewhere}
    columns = {
        row["url"]: row["column"]
        for row in read_jsonl(jsonl)
        if row.get("kind") == "page"
        and row.get("url") in parents
        and row.get("column")
        and row.get("warc_file") in run_files
    }
    if not columns:
        return 0
    changed = 0
    partial = jsonl.with_name(jsonl.name + ".partial")
    with open(jsonl, "rb") as source, open(partial, "wb") as out:
        for line in source:
            try:
                row = orjson.loads(line) if line.strip() else None
            except orjson.JSONDecodeError:  # a line cut by a crash: kept as it is (read_jsonl skips it)
                row = None
            column = columns.get(row.get("parent_url")) if row else None
            if (
                column
                and row.get("kind") == "attachment"
                and row.get("url") in attachments
                and row.get("warc_file") in run_files
                and row.get("column") != column
            ):
                row["column"] = column
                line = orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS) + b"\n"
                changed += 1
            out.write(line)
        out.flush()
        os.fsync(out.fileno())
    if changed:
        os.replace(partial, jsonl)
    else:
        partial.unlink()
    return changed
