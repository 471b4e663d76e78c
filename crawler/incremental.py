"""Incremental and resumable crawls, on the collection's state store (crawler.state).

Three components, wired in settings when ``XXGK_INCREMENTAL`` is on (``xxgk run``):

* :class:`RunStateExtension` opens the store, begins (or resumes) the run and
  finishes it; when the frontier runs dry it re-checks the documents known from
  earlier runs that no listing linked this time, so deletions are noticed.
* :class:`ConditionalRequestMiddleware` (downloader) sends If-None-Match /
  If-Modified-Since for known documents, with ``xxgk_previous_capture`` so a 304
  becomes a server-not-modified revisit record; records every fetch in the
  store; marks 404/410 on a known document as a removal; and, when a killed run
  resumes, answers requests already archived by that run from the WARC instead
  of the network.
* :class:`IncrementalSpiderMiddleware` records which listing linked each
  document, drops requests for documents not due for a re-check (or already
  settled by the run being resumed), and drops document items of 304 answers:
  an unchanged document gets no new dataset row.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Headers

from archive.http import HOP_BY_HOP
from archive.reader import iter_records, read_record_in
from crawler.capture import META_KEY
from crawler.collection import collection_paths
from crawler.state import CrawlState, UrlState, state_path
from pipelines.datasets import read_jsonl

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DOCUMENT_ROLES = ("detail", "attachment")
_STATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_RUN_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SESSION_FETCHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_YIELDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def crawl_state(crawler: Crawler) -> CrawlState:
    """The collection's state store, one per crawler, shared by the components below."""
    state = _STATES.get(crawler)
    if state is None:
        state = _STATES[crawler] = CrawlState(state_path(collection_paths(crawler).collection))
    return state


class Session:
    """This session of a run (one process's crawl): only what an earlier, killed session
    fetched is answered from the archive or skipped; a retry in this session goes to the
    network, and so does what another process of this `--processes N` session fetched."""

    def __init__(self, crawler: Crawler):
        self.fetches: set[int] = _SESSION_FETCHES.setdefault(crawler, set())  # URL hashes, shared
        self.started = crawler.settings.get("XXGK_SESSION_STARTED")  # set by a `--processes` parent

    def before(self, known: UrlState) -> bool:
        """Whether the URL's last fetch was an earlier session's."""
        if hash(known.url) in self.fetches:
            return False
        return not self.started or (known.last_fetch or "") < self.started


def yielded_documents(crawler: Crawler) -> set[int]:
    """URLs (by hash) the spider took as documents in this process (crawler.marks): a document
    fetched without a row is lost only if it got this far; a wall or an undecodable response
    never becomes a document, and is counted as blocked or as an error instead."""
    return _YIELDED.setdefault(crawler, set())


def run_id(crawler: Crawler) -> str:
    value = crawler.settings.get("XXGK_RUN_ID") or _RUN_IDS.get(crawler)
    if not value:  # under scrapyd (no `xxgk run`): resume the unfinished run, else start one
        value = crawl_state(crawler).unfinished_run() or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        _RUN_IDS[crawler] = value
    return value


def run_reports_path(crawler: Crawler) -> Path:
    """Where a run keeps its annual reports for the cross-year pass, across its sessions (one
    file per worker of a distributed run); removed when the run finishes."""
    worker = crawler.settings.get("XXGK_WORKER_ID")
    run_dir = Path(crawler.settings.get("XXGK_RUN_DIR") or collection_paths(crawler).collection)
    return run_dir / (f"annual-reports-{worker}.pickled" if worker else "annual-reports.pickled")


def reports_written_path(log: Path) -> Path:
    """How many of the log's reports have rows already (a resumed run writes only the rest)."""
    return log.with_suffix(".written")


UNACCOUNTED_KEY = "xxgk/unaccounted"  # stats: URLs fetched and archived this run that got no row
UNACCOUNTED_LISTED = 1000


