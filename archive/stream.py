"""The bytes of a WARC/ARC file as the record parser sees them, and where they came from.

A plain file is read as is. A gzipped file is decompressed one gzip member at a
time, remembering each member's file offsets: a well-made ``.warc.gz`` has one
member per record, and a record's offset in the file is its member's offset.
The decompressed members are joined into one logical stream, so files that do
not follow that rule (one member for the whole file, a record split over
several members) still read; the parser compares record and member boundaries
and reports the mismatch.

Damage in the gzip layer (bytes that are not gzip, a corrupt or cut-off member)
does not stop reading: the next gzip header is searched for, and the logical
position where bytes were lost is recorded as a *break*, so the parser can tell
that a record spanning it is damaged.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["GZIP_MAGIC", "ByteSource", "Event", "Member"]

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_HEADER = b"\x1f\x8b\x08"  # magic + deflate, the only method gzip defines
_CHUNK = 1 << 16
_MAX_LINE = 1 << 16
_OVERLAP = 256  # bytes kept when scanning for a pattern, so a match cut by a chunk edge is found


@dataclass
class Member:
    """One gzip member: where its decompressed bytes sit in the stream and in the file."""

    start: int  # logical offset of its first decompressed byte
    raw_start: int  # file offset of its gzip header
    end: int = -1  # logical end; -1 while still being read
    raw_end: int = -1  # file offset just past it; -1 while being read or when damaged


@dataclass
class Event:
    """Damage found in the gzip layer."""

    pos: int  # logical offset where it shows (bytes before it are intact)
    raw_offset: int  # file offset of the damage
    message: str
    skipped: int = 0  # file bytes that could not be decompressed


class ByteSource:
    """Buffered, rewindable (back to the last :meth:`release`) view of a file's decompressed bytes."""

    def __init__(self, fh: BinaryIO, start: int = 0, gzipped: bool | None = None):
        self._fh = fh
        fh.seek(start)
        if gzipped is None:
            gzipped = fh.read(2) == GZIP_MAGIC
            fh.seek(start)
        self.gzipped = gzipped
        self.origin = start
        self._raw = b""  # file bytes read but not yet decompressed
        self._raw_at = start  # file offset of _raw[0]
        self._dec: zlib._Decompress | None = None  # decompressor of the member being read
        self._buf = bytearray()
        self._buf_start = 0  # logical offset of _buf[0]
        self.pos = 0  # logical read position
        self.end = 0  # logical bytes produced so far
        self.eof = False
        self.members: list[Member] = []
        self.breaks: list[int] = []  # logical offsets where bytes were lost before
        self.events: list[Event] = []  # drained by the parser

    # -- producing bytes -------------------------------------------------------
    def _append(self, data: bytes) -> None:
        self._buf += data
        self.end += len(data)

    def _more(self) -> bool:
        """Produce more logical bytes; False at the end of the file."""
        if self.eof:
            return False
        if not self.gzipped:
            data = self._fh.read(_CHUNK)
            if not data:
                self.eof = True
                return False
            self._append(data)
            return True
        return self._more_gzip()

    def _read_raw(self, at_least: int) -> None:
        while len(self._raw) < at_least:
            data = self._fh.read(_CHUNK)
            if not data:
                return
            self._raw += data

    def _more_gzip(self) -> bool:
        while True:
            if self._dec is None:  # between members: a gzip header must come next
                self._read_raw(len(_GZIP_HEADER))
                if not self._raw:
                    self.eof = True
                    return False
                if not self._raw.startswith(_GZIP_HEADER):
                    self._skip_to_member("data that is not gzip")
                    continue
                self._dec = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.members.append(Member(self.end, self._raw_at))
            if not self._raw:
                self._raw = self._fh.read(_CHUNK)
                if not self._raw:
                    member = self.members[-1]
                    member.end = self.end
                    self.events.append(
                        Event(self.end, member.raw_start, "gzip member is cut off at the end of the file")
                    )
                    self._dec = None
                    self.eof = True
                    return False
            try:
                out = self._dec.decompress(self._raw)
            except zlib.error as exc:
                member = self.members[-1]
                member.end = self.end
                self._dec = None
                # drop one byte so the search for the next member starts inside this one
                self._raw = self._raw[1:]
                self._raw_at += 1
                self._skip_to_member(f"corrupt gzip member ({exc})", first=member.raw_start)
                continue
            if self._dec.eof:
                unused = self._dec.unused_data
                self._raw_at += len(self._raw) - len(unused)
                self._raw = unused
                member = self.members[-1]
                member.end = self.end + len(out)
                member.raw_end = self._raw_at
                self._dec = None
            else:
                self._raw_at += len(self._raw)
                self._raw = b""
            if out:
                self._append(out)
                return True

    def _skip_to_member(self, what: str, first: int | None = None) -> None:
        """Skip file bytes up to the next gzip header, recording what was lost from ``first`` on."""
        first = self._raw_at if first is None else first
        while True:
            idx = self._raw.find(_GZIP_HEADER)
            if idx >= 0:
                break
            keep = len(_GZIP_HEADER) - 1  # a header cut by the chunk edge
            self._raw_at += max(0, len(self._raw) - keep)
            self._raw = self._raw[-keep:] if len(self._raw) > keep else self._raw
            data = self._fh.read(_CHUNK)
            if not data:
                idx = len(self._raw)
                break
            self._raw += data
        self._raw_at += idx
        self._raw = self._raw[idx:]
        skipped = self._raw_at - first
        where = "up to the next gzip member" if self._raw else "up to the end of the file"
        self.events.append(Event(self.end, first, f"{what}: skipped {skipped} bytes {where}", skipped))
        self.breaks.append(self.end)

    def _ensure(self, n: int) -> None:
        while self.end - self.pos < n and self._more():
            pass

    # -- reading -----------------------------------------------------------------
    def readline(self, limit: int = _MAX_LINE) -> bytes:
        """The next line including its LF (at most ``limit`` bytes; shorter at EOF)."""
        start = self.pos - self._buf_start
        search = start
        while True:
            stop = min(len(self._buf), start + limit)
            nl = self._buf.find(b"\n", search, stop)
            if nl >= 0:
                end = nl + 1
                break
            if stop - start >= limit or not self._more():
                end = min(len(self._buf), start + limit)
                break
            search = stop
        line = bytes(self._buf[start:end])
        self.pos += len(line)
        return line

    def read(self, n: int) -> bytes:
        self._ensure(n)
        start = self.pos - self._buf_start
        data = bytes(self._buf[start : start + n])
        self.pos += len(data)
        return data

    def skip(self, n: int) -> int:
        """Move forward ``n`` bytes without keeping them (no rewinding into them)."""
        done = 0
        while done < n:
            if self.pos == self.end and not self._more():
                break
            step = min(n - done, self.end - self.pos)
            self.pos += step
            done += step
            self._drop(self.pos)
        return done

    def seek(self, pos: int) -> None:
        """Go back (or forward) to a logical offset still in the buffer."""
        self.pos = max(self._buf_start, min(pos, self.end))

    def scan(self, pattern: re.Pattern[bytes], start: int, limit: int) -> int | None:
        """Logical end of the first match of ``pattern`` within ``limit`` bytes from ``start``
        (reading ahead, consuming nothing); None if there is none."""
        while True:
            i = start - self._buf_start
            match = pattern.search(self._buf, i, i + limit)
            if match is not None:
                return self._buf_start + match.end()
            if self.end - start >= limit or not self._more():
                return None

    def peek(self, n: int) -> bytes:
        """Up to ``n`` bytes from the read position, without consuming them."""
        self._ensure(n)
        start = self.pos - self._buf_start
        return bytes(self._buf[start : start + n])

    def peek_line(self) -> bytes:
        here = self.pos
        line = self.readline()
        self.pos = here
        return line

    def release(self, pos: int) -> None:
        """Nothing before ``pos`` will be read again: free it, and forget old members."""
        self._drop(min(pos, self.pos))
        i = bisect_right([m.start for m in self.members], pos) - 1
        if i > 0:
            del self.members[:i]
        self.breaks = [b for b in self.breaks if b > pos]

    def _drop(self, pos: int) -> None:
        if pos > self._buf_start:
            del self._buf[: pos - self._buf_start]
            self._buf_start = pos

    def find(self, pattern: re.Pattern[bytes], start: int) -> int | None:
        """Where a record may start at or after ``start``: the first match of
        ``pattern`` or the first gzip member start, whichever comes first
        (reading ahead); None when there is neither.

        Bytes before ``start`` are released: this is only used to skip damaged data.
        """
        self.seek(start)
        self._drop(self.pos)
        search = self.pos
        while True:
            match = pattern.search(self._buf, search - self._buf_start)
            found = self._buf_start + match.start() if match is not None else None
            # members only ever start at or after the end of the bytes produced,
            # so a match already found cannot be beaten by a member found later
            member = self.next_member_start(start)
            if member is not None and (found is None or member < found):
                found = member
            if found is not None:
                return found
            produced = self.end
            if not self._more():
                self.pos = self.end
                self._drop(self.end)
                return None
            search = max(self._buf_start, produced - _OVERLAP)
            self.pos = search
            self._drop(search)

    # -- where bytes came from --------------------------------------------------
    def member_at(self, pos: int) -> Member | None:
        """The gzip member holding logical offset ``pos`` (None for plain files)."""
        if not self.members:
            return None
        i = bisect_right([m.start for m in self.members], pos) - 1
        return self.members[max(i, 0)]

    def next_member_start(self, pos: int) -> int | None:
        """Logical start of the first member starting at or after ``pos`` known so far."""
        for member in self.members:
            if member.start >= pos:
                return member.start
        return None

    def file_offset(self, pos: int) -> tuple[int, int]:
        """(file offset to seek to, decompressed bytes to skip from there) for ``pos``."""
        member = self.member_at(pos)
        if member is None:
            return self.origin + pos, 0
        return member.raw_start, pos - member.start

    def breaks_within(self, start: int, end: int) -> list[int]:
        return [b for b in self.breaks if start < b <= end]
