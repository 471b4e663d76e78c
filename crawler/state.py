"""The crawl state store: what a collection knows about every URL it has met.

One SQLite file per collection (``<out>/collections/<name>/state.sqlite``), in
WAL mode and committed after every change, so a process killed at any moment
(even SIGKILL) keeps everything recorded up to its last fetch, and several
worker processes on one machine can share it (distributed mode).

Per URL it keeps the last fetch (time, status, run, where its record is), the
validators and digest of the last *full* capture (ETag, Last-Modified, payload
digest, record id, version number) that conditional recrawls and the
documents dataset's version chain are built on, when the URL was first and
last seen, on which listing, and whether (and when, why) it was removed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from archive.writer import utc_second

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    role TEXT,                 -- listing, detail, attachment, page
    listing TEXT,              -- the listing page it was last found on
    first_seen TEXT,
    last_seen TEXT,
    seen_run TEXT,             -- last run that found it linked
    last_fetch TEXT,
    status INTEGER,            -- status of the last fetch
    fetch_run TEXT,            -- run of the last fetch
    fetch_ref TEXT,            -- JSON: WARC location of the last fetch's response record
    etag TEXT,                 -- validators, digest and record of the last full capture
    last_modified TEXT,
    payload_digest TEXT,
    record_id TEXT,
    capture_date TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    row_run TEXT,              -- run that last settled its dataset row (written or unchanged)
    removed_at TEXT,
    removed_reason TEXT,
    removed_run TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    finish_reason TEXT,
    resumed INTEGER NOT NULL DEFAULT 0
);
"""


