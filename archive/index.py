"""The sorted CDXJ index of a pywb collection: build, merge, look up.

Layout (pywb's): ``<collection>/archive/*.warc.gz`` and
``<collection>/indexes/index.cdxj``. Lines come from cdxj-indexer, called the
way ``wb-manager`` indexes a collection: SURT keys, request bodies of POSTs
appended to the key (post-append), file names relative to ``archive/``. Lines
are sorted as bytes and duplicates dropped, as pywb's own merge does, so pywb
can binary-search the file.

A crawl does not read its WARCs back: the writer keeps each file's lines as
it writes them (``archive.index_sink``), and the merge sorts those in bounded
memory (``archive.extsort``). Files without such lines (recovered after a
kill, or from other tools) are read with cdxj-indexer.

The index is derived data and is only ever replaced whole: a new version is
written to a temporary file next to it and renamed over it (``os.replace``),
under a lock, so a crash or a concurrent update never leaves a damaged or
half-merged index.
"""

from __future__ import annotations

import contextlib
import heapq
import io
import json
import logging
import mmap
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import surt
from cdxj_indexer.main import CDXJIndexer, SortingWriter

from archive.errors import ArchiveError, WarcFormatError
from archive.extsort import sorted_lines

__all__ = [
    "ARCHIVE_SUFFIXES",
    "COVERED_NAME",
    "INDEX_NAME",
    "collection_files",
    "index_warcs",
    "lookup",
    "update_collection_index",
    "url_key",
]

logger = logging.getLogger(__name__)

INDEX_NAME = "index.cdxj"
# Which WARC files the index covers, and at what size: "name<TAB>size<TAB>indexed|unreadable" lines,
# replaced with the index (a file with no indexable record has no line in index.cdxj to show it).
COVERED_NAME = ".covered.tsv"
ARCHIVE_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")  # what cdxj-indexer and pywb read
_FILENAME = re.compile(r'"filename": "((?:[^"\\]|\\.)*)"')


def url_key(url: str) -> str:
    """The SURT key pywb and cdxj-indexer use for a URL."""
    try:
        return surt.surt(url)
    except Exception:  # cdxj-indexer falls back to the URL itself too
        return url


def _index_file(path: Path, root: Path | None) -> list[str]:
    """Unsorted CDXJ lines of one file, or WarcFormatError if cdxj-indexer cannot read it."""
    out = io.StringIO()
    warnings = io.StringIO()
    indexer = CDXJIndexer(
        out, [os.fspath(path)], post_append=True, dir_root=os.fspath(root) if root else None
    )
    try:
        # warcio prints its warnings (e.g. a wrong Content-Length) to stderr: keep them for the log
        with contextlib.redirect_stderr(warnings):
            indexer.process_all()
    except OSError:
        raise
    except Exception as exc:  # warcio raises ArchiveLoadFailed, ValueError, zlib.error …
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise WarcFormatError(
            f"{path}: cannot be indexed ({message}); `xxgk warc check {path}` says what is wrong"
        ) from exc
    for line in warnings.getvalue().splitlines():
        if line.strip():
            logger.warning("%s: %s", path, line.strip())
    return out.getvalue().splitlines()


def _lines_file(path: Path) -> Iterator[str]:
    """CDXJ lines kept in a file, one a line, in any order (an IndexSink's sidecar)."""
    with open(path, encoding="utf-8", newline="\n") as fh:
        for raw in fh:
            yield raw.removesuffix("\n")


def index_warcs(paths: Iterable[str | os.PathLike], *, root: str | os.PathLike | None = None) -> list[str]:
    """Sorted CDXJ lines (without newlines) for WARC/ARC files.

    File names in the lines are relative to ``root`` (pywb: the collection's
    ``archive/``), or base names. Raises WarcFormatError for a file that
    cannot be indexed.
    """
    root_path = Path(root) if root is not None else None
    lines: list[str] = []
    for path in paths:
        lines.extend(_index_file(Path(path), root_path))
    return sorted(set(lines))


