"""Running a portal crawl in this process and summarising it.

The CLI commands (`crawl`, `demo`) build settings here and call run_crawl();
Twisted's reactor cannot be restarted, so one process runs one crawl.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.collection import CollectionPaths, layout, name_from_url
from crawler.runs.lock import CollectionLock, CollectionLocked

logger = logging.getLogger(__name__)


class CrawlSetupError(ValueError):
    """Bad input found before crawling (URL, output directory, settings)."""


class CrawlLocked(CrawlSetupError):
    """Another run holds the collection's lock (a cron job should simply try later)."""


def check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket: "Invalid IPv6 URL"
        raise CrawlSetupError(f"malformed URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CrawlSetupError(f"not an http(s) URL with a host: {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise CrawlSetupError(f"malformed port in URL {url!r}") from exc
    if any(c.isspace() for c in url.strip()):
        raise CrawlSetupError(f"URL contains white space: {url!r}")
    return url.strip()


def check_writable(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".xxgk-write-test-"):
            pass
    except OSError as exc:
        raise CrawlSetupError(
            f"cannot write to output directory {str(out)!r}: {exc.strerror or exc}"
        ) from exc
    return out


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """`-s NAME=VALUE` pairs, as `scrapy crawl -s` takes them."""
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CrawlSetupError(f"-s takes NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def build_settings(out: Path, name: str, overrides: dict[str, Any], run_id: str | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    run_id = run_id or new_run_id()
    run_dir = out / "runs" / name / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    settings.setdict(
        {
            "XXGK_OUT": str(out),
            "XXGK_COLLECTION": name,
            "XXGK_RUN_DIR": str(run_dir),
            "XXGK_RUN_ID": run_id,
            "LOG_FILE": str(run_dir / "crawl.log"),
            "LOG_LEVEL": "INFO",
        },
        priority="cmdline",
    )
    settings.setdict(overrides, priority="cmdline")
    if settings.get("XXGK_WORKER_ID"):  # workers of a distributed run share its directory
        settings.set("LOG_FILE", str(run_dir / f"crawl-{settings['XXGK_WORKER_ID']}.log"), priority="cmdline")
    redis_url = settings.get("XXGK_REDIS_URL")
    if redis_url:
        from crawler.runs.distributed import redis_settings

        settings.setdict(redis_settings(settings, name), priority="cmdline")
    return settings


@dataclass
class CrawlResult:
    paths: CollectionPaths
    stats: dict[str, Any]
    elapsed: float
    seeds: list[str]
    seed_errors: dict[str, str] = field(default_factory=dict)
    log_file: str | None = None
    warc_files: list[Path] = field(default_factory=list)  # finished by this run
    run_id: str | None = None
    run_dir: Path | None = None
    started_at: str | None = None
    finished_at: str | None = None
    start_error: str | None = None  # the crawl could not start (run_prepared(strict=False))

    @property
    def ok(self) -> bool:
        if self.start_error:
            return False
        return not self.seed_errors or len(self.seed_errors) < len(self.seeds)


@dataclass
class PreparedCrawl:
    """One portal's crawl, checked and locked, ready to run in the shared reactor."""

    urls: list[str]
    paths: CollectionPaths
    settings: Settings
    run_id: str
    run_dir: Path
    lock: CollectionLock | None
    resumed: bool = False


def prepare_crawl(
    urls: list[str], out: str | os.PathLike, name: str | None, overrides: dict[str, Any]
) -> PreparedCrawl:
    """Check the input, take the collection's lock and pick the run id (resuming a killed run)."""
    urls = [check_url(u) for u in urls]
    out_path = check_writable(Path(out))
    name = name or name_from_url(urls[0])
    try:
        paths = layout(out_path, name)
    except ValueError as exc:
        raise CrawlSetupError(str(exc)) from exc
    # workers of one distributed crawl share the collection, and so do the processes of one
    # crawl (`--processes`, whose parent holds the lock); anything else must wait its turn
    shared = bool(overrides.get("XXGK_REDIS_URL")) or overrides.get("XXGK_SHARD_INDEX") is not None
    try:
        lock = None if shared else CollectionLock.acquire(paths.collection)
    except CollectionLocked as exc:
        raise CrawlLocked(str(exc)) from exc
    try:
        run_id, resumed = _run_id(paths, overrides)
        settings = build_settings(out_path, name, overrides, run_id)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return PreparedCrawl(urls, paths, settings, run_id, Path(settings["XXGK_RUN_DIR"]), lock, resumed)


def _run_id(paths: CollectionPaths, overrides: dict[str, Any]) -> tuple[str, bool]:
    if overrides.get("XXGK_RUN_ID"):
        return str(overrides["XXGK_RUN_ID"]), False
    if overrides.get("XXGK_REDIS_URL"):
        from crawler.runs.distributed import shared_run_id

        return shared_run_id(str(overrides["XXGK_REDIS_URL"]), overrides, paths.name), False
    if _truthy(overrides.get("XXGK_INCREMENTAL")):
        from crawler.state import CrawlState, state_path

        if state_path(paths.collection).exists():
            state = CrawlState(state_path(paths.collection))
            try:
                unfinished = state.unfinished_run()
                if unfinished and _truthy(overrides.get("XXGK_FRESH")):
                    state.abandon_run(unfinished)
                    logger.warning("interrupted run %s abandoned (--fresh): starting over", unfinished)
                    unfinished = None
            finally:
                state.close()
            if unfinished:
                return unfinished, True
    return new_run_id(), False


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def run_crawl(
    urls: list[str], out: str | os.PathLike, name: str | None, overrides: dict[str, Any]
) -> CrawlResult:
    processes = 1 if overrides.get("XXGK_SHARD_INDEX") is not None else _processes(overrides)
    prep = prepare_crawl(urls, out, name, overrides)
    if processes == 1:
        return run_prepared([prep])[0]
    from crawler.shards import run_sharded

    return run_sharded(prep, processes, overrides)


def _processes(overrides: dict[str, Any]) -> int:
    """XXGK_PROCESSES (`--processes`), checked before anything is locked or written."""
    try:
        processes = int(overrides.get("XXGK_PROCESSES", 1))
    except (TypeError, ValueError) as exc:
        raise CrawlSetupError(
            f"XXGK_PROCESSES must be a whole number, got {overrides['XXGK_PROCESSES']!r}"
        ) from exc
    if processes < 1:
        raise CrawlSetupError(f"XXGK_PROCESSES must be 1 or more, got {processes}")
    versions = _truthy(overrides.get("XXGK_INCREMENTAL")) and _truthy(overrides.get("XXGK_VERSIONS", True))
    if processes > 1 and (overrides.get("XXGK_REDIS_URL") or versions):
        raise CrawlSetupError(
            "--processes runs one-shot crawls (`xxgk crawl`, `xxgk demo`); "
            "incremental and distributed runs use one process per worker"
        )
    return processes


def run_prepared(crawls: list[PreparedCrawl], strict: bool = True) -> list[CrawlResult]:
    """Run the crawls concurrently in one reactor (each with its own settings and politeness).

    strict: a crawl that cannot start raises CrawlSetupError; otherwise its result says why
    (one portal's broken setting must not cost the others their manifests)."""
    from scrapy.crawler import Crawler

    from crawler.spiders.portal import PortalSpider

    try:
        # the crawl logs to its run directory (LOG_FILE); the terminal gets progress and the summary
        for handler in list(logging.root.handlers):
            logging.root.removeHandler(handler)
        single = len(crawls) == 1
        if single:
            process_settings = crawls[0].settings
            process_settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
        else:
            # the runner's settings are merged into every crawler at their own priority: keep
            # them at project level so each portal's command-line settings (collection…) win
            process_settings = Settings()
            process_settings.setmodule("crawler.settings", priority="project")
            process_settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
        process = CrawlerProcess(process_settings)
        started = time.monotonic()
        started_at = _now()
        jobs = []
        for number, prep in enumerate(crawls):
            # the first crawler installs the reactor (TWISTED_REACTOR), as CrawlerProcess's own would
            crawler = Crawler(PortalSpider, prep.settings, init_reactor=number == 0)
            handler = None if single else _crawler_log(crawler, prep.settings.get("LOG_FILE"))
            before = set(prep.paths.archive.glob("*.warc*"))
            failures: list = []
            process.crawl(crawler, start_urls=prep.urls, collection=prep.paths.name).addErrback(
                failures.append
            )
            jobs.append((prep, crawler, before, failures, handler))
        process.start()
        results = []
        for prep, crawler, before, failures, handler in jobs:
            if handler is not None:
                logging.root.removeHandler(handler)
                handler.close()
            start_error = None
            if failures:  # the crawl could not start (a broken setting, a component that failed to load)
                failure = failures[0]
                start_error = f"the crawl could not start: {type(failure.value).__name__}: {failure.value}"
                if strict:
                    raise CrawlSetupError(start_error)
            paths = prep.paths
            stats = crawler.stats.get_stats() if crawler.stats else {}
            # new files, and those of the interrupted run this one resumed (closed at start)
            new_files = set(paths.archive.glob("*.warc*")) - before
            new_files |= {Path(p) for p in stats.get("xxgk/warc/files", []) if Path(p).exists()}
            # other workers of a distributed crawl write to the same archive: only this one's files
            prefix = (prep.settings.get("XXGK_WARC_PREFIX") or paths.name) + "-"
            warc_files = sorted(
                p for p in new_files if not p.name.endswith(".open") and p.name.startswith(prefix)
            )
            spider = crawler.spider
            results.append(
                CrawlResult(
                    paths=paths,
                    stats=stats,
                    elapsed=time.monotonic() - started,
                    seeds=prep.urls,
                    seed_errors=dict(getattr(spider, "seed_errors", {}) or {}),
                    log_file=prep.settings.get("LOG_FILE"),
                    warc_files=warc_files,
                    run_id=prep.run_id,
                    run_dir=prep.run_dir,
                    started_at=started_at,
                    finished_at=_now(),
                    start_error=start_error,
                )
            )
        return results
    finally:
        for prep in crawls:
            if prep.lock is not None:
                prep.lock.release()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _crawler_log(crawler, path: str | None) -> logging.Handler | None:
    """One crawl.log per portal when several crawl in one process: its spider's records and
    the unattributed ones (capture, pipelines), which cannot be told apart."""
    if not path:
        return None
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    handler.setLevel(crawler.settings.get("LOG_LEVEL") or "INFO")

    def mine(record: logging.LogRecord) -> bool:
        owner = getattr(record, "crawler", None) or getattr(getattr(record, "spider", None), "crawler", None)
        return owner is None or owner is crawler

    handler.addFilter(mine)
    logging.root.addHandler(handler)
    if logging.root.level > handler.level or logging.root.level == logging.NOTSET:
        logging.root.setLevel(handler.level)
    return handler


def summary_lines(result: CrawlResult) -> list[str]:
    s = result.stats
    files = result.warc_files
    warc_bytes = sum(f.stat().st_size for f in files)
    docs_page = s.get("xxgk/documents/page", 0)
    docs_att = s.get("xxgk/documents/attachment", 0)
    statuses = {k.rsplit("/", 1)[1]: v for k, v in s.items() if k.startswith("xxgk/status/")}
    errors = {k.split("/", 2)[2]: v for k, v in s.items() if k.startswith("xxgk/errors/")}
    lines = [
        f"crawled {len(result.seeds)} seed(s) in {result.elapsed:.1f} s "
        f"(finish reason: {s.get('finish_reason', '?')})",
        *(
            [
                f"  resumed       run {s.get('xxgk/run/id')}: {s.get('xxgk/state/replayed_from_archive', 0)} "
                "responses answered from its WARCs, not fetched again (--fresh starts over)"
            ]
            if s.get("xxgk/run/resumed")
            else []
        ),
        f"  responses     {s.get('response_received_count', 0)}   status {dict(sorted(statuses.items()))}",
        f"  pages         {s.get('xxgk/pages/detail', 0)} detail, {s.get('xxgk/pages/listing', 0)} listing/other",
        f"  attachments   {s.get('xxgk/attachments', 0)}",
        f"  documents     {docs_page + docs_att} rows ({docs_page} pages, {docs_att} attachments)",
        *timing_lines(s),
        f"  WARC          {len(files)} file(s), {warc_bytes:,} bytes, {s.get('xxgk/warc/exchanges', 0)} exchanges",
        f"  out of scope  {s.get('xxgk/links/out_of_scope', 0)} links counted, not fetched",
    ]
    if errors:
        lines.append(f"  errors        {errors}")
    if any(k.startswith(("xxgk/blocked/", "xxgk/backoff/")) for k in s):  # crawler/politeness.py
        lines.append(
            "  blocked       "
            + ", ".join(
                f"{k[5:]} {v}"
                for k, v in sorted(s.items())
                if k.startswith(("xxgk/blocked/", "xxgk/backoff/"))
            )
        )
    for seed, reason in result.seed_errors.items():
        lines.append(f"  seed failed   {seed}: {reason}")
    lines += completeness_lines(s)
    if s.get("xxgk/unaccounted_count"):
        listed = s.get("xxgk/unaccounted") or []
        lines.append(
            f"  UNACCOUNTED   {s['xxgk/unaccounted_count']} document(s) fetched and archived without a row "
            "(the next run's repair pass extracts them):"
        )
        lines += [f"                {url}" for url in listed[:10]]
        if len(listed) > 10:
            lines.append(f"                … {s['xxgk/unaccounted_count'] - 10} more in the crawl log")
    p = result.paths
    lines += [
        "",
        f"  archive   {p.archive}/",
        f"  index     {p.indexes / 'index.cdxj'}",
        f"  datasets  {p.datasets}/ (documents.jsonl, documents.parquet, documents.dictionary.md)",
    ]
    if result.log_file:
        lines.append(f"  log       {result.log_file}")
    return lines


def completeness_lines(stats: dict[str, Any]) -> list[str]:
    """Listings that state their size, and each that fell short of it (crawler/completeness.py)."""
    from crawler.completeness import describe, report

    checked = report(stats)
    if not checked["listings"]:
        return []
    short = checked["shortfalls"]
    lines = [f"  completeness  {checked['listings']} listings state their size, {len(short)} fell short"]
    lines += [f"  short         {describe(f)}" for f in short]
    return lines


def timing_lines(stats: dict[str, Any]) -> list[str]:
    """How long capture took, and how much longer extraction needed to catch up (crawler/pipelines.py)."""
    capture = stats.get("xxgk/capture_seconds")
    if capture is None:  # no extraction pipeline (ITEM_PIPELINES={})
        return []
    responses = stats.get("response_received_count", 0)
    documents = stats.get("xxgk/extract/documents", 0)
    return [
        f"  capture       {responses} responses in {capture:.1f} s ({responses / max(capture, 1e-3):.0f}/s); "
        f"extraction finished {stats.get('xxgk/extract_wait_seconds', 0):.1f} s later "
        f"({documents} documents, {stats.get('xxgk/extract/documents_per_second', 0):.0f}/s)"
    ]
