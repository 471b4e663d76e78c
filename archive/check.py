"""Verifying WARC files record by record, beyond ``warcio check``.

For every record: WARC-Block-Digest over the block; WARC-Payload-Digest over
the payload as WARC 1.1 §6.3.2 defines it — for HTTP messages the entity, i.e.
the body with transfer coding removed (de-chunked, still content-coded).
``warcio check`` digests the chunked bytes as transferred (warcio#75); tools
before WARC 1.1 wrote digests that way too, so a digest over the chunked body
is accepted and the basis that matched is reported. Also checked: the block
against Content-Length, mandatory fields, the CRLF CRLF after the block, and
that WARC-Concurrent-To targets are in the same file (writers put concurrent
records together). Revisit payload digests describe another record's payload
and are "not checked", as warcio does; their block digests are checked.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from archive import digest, payload
from archive.errors import WarcFormatError
from archive.reader import Problem, Record, iter_records

__all__ = ["FileReport", "RecordResult", "check_file", "check_files", "check_record"]

OK = "ok"
FAILED = "failed"
NOT_CHECKED = "not checked"

# WARC 1.1 §5: WARC-Record-ID, Content-Length, WARC-Date and WARC-Type are mandatory
_MANDATORY = ("WARC-Record-ID", "Content-Length", "WARC-Date", "WARC-Type")
_NEEDS_TARGET = {"response", "resource", "request", "revisit", "conversion", "continuation"}
_KNOWN_TYPES = _NEEDS_TARGET | {"warcinfo", "metadata"}
_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z$")
_RECORD_ID = re.compile(r"^<[^<>\s]+:[^<>\s]*>$")
_SAME_WARNING_SHOWN = 3  # records listed per kind of warning before a count stands for the rest


@dataclass
class RecordResult:
    location: str  # offset, or MEMBER+N
    type: str
    uri: str | None
    record_id: str | None
    status: str = OK  # "ok" | "failed" | "not checked"
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # non-conformance that loses nothing
    notes: list[str] = field(default_factory=list)
    digests: int = 0  # digests verified
    concurrent_to: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.failures.append(message)
        self.status = FAILED

    def __str__(self) -> str:
        return f"offset {self.location} {self.type or '?'} {self.uri or self.record_id or ''}".rstrip()


@dataclass
class FileReport:
    path: str
    results: list[RecordResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def records(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> int:
        return self._count(OK)

    @property
    def failed(self) -> list[RecordResult]:
        return [r for r in self.results if r.status == FAILED]

    @property
    def not_checked(self) -> int:
        return self._count(NOT_CHECKED)

    @property
    def passed(self) -> bool:
        return not self.failed and not self.problems

    def summary(self) -> str:
        undigested = sum(1 for r in self.results if r.status == OK and not r.digests)
        parts = [
            f"{self.records} records",
            f"{self.ok} ok" + (f" ({undigested} without digests)" if undigested else ""),
            f"{len(self.failed)} failed",
        ]
        if self.not_checked:
            parts.append(f"{self.not_checked} not checked (revisit)")
        parts.append(f"{len(self.problems)} problems")
        warnings = sum(len(r.warnings) for r in self.results)
        if warnings:
            parts.append(f"{warnings} warnings")
        verdict = "OK" if self.passed else "FAILED"
        return f"{self.path}: {verdict}: " + ", ".join(parts)

    def details(self, verbose: bool = False) -> list[str]:
        """One line per failure and problem; warnings too, but a writer's quirk repeated on every
        record (wget's <URI>) only the first few times unless verbose; notes when verbose."""
        lines = [f"  problem at offset {p.location}: {p.message}" for p in self.problems]
        shown: dict[str, int] = {}
        for result in self.results:
            for message in result.failures:
                lines.append(f"  {result}: {message}")
            for message in result.warnings:
                kind = message.split(";", 1)[0]
                shown[kind] = shown.get(kind, 0) + 1
                if verbose or shown[kind] <= _SAME_WARNING_SHOWN:
                    lines.append(f"  {result}: warning: {message}")
            if verbose:
                lines.extend(f"  {result}: {note}" for note in result.notes)
        for kind, count in shown.items():
            if not verbose and count > _SAME_WARNING_SHOWN:
                lines.append(
                    f"  … {count - _SAME_WARNING_SHOWN} more records with warning: {kind} (--notes lists all)"
                )
        return lines


def _check_structure(record: Record, result: RecordResult) -> None:
    for name in _MANDATORY:
        if record.header(name) is None:
            result.fail(f"missing mandatory field {name}")
    if record.record_id is not None and not _RECORD_ID.match(record.record_id.strip()):
        result.fail(f"WARC-Record-ID {record.record_id!r} is not a URI in angle brackets")
    if record.date is not None and not _DATE.match(record.date.strip()):
        result.fail(f"WARC-Date {record.date!r} is not a UTC ISO 8601 date (YYYY-MM-DDThh:mm:ssZ)")
    if record.type and record.type not in _KNOWN_TYPES:
        result.notes.append(f"unknown WARC-Type {record.type!r} (allowed, but not checked further)")
    if record.type in _NEEDS_TARGET and not record.target_uri:
        result.fail(f"a {record.type} record needs WARC-Target-URI")
    if record.type == "revisit" and record.header("WARC-Profile") is None:
        result.fail("a revisit record needs WARC-Profile")
    if not record.defects and record.trailer[:4] != b"\r\n\r\n":
        # readers skip blank lines, so nothing is lost: a warning, not a failure
        result.warnings.append(f"block is not followed by CRLF CRLF (found {record.trailer[:8]!r})")


def _check_block_digest(record: Record, result: RecordResult) -> None:
    label = record.header("WARC-Block-Digest")
    if label is None:
        return
    try:
        ok = digest.matches(label, record.block)
    except digest.DigestLabelError as exc:
        result.fail(f"WARC-Block-Digest unreadable: {exc}")
        return
    if ok:
        result.digests += 1
    else:
        result.fail(f"WARC-Block-Digest {label} does not match the block")


def _check_payload_digest(record: Record, result: RecordResult) -> None:
    label = record.header("WARC-Payload-Digest")
    if label is None:
        return
    if record.type == "revisit":
        result.notes.append("payload digest describes the revisited record's payload: not checked")
        if result.status == OK:
            result.status = NOT_CHECKED
        return
    segment = record.header("WARC-Segment-Number")
    if segment is not None and segment.strip() != "1":
        result.notes.append("payload of a segmented record: not checked")
        return
    if (
        record.http is None
        and record.type in ("response", "request")
        and (record.content_type or "").startswith("application/http")
    ):
        result.fail("WARC-Payload-Digest cannot be checked: the HTTP head is unreadable")
        return
    body = record.body
    try:
        if (
            record.http is not None
            and payload.is_chunked(record.http)
            and not payload.stored_dechunked(record.http, body)
        ):
            entity, complete = payload.entity(record.http, body)
            if digest.matches(label, entity):
                result.notes.append("payload digest matches the de-chunked entity (WARC 1.1)")
            elif digest.matches(label, body):
                result.notes.append(
                    "payload digest is over the chunked body as transferred, not the de-chunked entity "
                    "(pre-WARC 1.1 practice)"
                )
            else:
                framing = "" if complete else " (chunked framing incomplete)"
                result.fail(
                    f"WARC-Payload-Digest {label} matches neither the de-chunked entity nor the chunked body{framing}"
                )
                return
        elif not digest.matches(label, body):
            result.fail(f"WARC-Payload-Digest {label} does not match the payload")
            return
    except digest.DigestLabelError as exc:
        result.fail(f"WARC-Payload-Digest unreadable: {exc}")
        return
    result.digests += 1


def check_record(record: Record) -> RecordResult:
    """Verify one record on its own (the file-level references are checked by check_file)."""
    result = RecordResult(record.location, record.type, record.target_uri, record.record_id)
    for defect in record.defects:
        result.fail(defect)
    result.warnings.extend(record.warnings)
    if record.format == "arc":
        result.notes.append("ARC record: no digests to check")
        return result
    _check_structure(record, result)
    if record.truncated:
        result.notes.append("digests not checked: the block is cut off")
        return result
    if not record.block_complete:
        raise ValueError("check_record needs records read without a block_limit")
    _check_block_digest(record, result)
    _check_payload_digest(record, result)
    result.concurrent_to = [v for k, v in record.headers.headers if k.lower() == "warc-concurrent-to"]
    return result


def check_file(path: str | os.PathLike) -> FileReport:
    """Check every record of a file; unreadable parts become problems, never exceptions."""
    name = os.fspath(path)
    report = FileReport(name)
    ids: dict[str, RecordResult] = {}
    try:
        for item in iter_records(name):
            if isinstance(item, Problem):
                report.problems.append(item)
                continue
            result = check_record(item)
            report.results.append(result)
            if item.record_id:
                key = item.record_id.strip()
                if key in ids:
                    result.fail(
                        f"WARC-Record-ID {key} is also used by the record at offset {ids[key].location}"
                    )
                ids.setdefault(key, result)
    except WarcFormatError as exc:
        report.problems.append(Problem(name, 0, str(exc).removeprefix(f"{name}: ")))
    except OSError as exc:
        report.problems.append(Problem(name, 0, f"cannot read the file: {exc.strerror or exc}"))
    for result in report.results:
        for target in result.concurrent_to:
            if target.strip() not in ids:
                result.fail(f"WARC-Concurrent-To {target.strip()} is not a record in this file")
    return report


def check_files(paths: Iterable[str | os.PathLike]) -> list[FileReport]:
    return [check_file(path) for path in paths]