def now_iso() -> str:
    """Now, UTC, to the second: ``YYYY-MM-DDTHH:MM:SSZ``."""
    return utc_second(time.time_ns() // 1_000_000_000) + "Z"


@dataclass
class UrlState:
    url: str
    role: str | None = None
    listing: str | None = None
    first_seen: str | None = None
    last_seen: str | None = None
    seen_run: str | None = None
    last_fetch: str | None = None
    status: int | None = None
    fetch_run: str | None = None
    fetch_ref: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    payload_digest: str | None = None
    record_id: str | None = None
    capture_date: str | None = None
    version: int = 0
    row_run: str | None = None
    removed_at: str | None = None
    removed_reason: str | None = None
    removed_run: str | None = None

    @property
    def ref(self) -> dict[str, Any] | None:
        return orjson.loads(self.fetch_ref) if self.fetch_ref else None


# The urls columns in UrlState's order: a row is UrlState(*row), without the dict of names
# sqlite3.Row and keyword arguments cost (a third of `get`).
_SELECT_URLS = f"SELECT {', '.join(field.name for field in fields(UrlState))} FROM urls"
_GET_URL = f"{_SELECT_URLS} WHERE url = ?"


class CrawlState:
    """A collection's state store. Thread-safe (one connection behind a lock)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # busy_timeout: other workers of a distributed crawl write to the same file
        self.db = sqlite3.connect(self.path, timeout=60, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self._setup()
        self.lock = threading.Lock()

    def _setup(self) -> None:
        """WAL mode and schema. Switching to WAL takes an exclusive lock and SQLite answers
        "database is locked" at once (no busy wait) when workers open a new file together: retry."""
        for attempt in range(60):
            try:
                if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a process crash loses nothing
                self.db.executescript(SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if ("locked" not in str(exc) and "busy" not in str(exc)) or attempt == 59:
                    raise
                time.sleep(0.05 + 0.01 * attempt)

    def close(self) -> None:
        self.db.close()

    # -- runs --------------------------------------------------------------------

    def unfinished_run(self) -> str | None:
        """The last run if it never finished (killed): the next one resumes it."""
        row = self.db.execute(
            "SELECT run_id, finished FROM runs ORDER BY started DESC, run_id DESC LIMIT 1"
        ).fetchone()
        return row["run_id"] if row is not None and row["finished"] is None else None

    def begin_run(self, run_id: str) -> bool:
        """Record a run's start; True if it resumes an unfinished run of that id."""
        with self.lock:
            row = self.db.execute("SELECT finished FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                self.db.execute("INSERT INTO runs (run_id, started) VALUES (?, ?)", (run_id, now_iso()))
                return False
            self.db.execute(
                "UPDATE runs SET resumed = resumed + 1, finished = NULL WHERE run_id = ?", (run_id,)
            )
            return True

    def finish_run(self, run_id: str, reason: str) -> None:
        """Only a crawl that ran out of work finishes its run; one stopped early (signal,
        page limit, error) stays open, and the next run of the collection resumes it."""
        with self.lock:
            self.db.execute(
                "UPDATE runs SET finished = ?, finish_reason = ? WHERE run_id = ?",
                (now_iso() if reason == "finished" else None, reason, run_id),
            )

    def abandon_run(self, run_id: str) -> None:
        """An interrupted run that will not be resumed (`xxgk crawl --fresh`): closed as it stands."""
        with self.lock:
            self.db.execute(
                "UPDATE runs SET finished = ?, finish_reason = 'abandoned' WHERE run_id = ? AND finished IS NULL",
                (now_iso(), run_id),
            )

    def run_info(self, run_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return dict(row) if row is not None else None

    def last_complete_start(self) -> str | None:
        """When the last complete run began (scheduling: is the site due again?)."""
        row = self.db.execute("SELECT MAX(started) AS s FROM runs WHERE finished IS NOT NULL").fetchone()
        return row["s"] if row is not None else None

    # -- URLs ----------------------------------------------------------------------

    def get(self, url: str) -> UrlState | None:
        row = self.db.execute(_GET_URL, (url,)).fetchone()
        return UrlState(*row) if row is not None else None

    def _upsert(self, url: str, **values: Any) -> None:
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{k} = excluded.{k}" for k in values)
        self.db.execute(
            f"INSERT INTO urls (url, {names}) VALUES (?, {marks}) ON CONFLICT(url) DO UPDATE SET {updates}",
            (url, *values.values()),
        )

    def saw_link(self, url: str, role: str, listing: str | None, run_id: str) -> None:
        """A listing (or other page) links to url in this run."""
        when = now_iso()
        with self.lock:
            self.db.execute(
                "INSERT INTO urls (url, role, listing, first_seen, last_seen, seen_run) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET role = excluded.role, last_seen = excluded.last_seen, "
                "seen_run = excluded.seen_run, listing = COALESCE(excluded.listing, listing)",
                (url, role, listing, when, when, run_id),
            )

    def fetched(self, url: str, role: str | None, status: int, ref: dict | None, run_id: str) -> None:
        """A response arrived (and was archived at ``ref``)."""
        when = now_iso()
        with self.lock:
            self.db.execute(
                "INSERT INTO urls (url, role, first_seen, last_seen, last_fetch, status, fetch_run, fetch_ref) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "role = COALESCE(excluded.role, role), last_seen = excluded.last_seen, "
                "last_fetch = excluded.last_fetch, status = excluded.status, fetch_run = excluded.fetch_run, "
                "fetch_ref = excluded.fetch_ref",
                (url, role, when, when, when, status, run_id, orjson.dumps(ref).decode() if ref else None),
            )

    def captured(
        self,
        url: str,
        *,
        version: int,
        run_id: str,
        etag: str | None,
        last_modified: str | None,
        payload_digest: str | None,
        record_id: str | None,
        capture_date: str | None,
    ) -> None:
        """A full capture became the URL's current version (its dataset row is written)."""
        with self.lock:
            self._upsert(
                url,
                version=version,
                row_run=run_id,
                etag=etag,
                last_modified=last_modified,
                payload_digest=payload_digest,
                record_id=record_id,
                capture_date=capture_date,
                removed_at=None,
                removed_reason=None,
                removed_run=None,
            )

    def settled(self, url: str, run_id: str) -> None:
        """The URL's row needs nothing this run (unchanged)."""
        with self.lock:
            self.db.execute("UPDATE urls SET row_run = ? WHERE url = ?", (run_id, url))

    def removed(self, url: str, reason: str, run_id: str) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE urls SET removed_at = ?, removed_reason = ?, removed_run = ? "
                "WHERE url = ? AND removed_at IS NULL",
                (now_iso(), reason, run_id, url),
            )

    def removals(self, run_id: str) -> list[UrlState]:
        rows = self.db.execute(f"{_SELECT_URLS} WHERE removed_run = ? ORDER BY url", (run_id,)).fetchall()
        return [UrlState(*r) for r in rows]

    def unsettled_fetches(self, run_id: str, current: bool = False) -> list[UrlState]:
        """Documents an earlier run (or, with ``current``, this run) fetched (200, archived)
        without settling their dataset row: its extraction was lost (a killed worker, a crash
        between capture and row)."""
        rows = self.db.execute(
            f"{_SELECT_URLS} WHERE role IN ('detail', 'attachment') AND status = 200 "
            "AND fetch_ref IS NOT NULL AND removed_at IS NULL AND "
            + ("fetch_run = ? " if current else "fetch_run != ? ")
            + "AND (row_run IS NULL OR row_run < fetch_run) ORDER BY url",
            (run_id,),
        ).fetchall()
        return [UrlState(*r) for r in rows]

    def unseen_documents(self, run_id: str) -> list[UrlState]:
        """Documents known from earlier runs that this run has neither found nor fetched."""
        rows = self.db.execute(
            f"{_SELECT_URLS} WHERE version > 0 AND removed_at IS NULL "
            "AND COALESCE(seen_run, '') != ? AND COALESCE(fetch_run, '') != ? ORDER BY url",
            (run_id, run_id),
        ).fetchall()
        return [UrlState(*r) for r in rows]

    def counts(self) -> dict[str, int]:
        row = self.db.execute(
            "SELECT COUNT(*) AS urls, SUM(version > 0) AS documents, SUM(removed_at IS NOT NULL) AS removed FROM urls"
        ).fetchone()
        return {k: int(row[k] or 0) for k in ("urls", "documents", "removed")}


def state_path(collection_dir: str | Path) -> Path:
    return Path(collection_dir) / "state.sqlite"
