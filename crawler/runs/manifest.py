"""A run's manifest (JSON): what was crawled, when, with what outcome, where it went.

Written to ``<out>/runs/<name>/<run-id>/manifest.json`` after every run of a
site (also after an interrupted one, which the next run resumes).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from crawler.completeness import report as completeness_report
from pipelines.datasets import read_jsonl

if TYPE_CHECKING:
    from crawler.run import CrawlResult
    from crawler.sites import Site

MANIFEST_VERSION = 1


def _written_by(path: Path, run_id: str, worker: str | None) -> bool:
    """Whether a WARC's warcinfo names this run (and worker): the files of all its sessions."""
    from archive.errors import ArchiveError
    from archive.reader import Record, iter_records

    try:
        for item in iter_records(path, block_limit=4096):
            if not isinstance(item, Record) or item.type != "warcinfo":
                return False
            fields = dict(
                line.split(":", 1)
                for line in item.block.decode("utf-8", "replace").splitlines()
                if ":" in line
            )
            return fields.get("xxgk-run-id", "").strip() == run_id and (
                fields.get("xxgk-worker-id", "").strip() == (worker or "")
            )
    except (ArchiveError, OSError):
        return False
    return False


def run_files(result: CrawlResult, worker: str | None = None) -> list[Path]:
    """The WARC files of this run, every session of it (a resumed run), this one's included."""
    from archive.index import collection_files

    files = {p.name: p for p in result.warc_files}
    if result.run_id and result.paths.archive.is_dir():
        started = _run_start(result.run_id)
        for path in collection_files(result.paths.archive):
            # files last written before the run began are earlier runs': not opened at all
            if path.name in files or path.stat().st_mtime < started - 1:
                continue
            if _written_by(path, result.run_id, worker):
                files[path.name] = path
    return sorted(files.values())


def _run_start(run_id: str) -> float:
    """When a run began, from its id (YYYYmmddTHHMMSSZ); 0 for ids of another form."""
    from datetime import UTC, datetime

    try:
        return datetime.strptime(run_id, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


def run_rows(result: CrawlResult, files: list[Path] | None = None) -> list[dict[str, Any]]:
    """The documents rows this run wrote (its WARC files, or removals stamped with its run)."""
    path = result.paths.datasets / "documents.jsonl"
    if not path.exists():
        return []
    names = {p.name for p in (result.warc_files if files is None else files)}
    return [r for r in read_jsonl(path) if r.get("warc_file") in names]


def timeline(result: CrawlResult, files: list[Path] | None = None) -> list[str]:
    """WARC-Dates (14-digit CDXJ timestamps) of this run's captures, from the collection index."""
    index = result.paths.indexes / "index.cdxj"
    if not index.exists():
        return []
    files = {p.name for p in (result.warc_files if files is None else files)}
    stamps = []
    with open(index, "rb") as fh:
        for line in fh:
            parts = line.split(b" ", 2)
            if len(parts) == 3 and b'"filename"' in parts[2]:
                try:
                    fields = orjson.loads(parts[2])
                except orjson.JSONDecodeError:
                    continue
                if fields.get("filename") in files and fields.get("mime") != "warc/request":
                    stamps.append(parts[1].decode())
    return sorted(stamps)


def build_manifest(
    result: CrawlResult, site: Site | None, exit_status: str, files: list[Path] | None = None
) -> dict[str, Any]:
    """The manifest; rows, documents, WARC files and bytes over ``files`` (all sessions of the run),
    the other counts over this session (a killed session leaves no statistics)."""
    s = result.stats
    files = result.warc_files if files is None else files
    rows = run_rows(result, files)
    changes = Counter(r.get("change") or "new" for r in rows)
    statuses = {k.rsplit("/", 1)[1]: v for k, v in s.items() if k.startswith("xxgk/status/")}
    errors = {k.split("/", 2)[2]: v for k, v in s.items() if k.startswith("xxgk/errors/")}
    warc = [{"file": p.name, "bytes": p.stat().st_size} for p in files if p.exists()]
    return {
        "manifest_version": MANIFEST_VERSION,
        "run_id": result.run_id,
        "collection": result.paths.name,
        "status": exit_status,
        "finish_reason": s.get("finish_reason"),
        "resumed": bool(s.get("xxgk/run/resumed")),
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "elapsed_seconds": round(result.elapsed, 3),
        "site": None
        if site is None
        else {
            "name": site.name,
            "seeds": site.seeds,
            "region_code": site.region_code,
            "schedule": site.schedule,
            "timezone": site.timezone,
            "settings": site.settings,
        },
        "seeds": result.seeds,
        "seed_errors": result.seed_errors,
        "start_error": result.start_error,
        "counts": {
            "responses": s.get("response_received_count", 0),
            "statuses": dict(sorted(statuses.items())),
            "detail_pages": s.get("xxgk/pages/detail", 0),
            "listing_pages": s.get("xxgk/pages/listing", 0),
            "attachments": s.get("xxgk/attachments", 0),
            "conditional_requests": s.get("xxgk/state/conditional_requests", 0),
            "replayed_from_archive": s.get("xxgk/state/replayed_from_archive", 0),
            "unlisted_still_served": s.get("xxgk/state/unlisted_still_served", 0),
            "documents": {
                "new": changes.get("new", 0),
                "changed": changes.get("changed", 0),
                "unchanged": s.get("xxgk/state/unchanged", 0) + s.get("xxgk/documents/unchanged", 0),
                "removed": changes.get("removed", 0),
            },
            "rows_by_column": dict(
                Counter(r.get("column") or "(none)" for r in rows if r.get("change") != "removed")
            ),
            "errors": errors,
            "revisits": s.get("xxgk/warc/revisits", 0),
            "warc_bytes": sum(w["bytes"] for w in warc),
        },
        "warc_files": warc,
        "outputs": {
            "collection": str(result.paths.collection),
            "index": str(result.paths.indexes / "index.cdxj"),
            "datasets": str(result.paths.datasets),
            "log": result.log_file,
        },
        # listings that state their size (共N条, countPage, totalrecord …) vs what the crawl reached
        "completeness": completeness_report(s),
        # fetched and archived this run without a dataset row: work lost (status "incomplete")
        "unaccounted": {
            "count": s.get("xxgk/unaccounted_count", 0),
            "urls": s.get("xxgk/unaccounted", []),
        },
        "removed": [
            {"url": r["url"], "reason": r.get("removed_reason"), "at": r.get("fetched_at")}
            for r in rows
            if r.get("change") == "removed"
        ],
    }


def write_manifest(run_dir: Path, manifest: dict[str, Any], suffix: str = "") -> Path:
    """manifest.json; each worker of a distributed run writes manifest-<worker>.json."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / f"manifest{suffix}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))
    tmp.replace(path)
    return path
