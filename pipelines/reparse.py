"""Re-running the extraction pipeline over WARC files alone (no network).

The live crawl and this re-parse call the same ``extract_document`` and
``report_for_document`` on the same (url, headers, bytes), so they give the
same rows. What the spider knew about each capture (a document page or an
attachment, which page linked it, the link text) is read from the
``metadata`` records xxgk writes beside each document; WARCs from other tools
have none, and then the pages' own evidence decides, by the live crawl's rules
(pipelines.foreign). A revisit record's payload is read from the record it
refers to; repeat captures of a document become its versions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from archive.encoding import decode_html
from archive.errors import ArchiveError
from archive.http import HOP_BY_HOP
from archive.payload import ContentDecodingError, content_codings, decode_content
from archive.reader import Problem, Record, iter_records, read_record_at
from pipelines.annual import report_with_source
from pipelines.columns import PageColumns
from pipelines.document import extract_document
from pipelines.fields import empty_document
from pipelines.foreign import ForeignPages
from pipelines.headers import media_type
from pipelines.links import ATTACHMENT_EXTENSIONS, classify_link, extension
from pipelines.urls import doc_id
from pipelines.versions import GONE_STATUSES, as_versions

HEAD_LIMIT = 64 * 1024  # the first pass reads only record heads
_DOCUMENT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "application/pdf",
    "application/msword",
    "application/vnd.",
    "application/zip",
    "application/x-zip",
    "application/ofd",
    "application/octet-stream",
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Capture:
    """Where a response (or revisit) record is, and what it says about itself."""

    path: str
    offset: int
    length: int
    record_id: str
    type: str
    url: str
    date: str
    status: int | None
    content_type: str | None
    payload_digest: str | None
    refers_to: str | None = None


@dataclass(frozen=True)
class Job:
    """One document to extract: its own record, and the record holding its payload."""

    capture: Capture
    payload_path: str
    payload_offset: int
    kind: str | None = None
    parent_url: str | None = None
    link_text: str | None = None
    column: str | None = None
    version: int | None = None  # filled when the input holds repeat captures of a document
    change: str | None = None
    previous_record_id: str | None = None
    first_seen: str | None = None
    removed_reason: str | None = None  # a "removed" version: the 404/410 capture, no payload


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # writers' quirks read right: nothing lost
    records: int = 0
    unresolved_revisits: list[str] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """Damage found in the input, one line each: unreadable stretches and defective records."""
        return [f"{p.path}@{p.location}: {p.message}" for p in self.problems]


def _warc_fields(block: bytes) -> dict[str, str]:
    out = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def _capture(record: Record) -> Capture:
    head = record.http
    return Capture(
        path=str(record.path),
        offset=record.offset,
        length=record.length,
        record_id=record.record_id or "",
        type=record.type or "",
        url=record.target_uri or "",
        date=record.date or "",
        status=head.status if head is not None else None,
        content_type=media_type((head.get("content-type") or b"").decode("latin-1"))
        if head is not None
        else None,
        payload_digest=record.header("WARC-Payload-Digest"),
        refers_to=record.header("WARC-Refers-To"),
    )


def _is_document_type(capture: Capture) -> bool:
    ct = capture.content_type or ""
    if ct.startswith(_DOCUMENT_TYPES):
        return True
    return extension(capture.url.split("?", 1)[0]) in ATTACHMENT_EXTENSIONS


def _is_requisite(capture: Capture) -> bool:
    """A font, image, script or style by its name (often served as octet-stream): never a document."""
    return not _is_html(capture) and classify_link(capture.url) == "media"


def _is_html(capture: Capture) -> bool:
    return (capture.content_type or "").startswith(_HTML_TYPES)


@dataclass
class _FirstPass:
    """What the first pass keeps of the records, one record at a time."""

    result: Plan = field(default_factory=Plan)
    captures: list[Capture] = field(default_factory=list)
    marks: dict[str, dict[str, str]] = field(default_factory=dict)  # response record id → its document mark
    marked_files: set[str] = field(default_factory=set)
    originals: dict[str, Capture] = field(default_factory=dict)  # record id → response holding a payload
    by_digest: dict[str, Capture] = field(default_factory=dict)
    gone: list[Capture] = field(default_factory=list)  # 404/410 answers: removals of documents

    def add(self, path: str, target: bool, item: Record | Problem) -> None:
        """A record of a file to parse (``target``) or of one only to resolve revisits."""
        if isinstance(item, Problem):
            if target:
                self.result.problems.append(item)
            return
        if target and item.defects:
            self.result.problems.append(
                Problem(path, item.offset, "; ".join(item.defects), 0, item.inner_offset)
            )
        if target and item.warnings:
            self.result.notes.append(f"{path}@{item.location}: {'; '.join(item.warnings)}")
        if item.type == "response" and item.http is not None:
            capture = _capture(item)
            self.originals[capture.record_id] = capture
            if capture.payload_digest:
                self.by_digest.setdefault(capture.payload_digest, capture)
        if not target:
            return
        self.result.records += 1
        if item.type in ("response", "revisit") and item.http is not None:
            capture = _capture(item)
            if capture.status in GONE_STATUSES:
                self.gone.append(capture)
            else:
                self.captures.append(capture)
        elif item.type == "metadata":
            fields = _warc_fields(item.block)
            # beside its response, or (a response in another file) referring to it
            concurrent = item.header("WARC-Concurrent-To") or item.header("WARC-Refers-To")
            if fields.get("xxgk-document") and concurrent:
                self.marks[concurrent] = fields
                self.marked_files.add(path)

    def _payload_of(self, capture: Capture) -> Capture | None:
        """The response record holding a capture's payload (a revisit's original), if at hand."""
        if capture.type != "revisit":
            return capture
        return self.originals.get(capture.refers_to or "") or self.by_digest.get(capture.payload_digest or "")

    def finish(self, every_page: bool = False) -> Plan:
        """The plan: a job for each capture the crawl took as a document (in WARCs without xxgk's
        marks, each the live crawl would have taken, or with ``every_page`` each 200 of a document
        type), revisits resolved to their payload, repeat captures as versions."""
        result = self.result
        candidates: list[tuple[Capture, Capture, dict[str, str] | None]] = []
        for capture in self.captures:
            mark = self.marks.get(capture.record_id)
            if capture.path in self.marked_files:
                if mark is None:
                    continue  # the crawl saw this capture and did not take it as a document
            elif capture.status != 200 or not _is_document_type(capture) or _is_requisite(capture):
                continue
            source = self._payload_of(capture)
            if source is None:
                result.unresolved_revisits.append(capture.url)
                continue
            candidates.append((capture, source, mark))
        foreign = None
        if not every_page and any(mark is None for _, _, mark in candidates):
            foreign = _foreign_pages((c, s) for c, s, mark in candidates if mark is None and _is_html(c))
        for capture, source, mark in candidates:
            if mark is None and foreign is not None:
                mark = _foreign_mark(capture, foreign)
                if mark is None:
                    continue
            mark = mark or {}
            result.jobs.append(
                Job(
                    capture=capture,
                    payload_path=source.path,
                    payload_offset=source.offset,
                    kind=mark.get("xxgk-document"),
                    parent_url=mark.get("via"),
                    link_text=mark.get("xxgk-link-text"),
                    column=mark.get("xxgk-column"),
                )
            )
        result.jobs = as_versions(result.jobs, self.gone)
        return result


def _foreign_pages(pages: Iterable[tuple[Capture, Capture]]) -> ForeignPages:
    """The link graph of other tools' HTML captures: one more read of each page."""
    foreign = ForeignPages()
    for capture, source in pages:
        try:
            record = read_record_at(source.path, source.offset)
            own = record if source is capture else read_record_at(capture.path, capture.offset)
            content_type = (own.http.get("content-type") or b"").decode("latin-1") if own.http else None
            text, _ = decode_html(payload_body(record), content_type)
        except (ArchiveError, ContentDecodingError, OSError, ValueError):
            continue  # unreadable: the second pass reports it if it becomes a job
        foreign.add(capture.record_id, capture.url, text)
    return foreign


