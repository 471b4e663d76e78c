"""Where `xxgk crawl` spends its time: py-spy samples of the crawl process, summarised.

    python bench/profile_crawl.py [--size 5000] [--mode capture|full] [--top 30]

Crawls the synthetic portal (nginx, politeness off, concurrency 32) under
`py-spy record --format raw` (benchmark-only dependency: pip install py-spy) and
prints the functions with the most samples: self (the leaf frame) and inclusive
(anywhere on the stack). The raw collapsed stacks are kept in $XXGK_BENCH_DIR/results/ for
flame graphs (e.g. https://www.speedscope.app accepts them).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CACHE, FAST, REPO, export_portal, nginx, settings_args, xxgk_command

MODES = {"full": {}, "capture": {"ITEM_PIPELINES": "{}"}}
_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def frame_name(frame: str) -> str:
    """'parse (crawler/spiders/portal.py:97)' → 'crawler/spiders/portal.py:parse'."""
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m.group("file")
    for marker in ("site-packages/", "lib/python3.11/", str(REPO) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}:{m.group('func')}"


def summarise(raw: Path, top: int, process: str = "") -> str:
    self_counts: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        if process and (process[1:] in stack if process.startswith("!") else process not in stack):
            continue
        frames = [frame_name(f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        total += n
        self_counts[frames[-1]] += n
        for name in set(frames):
            inclusive[name] += n
    out = [f"{total} samples", "", f"top {top} self (leaf frame):"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in self_counts.most_common(top)]
    out += ["", f"top {top} inclusive:"]
    out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=MODES, default="capture")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument(
        "--process",
        default="",
        help="keep only the samples whose stack contains this ('forkserver': the extraction workers);"
        " with a leading '!', those whose stack does not ('!forkserver': the crawl process)",
    )
    parser.add_argument(
        "--subprocesses",
        action="store_true",
        help="sample the extraction workers too (py-spy --subprocesses)",
    )
    args = parser.parse_args(argv)
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy not found: pip install py-spy (a benchmark-only dependency)")
    results = CACHE / "results"
    results.mkdir(parents=True, exist_ok=True)
    raw = results / f"profile-{args.mode}-{args.size}.txt"
    site = export_portal(args.size, args.seed)
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-profile-") as tmp, nginx(site) as url:
        command = xxgk_command(
            "crawl",
            url + "/xxgk/",
            "--out",
            tmp,
            "--name",
            "bench",
            "--no-progress",
            *settings_args(FAST | MODES[args.mode]),
        )
        subprocess.run(
            [
                "py-spy",
                "record",
                "--format",
                "raw",
                "--rate",
                str(args.rate),
                "--nonblocking",
                *(["--subprocesses"] if args.subprocesses else []),
                "-o",
                str(raw),
                "--",
                *command,
            ],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(f"# xxgk crawl, mode {args.mode}, {args.size}-document portal; raw stacks: {raw}")
    print(summarise(raw, args.top, args.process))
    return 0


if __name__ == "__main__":
    sys.exit(main())
