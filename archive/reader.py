"""Reading the records of WARC and ARC files, ours and other tools', through damage.

``iter_records(path)`` yields a :class:`Record` for every record whose header
can be read, and a :class:`Problem` for every stretch of the file that is not a
record (garbage, an unreadable header, damaged gzip data), saying how many bytes
were skipped. Defects of a record that could still be read (wrong
Content-Length, cut off, odd target URI, several gzip members) are listed in
``Record.defects``. Reading never stops at damage: it resynchronises at the next
gzip member or the next ``WARC/1.x`` (or ARC header) line.

warcio parses the WARC/ARC header fields (its ``ArcWarcRecordLoader``); framing,
offsets and recovery are done here, because warcio's ``ArchiveIterator`` stops
at the first damaged record and cannot read whole-file gzip. HTTP heads are
parsed with :mod:`archive.http`, the parser the capture side uses.

Offsets and lengths: a record's ``offset`` is where to seek in the file to read
it (its gzip member's offset in a ``.gz``). ``length`` is the compressed size
of its gzip member(s), or, in a plain file, header plus block without the
CRLF CRLF separator — the values cdxj-indexer puts in the index. Where a gzip
member holds several records (whole-file gzip), ``inner_offset`` is how far into
the decompressed member the record starts, and ``length`` is uncompressed.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.timeutils import timestamp_to_iso_date

from archive import payload
from archive.errors import WarcFormatError
from archive.http import HttpHead, HttpParseError, parse_head
from archive.stream import GZIP_MAGIC, ByteSource
from archive.writer import OPEN_SUFFIX

__all__ = ["Problem", "Record", "iter_records", "read_record_at", "read_record_in", "read_records"]

HTTP_RECORD_TYPES = ("response", "request", "revisit")
_MAX_HEADER = 1 << 20  # a WARC header larger than this is garbage, not a header
_HEAD_SNIFF = 1 << 16  # how far into a block to look for CR CR LF line ends when the head is unreadable

# where a record may start: a WARC version line, or an ARC header line (URL IP DATE MIME LENGTH)
_WARC_START = rb"^WARC/\d+\.\d+\r*\n"
_ARC_START = rb"^[A-Za-z][A-Za-z0-9+.\-]*:[^\n]* \S+ \d{12,} \S+ -?\w+\r?\n"
_WARC_LINE = re.compile(_WARC_START, re.M)
_ARC_LINE = re.compile(_ARC_START, re.M)
_ANY_LINE = re.compile(_WARC_START + b"|" + _ARC_START, re.M)
_ARC_DATE = re.compile(r"^\d{14}$")
_HEADER_END = re.compile(rb"\n[ \t\r]*\n")  # warcio ends a header at the first whitespace-only line
_SHARED_MEMBER = (
    "several records share one gzip member (whole-file gzip?): they are read in sequence, but pywb "
    "cannot read them at an offset; offsets are given as MEMBER+N (N bytes into the decompressed "
    "member); `warcio recompress` rewrites the file with one member per record"
)


@dataclass
class Problem:
    """Part of a file that could not be read as a record, or damage to the file as a whole."""

    path: str
    offset: int  # file offset (of the gzip member, in a .gz)
    message: str
    skipped: int = 0  # bytes (decompressed) that were not read as any record
    inner_offset: int = 0

    @property
    def location(self) -> str:
        return f"{self.offset}+{self.inner_offset}" if self.inner_offset else str(self.offset)

    def __str__(self) -> str:
        return f"{self.path}: offset {self.location}: {self.message}"


@dataclass(eq=False)
class Record:
    """One WARC or ARC record, its block in memory and its HTTP head when it has one."""

    path: str
    offset: int
    length: int
    format: str  # "warc" | "arc"
    version: str  # "WARC/1.0", "WARC/1.1", … or "ARC"
    type: str  # WARC-Type; ARC records are "warcinfo" (filedesc) or "response"
    headers: StatusAndHeaders  # the WARC (or ARC) header fields as written
    target_uri: str | None
    date: str | None  # ISO 8601, as in WARC-Date
    record_id: str | None
    content_type: str | None
    content_length: int  # declared; -1 when missing or invalid
    block: bytes  # the block (only its first bytes when read with a block_limit)
    block_length: int  # bytes of block present in the file (< content_length when cut off)
    http: HttpHead | None = None
    inner_offset: int = 0
    trailer: bytes = b""  # blank-line bytes after the block (CRLF CRLF in a well-formed WARC)
    defects: list[str] = field(default_factory=list)
    # non-conformance read right, nothing lost (a writer's known quirk): reported, never damage
    warnings: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.headers.get_header(name)

    @property
    def truncated(self) -> bool:
        """Fewer block bytes in the file than Content-Length says."""
        return self.content_length < 0 or self.block_length < self.content_length

    @property
    def block_complete(self) -> bool:
        """The whole block is in ``block`` (not cut by the file or by a block_limit)."""
        return not self.truncated and len(self.block) == self.block_length

    @property
    def location(self) -> str:
        return f"{self.offset}+{self.inner_offset}" if self.inner_offset else str(self.offset)

    @property
    def status(self) -> int | None:
        return self.http.status if self.http is not None and self.http.status else None

    @property
    def body(self) -> bytes:
        """The HTTP message body as transferred (framing included), or the whole block."""
        return self.block[self.http.length :] if self.http is not None else self.block

    def entity(self) -> bytes:
        """The payload per WARC 1.1: the body with transfer coding removed, content coding kept."""
        return payload.entity(self.http, self.body)[0]


class _BadHeader(Exception):
    pass


class _Loader(ArcWarcRecordLoader):
    """warcio's WARC/ARC header parsing without its silent target-URI repair.

    warcio rewrites ``<uri>`` and spaces in WARC-Target-URI in place and only
    logs it; we keep the header as written and report the repair as a defect.
    (Overrides a private hook; warcio is pinned to 1.8.x.)
    """

    def __init__(self) -> None:
        super().__init__(verify_http=False, arc2warc=False)

    def _ensure_target_uri_format(self, rec_headers: StatusAndHeaders) -> str | None:
        return rec_headers.get_header("WARC-Target-URI")


class _HeaderLines:
    """Feeds warcio's header parser lines from the source, within a sane size."""

    def __init__(self, src: ByteSource):
        self.src = src
        self.budget = _MAX_HEADER

    def readline(self, limit: int | None = None) -> bytes:
        line = self.src.readline(min(limit or _MAX_HEADER, self.budget + 1))
        self.budget -= len(line)
        if self.budget < 0:
            raise _BadHeader(f"no end of header within {_MAX_HEADER} bytes")
        return line