def collection_files(archive_dir: str | os.PathLike) -> list[Path]:
    """WARC/ARC files under a collection's archive/ (files still being written end in .open)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(archive_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(
            Path(dirpath, f) for f in filenames if f.endswith(ARCHIVE_SUFFIXES) and not f.startswith(".")
        )
    return sorted(found)


@contextlib.contextmanager
def _locked(indexes_dir: Path) -> Iterator[None]:
    """One index update at a time (e.g. a crawl finishing while `xxgk index` runs)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    with open(indexes_dir / ".index.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[io.TextIOBase]:
    """A file that replaces ``path`` only once written completely and synced."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; pywb may run as another user
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class _Unsorted(Exception):
    pass


def _old_lines(index: Path, drop: set[str]) -> Iterator[str]:
    """Existing index lines, without those of files being re-indexed; _Unsorted if out of order."""
    last = ""
    with open(index, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip():
                continue
            if line < last:
                raise _Unsorted(line)
            last = line
            match = _FILENAME.search(line)
            if match and json.loads(f'"{match.group(1)}"') in drop:
                continue
            yield line


def _write_unique(fh: io.TextIOBase, lines: Iterable[str]) -> None:
    last = None
    for line in lines:
        if line != last:
            fh.write(line + "\n")
            last = line


def update_collection_index(
    collection_dir: str | os.PathLike,
    new_warcs: list[Path] | None = None,
    *,
    on_error: Callable[[Path, WarcFormatError], None] | None = None,
    sidecars: Mapping[str | os.PathLike, str | os.PathLike] | None = None,
) -> Path:
    """Merge ``new_warcs`` into the collection's sorted index, or rebuild it (None).

    Lines already indexed for one of ``new_warcs`` are replaced, other lines
    kept. A file cdxj-indexer cannot read raises WarcFormatError and leaves
    the index untouched, unless ``on_error`` is given: then it is told and the
    file is left out. ``sidecars`` maps WARC files to files of their CDXJ
    lines, one a line, in any order (an :class:`archive.index_sink.IndexSink`
    keeps them while writing): those are read instead of the WARC. Returns
    the index path.
    """
    collection = Path(collection_dir)
    archive_dir = collection / "archive"
    if not archive_dir.is_dir():
        raise ArchiveError(f"{collection}: not a pywb collection (no archive/ directory)")
    indexes_dir = collection / "indexes"
    indexes_dir.mkdir(parents=True, exist_ok=True)
    index = indexes_dir / INDEX_NAME
    # absolute, not resolved: a WARC symlinked into archive/ (wb-manager add --symlink) keeps its name
    root = Path(os.path.abspath(archive_dir))
    kept = {Path(os.path.abspath(warc)): Path(lines) for warc, lines in (sidecars or {}).items()}

    def lines_of(path: Path) -> Iterable[str]:
        if path in kept:
            return _lines_file(kept[path])
        try:
            return _index_file(path, root)
        except WarcFormatError as exc:
            if on_error is None:
                raise
            on_error(path, exc)
            return []

    left_out: set[Path] = set()
    if on_error is not None:
        reported = on_error

        def on_error(path: Path, exc: WarcFormatError) -> None:
            left_out.add(path)
            reported(path, exc)

    with _locked(indexes_dir):
        if new_warcs is not None:
            paths = []
            for warc in new_warcs:
                path = Path(os.path.abspath(warc))
                if not path.is_relative_to(root):
                    raise ArchiveError(f"{warc}: not in the collection's archive directory {archive_dir}")
                if not path.is_file():
                    raise FileNotFoundError(f"{warc}: no such file")
                paths.append(path)
            drop = {path.relative_to(root).as_posix() for path in paths}
            new = (line for path in paths for line in lines_of(path))
            with sorted_lines(new, tmp_dir=indexes_dir) as new_lines:
                if index.exists():
                    try:
                        with _replacing(index) as fh:
                            _write_unique(fh, heapq.merge(_old_lines(index, drop), new_lines))
                        _record_covered(collection, paths, left_out, rebuilt=False)
                        return index
                    except _Unsorted:
                        logger.warning("%s is not sorted: rebuilding it from the WARC files", index)
                else:
                    with _replacing(index) as fh:
                        _write_unique(fh, new_lines)
                    _record_covered(collection, paths, left_out, rebuilt=True)
                    return index
        # full rebuild; SortingWriter spills to temporary files beyond 32 MB of lines
        everything = [Path(os.path.abspath(path)) for path in collection_files(archive_dir)]
        with _replacing(index) as fh:
            sorter = SortingWriter(fh)
            for path in everything:
                for line in lines_of(path):
                    sorter.write(line + "\n")
            sorter.flush()
        _record_covered(collection, everything, left_out, rebuilt=True)
    return index


def covered_files(collection_dir: str | os.PathLike) -> dict[str, tuple[int, str]] | None:
    """File name (relative to archive/) → (size, "indexed" | "unreadable") the index was made from;
    None when the collection has no record of it (an index older than this record, or none)."""
    path = Path(collection_dir) / "indexes" / COVERED_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    covered = {}
    for line in text.splitlines():
        name, size, status = line.split("\t")
        covered[name] = (int(size), status)
    return covered


def names_in_index(index: Path) -> set[str]:
    """The file names an index's lines point at."""
    names: set[str] = set()
    if not index.exists():
        return names
    with open(index, encoding="utf-8") as fh:
        for line in fh:
            match = _FILENAME.search(line)
            if match:
                names.add(json.loads(f'"{match.group(1)}"'))
    return names


def _record_covered(collection: Path, paths: list[Path], left_out: set[Path], *, rebuilt: bool) -> None:
    """Note what the index now covers (under the index lock, after the index was replaced)."""
    root = Path(os.path.abspath(collection / "archive"))
    covered = {} if rebuilt else covered_files(collection)
    if covered is None:  # an index made before coverage was recorded: what its lines name
        covered = {}
        for name in names_in_index(collection / "indexes" / INDEX_NAME):
            with contextlib.suppress(OSError):
                covered[name] = ((root / name).stat().st_size, "indexed")
    for path in paths:
        with contextlib.suppress(OSError):  # a file removed meanwhile is simply not covered
            covered[path.relative_to(root).as_posix()] = (
                path.stat().st_size,
                "unreadable" if path in left_out else "indexed",
            )
    with _replacing(collection / "indexes" / COVERED_NAME) as fh:
        for name in sorted(covered):
            size, status = covered[name]
            fh.write(f"{name}\t{size}\t{status}\n")


def _first_not_below(mm: mmap.mmap, prefix: bytes) -> int:
    """Offset of the first line that sorts at or after ``prefix`` (binary search on line starts)."""
    lo, hi = 0, len(mm)
    while lo < hi:
        mid = (lo + hi) // 2
        start = mm.rfind(b"\n", 0, mid) + 1
        end = mm.find(b"\n", start)
        end = len(mm) if end < 0 else end
        if mm[start:end] < prefix:
            lo = end + 1
        else:
            hi = start
    return lo


def lookup(index_path: str | os.PathLike, url: str) -> list[dict]:
    """Captures of ``url`` in a sorted CDXJ index, oldest first.

    Each is the line's JSON plus ``urlkey`` and ``timestamp``.
    """
    key = url_key(url).encode("utf-8")
    prefix = key + b" "
    captures = []
    with open(index_path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return []
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            pos = _first_not_below(mm, prefix)
            while pos < len(mm):
                end = mm.find(b"\n", pos)
                end = len(mm) if end < 0 else end
                line = mm[pos:end]
                if not line.startswith(prefix):
                    break
                urlkey, timestamp, data = line.decode("utf-8").split(" ", 2)
                captures.append({"urlkey": urlkey, "timestamp": timestamp, **json.loads(data)})
                pos = end + 1
    return captures
