"""One run at a time per collection: an exclusive flock on ``<collection>/run.lock``.

flock, not a PID file: the kernel drops the lock when its process dies (even by
SIGKILL), so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class CollectionLocked(Exception):
    """Another process is crawling into this collection."""

    def __init__(self, collection: Path, holder: str):
        self.collection = collection
        self.holder = holder
        super().__init__(f"collection {collection} is locked by another run ({holder or 'unknown process'})")


class CollectionLock:
    def __init__(self, path: Path, fd: int):
        self.path = path
        self.fd: int | None = fd

    @classmethod
    def acquire(cls, collection: Path) -> CollectionLock:
        collection.mkdir(parents=True, exist_ok=True)
        path = collection / "run.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            os.close(fd)
            raise CollectionLocked(collection, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        return cls(path, fd)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
