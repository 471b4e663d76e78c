"""Crawl throughput: `xxgk crawl` against a plain Scrapy CrawlSpider and `wget --recursive --warc-file`.

    python bench/crawl.py [--size 5000] [--repeat 1] [--skip wget,plain] [--modes full,workers=2,capture]

Serves the synthetic portal (crawler.demo export) with Debian's nginx on loopback,
crawls it with each tool at equal concurrency and politeness off, and prints
pages/s (wall and CPU) and the ratios of xxgk to each baseline, all measured in
this run. xxgk runs in several modes so the cost of extraction shows: `full`
(capture + extraction in XXGK_EXTRACT_WORKERS processes, the default 1),
`workers=2`, and `capture` (ITEM_PIPELINES={}: WARC capture only); `capture-gz1`
and `full-gz1` (XXGK_WARC_COMPRESS_LEVEL=1) when named in --modes. Profiles:
bench/profile_crawl.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    FAST,
    PYTHON,
    REPO,
    Measured,
    count_warc_responses,
    export_portal,
    mb,
    measure,
    nginx,
    settings_args,
    xxgk_command,
)

XXGK_MODES: dict[str, dict[str, str]] = {
    "full": {},
    "workers=2": {"XXGK_EXTRACT_WORKERS": "2"},
    "capture": {"ITEM_PIPELINES": "{}"},
    # not run unless named in --modes: what a cheaper WARC gzip level buys
    "capture-gz1": {"ITEM_PIPELINES": "{}", "XXGK_WARC_COMPRESS_LEVEL": "1"},
    "full-gz1": {"XXGK_WARC_COMPRESS_LEVEL": "1"},
}
DEFAULT_MODES = "full,workers=2,capture"


def xxgk_stats(run: Measured) -> dict:
    """Numbers from `xxgk crawl`'s summary (responses, detail pages, documents)."""
    out: dict = {}
    for line in run.stdout.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "responses":
            out["responses"] = int(words[1])
        elif words[0] == "documents":
            out["documents"] = int(words[1])
        elif words[0] == "pages":
            out["detail"] = int(words[1])
    return out


def run_xxgk(url: str, work: Path, mode: str) -> Measured:
    out = work / f"xxgk-{mode.replace('=', '')}"
    command = xxgk_command(
        "crawl", url + "/xxgk/", "--out", str(out), "--name", "bench", "--no-progress",
        *settings_args(FAST | XXGK_MODES[mode]),
    )
    run = measure(command)
    if run.returncode != 0:
        raise SystemExit(f"xxgk crawl failed ({run.returncode}):\n{run.stdout}\n{run.stderr[-3000:]}")
    run.extra = xxgk_stats(run)
    run.extra["pages"] = run.extra.get("responses", 0)
    warcs = sorted((out / "collections" / "bench" / "archive").glob("*.warc.gz"))
    run.extra["warc_bytes"] = sum(p.stat().st_size for p in warcs)
    shutil.rmtree(out, ignore_errors=True)
    return run


def run_plain(url: str) -> Measured:
    run = measure([PYTHON, str(REPO / "bench" / "plain_scrapy.py"), url + "/xxgk/"])
    if run.returncode != 0:
        raise SystemExit(f"plain Scrapy failed:\n{run.stderr[-3000:]}")
    run.extra = json.loads(run.stdout.strip().splitlines()[-1])
    run.extra["pages"] = run.extra["responses"]
    return run


def run_wget(url: str, work: Path) -> Measured:
    target = work / "wget"
    target.mkdir()
    run = measure(
        ["wget", "--recursive", "--level=inf", "-e", "robots=off", "--no-verbose", "--directory-prefix",
         str(target / "files"), "--warc-file", str(target / "wget"), url + "/xxgk/"],
    )
    # wget exits 8 when some links 404 (the demo has deliberately broken links), and 3 when
    # it cannot save /xxgk (a redirect) because /xxgk/ is already a directory: not failures here
    if run.returncode not in (0, 3, 8):
        raise SystemExit(f"wget failed ({run.returncode}):\n{run.stderr[-3000:]}")
    counts = count_warc_responses(sorted(target.glob("*.warc.gz")))
    run.extra = {"pages": counts.get("response", 0), "warc_bytes": sum(p.stat().st_size for p in target.glob("*.warc.gz"))}
    shutil.rmtree(target, ignore_errors=True)
    return run


def rate(run: Measured) -> tuple[float, float]:
    pages = run.extra["pages"]
    return pages / run.wall, pages / max(run.cpu, 1e-9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5000, help="detail pages in the synthetic portal")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the median is reported")
    parser.add_argument("--skip", default="", help="comma-separated: wget, plain")
    parser.add_argument("--modes", default=DEFAULT_MODES, help=f"xxgk modes to run, of: {', '.join(XXGK_MODES)}")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    site = export_portal(args.size, args.seed)
    runs: dict[str, list[Measured]] = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-crawl-") as tmp, nginx(site) as url:
        work = Path(tmp)
        for _ in range(args.repeat):
            if "wget" not in skip:
                runs.setdefault("wget", []).append(run_wget(url, work))
            if "plain" not in skip:
                runs.setdefault("plain Scrapy", []).append(run_plain(url))
            for mode in args.modes.split(","):
                if mode in XXGK_MODES:
                    runs.setdefault(f"xxgk {mode}", []).append(run_xxgk(url, work, mode))

    print(f"\nsynthetic portal: {args.size} detail pages (seed {args.seed}), nginx on loopback, "
          f"concurrency 32, politeness off; median of {args.repeat} run(s)")
    print(f"{'crawler':<18}{'pages':>7}{'wall s':>8}{'CPU s':>8}{'pages/s':>9}{'pages/CPU s':>12}{'peak RSS':>10}")
    medians: dict[str, tuple[float, float]] = {}
    for name, measured in runs.items():
        run = sorted(measured, key=lambda r: r.wall)[len(measured) // 2]
        wall_rate = statistics.median(rate(r)[0] for r in measured)
        cpu_rate = statistics.median(rate(r)[1] for r in measured)
        medians[name] = (wall_rate, cpu_rate)
        print(f"{name:<18}{run.extra['pages']:>7}{run.wall:>8.1f}{run.cpu:>8.1f}{wall_rate:>9.0f}{cpu_rate:>12.0f}"
              f"{mb(run.peak_tree_rss):>10}")
        if name.startswith("xxgk"):
            print(f"{'':<18}documents {run.extra.get('documents')}, detail pages {run.extra.get('detail')}, "
                  f"WARC {mb(run.extra['warc_bytes'])}")
    walls = {name: statistics.median(r.wall for r in measured) for name, measured in runs.items()}
    print("\nratios, xxgk / baseline: pages/s (wall), pages per CPU second, and whole-portal speed "
          "(baseline wall time / xxgk wall time: the baselines also fetch print views, search pages, …)")
    for name, (wall_rate, cpu_rate) in medians.items():
        if not name.startswith("xxgk"):
            continue
        for base in ("plain Scrapy", "wget"):
            if base in medians:
                bw, bc = medians[base]
                print(f"  {name:<16} / {base:<13} {wall_rate / bw:5.2f}x pages/s   {cpu_rate / bc:5.2f}x pages/CPU s"
                      f"   {walls[base] / walls[name]:5.2f}x portal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
