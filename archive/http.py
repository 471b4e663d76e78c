"""HTTP/1.x messages as bytes: lenient parsing of heads and bodies.

The capture handler parses what arrives on the socket with this module, and the
WARC checker parses archived blocks with it, so both agree on where a head ends,
how a body is framed and what the entity (payload) is. Parsing never rewrites
the bytes: it only finds boundaries. Real servers send bare LF line ends,
folded header lines, non-UTF-8 header bytes and missing reason phrases, so
everything here is tolerant of those; what it cannot frame it reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "HOP_BY_HOP",
    "ChunkScanner",
    "HttpHead",
    "HttpParseError",
    "ResponseParser",
    "dechunk",
    "is_chunk_framed",
    "parse_head",
]


class HttpParseError(ValueError):
    """Bytes that are not an HTTP/1.x message head."""


_STATUS_LINE = re.compile(rb"^(HTTP/\d(?:\.\d)?)[ \t]+(\d{3})(?:[ \t](.*))?$", re.S)
_REQUEST_LINE = re.compile(rb"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]+(\S+)(?:[ \t]+(HTTP/\d(?:\.\d)?))?$")
_HEAD_END = re.compile(rb"\r?\n\r?\n")


@dataclass
class HttpHead:
    """A request or response head: start line and header fields as sent."""

    start_line: bytes
    headers: list[tuple[bytes, bytes]]
    length: int  # bytes of the head, including the blank line that ends it
    protocol: str = "HTTP/1.1"
    status: int = 0  # responses
    reason: bytes = b""  # responses; may be empty
    method: str = ""  # requests
    target: bytes = b""  # requests

    def getlist(self, name: str | bytes) -> list[bytes]:
        key = name.encode("latin-1") if isinstance(name, str) else name
        key = key.lower()
        return [v for k, v in self.headers if k.lower() == key]

    def get(self, name: str | bytes) -> bytes | None:
        """The first value of a header, or None."""
        values = self.getlist(name)
        return values[0] if values else None

    def tokens(self, name: str) -> list[bytes]:
        """Comma-separated tokens of every value of a header, lower-cased."""
        out = []
        for value in self.getlist(name):
            out.extend(t.strip().lower() for t in value.split(b",") if t.strip())
        return out


def find_head_end(data: bytes | bytearray, start: int = 0) -> int:
    """Offset just past the blank line ending a head at ``start``, or -1 if not there yet."""
    match = _HEAD_END.search(data, start)
    return match.end() if match else -1


def parse_head(data: bytes | bytearray, start: int = 0, *, request: bool = False) -> HttpHead | None:
    """Parse the head starting at ``start``; None if the blank line has not arrived yet.

    Raises HttpParseError when the start line is not HTTP/1.x.
    """
    end = find_head_end(data, start)
    if end < 0:
        return None
    lines = bytes(data[start:end]).splitlines()
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise HttpParseError("empty HTTP head")
    start_line = lines[0]
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, value + b" " + line.strip())
            continue
        name, sep, value = line.partition(b":")
        if not sep:
            continue  # a malformed line: kept in the bytes, ignored for framing
        headers.append((name.strip(), value.strip()))
    head = HttpHead(start_line=start_line, headers=headers, length=end - start)
    if request:
        m = _REQUEST_LINE.match(start_line)
        if not m:
            raise HttpParseError(f"not an HTTP request line: {start_line[:80]!r}")
        head.method = m.group(1).decode("ascii")
        head.target = m.group(2)
        head.protocol = (m.group(3) or b"HTTP/0.9").decode("ascii")
    else:
        m = _STATUS_LINE.match(start_line)
        if not m:
            raise HttpParseError(f"not an HTTP status line: {start_line[:80]!r}")
        head.protocol = m.group(1).decode("ascii")
        head.status = int(m.group(2))
        head.reason = (m.group(3) or b"").strip()
    return head


class ChunkScanner:
    """Incremental scanner of a chunked body: finds chunk data ranges and the end.

    It only records offsets into the caller's buffer, so the framed bytes stay
    untouched (the WARC keeps them) while the entity can be joined from ranges.
    """

    __slots__ = ("data_ranges", "done", "error", "pos")

    def __init__(self, start: int):
        self.pos = start
        self.data_ranges: list[tuple[int, int]] = []
        self.done = False
        self.error: str | None = None

    def scan(self, buf: bytes | bytearray) -> None:
        """Advance over whatever complete framing ``buf`` now holds."""
        while not self.done and self.error is None:
            eol = buf.find(b"\n", self.pos)
            if eol < 0:
                return
            size_line = bytes(buf[self.pos : eol]).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                self.error = f"bad chunk size line {size_line[:40]!r}"
                return
            if size == 0:
                # last chunk: optional trailer fields, then an empty line
                end = self._trailer_end(buf, eol + 1)
                if end < 0:
                    return
                self.pos = end
                self.done = True
                return
            data_start = eol + 1
            data_end = data_start + size
            if len(buf) < data_end + 1:
                return
            after = data_end
            if buf[after : after + 2] == b"\r\n":
                after += 2
            elif buf[after : after + 1] == b"\n":
                after += 1
            elif len(buf) < after + 2:
                return
            else:
                self.error = "chunk data not followed by CRLF"
                return
            self.data_ranges.append((data_start, data_end))
            self.pos = after

    @staticmethod
    def _trailer_end(buf: bytes | bytearray, pos: int) -> int:
        while True:
            eol = buf.find(b"\n", pos)
            if eol < 0:
                return -1
            if buf[pos:eol].strip() == b"":
                return eol + 1
            pos = eol + 1

    def entity(self, buf: bytes | bytearray) -> bytes:
        return b"".join(bytes(buf[a:b]) for a, b in self.data_ranges)


_CHUNK_SIZE_LINE = re.compile(rb"[0-9A-Fa-f]+[ \t]*(?:;[^\r\n]*)?\r?\n")


def is_chunk_framed(body: bytes | bytearray) -> bool:
    """Whether a body claimed chunked starts as chunked framing does (a hex size line).

    pywb's recorder and warcio store bodies de-chunked while the header still says
    ``Transfer-Encoding: chunked``; such a body is read as stored, as warcio does when
    its first chunk header does not parse."""
    return not body or _CHUNK_SIZE_LINE.match(body, 0, 4096) is not None


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """Remove chunked transfer coding; returns (entity, complete)."""
    scanner = ChunkScanner(0)
    scanner.scan(body)
    entity = scanner.entity(body)
    if scanner.error is not None or not scanner.done:
        # keep the partial data of a truncated last chunk
        if scanner.error is None and scanner.pos < len(body):
            rest = body[scanner.pos :]
            eol = rest.find(b"\n")
            if eol >= 0:
                entity += rest[eol + 1 :]
        return entity, False
    return entity, True


BODYLESS_STATUSES = frozenset({204, 304})

# Connection-control headers describe the hop, not the entity: archived as sent, but not
# handed to extraction (Scrapy's own Twisted handler hides them the same way).
HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade"}
)


@dataclass
class ResponseParser:
    """Accumulates the bytes of one HTTP response as they arrive and frames it.

    ``raw`` keeps every byte of the final response exactly as received; interim
    1xx responses are dropped from it (they are not the response to archive).
    """

    method: str = "GET"
    raw: bytearray = field(default_factory=bytearray)
    head: HttpHead | None = None
    framing: str = ""  # "length" | "chunked" | "close" | "none"
    done: bool = False
    complete: bool = False  # framing satisfied (False: cut by EOF or a limit)
    eof: bool = False
    _length: int = 0
    _chunks: ChunkScanner | None = None
    _end: int = 0
    _entity: bytes | None = None  # kept once the message is complete: archive and Scrapy both need it

    def feed(self, data: bytes) -> None:
        if self.done:
            self.raw += data  # excess: kept so the caller can see it, never framed
            return
        self.raw += data
        self._advance()

    def feed_eof(self) -> None:
        self.eof = True
        if not self.done:
            if self.head is not None and self.framing == "close":
                self.complete = True
            self._end = len(self.raw)
            self.done = True

    def _advance(self) -> None:
        while self.head is None:
            head = parse_head(self.raw)
            if head is None:
                if len(self.raw) > 1 << 20:
                    raise HttpParseError("response head larger than 1 MiB")
                return
            if 100 <= head.status < 200 and head.status != 101:
                del self.raw[: head.length]  # interim response
                continue
            self.head = head
            self._frame(head)
        body_start = self.head.length
        if self.framing == "none":
            self._finish(body_start)
        elif self.framing == "length":
            if len(self.raw) >= body_start + self._length:
                self._finish(body_start + self._length)
        elif self.framing == "chunked":
            assert self._chunks is not None
            self._chunks.scan(self.raw)
            if self._chunks.done:
                self._finish(self._chunks.pos)
            elif self._chunks.error:
                raise HttpParseError(self._chunks.error)

    def _frame(self, head: HttpHead) -> None:
        if self.method == "HEAD" or head.status in BODYLESS_STATUSES or head.status == 101:
            self.framing = "none"
            return
        te = head.tokens("transfer-encoding")
        if te and te[-1] == b"chunked":
            self.framing = "chunked"
            self._chunks = ChunkScanner(head.length)
            return
        for value in head.getlist("content-length"):
            try:
                self._length = int(value.split(b",")[0].strip())
            except ValueError:
                continue
            if self._length >= 0:
                self.framing = "length"
                return
        self.framing = "close"

    def _finish(self, end: int) -> None:
        self._end = end
        self.done = True
        self.complete = True

    @property
    def excess(self) -> bytes:
        """Bytes received after the end of the message (a misbehaving server)."""
        return bytes(self.raw[self._end :]) if self.done else b""

    @property
    def message(self) -> bytes:
        """The response exactly as received: head and framed body."""
        return bytes(self.raw[: self._end]) if self.done else bytes(self.raw)

    @property
    def body_start(self) -> int:
        return self.head.length if self.head else len(self.raw)

    def entity(self) -> bytes:
        """The body with transfer coding removed (content coding intact)."""
        if self.head is None:
            return b""
        if self._entity is not None:
            return self._entity
        end = self._end if self.done else len(self.raw)
        if self.framing == "chunked":
            if self._chunks is not None and self._chunks.done:
                entity = self._chunks.entity(self.raw)
            else:
                entity = dechunk(bytes(self.raw[self.head.length : end]))[0]  # cut short: keep what came
        else:
            entity = bytes(self.raw[self.head.length : end])
        if self.done:
            self._entity = entity
        return entity

    @property
    def keep_alive(self) -> bool:
        """Whether the connection may carry another request after this response."""
        if not (self.done and self.complete) or self.head is None or self.excess:
            return False
        if self.framing == "close":
            return False
        connection = self.head.tokens("connection")
        if b"close" in connection:
            return False
        if self.head.protocol == "HTTP/1.0":
            return b"keep-alive" in connection
        return True
