"""pipelines/datasets.py: Parquet derived from the JSONL in bounded row groups, Arrow on the C allocator."""

from __future__ import annotations

import subprocess
import sys

import pyarrow.parquet as pq

from pipelines.datasets import Dataset, read_jsonl
from pipelines.fields import DOCUMENT_FIELDS, empty_document
from tests.support.runner import REPO


def _row(n: int, text_size: int) -> dict:
    row = empty_document()
    row.update(doc_id=f"d{n}", url=f"http://127.0.0.1/xxgk/{n}.html", kind="page", text="政" * text_size)
    return row


def test_row_groups_are_cut_by_text_size_as_well_as_rows(tmp_path):
    dataset = Dataset(tmp_path, "documents", DOCUMENT_FIELDS, ["jsonl", "parquet"])
    for n in range(40):  # 40 rows of ~1 MB of text each: 8 MB groups hold ~8 rows, not 1,000
        dataset.write(_row(n, 1 << 20))
    for n in range(40, 3040):  # then 3,000 short rows: groups of 1,000
        dataset.write(_row(n, 10))
    outputs = dataset.close()
    parquet = pq.ParquetFile(outputs["parquet"])
    sizes = [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)]
    assert sum(sizes) == 3040 == len(list(read_jsonl(outputs["jsonl"])))
    assert max(sizes[:4]) <= 8 and max(sizes) == 1000
    table = parquet.read(columns=["doc_id", "text"])
    assert table.column("doc_id")[39].as_py() == "d39" and len(table.column("text")[0].as_py()) == 1 << 20


def test_arrow_uses_the_c_allocator_unless_told_otherwise():
    code = "import pipelines.datasets, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    default = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert default.stdout.strip() == "system"
    told = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={"ARROW_DEFAULT_MEMORY_POOL": "mimalloc", "PATH": "/usr/bin"},
    )
    assert told.stdout.strip() == "mimalloc"