def _preview(data: bytes, size: int = 40) -> str:
    return repr(data[:size]) + ("…" if len(data) > size else "")


class _Parser:
    def __init__(self, path: str, src: ByteSource, block_limit: int | None):
        self.path = path
        self.src = src
        self.block_limit = block_limit
        self.loader = _Loader()
        self.format: str | None = None  # fixed by the first record read
        self._shared_member: int | None = None  # where whole-file gzip was first seen, until reported
        self._shared_member_reported = False
        self._last_member = -1  # file offset of the gzip member the previous record started in

    # -- helpers -----------------------------------------------------------------
    def _where(self, pos: int) -> str:
        offset, inner = self.src.file_offset(pos)
        return f"{offset}+{inner}" if inner else str(offset)

    def _problem(self, pos: int, message: str, skipped: int = 0) -> Problem:
        offset, inner = self.src.file_offset(pos)
        return Problem(self.path, offset, message, skipped, inner)

    def _pattern(self) -> re.Pattern[bytes]:
        return {"warc": _WARC_LINE, "arc": _ARC_LINE}.get(self.format or "", _ANY_LINE)

    def _is_start(self, line: bytes) -> bool:
        if line.startswith(b"WARC/"):
            return self.format != "arc" and _WARC_LINE.match(line) is not None
        return self.format != "warc" and _ARC_LINE.match(line) is not None

    def _events(self, upto: int | None = None) -> Iterator[Problem]:
        """Gzip-layer damage found so far (up to logical offset ``upto``), in file order."""
        keep = []
        for event in self.src.events:
            if upto is None or event.pos <= upto:
                yield Problem(self.path, event.raw_offset, event.message, event.skipped)
            else:
                keep.append(event)
        self.src.events[:] = keep

    def _next_line(self) -> tuple[int, bytes]:
        """Skip blank lines between records; (start, first line) of what follows."""
        while True:
            start = self.src.pos
            line = self.src.readline()
            if not line or line.strip():
                return start, line

    def _skip(self, start: int, message: str) -> Problem:
        """Resynchronise after damage at ``start``: the next record start or the end."""
        offset, inner = self.src.file_offset(start)
        target = self.src.find(self._pattern(), start + 1)
        if target is None:
            skipped = self.src.end - start
            where = "to the end of the file"
        else:
            skipped = target - start
            where = f"up to the next record at {self._where(target)}"
            self.src.seek(target)
        return Problem(self.path, offset, f"{message}; skipped {skipped} bytes {where}", skipped, inner)

    # -- records ------------------------------------------------------------------
    def items(self) -> Iterator[Record | Problem]:
        src = self.src
        while True:
            src.release(src.pos)
            start, line = self._next_line()
            yield from self._events(upto=start if line else None)
            if not line:
                return
            if not self._is_start(line):
                yield self._skip(start, f"expected a record header, found {_preview(line)}")
                continue
            try:
                record = self._read(start, line)
            except _BadHeader as exc:
                yield self._skip(start, f"unreadable record header ({exc})")
                continue
            if self._shared_member is not None:
                yield self._problem(self._shared_member, _SHARED_MEMBER)
                self._shared_member = None
            yield record

    def record_here(self) -> Record:
        """The record at the start of the source, or WarcFormatError."""
        start, line = self._next_line()
        if not line:
            raise WarcFormatError(f"{self.path}: offset {self._where(start)}: no record here (end of file)")
        if not self._is_start(line):
            raise WarcFormatError(
                f"{self.path}: offset {self._where(start)}: no WARC/ARC record starts here "
                f"(found {_preview(line)}); use an offset listed by `xxgk warc ls`"
            )
        try:
            record = self._read(start, line)
        except _BadHeader as exc:
            raise WarcFormatError(
                f"{self.path}: offset {self._where(start)}: unreadable record header ({exc})"
            ) from None
        return record

    def _parse_header(self, line: bytes):
        src = self.src
        if line.startswith(b"WARC/"):
            # find the blank line ending the header first, so warcio parses it from memory
            end = src.scan(_HEADER_END, src.pos - 1, _MAX_HEADER)
            if end is None:
                if src.eof and src.end - src.pos < _MAX_HEADER:
                    raise _BadHeader("header cut off at the end of the file")
                raise _BadHeader(f"no end of header within {_MAX_HEADER} bytes")
            stream = io.BytesIO(src.read(end - src.pos))
        else:
            stream = _HeaderLines(src)  # ARC: warcio reads one line, or three for filedesc
        try:
            return self.loader.parse_record_stream(stream, line, self.format, no_record_parse=True)
        except (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, ValueError, IndexError) as exc:
            raise _BadHeader(" ".join(str(exc).split())[:200] or type(exc).__name__) from None

    @staticmethod
    def _line_end_defect(line: bytes, defects: list[str]) -> None:
        if line.startswith(b"WARC/") and (not line.endswith(b"\r\n") or line.endswith(b"\r\r\n")):
            defects.append(f"WARC header lines end in {line[len(line.rstrip()) :]!r}, not CRLF")

    def _read(self, start: int, line: bytes) -> Record:
        """The record whose first line (at ``start``) was just read; _BadHeader if unreadable."""
        rec = self._parse_header(line)
        defects: list[str] = []
        warnings: list[str] = []
        self._line_end_defect(line, defects)
        if rec.format == "arc":
            fields = self._arc_fields(rec.rec_headers, defects)
        else:
            fields = self._warc_fields(rec.rec_headers, defects, warnings)
        length = fields.pop("content_length")
        block_start = self.src.pos
        block, present, damaged = self._read_block(start, length, defects)
        block_end = block_start + present
        trailer, after = self._read_trailer(block_start, block_end, length, damaged, defects)
        offset, inner = self.src.file_offset(start)
        self.format = rec.format
        record = Record(
            path=self.path,
            offset=offset,
            length=self._length(start, block_end, after, defects),
            format=rec.format,
            headers=rec.rec_headers,
            content_length=length,
            block=block,
            block_length=present,
            inner_offset=inner,
            trailer=trailer,
            defects=defects,
            warnings=warnings,
            **fields,
        )
        record.http = self._http_head(record, defects)
        if payload.stored_dechunked(record.http, record.body):
            warnings.append(
                "Transfer-Encoding: chunked, but the body is stored without chunk framing "
                "(as pywb's recorder writes it); read as stored"
            )
        return record

    def _read_block(self, start: int, length: int, defects: list[str]) -> tuple[bytes, int, bool]:
        """(block bytes kept, block bytes present in the file, damaged by lost gzip data)."""
        src = self.src
        block_start = src.pos
        block = b""
        present = 0
        if length > 0:
            want = length if self.block_limit is None else min(length, self.block_limit)
            block = src.read(want)
            present = len(block)
            if present == want < length:
                present += src.skip(length - want)
        block_end = block_start + present
        lost = [b for b in src.breaks_within(start, block_end) if b < block_end]
        if lost:
            # the bytes after the break belong to the next readable gzip member: stop there
            cut = max(lost[0], block_start)
            present = cut - block_start
            src.seek(cut)
            defects.append(f"gzip data lost at {self._where(lost[0])}: block has {present} of {length} bytes")
            return block[:present], present, True
        if length >= 0 and present < length:
            defects.append(f"cut off: block has {present} of {length} bytes (Content-Length)")
        return block, present, False

    def _read_trailer(
        self, block_start: int, block_end: int, length: int, damaged: bool, defects: list[str]
    ) -> tuple[bytes, int]:
        """(blank bytes after the block, where the next record starts or the file ends)."""
        src = self.src
        trailer_start = src.pos
        while True:
            nxt = src.peek_line()
            if not nxt or nxt.strip():
                break
            src.readline()
        after = src.pos
        src.seek(trailer_start)
        trailer = src.read(after - trailer_start)
        if nxt and not self._is_start(nxt) and not damaged:
            after = self._after_bad_length(block_start, block_end, length, nxt, defects)
        src.seek(after)
        return trailer, after

    def _after_bad_length(
        self, block_start: int, block_end: int, length: int, nxt: bytes, defects: list[str]
    ) -> int:
        """Something other than a record follows the block: find where the next record is."""
        src = self.src
        junk_at = src.pos
        target = src.find(self._pattern(), block_start + 1)
        declared = f"Content-Length {length}"
        if length < 0:
            end = src.end if target is None else target
            where = "the end of the file" if target is None else f"the next record at {self._where(target)}"
            defects.append(f"{end - junk_at} bytes after the header skipped up to {where}")
            return end
        if target is None:
            defects.append(
                f"{declared} does not match the data: {src.end - junk_at} unexpected bytes "
                f"({_preview(nxt, 20)}) follow the block, and no further record"
            )
            return src.end
        if target < block_end:
            defects.append(
                f"{declared} runs {block_end - target} bytes into the next record at {self._where(target)}"
                " (Content-Length too large?)"
            )
        else:
            defects.append(
                f"{declared} does not match the data: {target - junk_at} unexpected bytes "
                f"({_preview(nxt, 20)}) follow the block, before the next record at {self._where(target)}"
            )
        return target

    def _length(self, start: int, block_end: int, after: int, defects: list[str]) -> int:
        """The record's length in the file; gzip layout defects on the way."""
        src = self.src
        first = src.member_at(start)
        if first is None:
            return block_end - start
        last = src.member_at(max(start, after - 1))
        assert last is not None
        shared = first.raw_start == self._last_member
        self._last_member = first.raw_start
        if shared:  # another record started in this member: whole-file gzip, reported once
            if not self._shared_member_reported:
                self._shared_member_reported = True
                self._shared_member = first.start
            return block_end - start
        members = src.members.index(last) - src.members.index(first) + 1
        if members > 1:
            end = last.raw_end if last.raw_end >= 0 else "?"
            defects.append(
                f"record spans {members} gzip members (file bytes {first.raw_start}-{end}) instead of one "
                "member per record: pywb cannot read it at its offset"
            )
        if start != first.start:
            defects.append(
                f"record starts {start - first.start} bytes into the gzip member at {first.raw_start}, "
                "not at a member start: pywb cannot read it at an offset"
            )
        if start == first.start and last.end == after and last.raw_end >= 0:
            return last.raw_end - first.raw_start
        return block_end - start

    def _warc_fields(self, headers: StatusAndHeaders, defects: list[str], warnings: list[str]) -> dict:
        first: dict[str, str] = {}
        for name, value in headers.headers:
            first.setdefault(name.lower(), value)
        raw_length = first.get("content-length")
        try:
            length = int(raw_length.strip()) if raw_length is not None else -1
        except ValueError:
            length = -1
        if length < 0:
            defects.append(f"invalid or missing Content-Length {raw_length!r}: block cannot be framed")
        uri = first.get("warc-target-uri")
        if uri is not None and uri.startswith("<") and uri.endswith(">"):
            uri = uri[1:-1]
            # WARC 1.0's grammar showed it so and wget still writes it; WARC 1.1 says no brackets
            warnings.append(f"WARC-Target-URI in <> (WARC 1.0 grammar, as wget writes it); read as {uri}")
        uri = self._uri_spaces(uri, "WARC-Target-URI", defects)
        return {
            "version": headers.protocol,
            "type": first.get("warc-type") or "",
            "target_uri": uri,
            "date": first.get("warc-date"),
            "record_id": first.get("warc-record-id"),
            "content_type": first.get("content-type"),
            "content_length": length,
        }

    def _arc_fields(self, headers: StatusAndHeaders, defects: list[str]) -> dict:
        raw_length = headers.get_header("length") or ""
        try:
            # for the filedesc record, warcio has already read the version lines
            length = int(raw_length) - headers.total_len
        except ValueError:
            length = -1
        if length == -1 and headers.total_len and raw_length.isdigit():
            length = 0  # the filedesc length usually leaves out the version block's last LF
        if length < 0:
            defects.append(f"invalid ARC length {raw_length!r}: read as an empty block")
        uri = headers.get_header("uri")
        stamp = headers.get_header("archive-date") or ""
        date = timestamp_to_iso_date(stamp) if _ARC_DATE.match(stamp) else None
        if date is None:
            defects.append(f"invalid ARC date {stamp!r} (expected 14 digits)")
        rec_type = "warcinfo" if uri and uri.startswith("filedesc://") else "response"
        return {
            "version": "ARC",
            "type": rec_type,
            "target_uri": self._uri_spaces(uri, "URL", defects),
            "date": date,
            "record_id": None,
            "content_type": headers.get_header("content-type"),
            # an invalid ARC length is read as 0, as warcio and pywb do: the next line is a header again
            "content_length": max(length, 0),
        }

    @staticmethod
    def _uri_spaces(uri: str | None, name: str, defects: list[str]) -> str | None:
        if uri is not None and " " in uri:
            fixed = uri.replace(" ", "%20")
            defects.append(f"{name} contains spaces: {uri!r}; read as {fixed}")
            return fixed
        return uri

    @staticmethod
    def _http_head(record: Record, defects: list[str]) -> HttpHead | None:
        if not _is_http(record) or not record.block:
            return None
        request = record.type == "request"
        try:
            head = parse_head(record.block, request=request)
            if head is None and record.block.endswith(b"\n") and record.block_complete:
                # header fields with no empty line after them: pywb's recorder writes request
                # records like this; read the block as a head without a body
                head = parse_head(record.block + b"\r\n", request=request)
                if head is not None:
                    head.length = min(head.length, len(record.block))
                    if not request:
                        defects.append("HTTP head is not terminated by an empty line")
        except HttpParseError as exc:
            defects.append(f"block is not an HTTP message: {exc}")
            return None
        if b"\r\r\n" in record.block[: head.length if head else _HEAD_SNIFF]:
            defects.append("HTTP head lines end in CR CR LF")
        if head is None:
            where = "in the block" if record.block_complete else "in the bytes read"
            defects.append(f"HTTP head is not terminated by an empty line {where}")
        return head


