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


def xxgk_popen(*args: str, log: Path | None = None) -> subprocess.Popen:
    """An xxgk command started in its own session (a SIGKILL to its group takes its workers
    too, as systemd would), its output appended to ``log`` (a file: orphans cannot hold it up)."""
    with open(log or os.devnull, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", *args],
            cwd=REPO,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def xxgk_server(*args: str, answers: str, timeout: float = 120) -> subprocess.Popen:
    """An xxgk command that serves (replay, serve), started as a user would and waited for until
    ``answers`` (a URL) answers; bounded by ``timeout``."""
    import time
    import urllib.request

    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *args],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"xxgk {' '.join(args)} did not serve {answers}: {proc.communicate()[1]}")
        try:
            with urllib.request.urlopen(answers, timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)


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
