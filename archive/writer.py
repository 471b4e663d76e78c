"""Writing WARC 1.1 files: records byte-exact, per-record gzip, rotation.

warcio's writer re-serialises HTTP headers and digests the payload as given
(chunk framing included, warcio#74), so we serialise records ourselves: the
block is whatever bytes the caller captured, untouched, and the payload digest
is computed over the entity with transfer coding removed (WARC 1.1 §6.3.2).

Files being written carry an ``.open`` suffix and are renamed when complete, so
a reader never mistakes a file in progress for a finished one; each record is
handed to the OS in one write, so a killed process leaves at most one partial
record at the end, which :func:`archive.recover.recover_open_file` cuts off.

An optional index sink (:class:`archive.index_sink.IndexSink`) is handed every
record as written, so the CDXJ index needs no second reading of the files.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import socket
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

try:  # a faster deflate, same gzip format
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover
    _isal_zlib = None

WARC_VERSION = b"WARC/1.1"
OPEN_SUFFIX = ".open"
DEFAULT_MAX_SIZE = 1_000_000_000  # rotate at 1 GB, as Heritrix does
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def new_record_id() -> str:
    """``<urn:uuid:…>`` of a random (version 4) UUID: what str(uuid.uuid4()) gives, in a fifth
    of its time (two records an exchange)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


_last_second: tuple[int, str] = (-1, "")


