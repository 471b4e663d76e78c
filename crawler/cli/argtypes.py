"""Argument types that refuse bad numbers when the command line is read (exit 2, one line)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def integer(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number in [minimum, maximum]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, not {value}")
        return value

    parse.__name__ = "integer"  # argparse names the type in its messages
    return parse


COUNT = integer(0)  # 0 = no limit
POSITIVE = integer(1)
PORT = integer(0, 65535)  # 0 = any free port


def add_server_arguments(parser: argparse.ArgumentParser, port: int, what: str) -> None:
    """DIR (a crawl's --out) and --port, for the commands that serve it on 127.0.0.1."""
    parser.add_argument(
        "out", nargs="?", default="xxgk-data", help="the crawl's --out directory (default ./xxgk-data)"
    )
    parser.add_argument(
        "--port", type=PORT, default=port, help=f"{what} port on 127.0.0.1 (default {port}, 0: any free one)"
    )


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr (the README's promise) and exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