def record_unaccounted(crawler: Crawler, unsettled: Callable[[], list]) -> None:
    """Documents a finished run took (the spider yielded them) but wrote no row for: work lost,
    said so (the status, the exit code, the manifest and the report name them). ``unsettled``
    gives the candidates, asked only when rows are owed."""
    from crawler.pipelines import extracts  # (crawler.pipelines imports this module)

    if not extracts(crawler.settings):
        return  # a capture-only crawl writes no rows: `xxgk parse` makes them
    yielded = yielded_documents(crawler)
    lost = [known for known in unsettled() if hash(known.url) in yielded]
    stats = crawler.stats
    if lost:
        urls = sorted({known.url for known in lost})
        stats.set_value(UNACCOUNTED_KEY, urls[:UNACCOUNTED_LISTED])
        stats.set_value(f"{UNACCOUNTED_KEY}_count", len(urls))
        logger.error(
            "%d document(s) fetched this run have no dataset row: %s", len(urls), ", ".join(urls[:5])
        )


def ask_again(crawler: Crawler, spider, known, meta: dict[str, Any]) -> None:
    """Schedule a known document again, ahead of new listings, past the duplicate filter; one
    fetched this run is answered from its WARC record (ConditionalRequestMiddleware)."""
    meta = {"xxgk_role": known.role or "detail", **meta}
    if known.listing:
        meta.setdefault("xxgk_parent", known.listing)
    request = scrapy.Request(
        known.url, callback=spider.parse, errback=spider.on_error, meta=meta, dont_filter=True, priority=20
    )
    crawler.engine.crawl(request)


def _enabled(crawler: Crawler) -> bool:
    return crawler.settings.getbool("XXGK_INCREMENTAL")