def _foreign_mark(capture: Capture, foreign: ForeignPages) -> dict[str, str] | None:
    """What xxgk's metadata record would have said of another tool's capture, or None: no document."""
    if _is_html(capture):
        return {"xxgk-document": "page"} if foreign.is_document(capture.record_id) else None
    parent = foreign.parent_of(capture.url)
    if parent is None:
        # not linked as an attachment by any archived page: a document only by its media type
        if not (capture.content_type or "").startswith(_DOCUMENT_TYPES):
            return None
        return {"xxgk-document": "attachment"}
    url, text = parent
    return {"xxgk-document": "attachment", "via": url, **({"xxgk-link-text": text} if text else {})}


def plan(
    paths: Iterable[str | os.PathLike],
    *,
    lookup_paths: Iterable[str | os.PathLike] = (),
    every_page: bool = False,
) -> Plan:
    """First pass: the documents in ``paths``; ``lookup_paths`` only resolve revisits (earlier crawls).
    ``every_page``: in WARCs without xxgk's marks, every 200 HTML page and file is a document."""
    first = _FirstPass()
    targets = [str(p) for p in paths]
    for path in [*targets, *(str(p) for p in lookup_paths if str(p) not in targets)]:
        try:
            # one record at a time: a list of a big WARC's records (with 64 KB of block each) was
            # hundreds of MB (~200 MB for the 71 MB benchmark WARC)
            for item in iter_records(path, block_limit=HEAD_LIMIT):
                first.add(path, path in targets, item)
        except ArchiveError as exc:  # not a WARC at all: say so, go on with the other files
            if path in targets:
                first.result.problems.append(Problem(path, 0, str(exc)))
    return first.finish(every_page)