def _is_http(record: Record) -> bool:
    uri = (record.target_uri or "").lower()
    if record.format == "arc":
        return record.type == "response" and uri.startswith(("http:", "https:"))
    if record.type not in HTTP_RECORD_TYPES:
        return False
    ctype = (record.content_type or "").lower()
    if ctype:
        return ctype.split(";")[0].strip() == "application/http"
    return uri.startswith(("http:", "https:"))  # warcio's rule, for writers that omit Content-Type


def _sniff(path: str, src: ByteSource) -> None:
    """Refuse files that are not WARC or ARC at all, with a message saying so.

    A file whose first record is damaged but which has a record start within
    its first MiB is read (and the damage reported).
    """
    head = src.peek(1 << 20).lstrip()
    if not head or _ANY_LINE.search(head):
        return
    kind = "decompressed data" if src.gzipped else "data"
    hint = "; zstd-compressed WARCs are not supported" if head.startswith(b"\x28\xb5\x2f\xfd") else ""
    raise WarcFormatError(f"{path}: not a WARC or ARC file ({kind} starts with {_preview(head)}){hint}")


def iter_records(path: str | os.PathLike, *, block_limit: int | None = None) -> Iterator[Record | Problem]:
    """Records and problems of a WARC/ARC file, in file order.

    ``block_limit`` keeps only the first bytes of each block (enough for HTTP
    heads), for fast listings; digests then cannot be checked.
    Raises OSError if the file cannot be opened and WarcFormatError if it is not
    a WARC or ARC file at all; everything else is reported as a Problem or defect.
    """
    name = os.fspath(path)
    with open(name, "rb") as fh:
        src = ByteSource(fh)
        _sniff(name, src)
        if src.end == 0 and src.eof and not src.events:
            yield Problem(name, 0, "empty file: no records")
            return
        yield from _Parser(name, src, block_limit).items()


