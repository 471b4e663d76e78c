"""Packaging a collection as WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/).

Layout: ``archive/*.warc.gz`` stored uncompressed in the ZIP (so replay tools
can range-read records), ``indexes/index.cdxj`` (sorted), ``pages/pages.jsonl``
(a header line, then one page per line with title and extracted text),
``datapackage.json`` listing every file with its sha256 and size, and
``datapackage-digest.json`` with the hash of datapackage.json.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import orjson

from archive.errors import ArchiveError

WACZ_VERSION = "1.1.1"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return "sha256:" + h.hexdigest(), size


def _sha256_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _page_ts(value: str) -> str:
    """Pages carry an ISO 8601 timestamp; WARC dates already are one."""
    return (
        value
        if "T" in value
        else datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC).isoformat()
    )


def pages_jsonl(pages: Iterable[dict]) -> bytes:
    """pages/pages.jsonl: the header line, then {id, url, ts, title?, text?} per page."""
    lines = [orjson.dumps(PAGES_HEADER)]
    seen: set[tuple[str, str]] = set()
    for number, page in enumerate(pages):
        key = (page["url"], page["ts"])
        if key in seen:
            continue
        seen.add(key)
        entry = {"id": str(page.get("id") or number), "url": page["url"], "ts": _page_ts(page["ts"])}
        for name in ("title", "text", "size"):
            if page.get(name):
                entry[name] = page[name]
        lines.append(orjson.dumps(entry))
    return b"\n".join(lines) + b"\n"


def write_wacz(
    collection_dir: str | os.PathLike,
    output: str | os.PathLike,
    pages: Iterable[dict],
    *,
    title: str | None = None,
    software: str = "xxgk",
) -> Path:
    """Write ``output`` (.wacz) from a pywb collection directory and its pages.

    Written to a temporary name and renamed, so an interrupted export never
    leaves a truncated package under the final name.
    """
    collection = Path(collection_dir)
    warcs = sorted(p for p in (collection / "archive").glob("*.warc*") if not p.name.endswith(".open"))
    index = collection / "indexes" / "index.cdxj"
    if not warcs:
        raise ArchiveError(f"{collection}: no WARC files in archive/")
    if not index.exists():
        raise ArchiveError(f"{collection}: no indexes/index.cdxj (run `xxgk index {collection}`)")
    output = Path(output)
    page_bytes = pages_jsonl(pages)
    page_count = page_bytes.count(b"\n") - 1
    if page_count < 1:
        raise ArchiveError(
            f"{collection}: no pages to list in pages/pages.jsonl (crawl produced no documents?)"
        )
    first_page = orjson.loads(page_bytes.split(b"\n")[1])

    resources = []
    tmp = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        for warc in warcs:
            arcname = f"archive/{warc.name}"
            zf.write(warc, arcname, compress_type=zipfile.ZIP_STORED)  # stored: range requests reach records
            digest, size = _sha256_file(warc)
            resources.append({"name": warc.name.lower(), "path": arcname, "hash": digest, "bytes": size})
        zf.write(index, "indexes/index.cdxj", compress_type=zipfile.ZIP_DEFLATED)
        digest, size = _sha256_file(index)
        resources.append({"name": "index.cdxj", "path": "indexes/index.cdxj", "hash": digest, "bytes": size})
        zf.writestr("pages/pages.jsonl", page_bytes, compress_type=zipfile.ZIP_DEFLATED)
        resources.append(
            {
                "name": "pages.jsonl",
                "path": "pages/pages.jsonl",
                "hash": _sha256_bytes(page_bytes),
                "bytes": len(page_bytes),
            }
        )
        datapackage = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title or collection.name,
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "software": software,
            "mainPageUrl": first_page["url"],
            "mainPageDate": first_page["ts"],
            "resources": resources,
        }
        package_bytes = orjson.dumps(datapackage, option=orjson.OPT_INDENT_2)
        zf.writestr("datapackage.json", package_bytes, compress_type=zipfile.ZIP_DEFLATED)
        digest_doc = {"path": "datapackage.json", "hash": _sha256_bytes(package_bytes)}
        zf.writestr(
            "datapackage-digest.json",
            orjson.dumps(digest_doc, option=orjson.OPT_INDENT_2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    os.replace(tmp, output)
    return output
