"""Scrapy item pipeline: documents rows from captured responses.

Extraction (trafilatura, PDF readers) is CPU-heavy, so it runs in worker
processes at a lower CPU priority (XXGK_EXTRACT_NICE), never on the reactor
thread that drives the crawl, and the crawl never waits for it: process_item
only queues the document. A document that waits on disk goes to the workers by
reference — the WARC record its response was written to (``pipelines.live``) —
and they read the body back themselves; one that waits in memory (most, when
extraction keeps up) takes its body along (up to 64 KB), as revisits and the like
do. Documents go to the workers XXGK_EXTRACT_BATCH at a time (a hand-over and its rows' way back
pass through this process's threads, each waiting for the busy crawl thread's GIL: one document
at a time, the workers idled while the crawl ran), two batches a worker at most; up to
XXGK_EXTRACT_BACKLOG are held in
memory, the rest wait in an on-disk FIFO (``crawler.spill``: a nameless file in
the run directory, gone at close or on a kill). So where extraction is slower
than the crawl, the crawl runs at capture speed and extraction catches up
after it: close_spider drains the queue (logging progress), and the stats say
how long capture took (``xxgk/capture_seconds``) and how much longer
extraction did (``xxgk/extract_wait_seconds``). The same
``pipelines.document.extract_document`` runs in ``xxgk parse``.

An attachment takes its page's column: pages are queued before the attachments
they link, so by the time an attachment is extracted its page has finished or
is among the few submitted ones, and the attachment waits for it.

Annual reports wait with their sources in a file (``pipelines.pickled``: not in
memory, thousands of them on a crawl of many portals) until the crawl ends, then
are parsed again beside the same organ's previous-year report (cross-year
checks) and written; if a crawl dies before that, `xxgk parse` regenerates them
from the WARCs.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import Any

from crawler import shared_pool
from crawler.collection import collection_paths
from crawler.incremental import crawl_state, http_date, reports_written_path, run_id, run_reports_path
from crawler.pools import ExtractionPools
from crawler.shared_pool import PoolClient
from crawler.spill import SpillQueue
from crawler.state import CrawlState
from pipelines.annual import ANNUAL_REPORT_FIELDS, write_reports
from pipelines.columns import PageColumns
from pipelines.datasets import Dataset, close_datasets
from pipelines.fields import DOCUMENT_FIELDS, empty_document
from pipelines.live import Result, by_reference, extract_job, extract_jobs, extract_row, failed_row
from pipelines.pickled import PickledLog
from pipelines.provenance import from_record_ref, replay_path
from pipelines.urls import doc_id as make_doc_id

logger = logging.getLogger(__name__)

# what a queued job keeps of an item (plus its body, or where the worker finds it)
JOB_FIELDS = ("url", "kind", "status", "headers", "parent_url", "column", "link_text", "warc", "flags")
PROGRESS_INTERVAL = 10.0  # seconds between progress lines while extraction catches up at close
# a document that waits in memory keeps a body up to this size, so its worker need not read the
# record back from the WARC (a page's decompression and parse); bigger ones, and those that wait
# on disk, go by reference
INLINE_BODY_MAX = 64 * 1024


def extracts(settings) -> bool:
    """Whether a crawl with these settings writes documents rows: DocumentPipeline among its
    ITEM_PIPELINES (a capture-only crawl, ITEM_PIPELINES={}, leaves them to `xxgk parse`)."""
    return any(
        order is not None and (path is DocumentPipeline or path == "crawler.pipelines.DocumentPipeline")
        for path, order in settings.getwithbase("ITEM_PIPELINES").items()
    )


def catch_up_workers(settings, shared: bool = False) -> int:
    """Extraction workers once capture is over: XXGK_EXTRACT_CATCH_UP_WORKERS, or (0) a core each
    (this process's share of them when `--processes N` have pools of their own, not `shared`),
    never fewer than the crawl's."""
    workers = settings.getint("XXGK_EXTRACT_WORKERS")
    wanted = settings.getint("XXGK_EXTRACT_CATCH_UP_WORKERS")
    if wanted <= 0:
        wanted = len(os.sched_getaffinity(0)) // (1 if shared else max(1, settings.getint("XXGK_SHARDS")))
    return max(workers, wanted)


class DocumentPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.documents: Dataset | None = None
        self.reports: Dataset | None = None
        self.pool: ExtractionPools | PoolClient | None = None
        # pages' columns, so attachments (whose bytes do not name a column) inherit their page's
        self.page_columns = PageColumns()
        self.pending_pages: dict[str, asyncio.Future] = {}  # submitted pages → the task finishing them
        self.versions: Versions | None = None  # incremental runs: version chain per URL
        self.max_backlog = max(1, crawler.settings.getint("XXGK_EXTRACT_BACKLOG"))
        self.queue: SpillQueue | None = None  # documents waiting for a worker
        self.submitted: set[asyncio.Future] = set()  # tasks of documents given to the pool, until written
        self.window = 1  # documents given to the pool at a time
        # documents a worker is handed at once
        self.batch = max(1, crawler.settings.getint("XXGK_EXTRACT_BATCH"))
        # a worker that dies (out of memory, a native crash) breaks its whole pool: the pool replaces
        # it (crawler/pools.py), and the documents it had are tried again one at a time, so a second
        # death is the document's
        self.extract = extract_job  # what a worker runs on a job
        self.pool_workers = crawler.settings.getint("XXGK_EXTRACT_WORKERS")  # while the crawl captures
        self.shared: PoolClient | None = None  # the parent's pool, with --processes N
        self.retries: deque[dict[str, Any]] = deque()
        self.retry_waiters: dict[str, asyncio.Future] = {}  # retried pages' attachments wait on these
        self.archive_dir = ""
        # (row, source, report) of each annual report, on disk until the cross-year pass at close
        self.report_entries: PickledLog | None = None
        # `--processes N`: what this process leaves to the parent (crawler/shards.py)
        self.shard_hand_off: dict[str, list] | None = None
        if crawler.settings.getint("XXGK_SHARDS") > 1:
            self.shard_hand_off = {"parents_elsewhere": []}
        self.opened_at = time.monotonic()
        self.extracted = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        paths = collection_paths(self.crawler)
        formats = self.settings.getlist("XXGK_DATASET_FORMATS")
        self.documents = Dataset(paths.datasets, "documents", DOCUMENT_FIELDS, formats)
        self.reports = Dataset(paths.datasets, "annual_reports", ANNUAL_REPORT_FIELDS, formats)
        self.report_dir = paths.datasets / "reports"
        self.archive_dir = str(paths.archive)
        self.collection = paths.name
        if self.settings.getbool("XXGK_INCREMENTAL"):
            self.versions = Versions(
                crawl_state(self.crawler), run_id(self.crawler), self.settings.getbool("XXGK_VERSIONS")
            )
        run_dir = Path(self.settings.get("XXGK_RUN_DIR") or paths.collection)  # for files nobody keeps
        if self.shard_hand_off is not None:  # named: the parent process reads it
            path = shard_reports_path(run_dir, self.settings.getint("XXGK_SHARD_INDEX"))
            # resumable: what a killed session of this process kept is kept
            self.report_entries = PickledLog.resume(path) if self.versions is not None else PickledLog(path)
        elif self.versions is not None:  # a resumable run: its reports outlive a killed session
            self.report_entries = PickledLog.resume(run_reports_path(self.crawler))
        else:
            self.report_entries = PickledLog(directory=run_dir)
        workers = self.pool_workers
        if workers > 0 and shared_pool.CHANNEL is not None:
            self.shared = PoolClient(shared_pool.CHANNEL)
        if workers > 0:
            self.pool = self._new_pool()
            # enough submitted to keep every worker busy; the rest of the backlog waits in the queue
            self.window = self._window(workers)
            self.queue = SpillQueue(run_dir, self.max_backlog - self.window)
        self.opened_at = time.monotonic()

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        url = item["url"]
        if self.versions is not None and self.versions.done(item):
            return {"url": url, "kind": item["kind"], "replayed": True}
        if self.pool is None or self.queue is None:
            await self._finish(item, extract_row(item))
            return {"url": url, "kind": item["kind"]}
        job = {name: item.get(name) for name in JOB_FIELDS}
        body = item["body"]
        if not by_reference(item):
            job["body"] = body
            self.stats.inc_value("xxgk/extract/by_value")
        elif len(body) <= INLINE_BODY_MAX and self.queue.has_memory_room():
            job["body"] = body  # the very bytes of its record, at hand: the worker need not read it back
            self.stats.inc_value("xxgk/extract/in_memory")
        else:
            job.update(body=None, body_length=len(body), archive=self.archive_dir)
            self.stats.inc_value("xxgk/extract/by_reference")
        self.queue.push(job)
        self._submit_queued()
        return {"url": url, "kind": item["kind"]}

    def _new_pool(self) -> ExtractionPools | PoolClient:
        """The parent's pool while it answers (`--processes N`: crawler/shared_pool.py), else one
        of this process's own."""
        if self.shared is not None and self.shared.alive:
            return self.shared
        return ExtractionPools(self.pool_workers, self.settings.getint("XXGK_EXTRACT_NICE"), os.getpid())

    def _window(self, workers: int) -> int:
        """Documents given to the pool at a time: two batches a worker (one at work, one waiting)."""
        return min(self.max_backlog, 2 * workers * self.batch)

    def _submit_queued(self) -> None:
        """Give queued documents to the pool, oldest first, ``batch`` a job (fewer when the pool has
        nothing else), while at most ``window`` are there; documents a dead worker had go first,
        each alone in the pool."""
        assert self.queue is not None and self.pool is not None
        while self.retries:
            if self.submitted:
                return  # a retried document runs alone: if its worker dies again, it is the cause
            self._submit([self.retries.popleft()])
        batch = min(self.batch, self.window)
        # a whole batch, or what there is when the pool has nothing else to do
        while self.queue and (len(self.queue) >= batch or not self.submitted):
            size = min(batch, len(self.queue))
            if len(self.submitted) + size > self.window:
                return
            self._submit([self.queue.pop() for _ in range(size)])

    def _submit(self, jobs: list[dict[str, Any]]) -> None:
        """One job for a worker: a batch of documents, each finished on its own."""
        assert self.pool is not None
        # failures are the future's
        future = asyncio.wrap_future(self.pool.submit(partial(extract_jobs, self.extract), jobs))
        for index, job in enumerate(jobs):
            task = asyncio.ensure_future(self._finish_when_extracted(job, future, index))
            if job["kind"] == "page":
                self.pending_pages[job["url"]] = task
                waiter = self.retry_waiters.pop(job["url"], None)
                if waiter is not None:  # attachments that waited for the first try wait for this one
                    task.add_done_callback(
                        lambda _task, waiter=waiter: waiter.done() or waiter.set_result(None)
                    )
            self.submitted.add(task)
            task.add_done_callback(self._written)

    def _written(self, task: asyncio.Future) -> None:
        self.submitted.discard(task)
        if self.queue or self.retries:
            self._submit_queued()

    def _grow_for_catch_up(self) -> None:
        """Capture is over: what extraction has left may take the cores the crawl used
        (XXGK_EXTRACT_CATCH_UP_WORKERS workers in all: crawler/pools.py), unless it is too little
        to be worth their start (XXGK_EXTRACT_CATCH_UP_MIN documents)."""
        left = len(self.queue or ()) + len(self.submitted)
        self.stats.set_value("xxgk/extract/left_at_capture", left)
        if self.pool is not None and self.pool is self.shared:  # the parent grows its pool
            self.shared.catch_up(left)
            workers = catch_up_workers(self.settings, shared=True)
        elif isinstance(self.pool, ExtractionPools):
            workers = catch_up_workers(self.settings)
            if not self.pool.catch_up(workers, left, self.settings.getint("XXGK_EXTRACT_CATCH_UP_MIN")):
                return
            self.stats.set_value("xxgk/extract/catch_up_workers", workers)
        else:
            return
        self.window = self._window(workers)
        self._submit_queued()

    async def _finish_when_extracted(self, item: dict[str, Any], future: asyncio.Future, index: int) -> None:
        """Write the row of `item` once its batch is done (index: its place in the batch's results)."""
        try:
            result = (await future)[index]
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory, a native crash)
            if self.pool is self.shared and not self.shared.alive:  # the parent is gone
                self.pool = self._new_pool()
            if not item.get("retried"):
                logger.warning(
                    "extraction worker died with %s among its documents: trying it again", item["url"]
                )
                self.stats.inc_value("xxgk/extract/retried")
                if item["kind"] == "page":  # its attachments wait for the retried page's row
                    waiter = self.pending_pages[item["url"]] = asyncio.get_running_loop().create_future()
                    self.retry_waiters[item["url"]] = waiter
                self.retries.append({**item, "retried": True})
                return
            logger.error("extraction worker died on %s twice: recorded as failed", item["url"])
            self.stats.inc_value("xxgk/extract/worker_died")
            reason = f"extraction worker died on this document, twice ({exc})"
            result = (failed_row(item, reason), None)
        except Exception as exc:  # the pool could not run it at all: keep a row saying so
            logger.error("extraction worker failed on %s: %s", item["url"], exc)
            result = (failed_row(item, f"extraction worker failed: {type(exc).__name__}: {exc}"), None)
        try:
            await self._finish(item, result)
        except Exception:
            logger.exception("could not write the row of %s", item["url"])
        finally:
            self.pending_pages.pop(item["url"], None)

    async def _finish(self, item: dict[str, Any], result: Result) -> None:
        """Provenance, column, versions; then the row is written and a report kept for the end."""
        row, found = result
        url = item["url"]
        self.extracted += 1
        row.update(from_record_ref(item.get("warc")))
        row["replay_url"] = replay_path(self.collection, row.get("fetched_at"), url)
        if not row.get("column"):
            row["column"] = await self._parent_column(item) or item.get("column")
        if row.get("kind") == "page":
            self.page_columns.set(url, row.get("column"))
        ref = item.get("warc") or {}
        if ref.get("truncated"):
            note = f"capture truncated ({ref['truncated']})"
            row["extraction_error"] = (
                f"{note}; {row['extraction_error']}" if row.get("extraction_error") else note
            )
        if self.versions is not None and not self.versions.place(row, item):
            self.stats.inc_value("xxgk/documents/unchanged")
            return
        assert self.documents is not None
        if found is not None and self.report_entries is not None:
            # kept before the row is written: a session killed in between extracts the document
            # again when resumed, and write_reports drops the repeated entry
            report, source = found
            self.report_entries.append((row, source, report))
        self.documents.write(row)
        if self.versions is not None:
            self.versions.written(row, item)
        self.stats.inc_value(f"xxgk/documents/{row.get('kind') or 'unknown'}")

    def _write_reports(self, log: PickledLog) -> dict[str, int]:
        """Write a report log's reports past those an earlier session wrote (its .written mark)."""
        assert self.reports is not None
        written = reports_written_path(log.path) if log.path else None
        skip = int(written.read_text() or 0) if written is not None and written.exists() else 0
        counts = write_reports(log, self.reports, self.report_dir, skip)
        if written is not None:
            written.write_text(str(len(log)))
        return counts

    async def _parent_column(self, item: dict[str, Any]) -> str | None:
        parent = item.get("parent_url")
        if not parent:
            return None
        pending = self.pending_pages.get(parent)
        if pending is not None:
            # the parent page is still being extracted: wait until its row is done
            await asyncio.wait([pending])
        elif self.shard_hand_off is not None and parent not in self.page_columns:
            # the page may be another crawl process's: the parent process settles it at the end
            self.shard_hand_off["parents_elsewhere"].append((item["url"], parent))
        return self.page_columns.get(parent)

    async def _catch_up(self) -> None:
        """Wait for extraction to finish what the crawl left it, saying how far it is every few seconds."""
        left = len(self.submitted) + len(self.queue or ())
        if left:
            logger.info("capture finished; extraction has %d documents left", left)
        last = time.monotonic()
        while self.submitted or self.queue or self.retries:
            if not self.submitted:
                self._submit_queued()
            await asyncio.wait(set(self.submitted), timeout=PROGRESS_INTERVAL)
            if time.monotonic() - last >= PROGRESS_INTERVAL and (self.submitted or self.queue):
                last = time.monotonic()
                logger.info(
                    "extraction: %d documents left (%d written)",
                    len(self.submitted) + len(self.queue or ()),
                    self.extracted,
                )

    async def close_spider(self) -> None:
        captured = time.monotonic()  # the crawl has nothing left to download
        capture_seconds = captured - self.opened_at
        self.stats.set_value("xxgk/capture_seconds", round(capture_seconds, 3))
        try:
            self._grow_for_catch_up()
            await self._catch_up()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
            if isinstance(self.pool, ExtractionPools) and self.pool.replaced:
                self.stats.set_value("xxgk/extract/pool_replaced", self.pool.replaced)
            if self.queue is not None:
                self.stats.set_value("xxgk/extract/spilled", self.queue.spilled)
                self.queue.close()
        if self.shard_hand_off is not None:
            # one process of `--processes N`: reports of other years may be in other processes,
            # so the parent links and writes them all (crawler/shards.py), from shard_reports_path
            hand_off = shard_hand_off_path(
                Path(self.settings["XXGK_RUN_DIR"]), self.settings.getint("XXGK_SHARD_INDEX")
            )
            hand_off.write_bytes(pickle.dumps(self.shard_hand_off, protocol=pickle.HIGHEST_PROTOCOL))
        elif self.reports is not None and self.report_entries is not None:
            for key, value in self._write_reports(self.report_entries).items():
                self.stats.set_value(key, value)
            if self.settings.get("XXGK_REDIS_URL") and self.report_entries.path is not None:
                from crawler.runs.distributed import stopped_workers_reports

                # a worker killed and never restarted left reports whose rows are written
                for log in stopped_workers_reports(self.crawler, self.report_entries.path.parent):
                    with log:
                        self.stats.inc_value(
                            "xxgk/annual_reports/adopted",
                            self._write_reports(log).get("xxgk/annual_reports", 0),
                        )
        if self.report_entries is not None:
            self.report_entries.close()
        if self.versions is not None and self.documents is not None:
            for row in self.versions.removal_rows():
                row["replay_url"] = replay_path(self.collection, row.get("fetched_at"), row["url"])
                self.documents.write(row)
                self.stats.inc_value("xxgk/documents/removed")
        self.stats.set_value("xxgk/datasets", close_datasets(self.documents, self.reports))
        finished = time.monotonic()  # every row written
        self.stats.set_value("xxgk/extract_wait_seconds", round(finished - captured, 3))
        self.stats.set_value("xxgk/extract/documents", self.extracted)
        self.stats.set_value(
            "xxgk/extract/documents_per_second",
            round(self.extracted / max(finished - self.opened_at, 1e-6), 1),
        )


