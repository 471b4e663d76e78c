"""`xxgk sites check FILE`: validate a sites registry, with line-numbered errors."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.cli.errors import CliError


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("sites", help=help_text, description=help_text)
    sub = parser.add_subparsers(dest="sites_command", metavar="SUBCOMMAND", required=True)
    check = sub.add_parser("check", help="validate a sites file; list its sites and their next run")
    check.add_argument("file", type=Path, metavar="SITES.yaml")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from croniter import croniter

    from crawler.sites import SitesError, load_sites

    try:
        sites = load_sites(args.file)
    except SitesError as exc:
        raise CliError(f"{len(exc.errors)} problem(s):\n" + "\n".join(exc.errors)) from exc
    now = datetime.now(UTC)
    for site in sites:
        following = (
            croniter(site.cron, now.astimezone(ZoneInfo(site.timezone))).get_next(datetime).astimezone(UTC)
        )
        state = "" if site.enabled else " (disabled)"
        print(
            f"{args.file}:{site.line}: {site.name}{state}: {len(site.seeds)} seed(s), "
            f"schedule {site.schedule!r} (next {following:%Y-%m-%d %H:%M} UTC), "
            f"{len(site.settings)} setting(s)"
        )
    print(f"ok: {len(sites)} site(s)")
    return 0
