"""Crawl throughput: `xxgk crawl` against a plain Scrapy CrawlSpider and `wget --recursive --warc-file`.

    python bench/crawl.py [--size 5000] [--repeat 1] [--skip wget,wget-same,plain,plain-same]
                          [--modes full,workers=2,capture]

Serves the synthetic portal (crawler.demo export) with Debian's nginx on loopback,
crawls it with each tool at equal concurrency and politeness off, and prints
pages/s and the ratios of xxgk to each baseline, all measured in this run.

Two rates per crawler: the crawl (capture phase: until the last response is
archived; xxgk's `capture … responses in … s` summary line, Scrapy's spider
open → close for the CrawlSpider) and the whole command (for xxgk: until the
dataset is complete, extraction included). Plus pages per CPU second (whole
process tree) and whole-portal speed (baseline wall time / xxgk wall time).

Baselines (each can be left out with --skip NAME):
  wget        wget --recursive: follows every link
  wget-same   the same with --reject-regex built from xxgk's trap patterns
  plain       a minimal CrawlSpider (LinkExtractor, follow all): the issue's baseline
  plain-same  the same with LinkExtractor(deny=xxgk's trap patterns)
The -same variants fetch about the URL set xxgk fetches; the others also fetch
~4,000 print views, search pages and share links (mostly nginx 404s), which
inflates their pages/s.

xxgk modes: `full` (capture + extraction in XXGK_EXTRACT_WORKERS processes, the
default 1), `workers=2`, `capture` (ITEM_PIPELINES={}: WARC capture only);
when named in --modes: `capture-gz1` and `full-gz1` (XXGK_WARC_COMPRESS_LEVEL=1),
`capture-p2` and `full-p2` (XXGK_PROCESSES=2: the crawl sharded over 2 processes),
`full-traf` and `full-p2-traf` (the same with XXGK_FAST_TEXT=0: trafilatura for every page).
Profiles: bench/profile_crawl.py.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    FAST,
    PYTHON,
    REPO,
    Measured,
    count_warc_statuses,
    export_portal,
    mb,
    measure,
    nginx,
    settings_args,
    xxgk_command,
)
from crawler.scope import TRAP_URL_PATTERNS

XXGK_MODES: dict[str, dict[str, str]] = {
    "full": {},
    "workers=2": {"XXGK_EXTRACT_WORKERS": "2"},
    "capture": {"ITEM_PIPELINES": "{}"},
    # not run unless named in --modes: what a cheaper WARC gzip level buys
    "capture-gz1": {"ITEM_PIPELINES": "{}", "XXGK_WARC_COMPRESS_LEVEL": "1"},
    "full-gz1": {"XXGK_WARC_COMPRESS_LEVEL": "1"},
    # not run unless named: the crawl sharded over 2 processes (crawler/shards.py)
    "capture-p2": {"ITEM_PIPELINES": "{}", "XXGK_PROCESSES": "2"},
    "full-p2": {"XXGK_PROCESSES": "2"},
    # not run unless named: a one-process crawl without the state store that lets it resume after a
    # kill (XXGK_INCREMENTAL, which `xxgk crawl` turns on in one process), and without page requisites
    "capture-nostate": {"ITEM_PIPELINES": "{}", "XXGK_INCREMENTAL": "False"},
    "capture-norequisites": {"ITEM_PIPELINES": "{}", "XXGK_REQUISITES": "False"},
    # not run unless named: the pattern rules alone, no script engine nor script data (crawler/cms/script*.py)
    "capture-rules": {
        "ITEM_PIPELINES": "{}",
        "XXGK_CMS_FAMILIES": "crawler.cms.trs,crawler.cms.hanweb,crawler.cms.gkmlpt,crawler.cms.generic",
    },
}
# Environment of a mode's crawl (its extraction workers inherit it): the `-traf` modes run the
# full crawl with trafilatura for every page's text (no fast text path, pipelines/fast_text.py).
XXGK_MODE_ENV: dict[str, dict[str, str]] = {}
for _mode in ("full", "full-p2"):
    XXGK_MODES[f"{_mode}-traf"] = XXGK_MODES[_mode]
    XXGK_MODE_ENV[f"{_mode}-traf"] = {"XXGK_FAST_TEXT": "0"}
DEFAULT_MODES = "full,workers=2,capture"

# --skip name → the label printed. The "same URLs" variants deny xxgk's trap patterns (and
# the CrawlSpider follows links to documents, which LinkExtractor skips by default). On the
# 5,000 portal (2026-12-02) they fetched 6,258 (wget) and 6,220 (Scrapy) URLs to xxgk's
# 6,311: they miss the 126 listing pages that only a script pager links to (TRS
# createPageHTML, which xxgk reads; their documents are listed elsewhere too) and add the
# portal's navigation outside /xxgk/ (~34 pages, whatever the size); wget also fetches
# ~12 images and ~24 404s it reads out of the pager's script.
BASELINES: dict[str, str] = {
    "wget": "wget",
    "wget-same": "wget (same URLs)",
    "plain": "plain Scrapy",
    "plain-same": "plain Scrapy (same URLs)",
}

# Where a crawler's crawl-phase seconds come from (the letter printed after them)
CAPTURE_LINE = "c"  # xxgk's summary: capture … responses in … s
SPIDER_OPEN_CLOSE = "s"  # Scrapy's elapsed_time_seconds: spider open → close, no start-up
WHOLE_COMMAND = "w"  # the command's wall time

_CAPTURE_LINE = re.compile(
    r"^\s*capture\s+(?P<responses>\d+) responses in (?P<seconds>[\d.]+) s\b.*?"
    r"extraction finished (?P<extract_wait>[\d.]+) s later"
)
_ELAPSED_IN_LOG = re.compile(r"'elapsed_time_seconds': ([\d.]+)")


def posix_ere(pattern: str) -> str:
    """One of xxgk's trap patterns (a Python regex) as a POSIX extended regex for wget.

    Debian's wget is built without PCRE (`wget --version` has no +pcre), so
    --reject-regex takes glibc's regcomp(REG_EXTENDED) syntax. The trap patterns
    use two things ERE lacks: non-capturing groups, which become plain groups (same
    matches), and \\b, which glibc's regcomp supports as a GNU extension. Anything
    else Python-only raises rather than silently meaning something else to wget.
    """
    ere = pattern.replace("(?:", "(")
    problems = [
        "(?" in ere,  # look-arounds, flags, named groups
        re.search(r"\\[A-Za-ac-z0-9]", ere) is not None,  # \d, \s, \w, \A, \Z, \1… (only \b is GNU ERE too)
        re.search(r"\[[^\]]*\\", ere) is not None,  # a backslash in brackets is literal in POSIX
        re.search(r"[*+?}]\?", ere.replace("[?", "[")) is not None,  # lazy quantifiers
    ]
    if any(problems):
        raise ValueError(
            f"trap pattern {pattern!r} has no translation to a POSIX ERE here: extend posix_ere()"
        )
    return ere


def wget_reject_regex() -> str:
    """xxgk's trap patterns as the one regex wget's --reject-regex takes: alternatives joined with |."""
    return "|".join(f"({posix_ere(p)})" for p in TRAP_URL_PATTERNS)


def xxgk_stats(run: Measured) -> dict:
    """Numbers from `xxgk crawl`'s summary: responses and their statuses, detail pages,
    documents, and the capture line (only printed when extraction is on)."""
    out: dict = {}
    for line in run.stdout.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "responses":
            out["responses"] = int(words[1])
            if "status" in words:
                out["statuses"] = ast.literal_eval(line.split("status", 1)[1].strip())
        elif words[0] == "documents":
            out["documents"] = int(words[1])
        elif words[0] == "pages":
            out["detail"] = int(words[1])
        elif (capture := _CAPTURE_LINE.match(line)) is not None:
            out["capture_responses"] = int(capture["responses"])
            out["capture_seconds"] = float(capture["seconds"])
            out["extract_wait_seconds"] = float(capture["extract_wait"])
    return out


def spider_seconds(run_dirs: list[Path]) -> float | None:
    """Scrapy's elapsed_time_seconds (spider open → close) from the stats dumped in the crawl
    logs; the longest when the crawl ran in several processes (crawl-p0.log, crawl-p1.log…)."""
    found = [
        float(match[1])
        for run_dir in run_dirs
        for log in run_dir.glob("crawl*.log")
        for match in _ELAPSED_IN_LOG.finditer(log.read_text(encoding="utf-8", errors="replace"))
    ]
    return max(found) if found else None


def run_xxgk(url: str, work: Path, mode: str) -> Measured:
    out = work / f"xxgk-{mode.replace('=', '')}"
    settings = FAST | XXGK_MODES[mode]
    # processes as a user gives them: `xxgk crawl --processes N`
    processes = settings.pop("XXGK_PROCESSES", "1")
    command = xxgk_command(
        "crawl",
        url + "/xxgk/",
        "--out",
        str(out),
        "--name",
        "bench",
        "--no-progress",
        "--processes",
        processes,
        *settings_args(settings),
    )
    run = measure(command, env={**os.environ, **XXGK_MODE_ENV[mode]} if mode in XXGK_MODE_ENV else None)
    if run.returncode != 0:
        raise SystemExit(f"xxgk crawl failed ({run.returncode}):\n{run.stdout}\n{run.stderr[-3000:]}")
    run.extra = xxgk_stats(run)
    run.extra["pages"] = run.extra.get("responses", 0)
    run.extra["status_404"] = run.extra.get("statuses", {}).get("404", 0)
    if "capture_seconds" in run.extra:
        run.extra["crawl_seconds"], run.extra["crawl_source"] = run.extra["capture_seconds"], CAPTURE_LINE
    else:
        # no capture line without extraction: take the same span from the crawl log's stats
        # (start-up excluded, as for the CrawlSpider) rather than the command's wall time
        elapsed = spider_seconds(sorted((out / "runs" / "bench").glob("*")))
        if elapsed is not None:
            run.extra["crawl_seconds"], run.extra["crawl_source"] = elapsed, SPIDER_OPEN_CLOSE
        else:
            run.extra["crawl_seconds"], run.extra["crawl_source"] = run.wall, WHOLE_COMMAND
    warcs = sorted((out / "collections" / "bench" / "archive").glob("*.warc.gz"))
    run.extra["warc_bytes"] = sum(p.stat().st_size for p in warcs)
    shutil.rmtree(out, ignore_errors=True)
    return run


def run_plain(url: str, *, same_urls: bool) -> Measured:
    command = [PYTHON, str(REPO / "bench" / "plain_scrapy.py"), url + "/xxgk/"]
    if same_urls:
        command.append("--same-urls")
    run = measure(command)
    if run.returncode != 0:
        raise SystemExit(f"plain Scrapy failed:\n{run.stderr[-3000:]}")
    run.extra = json.loads(run.stdout.strip().splitlines()[-1])
    run.extra["pages"] = run.extra["responses"]
    if run.extra.get("crawl_seconds"):
        run.extra["crawl_source"] = SPIDER_OPEN_CLOSE
    else:
        run.extra["crawl_seconds"], run.extra["crawl_source"] = run.wall, WHOLE_COMMAND
    return run


def run_wget(url: str, work: Path, *, reject_regex: str | None = None) -> Measured:
    target = work / ("wget-same" if reject_regex else "wget")
    target.mkdir()
    reject = ["--reject-regex", reject_regex] if reject_regex else []
    run = measure(
        [
            "wget",
            "--recursive",
            "--level=inf",
            "-e",
            "robots=off",
            "--no-verbose",
            *reject,
            "--directory-prefix",
            str(target / "files"),
            "--warc-file",
            str(target / "wget"),
            url + "/xxgk/",
        ],
    )
    # wget exits 8 when some links 404 (the demo has deliberately broken links), and 3 when
    # it cannot save /xxgk (a redirect) because /xxgk/ is already a directory: not failures here
    # (a regex regcomp refuses exits 2)
    if run.returncode not in (0, 3, 8):
        raise SystemExit(f"wget failed ({run.returncode}):\n{run.stderr[-3000:]}")
    warcs = sorted(target.glob("*.warc.gz"))
    statuses = count_warc_statuses(warcs)
    run.extra = {
        "pages": sum(statuses.values()),
        "status_404": statuses.get("404", 0),
        # a C program's start-up is milliseconds: its wall time is its crawl time
        "crawl_seconds": run.wall,
        "crawl_source": WHOLE_COMMAND,
        "warc_bytes": sum(p.stat().st_size for p in warcs),
    }
    shutil.rmtree(target, ignore_errors=True)
    return run


@dataclass
class Summary:
    """One crawler's medians over --repeat runs."""

    run: Measured  # the run of median wall time, for counts and memory
    crawl_rate: float  # pages / crawl-phase seconds
    whole_rate: float  # pages / whole-command wall seconds
    cpu_rate: float  # pages / CPU seconds of the whole process tree
    wall: float
    crawl_seconds: float


