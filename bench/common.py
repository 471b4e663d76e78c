"""Shared benchmark plumbing: the synthetic portal behind nginx, and measuring a command.

Benchmarks are not tests: they print numbers and ratios against baselines measured
in the same run on the same machine, never assert timings.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("XXGK_BENCH_DIR", "/tmp/xxgk-bench"))
PYTHON = sys.executable

# Politeness off, equal concurrency: what every crawler in the comparison gets.
FAST = {
    "ROBOTSTXT_OBEY": "False",
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "CONCURRENT_REQUESTS": "32",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def export_portal(size: int, seed: int = 1, name: str = "bench") -> Path:
    """The static export of build_site(size, seed), built once and cached on disk."""
    directory = CACHE / f"site-{name}-{size}-{seed}"
    if (directory / "nginx.conf").exists():
        return directory
    tmp = directory.with_name(directory.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "-m", "crawler.demo", "export", str(tmp), "--size", str(size), "--seed", str(seed), "--name", name],
        cwd=REPO, check=True,
    )
    tmp.rename(directory)
    print(f"# exported a {size}-document portal in {time.monotonic() - started:.0f} s: {directory}", file=sys.stderr)
    return directory


@contextlib.contextmanager
def nginx(site_dir: Path, port: int | None = None, workers: int = 1, *, keep_listen: bool = False) -> Iterator[str]:
    """Serve an exported site with Debian's nginx on 127.0.0.1; yields the base URL.

    `keep_listen`: the configuration's listen lines are already right (many addresses).
    """
    if shutil.which("nginx") is None:
        raise SystemExit("nginx not found: apt-get install nginx")
    port = port or free_port()
    conf = (site_dir / "nginx.conf").read_text(encoding="utf-8")
    if not keep_listen:
        conf = re.sub(r"listen 127\.0\.0\.1:\d+;", f"listen 127.0.0.1:{port};", conf)
    conf = re.sub(r"worker_processes \d+;", f"worker_processes {workers};", conf)
    # per-port configuration and pid files: concurrent benchmark runs may share an export
    conf = re.sub(r"pid [^;]+;", f"pid nginx-{port}.pid;", conf)
    conf_file = site_dir / f"nginx-bench-{port}.conf"
    conf_file.write_text(conf, encoding="utf-8")
    (site_dir / "logs").mkdir(exist_ok=True)
    pid_file = site_dir / f"nginx-{port}.pid"
    subprocess.run(["nginx", "-p", str(site_dir), "-c", conf_file.name], check=True, stderr=subprocess.DEVNULL)
    try:
        if not keep_listen:
            wait_for_port(port)
        else:
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGQUIT)
        time.sleep(0.3)
        conf_file.unlink(missing_ok=True)


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


def tree_usage(pid: int, cpu_seen: dict[int, float]) -> tuple[int, int]:
    """RSS (bytes) of a process and all its descendants, and of the process alone, from /proc;
    records each one's CPU
    seconds (self only) in `cpu_seen`, because getrusage misses grandchildren that the
    process never reaps itself (extraction workers under a multiprocessing forkserver)."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
        stats[int(entry)] = fields
    total, todo = 0, [pid]
    root = int(stats[pid][21]) * PAGE_SIZE if pid in stats else 0
    while todo:
        p = todo.pop()
        fields = stats.get(p)
        if fields:
            total += int(fields[21]) * PAGE_SIZE
            cpu_seen[p] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        todo.extend(children.get(p, []))
    return total, root


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall: float
    cpu: float  # user + system seconds of the process and all its descendants
    max_rss: int  # bytes: the largest single process (getrusage)
    peak_tree_rss: int  # bytes: the largest sum over the process tree, sampled every 0.2 s
    peak_root_rss: int = 0  # bytes: the command's own process (not its children), sampled
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (seconds, tree RSS bytes)


def measure(command: list[str], *, cwd: Path | None = None, env: dict | None = None, timeout: float = 900) -> Measured:
    """Run a command to completion: wall time, CPU time (self + children), peak memory."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command, cwd=cwd or REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        errors="replace",
    )
    peak = peak_root = 0
    cpu_seen: dict[int, float] = {}
    timeline: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_root
        while not stop.is_set():
            rss, root = tree_usage(proc.pid, cpu_seen)
            peak, peak_root = max(peak, rss), max(peak_root, root)
            timeline.append((time.monotonic() - started, rss))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out: list[str] = []
    err: list[str] = []
    readers = [
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),
        threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True),
    ]
    for r in readers:
        r.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        proc.kill()
        raise
    wall = time.monotonic() - started
    stop.set()
    for r in readers:
        r.join(timeout)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        command=command,
        returncode=proc.returncode,
        wall=wall,
        # getrusage counts what the process reaped; the samples count what it did not
        cpu=max(usage.ru_utime + usage.ru_stime, sum(cpu_seen.values())),
        max_rss=usage.ru_maxrss * 1024,
        peak_tree_rss=peak,
        peak_root_rss=peak_root,
        timeline=timeline,
        stdout="".join(out),
        stderr="".join(err),
    )


def xxgk_command(*args: str) -> list[str]:
    return [PYTHON, "-m", "crawler.cli", *args]


def settings_args(settings: dict[str, str]) -> list[str]:
    out: list[str] = []
    for name, value in settings.items():
        out += ["-s", f"{name}={value}"]
    return out


def count_warc_responses(paths: list[Path]) -> dict[str, int]:
    """Records by type (response, revisit, …) in WARC files, read with warcio."""
    from warcio.archiveiterator import ArchiveIterator

    counts: dict[str, int] = {}
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):
                counts[record.rec_type] = counts.get(record.rec_type, 0) + 1
    return counts


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"
