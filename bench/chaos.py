"""The chaos test at scale, by hand: SIGKILLs at random moments on the 3,000-page demo portal.

    python bench/chaos.py --size 3000 [--seed N] [--mode run|crawl|distributed|all]

`run`: `xxgk run` killed (its whole process group) at random request counts, one extraction
worker killed in between, then run to the end. `crawl`: the same with `xxgk crawl` (resumed).
`distributed`: two `xxgk run --redis` workers on the local Redis, one killed for good. After
each, the invariants of tests/support/invariants.py are checked and the numbers printed:
kill moments, requests the portal served against the URLs of one clean crawl (what the
restarts cost), rows, and every problem found (none expected).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler.demo import DemoPortal, build_site
from tests.support.invariants import collection_problems, jsonl
from tests.support.processes import extraction_workers
from tests.support.runner import xxgk_popen

FAST = ["-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
FAST += ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def wait_served(portal: DemoPortal, proc, count: int, limit: float = 900) -> bool:
    """Until the portal served `count` requests this round; False if the process ended first."""
    deadline = time.monotonic() + limit
    while len(portal.requests) < count:
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def kill_group(proc) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def kill_one_worker(proc) -> bool:
    """SIGKILL one extraction worker; False if there is none yet."""
    workers = extraction_workers(proc.pid)
    if workers:
        os.kill(workers[0], signal.SIGKILL)
    return bool(workers)


def rounds(rng: random.Random, portal: DemoPortal, start, total: int) -> tuple[list[str], int]:
    """Kill rounds, then a final run to the end: (what was done, as lines; requests served).
    Each kill lands at a random point of what is left (a resumed run answers what it archived
    from its WARCs, so it asks the server only for the rest)."""
    done, served, seen = [], 0, set()
    for plan in ("group", "worker+group", "group"):
        portal.clear_requests()
        proc = start()
        left = max(total - len(seen), 40)
        at = rng.randint(left // 10, left * 9 // 10)
        if plan == "worker+group":
            first = rng.randint(left // 20, at)
            if wait_served(portal, proc, first):
                done.append(f"killed an extraction worker after {first} requests: {kill_one_worker(proc)}")
        ended = not wait_served(portal, proc, at)
        if not ended:
            kill_group(proc)
        served += len(portal.requests)
        seen.update(r.path for r in portal.requests)
        if ended:  # the crawl finished before the kill: nothing left to resume
            done.append(f"the run finished before {at} requests (exit {proc.wait()}): no final run")
            return done, served
        done.append(f"SIGKILL to the process group after {len(portal.requests)} requests")
    portal.clear_requests()
    code = start().wait(timeout=3600)
    done.append(f"final run: exit {code}, {len(portal.requests)} requests")
    return done, served + len(portal.requests)


def chaos(mode: str, portal: DemoPortal, expected: set[str], out: Path, rng: random.Random, redis: str):
    """One mode's kills and final run: (what was done, as lines; requests served)."""
    out.mkdir()
    sites = out / "sites.yaml"
    sites.write_text(f"sites:\n  - name: demo\n    seeds: [{portal.root_url}]\n", encoding="utf-8")
    if mode == "crawl":
        args = ("crawl", portal.root_url, "--out", str(out), "--name", "demo", *FAST)
        return rounds(rng, portal, lambda: xxgk_popen(*args, log=out / "log"), len(expected))
    if mode == "run":
        args = ("run", str(sites), "--out", str(out), *FAST)
        return rounds(rng, portal, lambda: xxgk_popen(*args, log=out / "log"), len(expected))
    prefix = f"xxgk-chaos:{uuid.uuid4().hex}"
    portal.clear_requests()
    args = (
        "run",
        str(sites),
        "--out",
        str(out),
        "--redis",
        redis,
        *FAST,
        "-s",
        f"XXGK_REDIS_PREFIX={prefix}",
    )
    survivor = xxgk_popen(*args, "--worker-id", "w1", log=out / "w1.log")
    victim = xxgk_popen(*args, "--worker-id", "w2", log=out / "w2.log")
    wait_served(portal, victim, rng.randint(len(expected) // 10, len(expected) * 9 // 10))
    kill_group(victim)
    lines = [f"SIGKILL to worker w2 after {len(portal.requests)} requests (never restarted)"]
    lines.append(f"survivor w1: exit {survivor.wait(timeout=3600)}")
    return lines, len(portal.requests)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("run", "crawl", "distributed", "all"), default="all")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="xxgk-chaos-"))
    site = build_site(size=args.size, seed=args.seed, reports_dir=work / "no-extra-reports")
    modes = ("run", "crawl", "distributed") if args.mode == "all" else (args.mode,)
    with DemoPortal(site) as portal:
        expected = {portal.url(d.path) for d in site.documents}
        broken = False
        for mode in modes:
            began = time.monotonic()
            lines, served = chaos(mode, portal, expected, work / mode, rng, args.redis)
            elapsed = time.monotonic() - began
            problems = collection_problems(work / mode, "demo", expected, work / f"{mode}-reparsed")
            rows = jsonl(work / mode / "datasets" / "demo" / "documents.jsonl")
            print(f"\n## {mode}: {args.size} detail pages, {len(expected)} documents, seed {args.seed}")
            for line in lines:
                print(f"- {line}")
            print(f"- {served} requests served in all, {elapsed:.0f} s; {len(rows)} rows")
            print(f"- invariants: {'all hold' if not problems else 'BROKEN'}")
            for problem in problems:
                print(f"  - {problem}")
            broken = broken or bool(problems)
    if broken:
        print(f"\nkept for inspection: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
