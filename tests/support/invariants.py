"""The invariants of a collection that lost nothing, as a list of problems (empty: whole).

Shared by tests/test_chaos.py (small portals, asserted) and bench/chaos.py (the 3,000-page demo
by hand, printed).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson

from archive.index import collection_files, index_warcs
from archive.index_sink import PENDING_DIR
from tests.support.runner import xxgk


def jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def collection_problems(out: Path, name: str, expected_urls: set[str], scratch: Path) -> list[str]:
    """Every ground-truth document exactly once in the dataset, every document and annual report
    as a re-parse of the archive finds them, every WARC passing `xxgk warc check`, the index equal
    to a rebuild, no .open or pending files, the manifests counting the rows."""
    problems = []
    rows = jsonl(out / "datasets" / name / "documents.jsonl")
    counts = Counter(r["url"] for r in rows)
    if set(counts) != expected_urls:
        missing, extra = expected_urls - set(counts), set(counts) - expected_urls
        problems.append(
            f"documents: {len(missing)} missing, {len(extra)} unexpected: {sorted(missing | extra)[:5]}"
        )
    twice = [u for u, n in counts.items() if n > 1]
    if twice:
        problems.append(f"documents: {len(twice)} written more than once: {twice[:5]}")
    collection = out / "collections" / name
    archive = collection / "archive"
    files = collection_files(archive)
    if not files or list(archive.glob("*.open")):
        problems.append(
            f"archive: {len(files)} WARC files, open ones {[p.name for p in archive.glob('*.open')]}"
        )
    check = xxgk("warc", "check", *map(str, files), timeout=900)
    if check.returncode != 0:
        problems.append("warc check: " + (check.stdout[-1000:] + check.stderr[-1000:]))
    lines = (collection / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    if lines != index_warcs(files, root=archive):
        problems.append(f"index.cdxj ({len(lines)} lines) differs from a rebuild")
    if (collection / "indexes" / PENDING_DIR).exists():
        problems.append("pending index sidecars left")
    reports = Counter(r["doc_id"] for r in jsonl(out / "datasets" / name / "annual_reports.jsonl"))
    if [d for d, n in reports.items() if n > 1]:
        problems.append("annual reports written more than once")
    parse = xxgk("parse", str(collection), "--out", str(scratch), timeout=1800)
    if parse.returncode != 0:
        problems.append("re-parse failed: " + parse.stderr[-1000:])
    else:
        reparsed = {r["doc_id"] for r in jsonl(next(scratch.glob("datasets/*/annual_reports.jsonl")))}
        if not reparsed or set(reports) != reparsed:
            problems.append(f"annual reports: {len(reports)} written, a re-parse finds {len(reparsed)}")
        # what a killed session or worker archived is known as a document from the WARCs alone
        documents = {r["url"] for r in jsonl(next(scratch.glob("datasets/*/documents.jsonl")))}
        if documents != set(counts):
            problems.append(f"documents: a re-parse finds {len(documents)}, the dataset has {len(counts)}")
    counted = manifest_documents(out, name)
    if counted is not None and counted != len(rows):
        problems.append(f"manifests count {counted} documents, the dataset has {len(rows)} rows")
    return problems


def manifest_documents(out: Path, name: str) -> int | None:
    """Rows counted by the runs' manifests (one per worker in distributed mode); None if no manifest."""
    paths = list((out / "runs" / name).glob("*/manifest*.json"))
    if not paths:
        return None
    total = 0
    for path in paths:
        docs = orjson.loads(path.read_bytes())["counts"]["documents"]
        total += docs["new"] + docs["changed"]
    return total
