"""Payload-digest deduplication for one collection.

A response whose payload was already archived (same WARC-Payload-Digest) is
written as a revisit record pointing at the original, within a crawl and
across crawls of the same collection. Earlier crawls are known from the
collection's CDXJ index; the original's exact WARC-Date and WARC-Record-ID are
read from its WARC only when a duplicate actually turns up.
"""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
from warcio.archiveiterator import ArchiveIterator

from archive.writer import Original

logger = logging.getLogger(__name__)


def cdxj_timestamp_to_warc_date(ts: str) -> str:
    ts = (ts + "00000000000000")[:14]
    return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"


class DedupIndex:
    """payload digest → the original capture (URL, date, record id)."""

    def __init__(self, archive_dir: Path | None = None):
        self.archive_dir = archive_dir
        self._originals: dict[str, Original] = {}
        self._earlier: dict[str, tuple[str, str, str, int]] = {}  # digest → (url, ts, file, offset)

    def __len__(self) -> int:
        return len(self._originals) + len(self._earlier)

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
                if ":" not in digest:
                    digest = "sha1:" + digest
                index._earlier.setdefault(
                    digest,
                    (fields["url"], parts[1].decode(), fields.get("filename", ""), int(fields.get("offset", -1))),
                )
        return index

    def lookup(self, digest: str) -> Original | None:
        original = self._originals.get(digest)
        if original is not None:
            return original
        earlier = self._earlier.pop(digest, None)
        if earlier is None:
            return None
        original = self._resolve(*earlier)
        self._originals[digest] = original
        return original

    def add(self, digest: str, original: Original) -> None:
        self._originals.setdefault(digest, original)

    def _resolve(self, url: str, ts: str, filename: str, offset: int) -> Original:
        """The original's exact WARC-Date and record id, read from its WARC (the index has seconds only)."""
        path = (self.archive_dir / filename) if self.archive_dir and filename else None
        if path is not None and path.exists() and offset >= 0:
            try:
                with open(path, "rb") as fh:
                    fh.seek(offset)
                    for record in ArchiveIterator(fh):
                        headers = record.rec_headers
                        return Original(
                            target_uri=headers.get_header("WARC-Target-URI") or url,
                            date=headers.get_header("WARC-Date") or cdxj_timestamp_to_warc_date(ts),
                            record_id=headers.get_header("WARC-Record-ID"),
                        )
            except Exception as exc:  # a damaged earlier WARC must not stop this crawl
                logger.warning("cannot read original capture %s@%d for dedup: %s", path, offset, exc)
        return Original(target_uri=url, date=cdxj_timestamp_to_warc_date(ts))
