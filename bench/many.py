"""Many small portals in one crawl, politeness on: aggregate pages/s and CPU per page.

    python bench/many.py [--portals 200] [--size 8] [--processes 1]

One nginx serves the same small synthetic portal on --portals loopback addresses
(127.0.1.1, 127.0.1.2, …: distinct hosts, so each gets its own downloader slot
and its own politeness), and one `xxgk crawl URL1 URL2 …` crawls them all at
1 request/s per host (DOWNLOAD_DELAY=1, one connection per host, robots.txt
obeyed). The baseline measured in the same run is the politeness ceiling:
`--portals` requests/s; the ratio says how close the crawl gets to it.
`--processes N` shards the crawl over N processes (-s XXGK_PROCESSES=N; with one
connection per host each portal goes whole to one of them).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CACHE, export_portal, free_port, mb, measure, nginx, settings_args, xxgk_command

CAPTURE_LINE = re.compile(
    r"capture\s+\d+ responses in (?P<seconds>[\d.]+) s.*?finished (?P<wait>[\d.]+) s later"
)
POLITE = {
    "DOWNLOAD_DELAY": "1",
    "RANDOMIZE_DOWNLOAD_DELAY": "False",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
    "CONCURRENT_REQUESTS": "512",  # the global cap must not be what limits 200 hosts
}


def host(i: int) -> str:
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--portals", type=int, default=200)
    parser.add_argument("--size", type=int, default=8, help="detail pages per portal")
    parser.add_argument("--processes", type=int, default=1, help="crawl processes (-s XXGK_PROCESSES=N)")
    parser.add_argument("--capture-only", action="store_true", help="ITEM_PIPELINES={}: no extraction")
    parser.add_argument("--profile", action="store_true", help="record with py-spy, print the top functions")
    args = parser.parse_args(argv)
    site = export_portal(args.size, 1, name="small")
    port = free_port()
    # one server block listening on every portal's address (same files behind each)
    conf = (site / "nginx.conf").read_text(encoding="utf-8")
    listens = "\n".join(f"        listen {host(i)}:{port};" for i in range(args.portals))
    many = site.parent / f"{site.name}-many"
    many.mkdir(exist_ok=True)
    (many / "htdocs").unlink(missing_ok=True)
    (many / "htdocs").symlink_to(site / "htdocs")
    (many / "tmp").mkdir(exist_ok=True)
    (many / "nginx.conf").write_text(
        re.sub(r"        listen 127\.0\.0\.1:\d+;", lambda _: listens, conf).replace(
            "worker_connections 1024", "worker_connections 4096"
        ),
        encoding="utf-8",
    )
    with (
        tempfile.TemporaryDirectory(prefix="xxgk-bench-many-") as tmp,
        nginx(many, port=port, keep_listen=True),
    ):
        urls = [f"http://{host(i)}:{port}/xxgk/" for i in range(args.portals)]
        settings = (
            POLITE
            | {"XXGK_PROCESSES": str(args.processes)}
            | ({"ITEM_PIPELINES": "{}"} if args.capture_only else {})
        )
        command = xxgk_command(
            "crawl", *urls, "--out", tmp, "--name", "many", "--no-progress", *settings_args(settings)
        )
        raw = CACHE / "results" / f"profile-many-{args.portals}.txt"
        if args.profile:
            raw.parent.mkdir(parents=True, exist_ok=True)
            # with several processes the crawl runs in the children, not in the process py-spy starts
            children = ["--subprocesses"] if args.processes > 1 else []
            command = [
                "py-spy",
                "record",
                "--format",
                "raw",
                "--rate",
                "50",
                "--nonblocking",
                *children,
                "-o",
                str(raw),
                "--",
                *command,
            ]
        run = measure(command, timeout=1800)
    if run.returncode != 0:
        raise SystemExit(f"crawl failed ({run.returncode}):\n{run.stdout}\n{run.stderr[-2000:]}")
    responses = next(
        (int(line.split()[1]) for line in run.stdout.splitlines() if line.split()[:1] == ["responses"]), 0
    )
    rate = responses / run.wall
    processes = "one process" if args.processes == 1 else f"{args.processes} processes"
    mode = "capture only" if args.capture_only else "capture + extraction"
    print(f"{args.portals} portals x {args.size} detail pages, 1 request/s per host, {processes}, {mode}")
    capture = CAPTURE_LINE.search(run.stdout)
    if capture:  # extraction on: the crawl itself, then extraction catching up
        seconds = float(capture["seconds"])
        print(
            f"  crawl: {responses} responses in {seconds:.0f} s: {responses / seconds:.0f} pages/s aggregate "
            f"(ceiling {args.portals}/s: {responses / seconds / args.portals:.2f}x); "
            f"extraction finished {float(capture['wait']):.0f} s later"
        )
    print(
        f"  whole command: {responses} responses in {run.wall:.0f} s: {rate:.0f} pages/s aggregate "
        f"(ceiling {args.portals}/s: {rate / args.portals:.2f}x)"
    )
    print(
        f"  CPU {run.cpu:.0f} s: {1000 * run.cpu / max(responses, 1):.1f} ms CPU per page (extraction included), "
        f"{100 * run.cpu / run.wall:.0f}% of one core; peak RSS {mb(run.peak_tree_rss)}, "
        f"PSS {mb(run.peak_tree_pss)} (tree: all processes)"
    )
    if args.profile:
        from bench.profile_crawl import summarise

        print(summarise(raw, 25))
    return 0


if __name__ == "__main__":
    sys.exit(main())
