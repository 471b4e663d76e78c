"""The `xxgk` console command.

Each sub-command lives in its own module of this package, exposing
``register(subparsers)`` (adds its argparse parser and sets ``func``) and a
``run(args) -> int`` function. Modules are listed in COMMANDS; adding a
command means adding a module and a line here, nothing else.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

from crawler.cli.argtypes import Parser
from crawler.cli.errors import KNOWN_ERRORS, CliError

# (command module, one-line help) in the order `xxgk --help` shows them.
COMMANDS: list[tuple[str, str]] = [
    ("demo", "serve the built-in demo portal on loopback, crawl it, write everything"),
    ("crawl", "crawl portals from their 信息公开 roots into a WARC collection and datasets"),
    ("run", "crawl the due portals of a sites registry: incremental, resumable, optionally distributed"),
    ("sites", "check a sites registry (sites.yaml)"),
    ("parse", "re-run the extraction pipeline over WARC files (no network)"),
    ("extract", "print one saved page's or attachment's metadata and text"),
    ("report", "parse one annual report (政府信息公开工作年度报告) into figures"),
    ("warc", "inspect WARC files: check digests, list records, show one record"),
    ("index", "(re)build a collection's sorted CDXJ index"),
    ("wacz", "package a collection as a WACZ 1.1.1 file"),
    ("replay", "replay collections in real pywb on 127.0.0.1"),
    (
        "serve",
        "the researchers' workbench: search and facets over the datasets (Datasette), replay beside it",
    ),
]


def build_parser() -> Parser:
    parser = Parser(
        prog="xxgk",
        description="Crawl, archive (WARC) and parse 政府信息公开 sections of government portals.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS:
        try:
            module = importlib.import_module(f"crawler.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"crawler.cli.{name}":
                raise
            continue  # command not built yet
        module.register(sub, help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("xxgk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `xxgk warc ls … | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except CliError as exc:
        print(f"xxgk {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KNOWN_ERRORS as exc:
        print(f"xxgk {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
