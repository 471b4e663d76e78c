"""The live crawl's extraction, as its worker processes run it.

A document that waited for a worker on disk is handed over by reference: every
response is in the WARC before the spider sees it (the writer appends each
record with one write), so the job names the record (file, offset, record id)
and the worker reads the body back with the reader `xxgk parse` uses
(``archive.reader.read_record_at`` and ``pipelines.reparse.payload_body``).
The file may still be named ``<name>.open`` or already renamed by rotation:
both names are tried. A job the crawl still held in memory carries the body (the
same bytes: nothing to read back), and so do jobs whose record holds no payload
(revisits) or whose body is not the record's payload (truncated captures,
content codings Scrapy left undecoded, pages replayed from the archive).

Then the same ``extract_document`` runs as in ``xxgk parse`` and as it always
did here, on the same (url, headers, bytes): the headers travel with the job
as the spider delivered them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from archive.errors import ArchiveError
from archive.reader import Record, read_record_in
from pipelines.fields import empty_document

logger = logging.getLogger(__name__)

Result = tuple[dict[str, Any], tuple[dict, dict] | None]


def init_worker(nice: int = 0, crawl_pid: int | None = None) -> None:
    """Pool initializer: extraction yields the CPU to the crawl (``XXGK_EXTRACT_NICE``), and the
    worker ends when the crawl process is gone (a pool's idle workers otherwise outlive a killed
    crawl forever, waiting on a queue nobody will write to)."""
    if nice > 0:
        with contextlib.suppress(OSError):  # not permitted here: run at the crawl's priority
            os.nice(nice)
    if crawl_pid:
        threading.Thread(target=_exit_without, args=(crawl_pid,), name="crawl-watch", daemon=True).start()


def _exit_without(pid: int, every: float = 2.0) -> None:
    while True:
        time.sleep(every)
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user)
            os._exit(1)  # nothing to return results to; what was written is on disk


def failed_row(item: dict[str, Any], error: str) -> dict[str, Any]:
    """The row of a document whose extraction failed: what the crawl knew, and why."""
    row = empty_document()
    row.update(url=item["url"], kind=item["kind"], status=item["status"], parent_url=item["parent_url"])
    row["extraction_error"] = error
    return row


def extract_row(item: dict[str, Any]) -> Result:
    """One item with its body → (documents row, (report, its source) or None). Never raises."""
    # imported here, where extraction runs: the crawl process that only hands jobs to the
    # workers never loads trafilatura and the report parsers (~35 MB)
    from pipelines.annual import report_with_source
    from pipelines.document import extract_document

    try:
        row = extract_document(
            item["url"],
            item["headers"],
            item["body"],
            status=item["status"],
            parent_url=item["parent_url"],
            link_text=item.get("link_text"),
        )
    except Exception as exc:  # an extractor bug must not lose the row
        logger.exception("extraction failed for %s", item["url"])
        return failed_row(item, f"extractor failed: {type(exc).__name__}: {exc}"), None
    return row, report_with_source(row, item["headers"], item["body"])


def by_reference(item: dict[str, Any]) -> bool:
    """Whether the item's body is exactly what a worker reads back from its WARC record."""
    ref = item.get("warc") or {}
    if ref.get("warc_type") != "response" or not ref.get("filename") or not ref.get("record_id"):
        return False  # a revisit holds no payload; no record at all (another download handler)
    if ref.get("offset") is None or ref.get("truncated") or "xxgk_replayed" in (item.get("flags") or ()):
        return False
    # Scrapy decodes the content codings it knows and leaves the others named in the headers
    return not any(name.lower() == "content-encoding" for name, _ in item.get("headers") or ())


def read_record(archive_dir: str | os.PathLike, ref: dict[str, Any]) -> Record:
    """The record a RecordRef points at, in a file being written (``.open``) or finished."""
    try:
        record = read_record_in(archive_dir, ref["filename"], int(ref["offset"]))
    except FileNotFoundError as exc:
        raise ArchiveError(str(exc)) from exc
    if record.record_id != ref["record_id"]:
        raise ArchiveError(
            f"{ref['filename']}@{ref['offset']} holds {record.record_id}, not {ref['record_id']}"
        )
    return record


def extract_jobs(extract: Callable[[dict[str, Any]], Result], jobs: list[dict[str, Any]]) -> list[Result]:
    """In a worker: `extract` (extract_job) on each of a batch of jobs, their results in order."""
    return [extract(job) for job in jobs]


def extract_job(job: dict[str, Any]) -> Result:
    """In a worker: one job (an item, its body or a reference to its record) → a row. Never raises."""
    if job.get("body") is None:
        from pipelines.reparse import payload_body

        try:
            body = payload_body(read_record(job["archive"], job["warc"]))
        except Exception as exc:  # the file is gone or damaged: keep a row saying so
            logger.error("cannot read the capture of %s: %s", job["url"], exc)
            return failed_row(job, f"cannot read capture: {type(exc).__name__}: {exc}"), None
        if len(body) != job.get("body_length", len(body)):
            logger.warning(
                "%s: body read back from the WARC has %d bytes, the spider got %d",
                job["url"],
                len(body),
                job["body_length"],
            )
        job = {**job, "body": body}
    return extract_row(job)
