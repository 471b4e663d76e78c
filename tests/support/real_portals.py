"""Real portal pages (tests/fixtures/real_portals) served on loopback as small portals.

Each portal directory holds its pages as found, at their URL paths (``<portal>/<path>``; a query
string is stored as ``%3F`` + query in the file name), and ``portals.json`` says what the
material supports: the portal's origin, the seeds, the path prefix the crawl must stay under,
the exit status, and per page its role, its source and the metadata read by hand.

Pages keep their bytes and their encoding. When served, the page's own absolute URLs
(``http://www.x.gov.cn/…``, ``https://…``, ``//www.x.gov.cn/…``) point at the loopback server
instead, so links between the pages of the material resolve and no request leaves 127.0.0.1;
links to other hosts stay as they are (out of scope, never fetched). A page the material
references but does not hold answers 404.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import orjson

from tests.support.portals import StaticPortal

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "real_portals"
EXPECTED = ROOT / "portals.json"
QUERY_MARK = "%3F"  # how a stored file name carries its URL's "?"
TYPES = {".json": "application/json", ".xml": "text/xml", ".js": "application/javascript"}


def portals() -> dict[str, dict]:
    return json.loads(EXPECTED.read_text(encoding="utf-8"))["portals"]


def url_path(portal: str, file: Path) -> str:
    """The URL path (with query) a stored file was captured from."""
    rel = "/" + file.relative_to(ROOT / portal).as_posix()
    if QUERY_MARK in rel:
        path, query = rel.split(QUERY_MARK, 1)
        return path + "?" + unquote(query)
    return rel


def stored_pages(portal: str) -> dict[str, Path]:
    """URL path -> file, for every page stored for `portal`."""
    return {url_path(portal, f): f for f in sorted((ROOT / portal).rglob("*")) if f.is_file()}


def _rewrite(body: bytes, origin: str, base: str) -> bytes:
    host = urlsplit(origin).netloc.encode()
    base_b = base.encode()
    for prefix in (b"http://", b"https://"):
        body = body.replace(prefix + host, base_b)
    return body.replace(b"//" + host, base_b)


class RealPortal(StaticPortal):
    """The stored pages of one portal on 127.0.0.1, its origin mapped to the server."""

    def __init__(self, name: str):
        super().__init__({})
        self.name = name
        self.spec = portals()[name]
        for path, file in stored_pages(name).items():
            content_type = TYPES.get(file.suffix, "text/html")  # no charset: the page says its own
            self.routes[path] = (
                _rewrite(file.read_bytes(), self.spec["origin"], self.base_url),
                content_type,
            )


@dataclass
class RealCrawl:
    portal: str
    base_url: str
    proc: subprocess.CompletedProcess
    requests: list[tuple[str, str]]
    out: Path

    def paths(self) -> set[str]:
        return {path for _, path in self.requests}

    def rows(self) -> dict[str, dict]:
        """Document rows by URL path (with query)."""
        data = self.out / "datasets" / self.portal / "documents.jsonl"
        rows = [orjson.loads(line) for line in data.read_bytes().splitlines() if line.strip()]
        return {row["url"][len(self.base_url) :]: row for row in rows}


def crawl(name: str, out: Path, max_pages: int = 500) -> RealCrawl:
    """`xxgk crawl` of one real portal from its seeds, bounded by `max_pages`."""
    from tests.support.runner import FAST, xxgk

    with RealPortal(name) as portal:
        seeds = [portal.url(seed) for seed in portal.spec["seeds"]]
        proc = xxgk(
            "crawl",
            *seeds,
            "--out",
            str(out),
            "--name",
            name,
            "--max-pages",
            str(max_pages),
            *FAST,
            "-s",
            "XXGK_REQUISITES=False",
        )
        return RealCrawl(name, portal.base_url, proc, list(portal.requests), out)
