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


class CrawlSetupError(ValueError):
    """Bad input found before crawling (URL, output directory, settings)."""


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
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
        raise CrawlSetupError(f"cannot write to output directory {str(out)!r}: {exc.strerror or exc}") from exc
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


def build_settings(out: Path, name: str, overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = out / "runs" / name / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    settings.setdict(
        {
            "XXGK_OUT": str(out),
            "XXGK_COLLECTION": name,
            "XXGK_RUN_DIR": str(run_dir),
            "LOG_FILE": str(run_dir / "crawl.log"),
            "LOG_LEVEL": "INFO",
        },
        priority="cmdline",
    )
    settings.setdict(overrides, priority="cmdline")
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

    @property
    def ok(self) -> bool:
        return not self.seed_errors or len(self.seed_errors) < len(self.seeds)


def run_crawl(urls: list[str], out: str | os.PathLike, name: str | None, overrides: dict[str, Any]) -> CrawlResult:
    from crawler.spiders.portal import PortalSpider

    urls = [check_url(u) for u in urls]
    out_path = check_writable(Path(out))
    name = name or name_from_url(urls[0])
    try:
        paths = layout(out_path, name)
    except ValueError as exc:
        raise CrawlSetupError(str(exc)) from exc
    settings = build_settings(out_path, name, overrides)
    # the crawl logs to its run directory (LOG_FILE); the terminal gets progress and the summary
    for handler in list(logging.root.handlers):
        logging.root.removeHandler(handler)
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    before = set(paths.archive.glob("*.warc*"))
    started = time.monotonic()
    failures: list = []
    process.crawl(crawler, start_urls=urls, collection=name).addErrback(failures.append)
    process.start()
    if failures:  # the crawl could not start (a broken setting, a component that failed to load)
        failure = failures[0]
        raise CrawlSetupError(f"the crawl could not start: {type(failure.value).__name__}: {failure.value}")
    warc_files = sorted(p for p in set(paths.archive.glob("*.warc*")) - before if not p.name.endswith(".open"))
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    seed_errors = dict(getattr(spider, "seed_errors", {}) or {})
    return CrawlResult(
        paths=paths,
        stats=stats,
        elapsed=time.monotonic() - started,
        seeds=urls,
        seed_errors=seed_errors,
        log_file=settings.get("LOG_FILE"),
        warc_files=warc_files,
    )


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
        f"  responses     {s.get('response_received_count', 0)}   status {dict(sorted(statuses.items()))}",
        f"  pages         {s.get('xxgk/pages/detail', 0)} detail, {s.get('xxgk/pages/listing', 0)} listing/other",
        f"  attachments   {s.get('xxgk/attachments', 0)}",
        f"  documents     {docs_page + docs_att} rows ({docs_page} pages, {docs_att} attachments)",
        f"  WARC          {len(files)} file(s), {warc_bytes:,} bytes, {s.get('xxgk/warc/exchanges', 0)} exchanges",
        f"  out of scope  {s.get('xxgk/links/out_of_scope', 0)} links counted, not fetched",
    ]
    if errors:
        lines.append(f"  errors        {errors}")
    for seed, reason in result.seed_errors.items():
        lines.append(f"  seed failed   {seed}: {reason}")
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
