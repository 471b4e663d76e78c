"""The researcher's workbench database: a collection's datasets as SQLite, searchable in Chinese.

`xxgk serve` opens it in Datasette (facets, SQL, CSV/JSON export, its JSON API). Built from
``documents.jsonl`` and ``annual_reports.jsonl`` into ``datasets/<name>/<name>.db`` (the file
name is the name Datasette shows), again only when a dataset changed, and always into a new
file that replaces the old one whole: a server reading it never sees half a database.

Full text: SQLite FTS5 with the trigram tokenizer over title, 文号, 索引号, publisher and text
(pages and attachments alike) finds any substring of three characters or more, in Chinese without a word segmenter
(a segmenter misses words it splits differently: 征地 inside 征地补偿 or 土地征收); shorter
queries (低保, 征地) fall back to a substring scan (the ``search`` query), still exact.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from pipelines.annual import ANNUAL_REPORT_FIELDS
from pipelines.datasets import read_jsonl
from pipelines.fields import DOCUMENT_FIELDS, Field

__all__ = ["SEARCH_SQL", "build_database", "database_path"]

_SQL_TYPES = {"int64": "INTEGER", "float64": "REAL"}
# columns researchers narrow by (Datasette facets); year is derived from publish_date
DOCUMENT_FACETS = ("region_name", "publisher", "column", "year", "kind", "doc_no_issuer", "change")
REPORT_FACETS = ("organ", "report_year", "format", "organ_kind")
# Search: FTS5 trigram for three characters or more, a substring scan below (exact either way)
SEARCH_SQL = """
select doc_id, title, doc_no, publisher, publish_date, kind, "column", replay_url, url, version
from documents
where (
  length(:q) >= 3
  and rowid in (select rowid from documents_fts where documents_fts match '"' || replace(:q, '"', '""') || '"')
) or (
  length(:q) < 3 and length(:q) > 0 and (
    instr(title, :q) > 0 or instr(doc_no, :q) > 0 or instr(index_no, :q) > 0 or instr(publisher, :q) > 0
    or instr(text, :q) > 0
  )
)
order by publish_date desc
limit 500
""".strip()


def database_path(datasets_dir: str | os.PathLike) -> Path:
    directory = Path(datasets_dir)
    return directory / f"{directory.name}.db"


def _stamp(datasets_dir: Path) -> str:
    parts = []
    for name in ("documents.jsonl", "annual_reports.jsonl"):
        with contextlib.suppress(OSError):
            stat = (datasets_dir / name).stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def _current(db: Path, stamp: str) -> bool:
    if not db.exists():
        return False
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            row = conn.execute("select value from _xxgk where key = 'source'").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == stamp


def _value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    return value


def _create(conn: sqlite3.Connection, table: str, fields: list[Field], extra: dict[str, str]) -> None:
    columns = [f'"{f.name}" {_SQL_TYPES.get(f.type, "TEXT")}' for f in fields]
    columns += [f'"{name}" {kind}' for name, kind in extra.items()]
    conn.execute(f'create table "{table}" ({", ".join(columns)})')


def _insert(conn: sqlite3.Connection, table: str, names: list[str], rows: Iterable[dict]) -> int:
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'insert into "{table}" ({columns}) values ({", ".join("?" for _ in names)})'
    count = 0
    batch = []
    for row in rows:
        batch.append([_value(row.get(n)) for n in names])
        if len(batch) >= 1000:
            conn.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    conn.executemany(sql, batch)
    return count + len(batch)


def _documents(path: Path) -> Iterable[dict]:
    for row in read_jsonl(path) if path.exists() else ():
        date = row.get("publish_date") or ""
        row["year"] = int(date[:4]) if date[:4].isdigit() else None
        yield row


def build_database(datasets_dir: str | os.PathLike, *, force: bool = False) -> Path:
    """The workbench database of one collection's datasets, (re)built if they changed."""
    directory = Path(datasets_dir)
    db = database_path(directory)
    stamp = _stamp(directory)
    if not force and _current(db, stamp):
        return db
    tmp = db.with_name(f".{db.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(tmp)) as conn:
            conn.execute("pragma journal_mode = off")
            conn.execute("pragma synchronous = off")
            with conn:
                _create(conn, "documents", DOCUMENT_FIELDS, {"year": "INTEGER"})
                names = [f.name for f in DOCUMENT_FIELDS] + ["year"]
                _insert(conn, "documents", names, _documents(directory / "documents.jsonl"))
                _create(conn, "annual_reports", ANNUAL_REPORT_FIELDS, {})
                reports = directory / "annual_reports.jsonl"
                _insert(
                    conn,
                    "annual_reports",
                    [f.name for f in ANNUAL_REPORT_FIELDS],
                    read_jsonl(reports) if reports.exists() else (),
                )
                conn.execute(
                    "create virtual table documents_fts using fts5(title, doc_no, index_no, publisher, text, "
                    "content='documents', content_rowid='rowid', tokenize='trigram')"
                )
                conn.execute(
                    "insert into documents_fts (rowid, title, doc_no, index_no, publisher, text) "
                    "select rowid, title, doc_no, index_no, publisher, text from documents"
                )
                for column in ("doc_id", *DOCUMENT_FACETS, "publish_date"):
                    conn.execute(f'create index "documents_{column}" on documents ("{column}")')
                conn.execute("create index annual_reports_organ on annual_reports (organ, report_year)")
                conn.execute("create table _xxgk (key text primary key, value text)")
                conn.execute("insert into _xxgk values ('source', ?)", (stamp,))
        os.replace(tmp, db)
    finally:
        tmp.unlink(missing_ok=True)
    return db
