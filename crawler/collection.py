"""Where a crawl's outputs go: the pywb collection and datasets under --out.

Layout (shared/docs/architecture.md):
  <out>/collections/<name>/archive/*.warc.gz, <out>/collections/<name>/indexes/index.cdxj
  <out>/datasets/<name>/…, <out>/runs/<name>/<run-id>/…
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import scrapy

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class CollectionPaths:
    out: Path
    name: str
    collection: Path
    archive: Path
    indexes: Path
    datasets: Path
    prefix: str  # WARC file name prefix


def check_collection_name(name: str) -> str:
    """Collection names become directory and file names: keep them plain."""
    if not _NAME_OK.match(name):
        raise ValueError(
            f"collection name {name!r} must be 1-100 characters of letters, digits, '.', '_' or '-'"
        )
    return name


def name_from_url(url: str) -> str:
    """A collection name from a seed URL's host: www.hl.gov.cn → hl.gov.cn."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "portal").lower()
    host = host.removeprefix("www.")
    return re.sub(r"[^a-z0-9._-]", "-", host)[:100] or "portal"


def layout(out: str | Path, name: str, prefix: str | None = None) -> CollectionPaths:
    out = Path(out)
    collection = out / "collections" / check_collection_name(name)
    return CollectionPaths(
        out=out,
        name=name,
        collection=collection,
        archive=collection / "archive",
        indexes=collection / "indexes",
        datasets=out / "datasets" / name,
        prefix=prefix or name,
    )


def collection_paths(crawler: Crawler) -> CollectionPaths:
    """The collection of a running crawl: from settings, else from the spider's seeds."""
    settings = crawler.settings
    return layout(settings.get("XXGK_OUT"), collection_name(crawler), settings.get("XXGK_WARC_PREFIX"))


def collection_name(crawler: Crawler) -> str:
    spider = getattr(crawler, "spider", None)
    return crawler.settings.get("XXGK_COLLECTION") or getattr(spider, "collection_name", None) or "portal"


def warcinfo_fields(crawler: Crawler) -> dict[str, str]:
    """What a future reader of the WARC needs to know about how it was made."""
    settings = crawler.settings
    spider = getattr(crawler, "spider", None)
    seeds = getattr(spider, "seed_urls", None) or []
    fields = {
        "software": f"xxgk/{_version()} (Scrapy {scrapy.__version__}; HTTP/1.1 captured at the socket)",
        "http-header-user-agent": settings.get("USER_AGENT"),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "isPartOf": collection_name(crawler),
        "description": (
            "Request and response blocks are the bytes written to and read from the connection: "
            "status line, header order/case/duplicates, chunk framing and content coding as sent. "
            "WARC-Payload-Digest is over the entity with transfer coding removed."
        ),
    }
    if seeds:
        fields["seeds"] = " ".join(seeds)
    # which run (and worker) wrote the file: a resumed run's manifest counts every session's files
    for field_name, setting in (("xxgk-run-id", "XXGK_RUN_ID"), ("xxgk-worker-id", "XXGK_WORKER_ID")):
        if settings.get(setting):
            fields[field_name] = str(settings.get(setting))
    operator = settings.get("XXGK_OPERATOR")
    if operator:
        fields["operator"] = operator
    return {k: v for k, v in fields.items() if v}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xxgk")
    except PackageNotFoundError:  # running from a checkout without install
        return "0+unknown"
