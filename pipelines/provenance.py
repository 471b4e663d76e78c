"""Provenance columns: where in the archive a dataset row came from.

The live crawl (from the download handler's record pointer) and the WARC
re-parse (from the reader's record position) both fill rows through this, so
every row can be traced to its capture and replayed.
"""

from __future__ import annotations

from typing import Any

# Where and when a row's capture was made: two captures of the same bytes differ in these only.
CAPTURE_FIELDS: tuple[str, ...] = (
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_record_id",
    "fetched_at",
    "replay_url",
)


def provenance(
    *,
    warc_file: str | None,
    warc_offset: int | None,
    warc_length: int | None,
    warc_record_id: str | None,
    fetched_at: str | None,
    payload_digest: str | None,
) -> dict[str, Any]:
    return {
        "warc_file": warc_file,
        "warc_offset": warc_offset,
        "warc_length": warc_length,
        "warc_record_id": warc_record_id,
        "fetched_at": fetched_at,
        "payload_digest": payload_digest,
    }


def replay_path(collection: str | None, fetched_at: str | None, url: str | None) -> str | None:
    """The row's capture in pywb (`xxgk replay`, `xxgk serve`): /<collection>/<14-digit time>/<url>,
    relative to the replay server, so it stays right whatever host and port serve it."""
    if not (collection and fetched_at and url):
        return None
    stamp = "".join(c for c in fetched_at if c.isdigit())[:14]
    return f"/{collection}/{stamp}/{url}" if len(stamp) == 14 else None


def from_record_ref(ref: dict[str, Any] | None) -> dict[str, Any]:
    """Provenance from an archive.writer.RecordRef (as a dict, the way it travels in request.meta)."""
    ref = ref or {}
    return provenance(
        warc_file=ref.get("filename"),
        warc_offset=ref.get("offset"),
        warc_length=ref.get("length"),
        warc_record_id=ref.get("record_id"),
        fetched_at=ref.get("date"),
        payload_digest=ref.get("payload_digest"),
    )
