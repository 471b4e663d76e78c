"""python -m crawler.demo serve [--size N] [--seed S] [--port P] [--family F] | export DIR [--size N] [--port P]"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from crawler.demo.export import export_site
from crawler.demo.families import FAMILIES, build_family_site
from crawler.demo.server import DemoPortal
from crawler.demo.site import build_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.demo", description="the xxgk demo portal")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("serve", "serve the demo portal until Ctrl-C"),
        ("export", "write it as static files"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--size", type=int, default=40, help="number of detail pages (default 40)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--name", default="demo")
        p.add_argument("--page-size", type=int, default=None, help="items per listing page")
        p.add_argument(
            "--wrong-charset", action="store_true", help="fault: some GBK pages claim UTF-8 in HTTP"
        )
        if name == "serve":
            p.add_argument("--host", default="127.0.0.1")
            p.add_argument("--port", type=int, default=0, help="0 = any free port")
            p.add_argument("--gzip", action="store_true", help="gzip text responses when asked")
            p.add_argument(
                "--family",
                choices=FAMILIES,
                default=None,
                help="a portal of another CMS family (Hanweb, gkmlpt, generic), mixed, or traps",
            )
        else:
            p.add_argument("directory", type=Path)
            p.add_argument("--port", type=int, default=8080, help="port in the generated nginx.conf")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if getattr(args, "family", None):
        site = build_family_site(args.family, args.size, args.seed, page_size=args.page_size or 4)
    else:
        site = build_site(
            args.size, args.seed, args.name, page_size=args.page_size, wrong_charset=args.wrong_charset
        )
    built = time.perf_counter() - started
    print(
        f"built {len(site.detail_pages)} detail pages, {len(site.attachments)} attachments, "
        f"{len(site.listing_pages)} listing pages in {built:.2f}s",
        file=sys.stderr,
    )
    if args.command == "export":
        count = export_site(site, args.directory, port=args.port)
        print(
            f"wrote {count} resources to {args.directory}/htdocs; serve with: "
            f"nginx -p {args.directory.resolve()} -c nginx.conf",
            file=sys.stderr,
        )
        return 0
    with DemoPortal(site, args.host, args.port, compress=args.gzip) as portal:
        print(f"serving {portal.base_url}  (信息公开 root: {portal.root_url})", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
