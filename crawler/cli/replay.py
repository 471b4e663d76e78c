"""`xxgk replay DIR`: serve a crawl's collections with real pywb on 127.0.0.1."""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path

from crawler.cli.argtypes import add_server_arguments
from crawler.cli.errors import CliError


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("replay", help=help_text, description=help_text)
    add_server_arguments(parser, 8080, "replay")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from archive.replay import PywbServer

    root = Path(args.out)
    if (root / "archive").is_dir() and root.parent.name == "collections":
        root = root.parent.parent  # given a collection: serve its --out root
    collections = sorted(p.name for p in (root / "collections").glob("*") if (p / "archive").is_dir())
    if not collections:
        raise CliError(
            f"{root}: no collections to replay (crawl first: `xxgk demo` or `xxgk crawl URL --out {root}`)"
        )
    server = PywbServer(root, port=args.port)
    # SIGTERM (systemd, kill) ends the replay as Ctrl-C does: pywb stopped, its log removed
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.start(quiet=False)
        print(f"pywb is replaying {root}/collections on {server.base_url}/", flush=True)
        for name in collections:
            print(f"  {server.base_url}/{name}/*   (all captures of collection {name!r})")
        print("press Ctrl-C to stop", flush=True)
        while server.process and server.process.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
