"""`xxgk parse COLLECTION_OR_WARCS… --out DIR`: re-run the pipeline over WARC files (no network)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from crawler.cli.argtypes import POSITIVE
from crawler.cli.errors import CliError


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("parse", help=help_text, description=help_text)
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="COLLECTION_OR_WARC",
        help="collection directories, crawl --out roots or WARC/ARC files",
    )
    parser.add_argument("--out", required=True, help="output root: datasets go to OUT/datasets/NAME/")
    parser.add_argument("--name", help="dataset name (default: the collection's name, else 'parsed')")
    parser.add_argument(
        "--jobs", type=POSITIVE, default=os.cpu_count() or 1, help="worker processes (default: cores)"
    )
    parser.add_argument("--csv", action="store_true", help="also write CSV")
    parser.add_argument(
        "--every-page",
        action="store_true",
        help="in WARCs from other tools, take every HTML page and file answered 200 as a document "
        "(for archives of sites that are not 信息公开 portals); by default the pages' own evidence "
        "decides, as in a live crawl",
    )
    parser.set_defaults(func=run)


def warc_inputs(inputs: list[str]) -> tuple[list[Path], str | None]:
    """WARC files named or held by the inputs, and a collection name if one was given."""
    files: list[Path] = []
    name = None
    for value in inputs:
        path = Path(value)
        if path.is_file():
            files.append(path)
            continue
        for archive in (path / "archive", *sorted((path / "collections").glob("*/archive"))):
            if archive.is_dir():
                files.extend(sorted(p for p in archive.iterdir() if ".warc" in p.name or ".arc" in p.name))
                name = name or archive.parent.name
        if not path.exists():
            raise CliError(f"no such file or directory: {value}")
    files = [f for f in files if not f.name.endswith(".open")]
    if not files:
        raise CliError("no WARC or ARC files found in " + ", ".join(inputs))
    return files, name


class Progress:
    """A count on stderr, refreshed at most every 0.2 s (only on a terminal)."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done, self.shown = total, label, 0, 0.0
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty and (now - self.shown > 0.2 or self.done == self.total):
            self.shown = now
            rate = self.done / max(now - self.started, 1e-6)
            sys.stderr.write(f"\r\x1b[2K{self.label} {self.done}/{self.total} ({rate:.0f}/s)")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from pipelines.annual import ANNUAL_REPORT_FIELDS, write_reports
    from pipelines.datasets import Dataset
    from pipelines.fields import DOCUMENT_FIELDS
    from pipelines.pickled import PickledLog
    from pipelines.provenance import replay_path
    from pipelines.reparse import plan, with_columns
    from pipelines.reparse import run as run_jobs

    files, collection_name = warc_inputs(args.inputs)
    name = args.name or collection_name or "parsed"
    started = time.monotonic()
    work = plan(files, every_page=args.every_page)
    if work.records == 0:
        reason = work.problems[0].message if work.problems else "no records"
        raise CliError(f"nothing readable in {len(files)} file(s): {reason}")
    warnings = work.warnings()
    for line in warnings[:20]:
        print(f"warning: {line}", file=sys.stderr)
    if len(warnings) > 20:
        print(f"warning: … and {len(warnings) - 20} more", file=sys.stderr)
    for line in work.notes[:3]:
        print(f"note: {line}", file=sys.stderr)
    if len(work.notes) > 3:
        print(
            f"note: … and {len(work.notes) - 3} more records read the same way (nothing lost)",
            file=sys.stderr,
        )

    progress = Progress(len(work.jobs), "parsing")
    rows = failed = 0
    target = Path(args.out) / "datasets" / name
    tmp = target.parent / f".{name}.parse-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            shutil.rmtree(tmp)
        formats = ["jsonl", "parquet"] + (["csv"] if args.csv else [])
        documents = Dataset(tmp, "documents", DOCUMENT_FIELDS, formats)
        reports = Dataset(tmp, "annual_reports", ANNUAL_REPORT_FIELDS, formats)
        (tmp / "reports").mkdir()
        # rows go to disk as they come; reports wait there too, for the cross-year pass
        with PickledLog(directory=tmp) as entries:
            for row, found in with_columns(work.jobs, run_jobs(work.jobs, args.jobs, progress)):
                # in pywb, the collection parsed is the one replayed (WARC files alone: none)
                row["replay_url"] = replay_path(collection_name, row.get("fetched_at"), row["url"])
                documents.write(row)
                rows += 1
                failed += bool(row.get("extraction_error"))
                if found is not None:
                    entries.append((row, found[1], found[0]))
            reports_count = len(entries)
            linked = write_reports(entries, reports, tmp / "reports")[
                "xxgk/annual_reports/linked_to_previous_year"
            ]
        documents.close()
        reports.close()
        # swap into place only now: an interrupted parse never damages an earlier dataset
        target.mkdir(parents=True, exist_ok=True)
        for item in tmp.iterdir():
            destination = target / item.name
            if item.is_dir() and destination.exists():
                shutil.rmtree(destination)
            os.replace(item, destination)
    except OSError as exc:
        raise CliError(f"cannot write datasets under {target}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    elapsed = time.monotonic() - started
    print(
        f"parsed {len(files)} WARC file(s), {work.records} records → {rows} documents "
        f"({reports_count} annual reports, {linked} checked against the year before) "
        f"in {elapsed:.1f} s with {args.jobs} job(s)"
    )
    if failed:
        print(f"  {failed} documents carry an extraction_error")
    if work.unresolved_revisits:
        print(
            f"  {len(work.unresolved_revisits)} revisits whose original is not in these files "
            "(give the earlier WARCs too)"
        )
    print(f"  datasets  {target}/")
    return 1 if work.problems else 0
