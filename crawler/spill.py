"""A FIFO that keeps its first items in memory and the rest in a file.

The extraction pipeline queues documents here while its workers are busy, so
the crawl never waits for extraction and memory stays flat however far
extraction falls behind: past ``memory_limit`` items, each item is appended to
a file as a length-prefixed pickle. Order is kept across the two parts: once
an item has gone to disk, later items follow it there until the disk part has
been read back, so the memory part always holds the oldest items.

The file is an anonymous temporary file in the directory given (the run
directory: on the disk the outputs go to, not in a /tmp that may be RAM), made
on the first spill. It has no name, so nothing is left behind when the crawl
closes it or is killed; it is emptied whenever its items have all been read
back, and ``close()`` releases it.
"""

from __future__ import annotations

import os
import pickle
import struct
import tempfile
from collections import deque
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct("<I")
READ_AHEAD = 1 << 16


class SpillQueue:
    def __init__(self, directory: str | os.PathLike, memory_limit: int):
        self.directory = Path(directory)
        self.memory_limit = max(0, memory_limit)
        self.spilled = 0  # items that went to disk, in all
        self._memory: deque[Any] = deque()
        self._on_disk = 0
        self._file: IO[bytes] | None = None
        self._write_pos = 0
        self._read_pos = 0  # file offset of the first byte not yet in _buffer
        self._buffer = b""  # read ahead from the file
        self._buffer_pos = 0

    def __len__(self) -> int:
        return len(self._memory) + self._on_disk

    @property
    def in_memory(self) -> int:
        return len(self._memory)

    @property
    def on_disk(self) -> int:
        return self._on_disk

    @property
    def disk_bytes(self) -> int:
        """Size of the spill file (0 when there is none, or once it has been read back)."""
        return self._write_pos

    def has_memory_room(self) -> bool:
        """Whether the next item pushed stays in memory."""
        return not self._on_disk and len(self._memory) < self.memory_limit

    def push(self, item: Any) -> None:
        if self.has_memory_room():
            self._memory.append(item)
            return
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._file = tempfile.TemporaryFile(prefix="extract-queue-", dir=self.directory)  # noqa: SIM115
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        record = _LENGTH.pack(len(data)) + data
        written = 0
        while written < len(record):
            written += os.pwrite(self._file.fileno(), record[written:], self._write_pos + written)
        self._write_pos += len(record)
        self._on_disk += 1
        self.spilled += 1

    def pop(self) -> Any:
        """The oldest item. Raises IndexError when empty."""
        if self._memory:
            return self._memory.popleft()
        if not self._on_disk:
            raise IndexError("pop from an empty SpillQueue")
        (size,) = _LENGTH.unpack(self._read(_LENGTH.size))
        item = pickle.loads(self._read(size))
        self._on_disk -= 1
        if not self._on_disk:  # all read back: start the file again rather than let it grow
            assert self._file is not None
            os.ftruncate(self._file.fileno(), 0)
            self._write_pos = self._read_pos = self._buffer_pos = 0
            self._buffer = b""
        return item

    def _read(self, size: int) -> bytes:
        assert self._file is not None
        while len(self._buffer) - self._buffer_pos < size:
            chunk = os.pread(self._file.fileno(), max(size, READ_AHEAD), self._read_pos)
            if not chunk:
                raise EOFError("the spill file ends inside an item")
            self._buffer = self._buffer[self._buffer_pos :] + chunk
            self._buffer_pos = 0
            self._read_pos += len(chunk)
        data = self._buffer[self._buffer_pos : self._buffer_pos + size]
        self._buffer_pos += size
        return data

    def close(self) -> None:
        """Drop whatever is left and release the file."""
        self._memory.clear()
        self._on_disk = 0
        self._buffer = b""
        self._write_pos = self._read_pos = self._buffer_pos = 0
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> SpillQueue:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
