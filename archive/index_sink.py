"""The writer's CDXJ lines, kept on disk until the crawl merges them into the collection's index.

While a crawl writes ``archive/<warc>``, the lines of its records go, unsorted
and in file order, to a sidecar file ``indexes/.pending/<warc>.cdxj.open``
(:class:`archive.record_index.RecordIndexer` makes them); when the WARC is
closed, the sidecar is completed and renamed ``<warc>.cdxj``. At the end of
the crawl :meth:`IndexSink.merge` has :func:`archive.index.update_collection_index`
sort and merge the sidecars instead of reading the WARCs again, and removes them.

Memory stays flat however many records a file gets: lines go to disk as they
come (buffered a few KB at a time). The hidden ``.pending`` directory is not
an index pywb reads (it only reads ``*.cdx``/``*.cdxj`` files directly in
``indexes/``), and nothing here is ever needed: the WARCs are the data.

Only the sink that wrote a sidecar trusts it (:meth:`IndexSink.completed`,
and only while its WARC still has the size it had when closed): a sidecar
left by a killed crawl is never read, its WARC is recovered and re-read, and
:meth:`IndexSink.discard` removes it. A sink never raises into the writer: if
anything fails, the file's sidecar is dropped, the failure logged, and the
file is indexed by re-reading it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from archive.index import update_collection_index
from archive.record_index import RecordIndexer

__all__ = ["PENDING_DIR", "SIDECAR_SUFFIX", "IndexSink"]

logger = logging.getLogger(__name__)

PENDING_DIR = ".pending"  # under the collection's indexes/
SIDECAR_SUFFIX = ".cdxj"
OPEN_SUFFIX = ".open"  # as for WARCs: still being written, never read


class IndexSink:
    """Receives every record a :class:`archive.writer.WarcFileWriter` writes; one sidecar per WARC file."""

    def __init__(self, directory: str | os.PathLike, *, root: str | os.PathLike | None = None):
        self.directory = Path(directory)
        self.root = root  # file names in the lines are relative to it (pywb: archive/), else base names
        self._indexer: RecordIndexer | None = None
        self._fh: TextIO | None = None
        self._warc: Path | None = None
        self._completed: dict[Path, tuple[Path, int]] = {}  # WARC → (sidecar, WARC size when closed)

    @classmethod
    def for_collection(cls, collection_dir: str | os.PathLike) -> IndexSink:
        collection = Path(collection_dir)
        return cls(collection / "indexes" / PENDING_DIR, root=collection / "archive")

    def sidecar_path(self, warc: str | os.PathLike) -> Path:
        return self.directory / (Path(warc).name + SIDECAR_SUFFIX)

    # -- called by the writer ----------------------------------------------
    def open_file(self, warc: Path, *, compressed: bool) -> None:
        """A new WARC file (final name) was created; its records follow."""
        self._drop()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            sidecar = self.sidecar_path(warc)
            # "w": a stale sidecar of the same name (its WARC recovered empty and removed) is emptied
            open_path = sidecar.with_name(sidecar.name + OPEN_SUFFIX)
            self._fh = open(open_path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._warc = warc
            self._indexer = RecordIndexer(warc, self._write, root=self.root, compressed=compressed)
        except Exception as exc:
            self._fail(warc, exc)

    def add(self, record: bytes, offset: int, length: int) -> None:
        """One record, uncompressed, as written at ``offset``, taking ``length`` bytes in the file."""
        if self._indexer is None:
            return
        try:
            self._indexer.add(record, offset, length)
        except Exception as exc:
            self._fail(self._warc, exc)

    def close_file(self, warc: Path) -> None:
        """The WARC is complete under its final name: complete its sidecar."""
        if self._indexer is None or self._warc != warc:
            self._drop()
            return
        try:
            self._indexer.finish()
            assert self._fh is not None
            self._fh.close()
            sidecar = self.sidecar_path(warc)
            os.replace(sidecar.with_name(sidecar.name + OPEN_SUFFIX), sidecar)
            self._completed[Path(os.path.abspath(warc))] = (sidecar, warc.stat().st_size)
        except Exception as exc:
            self._fail(warc, exc)
        self._indexer = self._fh = self._warc = None

    def _write(self, line: str) -> None:
        assert self._fh is not None
        self._fh.write(line + "\n")

    # -- called when the crawl ends ----------------------------------------
    def completed(self) -> dict[Path, Path]:
        """WARC (absolute) → its complete sidecar, for files this sink saw from first to last record."""
        trusted = {}
        for warc, (sidecar, size) in self._completed.items():
            try:
                changed = os.stat(warc).st_size != size
            except OSError:
                changed = True
            if changed:
                logger.warning("%s changed since it was written: its index lines will be read from it", warc)
            elif not sidecar.is_file():
                logger.warning("%s is gone: the index lines of %s will be read from it", sidecar, warc.name)
            else:
                trusted[warc] = sidecar
        return trusted

    def merge(self, collection_dir: str | os.PathLike, warcs: list[Path]) -> Path:
        """Merge ``warcs`` into the collection's index, from their sidecars where this sink has them.

        Files without a trusted sidecar are read. If merging the sidecars fails
        for any reason, every file is read again (the index is derived data).
        The sidecars of ``warcs`` are removed in any case.
        """
        wanted = {Path(os.path.abspath(warc)) for warc in warcs}
        sidecars = {warc: lines for warc, lines in self.completed().items() if warc in wanted}
        try:
            if sidecars:
                try:
                    index = update_collection_index(collection_dir, warcs, sidecars=sidecars)
                    logger.info(
                        "%s: merged the lines of %d WARC file(s) kept while writing, read %d",
                        index,
                        len(sidecars),
                        len(wanted) - len(sidecars),
                    )
                    return index
                except Exception as exc:
                    logger.warning(
                        "merging the index lines kept while writing failed (%s: %s): reading the WARC files instead",
                        type(exc).__name__,
                        exc,
                    )
            return update_collection_index(collection_dir, warcs)
        finally:
            self.discard(warcs)

    def discard(self, warcs: Iterable[str | os.PathLike]) -> None:
        """Remove the sidecars of ``warcs``, complete or not (e.g. stale ones of recovered files)."""
        for warc in warcs:
            self._completed.pop(Path(os.path.abspath(warc)), None)
            sidecar = self.sidecar_path(warc)
            for path in (sidecar, sidecar.with_name(sidecar.name + OPEN_SUFFIX)):
                with contextlib.suppress(OSError):  # none there (or no .pending directory at all)
                    path.unlink()
        with contextlib.suppress(OSError):  # only if empty
            self.directory.rmdir()

    # -- failures ------------------------------------------------------------
    def _fail(self, warc: Path | None, exc: Exception) -> None:
        logger.warning(
            "%s: index lines cannot be kept while writing (%s: %s); the file will be indexed by reading it",
            warc,
            type(exc).__name__,
            exc,
        )
        self._drop()
        if warc is not None:
            self.discard([warc])  # a sidecar completed before the failure

    def _drop(self) -> None:
        """Forget the current file's unfinished sidecar."""
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
                os.unlink(self._fh.name)
        self._indexer = self._fh = self._warc = None