class RunStateExtension:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.state = crawl_state(crawler)
        self.run_id = run_id(crawler)
        self.rechecked = False
        self.repaired = False
        # `--processes N`: (this process's shard, shards, by host); each repairs its own URLs
        settings = crawler.settings
        index = settings.get("XXGK_SHARD_INDEX")
        self.shard = (
            None
            if index is None
            else (int(index), settings.getint("XXGK_SHARDS"), settings.getbool("XXGK_SHARD_BY_HOST"))
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunStateExtension:
        if not _enabled(crawler):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self, spider) -> None:
        # a second worker of a distributed run joins the run, it does not resume it; the processes
        # of `--processes N` are told by their parent, which began (or resumed) the run
        settings = self.crawler.settings
        resumed = self.state.begin_run(self.run_id) and not settings.get("XXGK_REDIS_URL")
        if self.shard is not None:
            resumed = settings.getbool("XXGK_RESUMED")
        self.crawler.stats.set_value("xxgk/run/id", self.run_id)
        self.crawler.stats.set_value("xxgk/run/resumed", resumed)
        if resumed:
            logger.warning("resuming interrupted run %s", self.run_id)
            self.reconcile()

    def reconcile(self) -> None:
        """Register captures the interrupted run archived but did not record in the state store
        (killed between the WARC write and the commit), so they are replayed, not fetched again."""
        info = self.state.run_info(self.run_id) or {}
        started = datetime.fromisoformat(info["started"].replace("Z", "+00:00")).timestamp() if info else 0
        archive = collection_paths(self.crawler).archive
        found = 0
        for path in sorted(archive.glob("*.warc*")) if archive.exists() else []:
            if path.name.endswith(".open") or path.stat().st_mtime < started - 1:
                continue
            for record in iter_records(path):
                if (
                    getattr(record, "type", None) != "response"
                    or record.status != 200
                    or not record.target_uri
                ):
                    continue
                known = self.state.get(record.target_uri)
                if known is not None and known.fetch_run == self.run_id:
                    continue
                ref = {
                    "filename": path.name,
                    "offset": record.offset,
                    "length": record.length,
                    "record_id": record.record_id,
                    "warc_type": "response",
                    "date": record.date,
                    "target_uri": record.target_uri,
                    "payload_digest": record.header("WARC-Payload-Digest"),
                }
                self.state.fetched(record.target_uri, None, 200, ref, self.run_id)
                found += 1
        if found:
            logger.warning(
                "%d archived response(s) of the interrupted run were not in the state store", found
            )
        self.crawler.stats.set_value("xxgk/state/reconciled", found)
        self.reconcile_rows(started)

    def reconcile_rows(self, started: float) -> None:
        """Rows the interrupted run wrote but did not record as written (killed between the
        dataset line and the state store's commit) are recorded now, so they are not written twice."""
        path = collection_paths(self.crawler).datasets / "documents.jsonl"
        healed = 0
        for row in read_jsonl(path) if path.exists() else ():
            url, when = row.get("url"), row.get("fetched_at")
            if not url or not when or row.get("change") == "removed":
                continue
            if datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp() < started - 1:
                continue
            known = self.state.get(url)
            if known is not None and known.row_run == self.run_id:
                continue
            # `xxgk crawl`'s rows carry no version: the store counts them as Versions.written does
            self.state.captured(
                url,
                version=row.get("version") or (known.version if known else 0) + 1,
                run_id=self.run_id,
                etag=None,
                last_modified=None,
                payload_digest=row.get("payload_digest"),
                record_id=row.get("warc_record_id"),
                capture_date=when,
            )
            healed += 1
        if healed:
            logger.warning("%d row(s) of the interrupted run were not recorded as written", healed)
        self.crawler.stats.set_value("xxgk/state/rows_reconciled", healed)

    def spider_idle(self, spider) -> None:
        """Once the listings are done: repair earlier runs' lost rows, then re-check known
        documents no listing linked this run."""
        if not self.repaired:
            self.repaired = True
            if self.repair(spider):
                raise DontCloseSpider
        if self.rechecked or not self.crawler.settings.getbool("XXGK_RECHECK_UNLISTED"):
            return
        self.rechecked = True
        unseen = self.state.unseen_documents(self.run_id)
        for known in unseen:
            ask_again(self.crawler, spider, known, {"xxgk_recheck": True})
        self.crawler.stats.set_value("xxgk/state/rechecked_unlisted", len(unseen))
        if unseen:
            raise DontCloseSpider

    def repair(self, spider) -> int:
        """Documents an earlier run fetched but never wrote a row for get one now: read from
        their WARC record (the fetch is made this run's, so the archive answers), or fetched
        again when the record is gone."""
        lost = self.state.unsettled_fetches(self.run_id)
        if self.shard is not None:
            from crawler.shards import shard_of

            index, shards, by_host = self.shard
            lost = [known for known in lost if shard_of(known.url, shards, by_host) == index]
        for known in lost:
            self.state.fetched(known.url, known.role, 200, known.ref, self.run_id)
            ask_again(self.crawler, spider, known, {"xxgk_repair": True})
        if lost:
            logger.warning("repairing %d document(s) an earlier run fetched without writing a row", len(lost))
        self.crawler.stats.set_value("xxgk/state/repaired", len(lost))
        return len(lost)

    def spider_closed(self, spider, reason: str) -> None:
        if reason == "finished" and not self.crawler.settings.get("XXGK_REDIS_URL"):
            # distributed: each worker accounts for its own (crawler.runs.distributed)
            record_unaccounted(self.crawler, lambda: self.state.unsettled_fetches(self.run_id, current=True))
        if self.shard is None:  # `--processes N`: the parent finishes the run once every process has
            self.state.finish_run(self.run_id, reason)
        if reason == "finished":  # never resumed: its reports are written and linked
            log = run_reports_path(self.crawler)
            log.unlink(missing_ok=True)
            reports_written_path(log).unlink(missing_ok=True)
        self.crawler.stats.set_value("xxgk/state/counts", self.state.counts())

    def engine_stopped(self) -> None:
        self.state.close()  # after every spider_closed handler (the distributed one reads it too)


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.state = crawl_state(crawler)
        self.run_id = run_id(crawler)
        self.conditional = crawler.settings.getbool("XXGK_CONDITIONAL_REQUESTS")
        self.session = Session(crawler)
        self.archive_dir = collection_paths(crawler).archive

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not _enabled(crawler):
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: scrapy.Request, spider=None):
        if request.method != "GET":
            # state is kept per URL; POSTs to one URL (Hanweb dataproxy.jsp) differ by body, and
            # they only page listings, which every run re-reads anyway
            return None
        known = self.state.get(request.url)
        if known is None:
            return None
        ref = known.ref
        if (
            known.fetch_run == self.run_id
            and known.status == 200
            and ref
            and not request.meta.get("xxgk_recheck")
            and self.session.before(known)
        ):
            # archived by this run before it was interrupted: the WARC answers, not the server
            response = self._from_archive(request, ref)
            if response is not None:
                return response
        role = request.meta.get("xxgk_role")
        if self.conditional and role in DOCUMENT_ROLES and known.record_id and known.removed_at is None:
            if known.etag:
                request.headers[b"If-None-Match"] = known.etag
            if known.last_modified:
                request.headers[b"If-Modified-Since"] = known.last_modified
            if known.etag or known.last_modified:
                request.meta["xxgk_previous_capture"] = {
                    "url": known.url,
                    "date": known.capture_date,
                    "record_id": known.record_id,
                }
                self.stats.inc_value("xxgk/state/conditional_requests")
        return None

    def process_response(self, request: scrapy.Request, response, spider=None):
        if "xxgk_replayed" in response.flags or request.method != "GET":
            return response
        role = request.meta.get("xxgk_role")
        self.session.fetches.add(hash(request.url))
        self.state.fetched(request.url, role, response.status, request.meta.get(META_KEY), self.run_id)
        if response.status == 304 and request.meta.get("xxgk_previous_capture"):
            self.state.settled(request.url, self.run_id)
            self.stats.inc_value("xxgk/state/unchanged")
        if request.meta.get("xxgk_recheck") and role == "detail" and response.status in (200, 304):
            # no listing links it any more, yet it is served: worth knowing, but not a removal
            self.stats.inc_value("xxgk/state/unlisted_still_served")
        if response.status in (404, 410):
            known = self.state.get(request.url)
            if known is not None and known.version > 0 and known.removed_at is None:
                self.state.removed(request.url, f"HTTP {response.status}", self.run_id)
                self.stats.inc_value("xxgk/state/removed")
        return response

    def _from_archive(self, request: scrapy.Request, ref: dict[str, Any]):
        """The archived response to this request, as the capture handler would have built it."""
        try:
            record = read_record_in(self.archive_dir, ref["filename"], int(ref["offset"]))
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged file: fetch again rather than fail
            logger.warning("cannot replay %s from %s: %s", request.url, ref["filename"], exc)
            return None
        if record.record_id != ref.get("record_id") or record.http is None or not record.block_complete:
            return None
        headers = Headers()
        for name, value in record.http.headers:
            raw = name if isinstance(name, bytes) else name.encode("latin-1")
            if raw.lower() not in HOP_BY_HOP:
                headers.appendlist(name, value)
        request.meta[META_KEY] = ref
        self.stats.inc_value("xxgk/state/replayed_from_archive")
        from scrapy.responsetypes import responsetypes

        cls = responsetypes.from_args(headers=headers, url=request.url, body=record.entity())
        return cls(
            url=request.url,
            status=record.status or 200,
            headers=headers,
            body=record.entity(),
            flags=["xxgk_replayed"],
            request=request,
        )


