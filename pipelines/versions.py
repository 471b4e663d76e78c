"""Repeat captures of a document as a version chain, from the archive alone.

Scheduled runs (`xxgk run`) keep each URL's versions in their state store; `xxgk parse`
rebuilds the same chain from the captures it finds: the first capture of a document is
version 1 ("new"), a capture whose payload differs from the version before is the next
("changed"), one with the same payload gives no row, and a 404/410 after a version is a
"removed" row, as the run writes them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from pipelines.urls import doc_id

if TYPE_CHECKING:
    from pipelines.reparse import Capture, Job

GONE_STATUSES = (404, 410)
_FRACTION = re.compile(r"\.\d+")


def _order(date: str) -> str:
    """A WARC-Date as a sort key: "…:57Z" before "…:57.28Z" (the same second, no fraction)."""
    return date.rstrip("Z")


def _seconds(date: str | None) -> str | None:
    """first_seen at the state store's precision (whole seconds). From the archive it is the first
    capture; a run's own first_seen may be a moment earlier (when it found the URL linked), which
    no WARC record holds."""
    return _FRACTION.sub("", date) if date else None


def as_versions(jobs: list[Job], gone: list[Capture] = ()) -> list[Job]:
    """The jobs with version fields, unchanged repeats dropped and removals added (``gone``: 404/410
    captures). Version fields are filled only when some document has more than one event: a
    single crawl's rows carry none, as `xxgk crawl` writes them."""
    events: dict[str, list[tuple[str, int, Job | Capture]]] = {}
    for index, job in enumerate(jobs):
        events.setdefault(doc_id(job.capture.url), []).append((_order(job.capture.date), index, job))
    for index, capture in enumerate(gone, start=len(jobs)):
        key = doc_id(capture.url)
        if key in events:  # a 404 of a URL that never was a document is nothing
            events[key].append((_order(capture.date), index, capture))
    if all(len(chain) == 1 for chain in events.values()):
        return jobs
    placed: list[tuple[int, Job]] = []
    for chain in events.values():
        chain.sort(key=lambda event: event[:2])
        first_seen = None
        version, previous, removed = 0, None, False
        for _, index, event in chain:
            if not hasattr(event, "capture"):  # a 404/410
                if previous is None or removed:
                    continue
                version += 1
                placed.append(
                    (
                        index,
                        replace(
                            previous,
                            capture=event,
                            payload_path=event.path,
                            payload_offset=event.offset,
                            version=version,
                            change="removed",
                            previous_record_id=previous.capture.record_id,
                            removed_reason=f"HTTP {event.status}",
                            parent_url=None,  # a removal row names no parent or column, as a run's
                            link_text=None,
                            column=None,
                        ),
                    )
                )
                removed = True
                continue
            capture = event.capture
            if (
                previous is not None
                and not removed
                and capture.payload_digest
                and capture.payload_digest == previous.capture.payload_digest
            ):
                continue  # unchanged
            version += 1
            first_seen = first_seen or _seconds(capture.date)
            job = replace(
                event,
                version=version,
                change="new" if version == 1 else "changed",
                previous_record_id=previous.capture.record_id if previous is not None else None,
                first_seen=first_seen,
            )
            placed.append((index, job))
            previous, removed = job, False
    placed.sort(key=lambda item: item[0])
    return [job for _, job in placed]
