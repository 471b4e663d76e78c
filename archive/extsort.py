"""Sorting more text lines than should sit in memory at once.

Lines are sorted in runs of at most ``run_chars`` characters; when there is
more than one run, each goes to a temporary file and the runs are merged
lazily (``heapq.merge``), so memory stays bounded by one run whatever the
number of lines. Lines must not contain line breaks.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import tempfile
from collections.abc import Iterable, Iterator

__all__ = ["RUN_CHARS", "sorted_lines"]

RUN_CHARS = 8 << 20  # ~8 MB of text per run: a few tens of MB of Python objects at most


def _spill(lines: list[str], directory: str | os.PathLike | None) -> str:
    fd, path = tempfile.mkstemp(prefix=".sort-", suffix=".tmp", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(line + "\n" for line in sorted(lines))
    return path


def _read_run(fh) -> Iterator[str]:
    for raw in fh:
        yield raw[:-1]


@contextlib.contextmanager
def sorted_lines(
    lines: Iterable[str], *, tmp_dir: str | os.PathLike | None = None, run_chars: int = RUN_CHARS
) -> Iterator[Iterator[str]]:
    """``lines`` in ascending order (duplicates kept), as an iterator valid inside the ``with`` block."""
    runs: list[str] = []
    files = []
    try:
        batch: list[str] = []
        size = 0
        for line in lines:
            batch.append(line)
            size += len(line) + 1
            if size >= run_chars:
                runs.append(_spill(batch, tmp_dir))
                batch, size = [], 0
        if not runs:
            batch.sort()
            yield iter(batch)
            return
        if batch:
            runs.append(_spill(batch, tmp_dir))
            batch = []
        files = [open(path, encoding="utf-8", newline="\n") for path in runs]  # noqa: SIM115
        yield heapq.merge(*(_read_run(fh) for fh in files))
    finally:
        for fh in files:
            fh.close()
        for path in runs:
            with contextlib.suppress(OSError):
                os.unlink(path)
