"""Payload-digest deduplication for one collection.

A response whose payload was already archived (same WARC-Payload-Digest) is
written as a revisit record pointing at the original, within a crawl and
across crawls of the same collection. For every original the index keeps only
where it is — WARC file and offset, 16 bytes in a compact array
(archive/hashindex.py) — not its URL, date and record id: those are read back
from the WARC when a duplicate actually turns up, and the digest there is
checked, so a 64-bit key collision can never make a wrong revisit. Earlier
crawls are known from the collection's CDXJ index, the current one from the
records as they are written (the writer writes them unbuffered).
"""

from __future__ import annotations

import logging
from pathlib import Path

import orjson

from archive.hashindex import HashIndex
from archive.reader import read_record_in
from archive.writer import Original

logger = logging.getLogger(__name__)

_OFFSET_BITS = 40  # offsets up to 1 TiB; file numbers up to 2**23 in the rest of a signed 64-bit value
_RESOLVED_MAX = 1024  # originals read back, kept for further duplicates of the same payload


def _label(digest: str) -> str:
    """``sha1:ABC…`` whatever form an index or a header gave (a bare base32 value is SHA-1)."""
    digest = digest.strip()
    algorithm, _, value = digest.rpartition(":")
    return f"{(algorithm or 'sha1').lower()}:{value.upper()}"


class DedupIndex:
    """payload digest → where the original capture is (WARC file in ``archive_dir``, offset)."""

    def __init__(self, archive_dir: Path):
        self.archive_dir = Path(archive_dir)
        self._where = HashIndex()  # hash of the digest label → file number << 40 | offset
        self._files: list[str] = []
        self._file_numbers: dict[str, int] = {}
        self._resolved: dict[str, Original] = {}

    def __len__(self) -> int:
        return len(self._where)

    @classmethod
    def from_collection(cls, collection_dir: Path) -> DedupIndex:
        """Digests of the 200 responses already in the collection's index."""
        index = cls(collection_dir / "archive")
        path = collection_dir / "indexes" / "index.cdxj"
        if not path.exists():
            return index
        with open(path, "rb") as fh:
            for line in fh:
                parts = line.split(b" ", 2)
                if len(parts) != 3:
                    continue
                try:
                    fields = orjson.loads(parts[2])
                except orjson.JSONDecodeError:
                    continue
                digest = fields.get("digest")
                if not digest or fields.get("mime") == "warc/revisit" or str(fields.get("status")) != "200":
                    continue
                try:
                    index.add(digest, fields.get("filename") or "", int(fields.get("offset", -1)))
                except (TypeError, ValueError):
                    continue
        return index

    def add(self, digest: str, filename: str, offset: int) -> None:
        """The original of this payload is the record at ``offset`` of ``filename`` (first one kept)."""
        if not filename or offset < 0 or offset >= 1 << _OFFSET_BITS:
            return
        number = self._file_numbers.get(filename)
        if number is None:
            number = self._file_numbers[filename] = len(self._files)
            self._files.append(filename)
        self._where.add(hash(_label(digest)), number << _OFFSET_BITS | offset)

    def lookup(self, digest: str) -> Original | None:
        """The original capture of this payload, or None (none known, or it cannot be read)."""
        label = _label(digest)
        original = self._resolved.get(label)
        if original is not None:
            return original
        where = self._where.get(hash(label))
        if where is None:
            return None
        original = self._read(label, self._files[where >> _OFFSET_BITS], where & ((1 << _OFFSET_BITS) - 1))
        if original is not None:
            if len(self._resolved) >= _RESOLVED_MAX:
                self._resolved.clear()
            self._resolved[label] = original
        return original

    def _read(self, label: str, filename: str, offset: int) -> Original | None:
        """The original's URL, exact WARC-Date and record id, read from its record's header."""
        try:  # the file may be the one this crawl is writing
            record = read_record_in(self.archive_dir, filename, offset, block_limit=0)
        except Exception as exc:  # a damaged or vanished WARC must not stop this crawl: store in full
            logger.warning("cannot read original capture %s@%d for dedup: %s", filename, offset, exc)
            return None
        found, date = record.header("WARC-Payload-Digest"), record.header("WARC-Date")
        if (found and _label(found) != label) or not record.target_uri or not date:
            return None  # a 64-bit key collision, or not the record the index named
        return Original(target_uri=record.target_uri, date=date, record_id=record.record_id)