def utc_second(second: int) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` (UTC) of a Unix time in whole seconds. The last one is
    remembered: records and state rows are stamped many times a second, and formatting a
    datetime each time was ~1.5 % of a crawl's CPU."""
    global _last_second
    last, text = _last_second
    if second != last:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _last_second = (second, text)
    return text


def warc_date(when: datetime | None = None) -> str:
    """WARC 1.1 date: UTC with microseconds (WARC 1.1 §5.4 allows fractions)."""
    if when is None:  # now: the clock datetime.now reads, truncated to microseconds as it does
        second, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
        return f"{utc_second(second)}.{nanoseconds // 1000:06d}Z"
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _masks_spreading_base32_digits() -> tuple[tuple[int, int], ...]:
    """(mask, shift) steps that move the 32 five-bit digits of a 160-bit number into the low
    five bits of 32 bytes: each step moves the upper half of every group of digits up, from
    halves of 16 digits to halves of 1."""
    steps = []
    slot = 256  # bits a group of digits will take: 256 (32 bytes) for all 32 digits at first
    for half in (16, 8, 4, 2, 1):
        move = 0
        for digit in range(32):  # digit 0 the lowest; within its group it is digit % (2 * half)
            group, place = divmod(digit, 2 * half)
            if place >= half:
                move |= 31 << (group * slot + 5 * place)
        steps.append((move, slot // 2 - 5 * half))
        slot //= 2
    return tuple(steps)


_SPREAD = _masks_spreading_base32_digits()
_BASE32 = bytes.maketrans(bytes(range(32)), b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def base32(raw: bytes) -> str:
    """base64.b32encode(raw) as text. A SHA-1 (20 bytes, every WARC digest here) is done with
    a few integer operations and one translate, 2.5x faster than b32encode's pure-Python loop."""
    if len(raw) != 20:
        return base64.b32encode(raw).decode("ascii")
    number = int.from_bytes(raw, "big")
    for move, shift in _SPREAD:
        moving = number & move
        number ^= moving ^ (moving << shift)
    return number.to_bytes(32, "big").translate(_BASE32).decode("ascii")


def digest(data: bytes | Iterable[bytes], algorithm: str = "sha1") -> str:
    """A WARC digest label: ``sha1:BASE32`` (the form pywb and cdxj-indexer use)."""
    if isinstance(data, bytes | bytearray | memoryview):
        h = hashlib.new(algorithm, data)
    else:
        h = hashlib.new(algorithm)
        for part in data:
            h.update(part)
    return f"{algorithm}:{base32(h.digest())}"


@dataclass(frozen=True)
class RecordRef:
    """Where a record landed: enough to cite it, index it and read it back."""

    filename: str  # final file name (without the .open suffix)
    offset: int
    length: int  # bytes in the file (compressed length when gzipped)
    record_id: str
    warc_type: str
    date: str
    target_uri: str | None = None
    payload_digest: str | None = None


def serialize_record(warc_headers: list[tuple[str, str]], block: bytes) -> bytes:
    """One WARC record, uncompressed: version line, fields, blank line, block, CRLF CRLF."""
    parts = [WARC_VERSION, b"\r\n"]
    for name, value in warc_headers:
        # WARC fields are UTF-8 (WARC 1.1 §4); newlines would break the record
        parts.append(f"{name}: {value}".replace("\r", " ").replace("\n", " ").encode("utf-8"))
        parts.append(b"\r\n")
    parts.append(f"Content-Length: {len(block)}\r\n\r\n".encode("ascii"))
    parts.append(block)
    parts.append(b"\r\n\r\n")
    return b"".join(parts)


def gzip_member(data: bytes, level: int | None = None) -> bytes:
    """One gzip member, so each record can be read on its own from its offset.

    By default ISA-L (``isal``) at its level 2: about 6x faster than zlib's
    default with output ~7% larger — compression was the crawl's largest
    single cost. An explicit ``level`` (0-9) uses zlib at that level.
    """
    if level is None and _isal_zlib is not None:
        compressor = _isal_zlib.compressobj(2, _isal_zlib.DEFLATED, 31)
    else:
        compressor = zlib.compressobj(6 if level is None else level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


class RecordSink(Protocol):
    """Told of every record a writer writes, in file order (e.g. to index it); must not raise."""

    def open_file(self, warc: Path, *, compressed: bool) -> None: ...

    def add(self, record: bytes, offset: int, length: int) -> None:
        """``record`` uncompressed; ``offset`` and ``length`` (gzip member or record) in the file."""

    def close_file(self, warc: Path) -> None: ...


class WarcFileWriter:
    """Appends records to rotating WARC files in one directory.

    One writer per process; not thread-safe (the crawl writes from the reactor thread).
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        prefix: str,
        *,
        warcinfo: dict[str, str] | None = None,
        max_size: int = DEFAULT_MAX_SIZE,
        gzip: bool = True,
        compress_level: int | None = None,
        digest_algorithm: str = "sha1",
        index: RecordSink | None = None,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.warcinfo = dict(warcinfo or {})
        self.max_size = max_size
        self.gzip = gzip
        self.compress_level = compress_level
        self.digest_algorithm = digest_algorithm
        self.index = index
        self.files_written: list[Path] = []  # completed files, final names
        self.bytes_written = 0
        self.records_written = 0
        self._fd: int | None = None
        self._path: Path | None = None  # final name; on disk with OPEN_SUFFIX
        self._size = 0
        self._serial = 0
        self._stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")

    # -- files -------------------------------------------------------------
    @property
    def current_file(self) -> Path | None:
        return self._path

    def _next_name(self) -> Path:
        ext = ".warc.gz" if self.gzip else ".warc"
        while True:
            name = f"{self.prefix}-{self._stamp}-{self._serial:05d}{ext}"
            self._serial += 1
            path = self.directory / name
            if not path.exists() and not path.with_name(name + OPEN_SUFFIX).exists():
                return path

    def _open(self) -> None:
        self._path = self._next_name()
        open_path = self._path.with_name(self._path.name + OPEN_SUFFIX)
        self._fd = os.open(open_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)  # tells archive.recover this file's writer is alive
        self._size = 0
        if self.index is not None:
            self.index.open_file(self._path, compressed=self.gzip)
        self._write_warcinfo()

    def _write_warcinfo(self) -> None:
        fields = {
            "software": "xxgk",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.warcinfo,
        }
        block = "".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode("utf-8")
        assert self._path is not None
        self._append(
            "warcinfo",
            block,
            content_type="application/warc-fields",
            extra=[("WARC-Filename", self._path.name)],
        )

    def close(self) -> None:
        """Finish the current file: rename it from ``.open`` to its final name."""
        if self._fd is None:
            return
        os.fsync(self._fd)
        os.close(self._fd)
        assert self._path is not None
        os.replace(self._path.with_name(self._path.name + OPEN_SUFFIX), self._path)
        self.files_written.append(self._path)
        if self.index is not None:
            self.index.close_file(self._path)
        self._fd = None
        self._path = None

    def __enter__(self) -> WarcFileWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _ensure_room(self) -> None:
        if self._fd is not None and self._size >= self.max_size:
            self.close()
        if self._fd is None:
            self._open()

    # -- records -----------------------------------------------------------
    def _append(
        self,
        warc_type: str,
        block: bytes,
        *,
        content_type: str | None = None,
        target_uri: str | None = None,
        record_id: str | None = None,
        date: str | None = None,
        payload_digest: str | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> RecordRef:
        record_id = record_id or new_record_id()
        date = date or warc_date()
        headers = [("WARC-Type", warc_type), ("WARC-Record-ID", record_id), ("WARC-Date", date)]
        if target_uri is not None:
            headers.append(("WARC-Target-URI", target_uri))
        headers.extend(extra or [])
        headers.append(("WARC-Block-Digest", digest(block, self.digest_algorithm)))
        if payload_digest is not None:
            headers.append(("WARC-Payload-Digest", payload_digest))
        if content_type is not None:
            headers.append(("Content-Type", content_type))
        record = serialize_record(headers, block)
        data = gzip_member(record, self.compress_level) if self.gzip else record
        assert self._fd is not None and self._path is not None
        offset = self._size
        os.write(self._fd, data)  # one write: a kill leaves whole records plus at most one partial
        if self.index is not None:
            self.index.add(record, offset, len(data))
        self._size += len(data)
        self.bytes_written += len(data)
        self.records_written += 1
        return RecordRef(
            filename=self._path.name,
            offset=offset,
            length=len(data),
            record_id=record_id,
            warc_type=warc_type,
            date=date,
            target_uri=target_uri,
            payload_digest=payload_digest,
        )

    def write_record(self, warc_type: str, block: bytes, *, rotate: bool = True, **kwargs) -> RecordRef:
        """Write any record (resource, metadata, revisit …) to the current file.

        ``rotate=False`` keeps it in the current file even past the size limit,
        beside the records it describes.
        """
        if rotate or self._fd is None:
            self._ensure_room()
        return self._append(warc_type, block, **kwargs)

    def write_exchange(
        self, exchange: Exchange, revisit_of: Original | None = None, profile: str = IDENTICAL_PAYLOAD
    ) -> tuple[RecordRef, RecordRef | None]:
        """Write an HTTP exchange: the response (or a revisit), then the request pointing to it.

        With ``revisit_of``, the response is stored as a revisit record: the
        HTTP head only, pointing at the original capture (WARC 1.1 §6.7).
        Both records go to the same file (rotation happens before the pair).
        Returns (response_ref, request_ref).
        """
        self._ensure_room()
        response_id = new_record_id()
        common: list[tuple[str, str]] = []
        if exchange.ip_address:
            common.append(("WARC-IP-Address", exchange.ip_address))
        response_extra = list(common)
        if exchange.truncated:
            response_extra.append(("WARC-Truncated", exchange.truncated))
        if exchange.protocol:
            response_extra.append(("WARC-Protocol", exchange.protocol))
        block = exchange.response_bytes
        warc_type = "response"
        if revisit_of is not None:
            warc_type = "revisit"
            if profile == IDENTICAL_PAYLOAD:
                block = exchange.response_bytes[: exchange.head_length]  # the payload is the original's
            response_extra += [
                ("WARC-Profile", profile),
                ("WARC-Refers-To-Target-URI", revisit_of.target_uri),
                ("WARC-Refers-To-Date", revisit_of.date),
            ]
            if revisit_of.record_id:
                response_extra.append(("WARC-Refers-To", revisit_of.record_id))
        response_ref = self._append(
            warc_type,
            block,
            content_type="application/http;msgtype=response",
            target_uri=exchange.url,
            record_id=response_id,
            date=exchange.date,
            payload_digest=exchange.payload_digest or digest(exchange.entity, self.digest_algorithm),
            extra=response_extra,
        )
        request_ref = None
        if exchange.request_bytes is not None:
            request_ref = self._append(
                "request",
                exchange.request_bytes,
                content_type="application/http;msgtype=request",
                target_uri=exchange.url,
                date=exchange.date,
                payload_digest=digest(exchange.request_body, self.digest_algorithm),
                extra=[*common, ("WARC-Concurrent-To", response_id)],
            )
        return response_ref, request_ref


@dataclass(frozen=True, slots=True)  # one per archived payload, kept for the whole crawl: no __dict__
class Original:
    """The earlier capture a revisit record refers to."""

    target_uri: str
    date: str
    record_id: str | None = None


@dataclass
class Exchange:
    """One HTTP exchange as it crossed the connection."""

    url: str
    request_bytes: bytes | None
    response_bytes: bytes  # status line, header lines and body exactly as received
    entity: bytes  # response body with transfer coding removed (content coding kept)
    date: str  # WARC-Date: when the request was sent
    request_body: bytes = b""
    ip_address: str | None = None
    protocol: str | None = None  # e.g. "http/1.1" or "tls/1.3" (WARC-Protocol, WARC 1.1 draft field)
    truncated: str | None = None  # WARC-Truncated reason: length | time | disconnect | unspecified
    head_length: int = 0  # bytes of the response head (status line, headers, blank line)
    payload_digest: str | None = None  # computed by the caller already (for deduplication)
