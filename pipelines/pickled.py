"""A list kept in a file: items appended as length-prefixed pickles, read back by position.

For what a crawl must keep until its end but need not hold in memory: annual
reports wait with their sources for the cross-year pass (pipelines/annual.py),
and on a crawl of many portals they are thousands of whole pages. In memory
each item costs 8 bytes (its offset). Without a path the file is an anonymous
temporary file (nothing left behind, even on a kill); with one it is a named
file another process can read (``PickledLog.read``), as `--processes N` hands
its reports to the parent.
"""

from __future__ import annotations

import os
import pickle
import struct
import tempfile
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct("<Q")
_READ_AHEAD = 1 << 16


class PickledLog(Sequence):
    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        directory: str | os.PathLike | None = None,
        _existing: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self._offsets = array("q")
        if self.path is None:
            if directory is not None:
                Path(directory).mkdir(parents=True, exist_ok=True)
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="xxgk-entries-", dir=directory)  # noqa: SIM115
        else:
            self._file = open(self.path, "r+b" if _existing else "w+b")  # noqa: SIM115
        self._end = os.fstat(self._file.fileno()).st_size if _existing else 0

    @classmethod
    def read(cls, path: str | os.PathLike) -> PickledLog:
        """A log another process wrote; a last item cut short (a killed writer) is left out."""
        log = cls(path, _existing=True)
        fd, offset = log._file.fileno(), 0
        while offset + _LENGTH.size <= log._end:
            (size,) = _LENGTH.unpack(os.pread(fd, _LENGTH.size, offset))
            if offset + _LENGTH.size + size > log._end:
                break
            log._offsets.append(offset)
            offset += _LENGTH.size + size
        log._end = offset
        return log

    @classmethod
    def resume(cls, path: str | os.PathLike) -> PickledLog:
        """A named log kept across the sessions of one run: the items a killed session appended
        are kept (a last one cut short is dropped), and appending goes on after them."""
        path = Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls(path)
        log = cls.read(path)
        os.ftruncate(log._file.fileno(), log._end)
        return log

    def append(self, item: Any) -> None:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        record = memoryview(_LENGTH.pack(len(data)) + data)
        fd, written = self._file.fileno(), 0
        while written < len(record):
            written += os.pwrite(fd, record[written:], self._end + written)
        self._offsets.append(self._end)
        self._end += len(record)

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        offset = self._offsets[index]
        fd = self._file.fileno()
        (size,) = _LENGTH.unpack(os.pread(fd, _LENGTH.size, offset))
        return pickle.loads(os.pread(fd, size, offset + _LENGTH.size))

    def __iter__(self) -> Iterator[Any]:
        """In order, reading ahead (one item in memory at a time, plus the read-ahead)."""
        fd, position, buffer, start = self._file.fileno(), 0, b"", 0
        for _ in range(len(self._offsets)):
            while len(buffer) - start < _LENGTH.size:
                buffer, start, position = self._more(fd, buffer, start, position)
            (size,) = _LENGTH.unpack_from(buffer, start)
            while len(buffer) - start < _LENGTH.size + size:
                buffer, start, position = self._more(fd, buffer, start, position, _LENGTH.size + size)
            yield pickle.loads(buffer[start + _LENGTH.size : start + _LENGTH.size + size])
            start += _LENGTH.size + size

    def _more(
        self, fd: int, buffer: bytes, start: int, position: int, need: int = 0
    ) -> tuple[bytes, int, int]:
        chunk = os.pread(fd, max(need, _READ_AHEAD), position)
        if not chunk:
            raise EOFError(f"{self.path or 'the entries file'} ends inside an item")
        return buffer[start:] + chunk, 0, position + len(chunk)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PickledLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Concatenated(Sequence):
    """Several sequences (logs of several processes) read as one, without copying any item."""

    def __init__(self, parts: list[Sequence]) -> None:
        self._parts = parts
        self._starts = list(accumulate((len(part) for part in parts), initial=0))

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        part = bisect_right(self._starts, index) - 1
        return self._parts[part][index - self._starts[part]]

    def __iter__(self) -> Iterator[Any]:
        for part in self._parts:
            yield from part
