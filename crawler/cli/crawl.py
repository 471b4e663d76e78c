"""`xxgk crawl URL… --out DIR`: crawl portals from their 信息公开 roots."""

from __future__ import annotations

import argparse
import sys

from crawler.cli.argtypes import COUNT, POSITIVE
from crawler.cli.errors import CliError


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `crawl` and `demo`."""
    parser.add_argument("--out", default="xxgk-data", help="output root (default: ./xxgk-data)")
    parser.add_argument("--name", help="collection name (default: from the first seed's host)")
    parser.add_argument("--max-pages", type=COUNT, default=0, help="stop after N responses (0: no limit)")
    parser.add_argument(
        "--processes",
        type=POSITIVE,
        default=1,
        metavar="N",
        help="crawl in N processes sharing the portal's URLs (one per core; politeness per host is kept)",
    )
    parser.add_argument("--ignore-robots", action="store_true", help="do not obey robots.txt")
    parser.add_argument("--csv", action="store_true", help="also write datasets as CSV")
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy/xxgk setting, as with `scrapy crawl -s` (repeatable)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no live progress line")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start a new run even if the collection's last crawl was interrupted (default: resume it)",
    )


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("crawl", help=help_text, description=help_text)
    parser.add_argument("urls", nargs="+", metavar="URL", help="信息公开 root URL(s) to start from")
    add_crawl_options(parser)
    parser.set_defaults(func=run)


def crawl_overrides(args: argparse.Namespace) -> dict:
    from crawler.run import parse_overrides

    overrides: dict = {}
    if args.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.processes != 1:
        overrides["XXGK_PROCESSES"] = args.processes
    if args.ignore_robots:
        overrides["ROBOTSTXT_OBEY"] = False
    if args.csv:
        overrides["XXGK_DATASET_FORMATS"] = ["jsonl", "parquet", "csv"]
    # the collection's state store, for resuming only: a killed crawl resumes (same run id,
    # archived responses answered from the WARC, no row written twice); a crawl after a
    # finished one fetches everything again (identical payloads become revisit records) and
    # writes a whole dataset of its own, as before. `xxgk run` is the incremental one.
    overrides.update(
        XXGK_INCREMENTAL=True,
        XXGK_VERSIONS=False,
        XXGK_CONDITIONAL_REQUESTS=False,
        XXGK_RECHECK_UNLISTED=False,
    )
    if args.fresh:
        overrides["XXGK_FRESH"] = True
    overrides["XXGK_PROGRESS"] = not args.no_progress and sys.stderr.isatty()
    overrides.update(parse_overrides(args.settings))
    return overrides


def execute(urls: list[str], args: argparse.Namespace, extra: dict | None = None):
    """Run the crawl and print its summary; the crawl result, or CliError on bad input."""
    from crawler.run import CrawlSetupError, run_crawl, summary_lines

    try:
        overrides = crawl_overrides(args) | (extra or {})
        result = run_crawl(urls, args.out, args.name, overrides)
    except CrawlSetupError as exc:
        raise CliError(str(exc)) from exc
    print("\n".join(summary_lines(result)))
    return result


def run(args: argparse.Namespace) -> int:
    from crawler.incremental import UNACCOUNTED_KEY
    from crawler.runs.runner import EXIT_INCOMPLETE

    result = execute(args.urls, args)
    if result.start_error:  # a crawl process of `--processes N` failed: the others' captures are kept
        raise CliError(result.start_error, 3)
    if not result.ok:
        raise CliError(
            "no seed could be crawled: " + "; ".join(f"{u}: {r}" for u, r in result.seed_errors.items()), 3
        )
    lost = result.stats.get(f"{UNACCOUNTED_KEY}_count", 0)
    if lost:
        print(f"xxgk crawl: {lost} document(s) fetched and archived without a dataset row", file=sys.stderr)
        return EXIT_INCOMPLETE
    return shortfall_status(result.stats)


def shortfall_status(stats: dict) -> int:
    """4 when a listing claims more than the crawl reached (listed in the summary), else 0."""
    from crawler.completeness import SHORTFALL_EXIT, report

    shortfalls = report(stats)["shortfalls"]
    if shortfalls:
        print(f"xxgk crawl: {len(shortfalls)} listing(s) fell short of their stated size", file=sys.stderr)
        return SHORTFALL_EXIT
    return 0