def _headers_as_delivered(record: Record) -> list[tuple[str, str]]:
    """The response headers as the live crawl's pipeline saw them: hop-by-hop and coding removed."""
    assert record.http is not None
    return [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, v in record.http.headers
        if k.lower() not in HOP_BY_HOP and k.lower() != b"content-encoding"
    ]


def payload_body(record: Record) -> bytes:
    """The body as the crawl's spider got it: the record's payload with its content coding undone."""
    entity = record.entity()
    return decode_content(entity, content_codings(record.http)) if record.http is not None else entity


def extract_job(job: Job) -> tuple[dict[str, Any], tuple[dict, dict] | None]:
    """Second pass, in a worker: one document row (and report with its source) from the WARC. Never raises."""
    capture = job.capture
    try:
        if job.removed_reason is not None:
            return _removal_row(job), None
        own = read_record_at(capture.path, capture.offset)
        payload = (
            own
            if job.payload_path == capture.path and job.payload_offset == capture.offset
            else (read_record_at(job.payload_path, job.payload_offset))
        )
        body = payload_body(payload)
        headers = _headers_as_delivered(own)
        row = extract_document(
            capture.url,
            headers,
            body,
            status=capture.status,
            parent_url=job.parent_url,
            link_text=job.link_text,
        )
        report = report_with_source(row, headers, body)
    except (ContentDecodingError, Exception) as exc:  # one bad record must not stop the parse
        row = empty_document()
        row.update(url=capture.url, status=capture.status, kind=job.kind, parent_url=job.parent_url)
        row["extraction_error"] = f"cannot read capture: {type(exc).__name__}: {exc}"
        report = None
    _place(row, job)
    return row, report


def _removal_row(job: Job) -> dict[str, Any]:
    """The row a run writes when a document's URL answers 404/410."""
    row = empty_document()
    row.update(
        url=job.capture.url,
        doc_id=doc_id(job.capture.url),
        kind=job.kind or "page",
        status=job.capture.status,
        removed_reason=job.removed_reason,
    )
    _place(row, job)
    return row


def _place(row: dict[str, Any], job: Job) -> None:
    """Where the row's capture lies, and its place in the document's versions."""
    capture = job.capture
    row.update(
        warc_file=os.path.basename(capture.path),
        warc_offset=capture.offset,
        warc_length=capture.length,
        warc_record_id=capture.record_id,
        fetched_at=capture.date,
        payload_digest=capture.payload_digest,
    )
    if job.version is not None:
        row.update(
            version=job.version,
            change=job.change,
            previous_record_id=job.previous_record_id,
            first_seen=job.first_seen,
        )


def run(
    jobs: list[Job], workers: int = 1, progress: Callable[[int], None] | None = None
) -> Iterator[tuple[dict[str, Any], tuple[dict, dict] | None]]:
    """Extract every job, in ``workers`` processes; results in job order."""
    if workers <= 1:
        for job in jobs:
            yield extract_job(job)
            if progress:
                progress(1)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(64, len(jobs) // (workers * 8) or 1))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        for result in pool.map(extract_job, jobs, chunksize=chunk):
            yield result
            if progress:
                progress(1)


def with_columns(
    jobs: list[Job], results: Iterable[tuple[dict[str, Any], Any]]
) -> Iterator[tuple[dict[str, Any], Any]]:
    """Each (row, found) as it comes, a row without a column taking its parent page's, else the
    crawl's hint: as the live pipeline does. Streaming (rows carry whole texts); an attachment met
    before its page waits for it, or for the end."""
    columns = PageColumns()
    waiting: list[tuple[Job, dict[str, Any], Any]] = []
    for job, (row, found) in zip(jobs, results, strict=True):
        if row.get("kind") == "page":
            columns.set(row["url"], row.get("column"))
        if not row.get("column"):
            parent = row.get("parent_url") or ""
            if parent and parent not in columns:
                waiting.append((job, row, found))
                continue
            row["column"] = columns.get(parent) or job.column
        yield row, found
    for job, row, found in waiting:
        row["column"] = columns.get(row["parent_url"]) or job.column
        yield row, found
