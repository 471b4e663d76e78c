"""Running xxgk commands in a subprocess, as a user would (one reactor per process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Loopback test servers need no politeness; everything else stays as shipped.
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=4",
    "-s",
    "RETRY_TIMES=1",
]


def xxgk(*args: str, timeout: float = 240, check: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"xxgk {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def crawl_stats(proc: subprocess.CompletedProcess, prefix: str = "") -> dict[str, int]:
    """The numeric stats Scrapy dumps at the end of the crawl log the summary names (keys from ``prefix``)."""
    log = Path(re.search(r"^\s+log\s+(\S+)$", proc.stdout, re.M).group(1)).read_text(encoding="utf-8")
    found = re.findall(
        r"'(" + re.escape(prefix) + r"[^']*)': (\d+)[,}]", log.split("Dumping Scrapy stats")[-1]
    )
    return {key: int(value) for key, value in found}
