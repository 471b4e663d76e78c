"""Closing WARC files left ``.open`` by a process that died.

The writer hands each record (one gzip member) to the OS in a single write, so
a killed crawl leaves complete records followed by at most one partial one.
Recovery keeps every complete member, cuts the partial tail and renames the
file to its final name. A file whose writer is still alive (it holds an
exclusive lock on it) is left alone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from archive.writer import OPEN_SUFFIX

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovery:
    path: Path  # final name
    records: int
    kept_bytes: int
    dropped_bytes: int


def complete_gzip_members(path: Path) -> tuple[int, int]:
    """(members, end offset of the last complete member) of a gzip file."""
    members = 0
    good_end = 0
    offset = 0
    decomp = zlib.decompressobj(31)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            buf = chunk
            while buf:
                try:
                    decomp.decompress(buf)
                except zlib.error:
                    return members, good_end  # garbage after the last good member
                if decomp.eof:
                    consumed = len(buf) - len(decomp.unused_data)
                    offset += consumed
                    good_end = offset
                    members += 1
                    buf = decomp.unused_data
                    decomp = zlib.decompressobj(31)
                else:
                    offset += len(buf)
                    buf = b""
    return members, good_end


def complete_plain_records(path: Path) -> tuple[int, int]:
    """(records, end offset of the last complete record) of an uncompressed WARC."""
    records = 0
    good_end = 0
    size = path.stat().st_size
    with open(path, "rb") as fh:
        while good_end < size:
            fh.seek(good_end)
            head = b""
            while b"\r\n\r\n" not in head:
                more = fh.read(4096)
                if not more:
                    return records, good_end
                head += more
            header, _ = head.split(b"\r\n\r\n", 1)
            length = None
            for line in header.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length is None:
                return records, good_end
            end = good_end + len(header) + 4 + length + 4
            if end > size:
                return records, good_end
            good_end = end
            records += 1
    return records, good_end


def recover_open_file(open_path: Path) -> Recovery | None:
    """Repair one ``*.open`` file; None if its writer is still running."""
    final = open_path.with_name(open_path.name.removesuffix(OPEN_SUFFIX))
    fd = os.open(open_path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a live writer holds it
        size = os.fstat(fd).st_size
        if final.name.endswith(".gz"):
            records, good_end = complete_gzip_members(open_path)
        else:
            records, good_end = complete_plain_records(open_path)
        if good_end < size:
            os.ftruncate(fd, good_end)
        os.fsync(fd)
    finally:
        os.close(fd)
    if records == 0:
        open_path.unlink()  # nothing complete, not even the warcinfo record
        logger.warning("%s: no complete record, removed", open_path)
        return Recovery(final, 0, 0, size)
    os.replace(open_path, final)
    logger.warning(
        "%s: recovered %d records, cut %d bytes of a partial record", final, records, size - good_end
    )
    return Recovery(final, records, good_end, size - good_end)


def recover_open_files(directory: Path) -> list[Recovery]:
    """Repair every abandoned ``*.open`` WARC in a directory."""
    results = []
    for open_path in sorted(Path(directory).glob(f"*.warc*{OPEN_SUFFIX}")):
        result = recover_open_file(open_path)
        if result is not None:
            results.append(result)
    return results
