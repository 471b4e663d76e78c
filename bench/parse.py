"""`xxgk parse` throughput over the benchmark crawl's WARCs: documents/s, per core, 1 vs 2 jobs.

    python bench/parse.py [--size 5000] [--jobs 1,2]

The WARCs come from a capture-only crawl of the synthetic portal (nginx), made once
and cached under $XXGK_BENCH_DIR (default /tmp/xxgk-bench). Prints documents/s
(wall) and per CPU second for each --jobs value, and the speed-up against 1 job
measured in this run.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CACHE, FAST, export_portal, mb, measure, nginx, settings_args, xxgk_command


def benchmark_warcs(size: int, seed: int) -> Path:
    """The collection of a capture-only crawl of the portal (crawled once, then cached)."""
    out = CACHE / f"warcs-{size}-{seed}"
    collection = out / "collections" / "bench"
    if list((collection / "archive").glob("*.warc.gz")):
        return collection
    shutil.rmtree(out, ignore_errors=True)
    with nginx(export_portal(size, seed)) as url:
        run = measure(
            xxgk_command(
                "crawl",
                url + "/xxgk/",
                "--out",
                str(out),
                "--name",
                "bench",
                "--no-progress",
                *settings_args(FAST | {"ITEM_PIPELINES": "{}"}),
            )
        )
    if run.returncode != 0:
        raise SystemExit(f"crawl failed:\n{run.stderr[-2000:]}")
    return collection


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    args = parser.parse_args(argv)
    collection = benchmark_warcs(args.size, args.seed)
    warc_bytes = sum(p.stat().st_size for p in (collection / "archive").glob("*.warc.gz"))
    print(f"xxgk parse over {collection} ({warc_bytes / 1e6:.0f} MB of WARC)")
    print(
        f"{'jobs':>5}{'documents':>11}{'wall s':>8}{'CPU s':>8}{'docs/s':>8}{'docs/CPU s':>12}{'speed-up':>10}{'peak PSS':>10}"
    )
    first = None
    for jobs in [int(j) for j in args.jobs.split(",")]:
        with tempfile.TemporaryDirectory(prefix="xxgk-bench-parse-") as tmp:
            run = measure(xxgk_command("parse", str(collection), "--out", tmp, "--jobs", str(jobs)))
        if run.returncode not in (0, 1):
            raise SystemExit(f"xxgk parse failed ({run.returncode}):\n{run.stderr[-2000:]}")
        m = re.search(r"→ (\d+) documents", run.stdout)
        docs = int(m.group(1)) if m else 0
        rate = docs / run.wall
        first = first or rate
        print(
            f"{jobs:>5}{docs:>11}{run.wall:>8.1f}{run.cpu:>8.1f}{rate:>8.0f}{docs / max(run.cpu, 1e-9):>12.0f}"
            f"{rate / first:>9.2f}x{mb(run.peak_tree_pss):>10}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
