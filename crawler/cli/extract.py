"""`xxgk extract FILE [--url URL] [--json]`: one saved page's or attachment's metadata and text.

Runs exactly what the crawl runs (`pipelines.document.extract_document`) on a file's bytes, so
a surprising dataset row can be reproduced from the saved response body.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from crawler.cli.errors import read_input_file

# Extensions of saved pages: served as text/html, whatever else they look like.
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php")


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("extract", help=help_text, description=help_text)
    parser.add_argument(
        "file", help="a saved response body: HTML page, PDF, DOC/DOCX, WPS, XLS/XLSX, ET, OFD, ZIP, TXT"
    )
    parser.add_argument(
        "--url", help="the URL it was fetched from (resolves attachment links; default: file:// URL)"
    )
    parser.add_argument(
        "--content-type", help="Content-Type it was served with (default: guessed from the name)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object keyed by dataset field names"
    )
    parser.set_defaults(func=run)


def _format_value(value: object) -> str:
    if isinstance(value, list):
        return "\n    ".join(map(str, value)) if value and len(value) > 3 else ", ".join(map(str, value))
    return str(value)


def render(row: dict) -> str:
    """Human-readable: 标签 (field): value for each present field, then the text."""
    from pipelines.fields import DOCUMENT_FIELDS

    width = max(len(f.name) for f in DOCUMENT_FIELDS)
    lines = []
    for f in DOCUMENT_FIELDS:
        value = row.get(f.name)
        if f.name == "text" or value is None or value == []:
            continue
        lines.append(f"{f.name:<{width}}  {f.label_zh}: {_format_value(value)}")
    text = row.get("text")
    if text:
        lines += ["", text]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from pipelines.document import extract_document
    from pipelines.fields import DOCUMENT_FIELD_NAMES

    path = Path(args.file)
    body = read_input_file(path)
    url = args.url or path.resolve().as_uri()
    content_type = args.content_type
    if content_type is None and path.suffix.lower() in HTML_SUFFIXES:
        content_type = "text/html"
    headers = [("Content-Type", content_type)] if content_type else []
    row = extract_document(url, headers, body)

    if args.json:
        out = {name: row.get(name) for name in DOCUMENT_FIELD_NAMES}
        sys.stdout.buffer.write(orjson.dumps(out, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        sys.stdout.write(render(row))
    sys.stdout.flush()
    if row.get("extraction_error") and not row.get("text"):
        print(f"xxgk extract: error: {path}: {row['extraction_error']}", file=sys.stderr)
        return 1
    return 0
