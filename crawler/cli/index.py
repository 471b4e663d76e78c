"""`xxgk index COLLECTION_DIR`: rebuild a pywb collection's sorted CDXJ index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.cli.errors import CliError


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("index", help=help_text, description=help_text)
    parser.add_argument(
        "collection",
        metavar="COLLECTION_DIR",
        help="a pywb collection: archive/*.warc.gz, indexes/index.cdxj",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only report whether the index covers every WARC file (exit 1 if not); change nothing",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive.errors import WarcFormatError
    from archive.index import collection_files, update_collection_index

    collection = Path(args.collection)
    if not collection.is_dir():
        raise CliError(f"{collection}: no such directory")
    if args.check:
        from archive.coverage import index_coverage

        if not (collection / "archive").is_dir():
            raise CliError(f"{collection}: not a pywb collection (no archive/ directory)")
        coverage = index_coverage(collection)
        print("\n".join(coverage.lines()))
        return 0 if coverage.complete else 1
    skipped: list[WarcFormatError] = []
    index = update_collection_index(collection, None, on_error=lambda _path, exc: skipped.append(exc))
    with open(index, "rb") as fh:
        captures = sum(1 for _ in fh)
    files = len(collection_files(collection / "archive")) - len(skipped)
    print(f"{index}: {captures} captures from {files} files")
    for exc in skipped:
        print(f"xxgk index: left out {exc}", file=sys.stderr)
    return 1 if skipped else 0