class Versions:
    """The documents dataset's version chain, kept in the collection's state store.

    A capture whose payload digest equals the URL's current version is unchanged
    and gets no row; otherwise the row is version n+1 and names the previous
    version's record. Documents found removed (404/410 on a re-check) get a row
    with change = "removed" at close.

    Without ``chain`` (`xxgk crawl`: each run's dataset is whole, as a snapshot) every capture
    gets a row without version fields; the store still records which rows a run wrote, so a
    resumed run writes none twice.
    """

    def __init__(self, state: CrawlState, run: str, chain: bool = True):
        self.state = state
        self.run = run
        self.chain = chain

    def done(self, item: dict[str, Any]) -> bool:
        """A page replayed from the WARC whose row the interrupted run already wrote."""
        if "xxgk_replayed" not in (item.get("flags") or []):
            return False
        known = self.state.get(item["url"])
        return known is not None and known.row_run == self.run

    def place(self, row: dict[str, Any], item: dict[str, Any]) -> bool:
        """Fill the version fields; False if the row need not be written."""
        known = self.state.get(row["url"])
        if known is not None and known.row_run == self.run and known.version > 0:
            return False  # written before this run was interrupted (replayed from the WARC)
        if not self.chain:
            return True
        if known is not None and known.version > 0 and known.removed_at is None:
            if row.get("payload_digest") and row["payload_digest"] == known.payload_digest:
                self.state.settled(row["url"], self.run)
                return False
            row.update(version=known.version + 1, change="changed", previous_record_id=known.record_id)
        else:
            version = known.version + 1 if known is not None else 1
            row.update(
                version=version,
                change="new" if version == 1 else "changed",
                previous_record_id=known.record_id if known is not None else None,
            )
        row["first_seen"] = (known.first_seen if known is not None else None) or row.get("fetched_at")
        return True

    def written(self, row: dict[str, Any], item: dict[str, Any]) -> None:
        headers = {name.lower(): value for name, value in item.get("headers") or []}
        known = None if self.chain else self.state.get(row["url"])
        self.state.captured(
            row["url"],
            version=row["version"] if self.chain else (known.version if known else 0) + 1,
            run_id=self.run,
            etag=headers.get("etag"),
            last_modified=http_date(headers.get("last-modified")),
            payload_digest=row.get("payload_digest"),
            record_id=row.get("warc_record_id"),
            capture_date=row.get("fetched_at"),
        )

    def removal_rows(self) -> list[dict[str, Any]]:
        rows = []
        for known in self.state.removals(self.run):
            if known.row_run == self.run:
                continue  # already written (a resumed run)
            row = empty_document()
            row.update(from_record_ref(known.ref))
            row.update(
                url=known.url,
                doc_id=make_doc_id(known.url),
                kind="attachment" if known.role == "attachment" else "page",
                status=known.status,
                version=known.version + 1,
                change="removed",
                previous_record_id=known.record_id,
                first_seen=known.first_seen,
                removed_reason=known.removed_reason,
                fetched_at=row.get("fetched_at") or known.removed_at,
            )
            rows.append(row)
            self.state.captured(
                known.url,
                version=known.version + 1,
                run_id=self.run,
                etag=None,
                last_modified=None,
                payload_digest=None,
                record_id=row.get("warc_record_id"),
                capture_date=row.get("fetched_at"),
            )
            self.state.removed(known.url, known.removed_reason or "removed", self.run)
        return rows


def shard_hand_off_path(run_dir: Path, index: int) -> Path:
    """Where process `index` of `--processes N` leaves its reports and unsettled columns for the parent."""
    return run_dir / f"shard-{index}.pickle"


def shard_reports_path(run_dir: Path, index: int) -> Path:
    """Where process `index` of `--processes N` keeps its annual reports (a pipelines.pickled log)."""
    return run_dir / f"shard-{index}.reports"