class IncrementalSpiderMiddleware:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.state = crawl_state(crawler)
        self.run_id = run_id(crawler)
        self.recheck_after = crawler.settings.getfloat("XXGK_RECHECK_AFTER")
        self.session = Session(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalSpiderMiddleware:
        if not _enabled(crawler):
            raise NotConfigured
        return cls(crawler)

    def _keep(self, response, item: Any) -> bool:
        if isinstance(item, scrapy.Request):
            return self._keep_request(response, item)
        # an unchanged document (304) has no body to extract: no new row
        return not (isinstance(item, dict) and response.status == 304)

    def _keep_request(self, response, request: scrapy.Request) -> bool:
        role = request.meta.get("xxgk_role")
        if role not in DOCUMENT_ROLES:
            return True
        self.state.saw_link(request.url, role, response.url, self.run_id)
        known = self.state.get(request.url)
        if known is None or known.removed_at is not None:
            return True
        # done before this run was interrupted; a detail page is still replayed from the WARC
        # (no network) because the frontier needs its attachment links again
        settled = known.row_run == self.run_id and role == "attachment"
        failed_before = known.fetch_run == self.run_id and known.status != 200 and self.session.before(known)
        if settled or failed_before:
            self.stats.inc_value("xxgk/state/skipped_settled")
            return False
        if self.recheck_after > 0 and known.version > 0 and known.last_fetch:
            age = time.time() - datetime.fromisoformat(known.last_fetch).timestamp()
            if age < self.recheck_after:
                self.stats.inc_value("xxgk/state/skipped_fresh")
                return False
        return True

    def process_spider_output(self, response, result: Iterable[Any], spider=None) -> Iterable[Any]:
        for item in result:
            if self._keep(response, item):
                yield item

    async def process_spider_output_async(self, response, result: AsyncIterator[Any], spider=None):
        async for item in result:
            if self._keep(response, item):
                yield item


def http_date(value: str | None) -> str | None:
    """A Last-Modified value, normalised to the IMF-fixdate form servers compare against."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return format_datetime(when.astimezone(UTC), usegmt=True)
