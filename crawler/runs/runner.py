"""`xxgk run`: crawl the due sites of a registry, concurrently, and write each run's manifest and report.

Exit codes (for cron and systemd; docs/operations.md):
  0   every due site was crawled (or none was due)
  1   at least one site failed: no seed answered, or the crawl could not start
  2   usage error: invalid sites file, unknown --only name, bad option
  5   at least one site's run finished with work unaccounted for: documents fetched and archived
      without a dataset row (status "incomplete"; the URLs are in its manifest and report)
  75  at least one site was skipped because another run holds its collection, or because it
      shares a host with a site crawling now (EX_TEMPFAIL: the next start runs it)
  130 interrupted (SIGINT/SIGTERM): what was fetched is kept, the next run resumes
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.incremental import UNACCOUNTED_KEY
from crawler.run import CrawlLocked, CrawlResult, PreparedCrawl, prepare_crawl, run_prepared
from crawler.runs.manifest import build_manifest, run_files, timeline, write_manifest
from crawler.runs.report import write_report
from crawler.sites import Site
from crawler.state import CrawlState, state_path

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 2, 5, 75, 130


@dataclass
class SiteOutcome:
    site: Site
    status: str  # ok | failed | incomplete | interrupted | locked | deferred | not-due
    message: str = ""
    result: CrawlResult | None = None
    manifest: Path | None = None
    report: Path | None = None


@dataclass
class RunOutcome:
    sites: list[SiteOutcome] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        statuses = {o.status for o in self.sites}
        if "interrupted" in statuses:
            return EXIT_INTERRUPTED
        if "failed" in statuses:
            return EXIT_FAILED
        if "incomplete" in statuses:
            return EXIT_INCOMPLETE
        if statuses & {"locked", "deferred"}:
            return EXIT_LOCKED
        return EXIT_OK


def is_due(site: Site, out: Path, now: datetime | None = None) -> tuple[bool, str]:
    """Due if never completed, if an interrupted run waits to be resumed, or by its schedule."""
    path = state_path(out / "collections" / site.name)
    if not path.exists():
        return True, "first run"
    state = CrawlState(path)
    try:
        if state.unfinished_run():
            return True, "resuming an interrupted run"
        last = state.last_complete_start()
    finally:
        state.close()
    if last is None:
        return True, "no complete run yet"
    started = datetime.fromisoformat(last.replace("Z", "+00:00"))
    if site.due(started, now):
        return True, f"due ({site.schedule}; last run began {last})"
    return False, f"not due ({site.schedule}; last run began {last})"


def site_hosts(site: Site) -> set[str]:
    """host[:port] of its seeds and extra hosts (servers on other ports count as other hosts)."""
    return {urlsplit(u).netloc.lower() for u in site.seeds} | {
        h.lower() for h in site.settings.get("XXGK_EXTRA_HOSTS") or []
    }


def worker_id() -> str:
    return f"{socket.gethostname().split('.')[0]}-{os.getpid()}"


def site_overrides(
    site: Site, base: dict[str, Any], redis_url: str | None, worker: str | None
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"XXGK_INCREMENTAL": True, **site.settings, **base}
    if redis_url:
        worker = worker or worker_id()
        overrides["XXGK_REDIS_URL"] = redis_url
        overrides["XXGK_WORKER_ID"] = worker
        overrides.setdefault("XXGK_WARC_PREFIX", f"{site.name}-{worker}")  # one WARC series per worker
    return overrides


def run_sites(
    sites: list[Site],
    out: Path,
    base: dict[str, Any],
    *,
    force: bool = False,
    redis_url: str | None = None,
    worker: str | None = None,
) -> RunOutcome:
    outcome = RunOutcome()
    prepared: list[tuple[Site, PreparedCrawl]] = []
    busy_hosts: dict[str, str] = {}  # host → site crawling it in this process
    try:
        for site in sites:
            due, why = (True, "forced") if force or redis_url else is_due(site, out)
            if not due:
                outcome.sites.append(SiteOutcome(site, "not-due", why))
                continue
            # each crawler has its own downloader: two sites on one host would double its load
            shared = sorted({busy_hosts[h] for h in site_hosts(site) if h in busy_hosts})
            if shared:
                outcome.sites.append(
                    SiteOutcome(
                        site,
                        "deferred",
                        f"shares a host with {', '.join(shared)}, crawling now; runs next time",
                    )
                )
                continue
            try:
                prep = prepare_crawl(
                    site.seeds, out, site.name, site_overrides(site, base, redis_url, worker)
                )
            except CrawlLocked as exc:
                outcome.sites.append(SiteOutcome(site, "locked", str(exc)))
                continue
            prepared.append((site, prep))
            busy_hosts.update(dict.fromkeys(site_hosts(site), site.name))
        if not prepared:
            return outcome
        results = run_prepared([p for _, p in prepared], strict=False)
    except BaseException:
        for _, prep in prepared:
            if prep.lock is not None:
                prep.lock.release()
        raise
    for (site, prep), result in zip(prepared, results, strict=True):
        reason = result.stats.get("finish_reason")
        if result.start_error:
            status, message = "failed", result.start_error
        elif not result.ok:
            status, message = "failed", "; ".join(f"{u}: {r}" for u, r in result.seed_errors.items())
        elif reason in ("shutdown", "cancelled"):
            status, message = "interrupted", f"stopped ({reason}); the next run resumes"
        elif result.stats.get(UNACCOUNTED_KEY):
            lost = result.stats.get(f"{UNACCOUNTED_KEY}_count", 0)
            status, message = "incomplete", f"{lost} document(s) fetched without a row (listed in the report)"
        else:
            status, message = "ok", f"finish reason {reason}" + (" (resumed)" if prep.resumed else "")
        worker_name = prep.settings.get("XXGK_WORKER_ID")
        files = run_files(result, worker_name)
        for stopped in result.stats.get("xxgk/workers/adopted") or []:  # gone for good, no manifest
            if not (prep.run_dir / f"manifest-{stopped}.json").exists():
                files = sorted({*files, *run_files(result, stopped)})
        manifest = build_manifest(result, site, status, files)
        suffix = f"-{worker_name}" if worker_name else ""
        if worker_name:
            manifest["worker"] = worker_name
        manifest_path = write_manifest(prep.run_dir, manifest, suffix)
        report_path = write_report(prep.run_dir, manifest, timeline(result, files), suffix)
        outcome.sites.append(SiteOutcome(site, status, message, result, manifest_path, report_path))
    return outcome


def outcome_lines(outcome: RunOutcome) -> list[str]:
    lines = []
    for o in outcome.sites:
        lines.append(f"{o.site.name:<20} {o.status:<12} {o.message}")
        if o.result is not None and o.manifest is not None:
            import orjson

            docs = orjson.loads(o.manifest.read_bytes())["counts"]["documents"]
            lines.append(
                f"{'':<20} documents: {docs['new']} new, {docs['changed']} changed, "
                f"{docs['unchanged']} unchanged, {docs['removed']} removed; "
                f"{o.result.stats.get('response_received_count', 0)} responses"
            )
            lines.append(f"{'':<20} report {o.report}")
    return lines