def read_records(path: str | os.PathLike, **kwargs) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    for item in iter_records(path, **kwargs):
        (records if isinstance(item, Record) else problems).append(item)
    return records, problems


def read_record_at(
    path: str | os.PathLike, offset: int, inner_offset: int = 0, *, block_limit: int | None = None
) -> Record:
    """The record at a file offset (and ``inner_offset`` bytes into its gzip member)."""
    name = os.fspath(path)
    with open(name, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if not 0 <= offset < size:
            raise WarcFormatError(f"{name}: offset {offset} is outside the file ({size} bytes)")
        gzipped = fh.read(2) == GZIP_MAGIC
        if gzipped:
            fh.seek(offset)
            if fh.read(3) != b"\x1f\x8b\x08":
                raise WarcFormatError(
                    f"{name}: no gzip member starts at offset {offset}; use an offset listed by `xxgk warc ls`"
                )
        src = ByteSource(fh, offset, gzipped=gzipped)
        if inner_offset:
            src.skip(inner_offset)
            src.release(src.pos)
        return _Parser(name, src, block_limit).record_here()


def read_record_in(
    directory: str | os.PathLike, filename: str, offset: int, *, block_limit: int | None = None
) -> Record:
    """The record at ``offset`` of WARC ``filename`` in ``directory``, finished or still being
    written (``<filename>.open``): both names are tried, the final one again in case a writer
    renamed the file between the two tries. FileNotFoundError when it is under neither."""
    final = os.path.join(directory, filename)
    for path in (final, final + OPEN_SUFFIX, final):
        try:
            return read_record_at(path, offset, block_limit=block_limit)
        except FileNotFoundError:
            continue
    raise FileNotFoundError(f"{filename} is not in {directory}")
