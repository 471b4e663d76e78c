"""`xxgk parse` throughput over the benchmark crawl's WARCs: documents/s, per core, 1 vs 2 jobs.

    python bench/parse.py [--size 5000] [--jobs 1,2] [--text fast,trafilatura]

The WARCs come from a capture-only crawl of the synthetic portal (nginx), made once
and cached under $XXGK_BENCH_DIR (default /tmp/xxgk-bench). Prints documents/s
(wall) and per CPU second for each --jobs value and text path (`fast`: the fast text
path, the default; `trafilatura`: XXGK_FAST_TEXT=0), the speed-up against the first
row, and the fast path's documents per CPU second against trafilatura's at the same
--jobs, all measured in this run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CACHE, FAST, export_portal, mb, measure, nginx, settings_args, xxgk_command


def benchmark_warcs(size: int, seed: int) -> Path:
    """The collection of a capture-only crawl of the portal (crawled once, then cached). Without
    the resume state store of a one-process `xxgk crawl`, which would count every document it
    archived without a row (there is no extraction here) as lost."""
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
                *settings_args(FAST | {"ITEM_PIPELINES": "{}", "XXGK_INCREMENTAL": "False"}),
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
    parser.add_argument("--text", default="fast,trafilatura", help="text paths: fast, trafilatura")
    args = parser.parse_args(argv)
    collection = benchmark_warcs(args.size, args.seed)
    warc_bytes = sum(p.stat().st_size for p in (collection / "archive").glob("*.warc.gz"))
    print(f"xxgk parse over {collection} ({warc_bytes / 1e6:.0f} MB of WARC)")
    print(
        f"{'text':>12}{'jobs':>5}{'documents':>11}{'wall s':>8}{'CPU s':>8}{'docs/s':>8}{'docs/CPU s':>12}"
        f"{'speed-up':>10}{'peak PSS':>10}"
    )
    first = None
    per_cpu: dict[tuple[str, int], float] = {}
    for jobs in [int(j) for j in args.jobs.split(",")]:
        for text in [t.strip() for t in args.text.split(",")]:
            env = {**os.environ, "XXGK_FAST_TEXT": "0" if text == "trafilatura" else "1"}
            with tempfile.TemporaryDirectory(prefix="xxgk-bench-parse-") as tmp:
                run = measure(
                    xxgk_command("parse", str(collection), "--out", tmp, "--jobs", str(jobs)), env=env
                )
            if run.returncode not in (0, 1):
                raise SystemExit(f"xxgk parse failed ({run.returncode}):\n{run.stderr[-2000:]}")
            m = re.search(r"→ (\d+) documents", run.stdout)
            docs = int(m.group(1)) if m else 0
            rate = docs / run.wall
            first = first or rate
            per_cpu[text, jobs] = docs / max(run.cpu, 1e-9)
            print(
                f"{text:>12}{jobs:>5}{docs:>11}{run.wall:>8.1f}{run.cpu:>8.1f}{rate:>8.0f}{per_cpu[text, jobs]:>12.0f}"
                f"{rate / first:>9.2f}x{mb(run.peak_tree_pss):>10}"
            )
    for (text, jobs), value in per_cpu.items():
        if text == "fast" and ("trafilatura", jobs) in per_cpu:
            print(
                f"fast / trafilatura, {jobs} job(s): {value / per_cpu['trafilatura', jobs]:.2f}x documents per CPU second"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
