"""`xxgk wacz COLLECTION -o FILE.wacz`: package a collection as WACZ 1.1.1."""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson

from crawler.cli.collection_arg import datasets_dir, resolve_collection


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("wacz", help=help_text, description=help_text)
    parser.add_argument("collection", help="collection directory (…/collections/NAME) or the crawl's --out")
    parser.add_argument("-o", "--output", required=True, help="WACZ file to write")
    parser.add_argument("--title", help="package title (default: the collection name)")
    parser.set_defaults(func=run)


def collection_pages(collection: Path) -> list[dict]:
    """Every archived HTML page (200) of the index, and every attachment the documents dataset has,
    with title and text from the dataset: ReplayWeb.page's search finds documents by their PDF text."""
    documents: dict[str, dict] = {}
    jsonl = datasets_dir(collection) / "documents.jsonl"
    if jsonl.exists():
        for line in jsonl.read_bytes().splitlines():
            if line.strip():
                row = orjson.loads(line)
                documents[row["url"]] = row
    pages = []
    index = collection / "indexes" / "index.cdxj"
    if not index.exists():
        return pages
    for line in index.read_bytes().splitlines():
        _, ts, fields = line.split(b" ", 2)
        info = orjson.loads(fields)
        if str(info.get("status")) != "200":
            continue
        row = documents.get(info["url"], {})
        if info.get("mime") != "text/html" and row.get("kind") != "attachment":
            continue
        pages.append(
            {
                "id": row.get("doc_id"),
                "url": info["url"],
                "ts": row.get("fetched_at") or ts.decode(),
                "title": row.get("title"),
                "text": row.get("text"),
            }
        )
    pages.sort(key=lambda p: (p["ts"], p["url"]))
    return pages


def run(args: argparse.Namespace) -> int:
    from archive.wacz import write_wacz

    collection = resolve_collection(args.collection)
    pages = collection_pages(collection)
    out = write_wacz(collection, args.output, pages, title=args.title)
    print(f"wrote {out} ({out.stat().st_size:,} bytes, {len(pages)} pages)")
    return 0
