"""`xxgk run SITES.yaml`: crawl every due portal of a sites registry (incremental, resumable)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.cli.errors import CliError

EPILOG = """exit codes: 0 done (or nothing due), 1 a site failed, 2 usage/sites-file error,
75 a site was left for later (its collection locked by another run, or its host busy with
another site of this run), 130 interrupted (the next run resumes)"""


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser(
        "run",
        help=help_text,
        description=help_text,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "sites", type=Path, metavar="SITES.yaml", help="sites registry (see `xxgk sites check`)"
    )
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="run only these sites")
    parser.add_argument("--out", default="xxgk-data", help="output root (default: ./xxgk-data)")
    parser.add_argument(
        "--force", action="store_true", help="run the sites even if their schedule says not due"
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="distributed mode: share the frontier in Redis "
        "(e.g. redis://127.0.0.1:6379/0); start the same command on every worker",
    )
    parser.add_argument("--worker-id", help="distributed mode: this worker's name (default: host-pid)")
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a Scrapy/xxgk setting for every site (repeatable)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.run import CrawlSetupError, parse_overrides
    from crawler.runs.runner import outcome_lines, run_sites
    from crawler.sites import SitesError, load_sites

    try:
        sites = load_sites(args.sites)
    except SitesError as exc:
        raise CliError(f"invalid sites file:\n{exc}") from exc
    names = {s.name for s in sites}
    unknown = [n for n in args.only if n not in names]
    if unknown:
        raise CliError(
            f"--only: no such site in {args.sites}: {', '.join(unknown)} (sites: {', '.join(sorted(names))})"
        )
    chosen = [s for s in sites if (s.name in args.only if args.only else s.enabled)]
    if len(args.only) > 1 and args.redis:
        raise CliError("--redis runs one site per worker: give one --only NAME")
    if args.redis and len(chosen) != 1:
        raise CliError("--redis runs one site per worker: choose it with --only NAME")
    try:
        base = parse_overrides(args.settings)
        outcome = run_sites(
            chosen, Path(args.out), base, force=args.force, redis_url=args.redis, worker=args.worker_id
        )
    except CrawlSetupError as exc:
        raise CliError(str(exc)) from exc
    print("\n".join(outcome_lines(outcome)))
    code = outcome.exit_code
    if code:
        print(f"xxgk run: exit {code}", file=sys.stderr)
    return code
