"""Whether a collection's index covers every WARC in its archive, and making it so.

A crawl merges the files it wrote into ``indexes/index.cdxj`` when it closes; a crawl killed
before that (or killed after recovering a file another killed crawl left open) leaves finished
WARCs the index does not know, and pending sidecars nobody will merge. Replay and cross-crawl
dedup cannot see those captures. So every command that writes a collection first calls
:func:`ensure_covered`: files the index was not made from (or that changed size since) are
indexed, lines of files no longer there dropped (a rebuild), stale sidecars removed.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from archive.index import INDEX_NAME, collection_files, covered_files, names_in_index, update_collection_index
from archive.index_sink import OPEN_SUFFIX, PENDING_DIR, SIDECAR_SUFFIX

__all__ = ["Coverage", "ensure_covered", "index_coverage"]

logger = logging.getLogger(__name__)


@dataclass
class Coverage:
    collection: Path
    files: int = 0  # finished WARC/ARC files in archive/
    missing: list[Path] = field(default_factory=list)  # not indexed, or changed since
    gone: list[str] = field(default_factory=list)  # indexed, no longer in archive/
    unreadable: list[str] = field(default_factory=list)  # left out: cdxj-indexer cannot read them
    stale_sidecars: list[Path] = field(default_factory=list)  # pending lines of files no writer holds
    open_files: list[Path] = field(default_factory=list)  # still being written (or left by a kill)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.gone and not self.stale_sidecars

    def lines(self) -> list[str]:
        """A report, one line per finding."""
        out = [
            f"{self.collection}: index covers {self.files - len(self.missing)} of {self.files} WARC files"
            + ("" if self.complete else " — incomplete")
        ]
        out += [f"  not indexed: {p.name}" for p in self.missing]
        out += [f"  indexed but gone from archive/: {name}" for name in self.gone]
        out += [f"  left out, unreadable: {name}" for name in self.unreadable]
        out += [f"  stale pending index lines: {p.name}" for p in self.stale_sidecars]
        out += [f"  still open (being written, or left by a killed crawl): {p.name}" for p in self.open_files]
        return out


def index_coverage(collection_dir: str | os.PathLike) -> Coverage:
    """What the index of a collection covers; nothing is changed."""
    collection = Path(collection_dir)
    archive = collection / "archive"
    root = Path(os.path.abspath(archive))
    report = Coverage(collection)
    files = [Path(os.path.abspath(p)) for p in collection_files(archive)] if archive.is_dir() else []
    report.files = len(files)
    covered = covered_files(collection)
    if covered is None:  # no record of it yet: what the index's lines name counts as covered
        sizes = {name: (-1, "indexed") for name in names_in_index(collection / "indexes" / INDEX_NAME)}
    else:
        sizes = covered
    present = set()
    for path in files:
        name = path.relative_to(root).as_posix()
        present.add(name)
        size, status = sizes.get(name, (None, ""))
        if size is None or (size >= 0 and size != path.stat().st_size):
            report.missing.append(path)
        elif status == "unreadable":
            report.unreadable.append(name)
    report.gone = sorted(name for name in sizes if name not in present)
    report.open_files = sorted(archive.rglob("*" + OPEN_SUFFIX)) if archive.is_dir() else []
    pending = collection / "indexes" / PENDING_DIR
    if pending.is_dir():
        writing = {p.name.removesuffix(OPEN_SUFFIX) for p in report.open_files}
        for sidecar in sorted(pending.iterdir()):
            warc = sidecar.name.removesuffix(OPEN_SUFFIX).removesuffix(SIDECAR_SUFFIX)
            if warc not in writing:  # its WARC is finished: the lines were merged, or never will be
                report.stale_sidecars.append(sidecar)
    return report


def ensure_covered(collection_dir: str | os.PathLike) -> Coverage:
    """Index what the index misses, rebuild it if it names files that are gone, drop stale
    sidecars. Returns the coverage found before. Call it before a crawl writes the collection
    (after recovering files left open), never while another crawl writes it."""
    before = index_coverage(collection_dir)
    collection = before.collection
    if before.gone or (before.missing and not (collection / "indexes" / INDEX_NAME).exists()):
        update_collection_index(collection, None, on_error=_left_out)
    elif before.missing:
        update_collection_index(collection, before.missing, on_error=_left_out)
    if before.missing or before.gone:
        logger.warning(
            "%s: indexed %d WARC file(s) an interrupted crawl left out of the index%s",
            collection,
            len(before.missing),
            f", dropped {len(before.gone)} gone" if before.gone else "",
        )
    for sidecar in before.stale_sidecars:
        with contextlib.suppress(OSError):
            sidecar.unlink()
    with contextlib.suppress(OSError):  # only if empty
        (collection / "indexes" / PENDING_DIR).rmdir()
    return before


def _left_out(path: Path, exc: Exception) -> None:
    logger.warning("%s cannot be indexed, left out: %s", path, exc)