def summarise(measured: list[Measured]) -> Summary:
    median = statistics.median
    return Summary(
        run=sorted(measured, key=lambda r: r.wall)[len(measured) // 2],
        crawl_rate=median([r.extra["pages"] / max(r.extra["crawl_seconds"], 1e-9) for r in measured]),
        whole_rate=median([r.extra["pages"] / r.wall for r in measured]),
        cpu_rate=median([r.extra["pages"] / max(r.cpu, 1e-9) for r in measured]),
        wall=median([r.wall for r in measured]),
        crawl_seconds=median([r.extra["crawl_seconds"] for r in measured]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=5000, help="detail pages in the synthetic portal")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the median is reported")
    parser.add_argument(
        "--skip", default="", help=f"comma-separated baselines to leave out, of: {', '.join(BASELINES)}"
    )
    parser.add_argument(
        "--modes", default=DEFAULT_MODES, help=f"xxgk modes to run, of: {', '.join(XXGK_MODES)}"
    )
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := (skip - set(BASELINES)) | (set(modes) - set(XXGK_MODES)):
        parser.error(f"unknown --skip or --modes name(s): {', '.join(sorted(unknown))}")

    site = export_portal(args.size, args.seed)
    runs: dict[str, list[Measured]] = {}
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-crawl-") as tmp, nginx(site) as url:
        work = Path(tmp)
        baselines = {
            "wget": lambda: run_wget(url, work),
            "wget-same": lambda: run_wget(url, work, reject_regex=wget_reject_regex()),
            "plain": lambda: run_plain(url, same_urls=False),
            "plain-same": lambda: run_plain(url, same_urls=True),
        }
        for _ in range(args.repeat):
            for key, run_baseline in baselines.items():
                if key not in skip:
                    runs.setdefault(BASELINES[key], []).append(run_baseline())
            for mode in modes:
                runs.setdefault(f"xxgk {mode}", []).append(run_xxgk(url, work, mode))

    summaries = {name: summarise(measured) for name, measured in runs.items()}
    print(
        f"\nsynthetic portal: {args.size} detail pages (seed {args.seed}), nginx on loopback, "
        f"concurrency 32, politeness off; median of {args.repeat} run(s)"
    )
    print(
        f"{'crawler':<26}{'pages':>7}{'404s':>6}{'crawl s':>10}{'wall s':>8}{'CPU s':>8}"
        f"{'crawl p/s':>10}{'whole p/s':>10}{'pages/CPU s':>12}{'peak RSS':>10}{'peak PSS':>10}"
    )
    for name, s in summaries.items():
        run = s.run
        print(
            f"{name:<26}{run.extra['pages']:>7}{run.extra.get('status_404', 0):>6}"
            f"{s.crawl_seconds:>8.1f} {run.extra['crawl_source']}{s.wall:>8.1f}{run.cpu:>8.1f}"
            f"{s.crawl_rate:>10.0f}{s.whole_rate:>10.0f}{s.cpu_rate:>12.0f}{mb(run.peak_tree_rss):>10}"
            f"{mb(run.peak_tree_pss):>10}"
        )
        if name.startswith("xxgk"):
            wait = run.extra.get("extract_wait_seconds")
            dataset = (
                f"extraction done {wait:.1f} s after capture, dataset complete at {run.wall:.1f} s; "
                if wait is not None
                else ""
            )
            print(
                f"{'':<26}{dataset}documents {run.extra.get('documents')}, detail pages "
                f"{run.extra.get('detail')}, WARC {mb(run.extra['warc_bytes'])}"
            )
    print(
        f"crawl s: {CAPTURE_LINE} = xxgk's capture line (until the last response is archived), "
        f"{SPIDER_OPEN_CLOSE} = Scrapy's spider open → close (no interpreter start-up), "
        f"{WHOLE_COMMAND} = the whole command; wall s: the whole command (xxgk: until the dataset is complete); "
        "peak RSS / PSS: sums over the process tree (PSS counts pages processes share once)"
    )

    xxgk_names = [name for name in summaries if name.startswith("xxgk")]
    same_urls = [name for name in summaries if name.endswith("(same URLs)")]
    if xxgk_names and same_urls:
        reference = summaries[xxgk_names[0]].run.extra["pages"]
        print(
            f"\nURL sets: {xxgk_names[0]} fetched {reference} URLs; "
            + ", ".join(
                f"{name} {summaries[name].run.extra['pages']} "
                f"({summaries[name].run.extra['pages'] - reference:+d})"
                for name in same_urls
            )
        )

    print(
        "\nratios, xxgk / baseline: crawl = pages/s over the crawl phase, whole = pages/s over the whole "
        "command (xxgk: until the dataset is complete), CPU = pages per CPU second, portal = baseline wall "
        "time / xxgk wall time (wget and plain Scrapy also fetch print views, search pages, share links, mostly 404s)"
    )
    for name in xxgk_names:
        x = summaries[name]
        for base in BASELINES.values():
            if base not in summaries:
                continue
            b = summaries[base]
            print(
                f"  {name:<16} / {base:<25} crawl {x.crawl_rate / b.crawl_rate:5.2f}x   "
                f"whole {x.whole_rate / b.whole_rate:5.2f}x   CPU {x.cpu_rate / b.cpu_rate:5.2f}x   "
                f"portal {b.wall / x.wall:5.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
