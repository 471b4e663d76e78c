"""Peak memory of `xxgk crawl` on big portals: is it flat in the number of URLs?

    python bench/memory.py [--sizes 16000,80000] [--mode full|capture]

Detail-page counts 16,000 and 80,000 give crawls of about 20k and 100k URLs
(listing pages and attachments included). Prints the crawl process's peak RSS
itself (sampled), the largest single process (getrusage: an extraction worker may
be it), the peak of the whole process tree (crawl + extraction workers, sampled),
and the tree's RSS at each quarter of the crawl; the ratio of the big crawl's peak to the small one's, measured in this
run, is the flatness figure (1.0 = flat).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import FAST, export_portal, mb, measure, nginx, settings_args, xxgk_command

MODES = {"full": {}, "capture": {"ITEM_PIPELINES": "{}"}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="16000,80000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=MODES, default="full")
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra xxgk setting for the crawls (repeatable)",
    )
    args = parser.parse_args(argv)
    extra = dict(pair.split("=", 1) for pair in args.settings)
    print(
        f"{'detail pages':>12}{'responses':>10}{'wall s':>8}{'pages/s':>8}{'root process':>14}{'largest proc':>14}"
        f"{'tree RSS':>10}{'tree PSS':>10}{'frontier':>10}{'on disk':>9}   tree RSS at 25/50/75/100% of the crawl"
    )
    peaks = []
    for size in [int(s) for s in args.sizes.split(",")]:
        site = export_portal(size, args.seed)
        with tempfile.TemporaryDirectory(prefix="xxgk-bench-mem-") as tmp, nginx(site) as url:
            run = measure(
                xxgk_command(
                    "crawl",
                    url + "/xxgk/",
                    "--out",
                    tmp,
                    "--name",
                    "bench",
                    "--no-progress",
                    *settings_args(FAST | MODES[args.mode] | extra),
                ),
                timeout=3600,
            )
            frontier = frontier_stats(Path(tmp))
            shutil.rmtree(tmp, ignore_errors=True)
        if run.returncode != 0:
            raise SystemExit(f"crawl failed:\n{run.stderr[-2000:]}")
        responses = next(
            (int(line.split()[1]) for line in run.stdout.splitlines() if line.split()[:1] == ["responses"]), 0
        )
        quarters = []
        for q in (0.25, 0.5, 0.75, 1.0):
            at = [rss for t, rss in run.timeline if t <= q * run.wall]
            quarters.append(mb(at[-1]) if at else "-")
        peaks.append((size, run.peak_root_rss, run.peak_tree_rss, run.peak_tree_pss))
        print(
            f"{size:>12}{responses:>10}{run.wall:>8.0f}{responses / run.wall:>8.0f}{mb(run.peak_root_rss):>14}"
            f"{mb(run.max_rss):>14}{mb(run.peak_tree_rss):>10}{mb(run.peak_tree_pss):>10}"
            f"{frontier[0]:>10}{frontier[1]:>9}   {' / '.join(quarters)}"
        )
    print(
        "frontier: the most requests pending at once (the largest of the crawl processes); on disk: requests "
        "that waited in the on-disk frontier (past XXGK_FRONTIER_MEMORY)"
    )
    print(
        "root process: the `xxgk crawl` process itself (with --processes N, the parent that only routes); "
        "PSS counts pages shared between processes (forked crawl processes, their parent) once"
    )
    if len(peaks) > 1:
        (s0, c0, t0, p0), (s1, c1, t1, p1) = peaks[0], peaks[-1]
        print(
            f"\n{s1} vs {s0} detail pages ({s1 / s0:.0f}x the URLs): peak RSS root process x{c1 / c0:.2f}, "
            f"tree RSS x{t1 / t0:.2f}, tree PSS x{p1 / max(p0, 1):.2f}"
        )
    return 0


def frontier_stats(out: Path) -> tuple[int, int]:
    """(peak pending requests, requests that went to disk) from the stats each crawl log ends with."""
    peak = on_disk = 0
    for log in out.glob("runs/*/*/crawl*.log"):
        dumped = log.read_text(encoding="utf-8", errors="replace").split("Dumping Scrapy stats")[-1]
        found = dict(re.findall(r"'(xxgk/frontier/peak|scheduler/enqueued/disk)': (\d+)", dumped))
        peak = max(peak, int(found.get("xxgk/frontier/peak", 0)))
        on_disk += int(found.get("scheduler/enqueued/disk", 0))
    return peak, on_disk


if __name__ == "__main__":
    sys.exit(main())
