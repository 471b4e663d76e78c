"""Dataset files: JSON Lines while rows arrive, Parquet/CSV built at close.

Rows are appended to ``<name>.jsonl`` one line at a time and flushed, so a crawl
that dies keeps every row it produced. Parquet and CSV are derived from the
JSONL at close, written to a temporary file and renamed into place, so an
interrupted conversion never damages an existing export.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

# Arrow's default allocator (mimalloc) keeps what it frees: deriving Parquet at the end of a crawl
# cost ~60 MB more with it than with the C library's (measured on the 5,000-document benchmark).
# Read by Arrow when it loads, so set before the import; an explicit setting is respected.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.fields import Field

logger = logging.getLogger(__name__)

_ARROW_TYPES = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    "list<string>": pa.list_(pa.string()),
    "json": pa.string(),
}


def arrow_schema(fields: list[Field]) -> pa.Schema:
    return pa.schema([pa.field(f.name, _ARROW_TYPES[f.type]) for f in fields])


def _to_arrow_value(value, type_name: str):
    """JSON values to the Python objects pyarrow expects for the column type."""
    if value is None or value == "":
        return None
    if type_name == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if type_name == "timestamp":
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        # aware times (fetch times) are stored in UTC; naive ones (as printed on a page) as given
        return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    if type_name == "json" and not isinstance(value, str):
        return orjson.dumps(value).decode()
    if type_name == "list<string>" and isinstance(value, str):
        return [value]
    return value


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


def read_jsonl(path: Path) -> Iterator[dict]:
    """Rows of a JSONL file; a last line cut by a crash is skipped with a warning."""
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError:
                logger.warning("%s:%d: unreadable row skipped (cut by an interrupted run?)", path, number)


def write_parquet(
    rows: Iterable[dict], fields: list[Field], path: Path, batch_size: int = 1000, batch_bytes: int = 8 << 20
) -> int:
    """Rows to one zstd Parquet file, a row group every ``batch_size`` rows or ``batch_bytes`` of
    text, whichever comes first (rows carry whole texts: a PDF's can be megabytes)."""
    schema = arrow_schema(fields)
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        batch: list[dict] = []
        size = 0
        for row in rows:
            batch.append({f.name: _to_arrow_value(row.get(f.name), f.type) for f in fields})
            size += sum(len(value) for value in row.values() if isinstance(value, str))
            if len(batch) >= batch_size or size >= batch_bytes:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count += len(batch)
                batch, size = [], 0
        if batch:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            count += len(batch)
    os.replace(tmp, path)
    return count


def write_csv(rows: Iterable[dict], fields: list[Field], path: Path) -> int:
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens CJK correctly
        writer = csv.writer(fh)
        writer.writerow([f.name for f in fields])
        for row in rows:
            out = []
            for f in fields:
                value = row.get(f.name)
                if isinstance(value, list):
                    value = "; ".join(map(str, value))
                elif isinstance(value, dict):
                    value = orjson.dumps(value).decode()
                out.append("" if value is None else value)
            writer.writerow(out)
            count += 1
    os.replace(tmp, path)
    return count


def data_dictionary_markdown(title: str, fields: list[Field]) -> str:
    lines = [
        f"# {title}: data dictionary",
        "",
        "| field | 中文 | type | example | description |",
        "|---|---|---|---|---|",
    ]
    for f in fields:
        example = f.example.replace("|", "\\|")
        lines.append(f"| `{f.name}` | {f.label_zh} | {f.type} | {example} | {f.description} |")
    lines.append("")
    lines.append("Absent values are null, never an empty string or a guess. Dates are ISO 8601.")
    return "\n".join(lines) + "\n"


class Dataset:
    """One dataset table (e.g. documents) under ``<out>/datasets/<collection>/``."""

    def __init__(
        self,
        directory: str | os.PathLike,
        name: str,
        fields: list[Field],
        formats: Iterable[str] = ("jsonl", "parquet"),
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.fields = fields
        self.formats = set(formats) | {"jsonl"}
        self.jsonl_path = self.directory / f"{name}.jsonl"
        self._fh = open(self.jsonl_path, "ab")  # noqa: SIM115 - open for the dataset lifetime; appends keep earlier runs
        if self._fh.tell() and not _ends_with_newline(self.jsonl_path):
            self._fh.write(b"\n")  # a row cut by a killed run: the next row must not join it
        self.rows_written = 0

    def write(self, row: dict) -> None:
        self._fh.write(orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS) + b"\n")
        self._fh.flush()
        self.rows_written += 1

    def close(self) -> dict[str, Path]:
        """Flush the JSONL and derive the other formats from all of it."""
        if not self._fh.closed:
            self._fh.close()
        outputs = {"jsonl": self.jsonl_path}
        if "parquet" in self.formats:
            path = self.directory / f"{self.name}.parquet"
            write_parquet(read_jsonl(self.jsonl_path), self.fields, path)
            outputs["parquet"] = path
        if "csv" in self.formats:
            path = self.directory / f"{self.name}.csv"
            write_csv(read_jsonl(self.jsonl_path), self.fields, path)
            outputs["csv"] = path
        dictionary = self.directory / f"{self.name}.dictionary.md"
        dictionary.write_text(data_dictionary_markdown(self.name, self.fields), encoding="utf-8")
        outputs["dictionary"] = dictionary
        return outputs


def close_datasets(*datasets: Dataset | None) -> dict[str, str]:
    """Close each dataset (deriving its other formats); "<dataset>.<format>" → path, for the run's stats."""
    outputs: dict[str, str] = {}
    for dataset in datasets:
        if dataset is not None:
            outputs.update({f"{dataset.name}.{k}": str(v) for k, v in dataset.close().items()})
    return outputs
