"""`xxgk demo`: serve the built-in demo portal on loopback, crawl it, write everything.

The demo portal reproduces county portals (TRS WCM and query-string listings,
metadata tables, TRS meta tags, GBK pages, PDF/DOCX attachments, annual
reports); the crawl is the same `xxgk crawl` a real portal gets, with
politeness relaxed because the server is our own, on 127.0.0.1.
"""

from __future__ import annotations

import argparse

from crawler.cli.argtypes import POSITIVE
from crawler.cli.crawl import add_crawl_options, execute
from crawler.cli.errors import CliError

# Our own loopback server: no need to wait between requests.
LOOPBACK = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
}


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("demo", help=help_text, description=help_text)
    parser.add_argument(
        "--size", type=POSITIVE, default=60, help="detail pages in the demo portal (default 60)"
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (same seed, same portal)")
    add_crawl_options(parser)
    parser.set_defaults(func=run, name=None)


def run(args: argparse.Namespace) -> int:
    from crawler.demo import DemoPortal, build_site

    site = build_site(size=args.size, seed=args.seed)
    args.name = args.name or "demo"
    with DemoPortal(site) as portal:
        root = portal.url(site.root_path)
        print(f"demo portal serving {len(site.documents)} documents on {portal.base_url} (root {root})")
        result = execute([root], args, LOOPBACK)
        expected = {portal.url(d.path) for d in site.documents}
    found = _documents_found(result.paths.datasets / "documents.jsonl")
    reached = len(expected & found)
    print(f"\nground truth: {reached} of {len(expected)} demo documents are in the dataset")
    print(
        "next: `xxgk warc ls " + str(result.paths.archive) + "/*.warc.gz`, "
        f"`xxgk extract` on a page, or load {result.paths.datasets}/documents.parquet"
    )
    if not result.ok:
        raise CliError("the demo crawl failed: " + "; ".join(result.seed_errors.values()), 3)
    return 0 if reached == len(expected) else 1


def _documents_found(jsonl) -> set[str]:
    import orjson

    if not jsonl.exists():
        return set()
    return {orjson.loads(line)["url"] for line in jsonl.read_bytes().splitlines() if line.strip()}
