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
        [
            PYTHON,
            "-m",
            "crawler.demo",
            "export",
            str(tmp),
            "--size",
            str(size),
            "--seed",
            str(seed),
            "--name",
            name,
        ],
        cwd=REPO,
        check=True,
    )
    tmp.rename(directory)
    print(
        f"# exported a {size}-document portal in {time.monotonic() - started:.0f} s: {directory}",
        file=sys.stderr,
    )
    return directory


@contextlib.contextmanager
def nginx(
    site_dir: Path, port: int | None = None, workers: int = 1, *, keep_listen: bool = False
) -> Iterator[str]:
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
    subprocess.run(
        ["nginx", "-p", str(site_dir), "-c", conf_file.name], check=True, stderr=subprocess.DEVNULL
    )
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


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class ProcessSample:
    ppid: int
    own_cpu: float  # utime + stime, seconds
    reaped_cpu: float  # cutime + cstime: the children it has waited for, their reaped children…
    rss: int  # bytes


def read_processes() -> dict[tuple[int, int], ProcessSample]:
    """Every process from /proc, keyed by (pid, start time) so a reused pid is another process."""
    out: dict[tuple[int, int], ProcessSample] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is stat's 3rd field (state)
        out[(int(entry), int(fields[19]))] = ProcessSample(
            ppid=int(fields[1]),
            own_cpu=(int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
            reaped_cpu=(int(fields[13]) + int(fields[14])) / CLOCK_TICKS,
            rss=int(fields[21]) * PAGE_SIZE,
        )
    return out


def read_pss(pid: int) -> int:
    """Proportional set size (bytes): pages shared between processes (a forked crawl process and
    its parent share their imported modules copy-on-write) count once across them, not once each
    as RSS does."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # gone meanwhile
        pass
    return 0


class ProcessTree:
    """A command's process tree followed through /proc: RSS now, and CPU seconds at the end.

    getrusage on the command counts only the descendants reaped along a chain of waits
    back to it; a process whose parent exits first (a multiprocessing forkserver when its
    crawl process ends, its extraction workers) is reparented out of that chain, and a
    walk down from the command by parent pid loses it too. So every process once seen
    below the command stays followed wherever it is reparented, and the CPU is the
    command's getrusage plus, for each process not reaped by a followed process, its own
    and its reaped children's CPU at the last sample. What that misses: CPU spent after
    the last sample (≤ 0.2 s) by processes that init or another outsider reaps.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.pss = 0  # bytes: proportional set size of the tree at the last sample
        self.last: dict[tuple[int, int], ProcessSample] = {}  # followed, as last seen
        self.reaped_inside: dict[tuple[int, int], bool] = {}  # gone: was its parent followed?

    def sample(self, *, root_reaped: bool = False) -> tuple[int, int]:
        """RSS (bytes) of the whole tree and of the root process alone.
        `root_reaped`: the command has been waited for (what it reaped counts as inside)."""
        processes = read_processes()
        by_pid = {key[0]: key for key in processes}
        children: dict[int, list[int]] = {}
        for (pid, _), info in processes.items():
            children.setdefault(info.ppid, []).append(pid)
        seeds = [self.root] + [pid for (pid, started) in self.last if by_pid.get(pid) == (pid, started)]
        tree: set[tuple[int, int]] = set()
        todo = seeds
        while todo:
            key = by_pid.get(todo.pop())
            if key is None or key in tree:
                continue
            tree.add(key)
            todo.extend(children.get(key[0], []))
        followed_pids = {pid for pid, _ in tree} | ({self.root} if root_reaped else set())
        for key, info in self.last.items():
            if key not in tree and key not in self.reaped_inside:
                # the only process that can reap one is its parent: if that is still followed,
                # its reaped_cpu has this one's CPU from now on
                self.reaped_inside[key] = info.ppid in followed_pids
        for key in tree:
            self.last[key] = processes[key]
        root = sum(processes[key].rss for key in tree if key[0] == self.root)
        self.pss = sum(read_pss(pid) for pid, _ in tree)
        return sum(processes[key].rss for key in tree), root

    def cpu(self, root_rusage_cpu: float) -> float:
        """CPU seconds of the whole tree, once the root has been reaped and sampled after."""
        outside = sum(
            info.own_cpu + info.reaped_cpu
            for key, info in self.last.items()
            if key[0] != self.root and not self.reaped_inside.get(key, False)
        )
        return root_rusage_cpu + outside


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall: float
    cpu: float  # user + system seconds of the process and all its descendants
    max_rss: int  # bytes: the largest single process (getrusage)
    peak_tree_rss: int  # bytes: the largest sum over the process tree, sampled every 0.2 s
    peak_root_rss: int = 0  # bytes: the command's own process (not its children), sampled
    peak_tree_pss: int = 0  # bytes: the largest PSS sum over the tree (shared pages counted once)
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (seconds, tree RSS bytes)


def measure(
    command: list[str], *, cwd: Path | None = None, env: dict | None = None, timeout: float = 900
) -> Measured:
    """Run a command to completion: wall time, CPU time and peak memory of its whole process
    tree (children, their children…: ProcessTree). Killed after `timeout` seconds."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=cwd or REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.daemon = True
    watchdog.start()
    peak = peak_root = peak_pss = 0
    tree = ProcessTree(proc.pid)
    timeline: list[tuple[float, int]] = []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_root, peak_pss
        while not stop.is_set():
            rss, root = tree.sample()
            peak, peak_root, peak_pss = max(peak, rss), max(peak_root, root), max(peak_pss, tree.pss)
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
    finally:
        watchdog.cancel()
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    tree.sample(root_reaped=True)  # who, of what was running at the last sample, the command reaped
    for r in readers:
        r.join(timeout)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        command=command,
        returncode=proc.returncode,
        wall=wall,
        cpu=tree.cpu(usage.ru_utime + usage.ru_stime),
        max_rss=usage.ru_maxrss * 1024,
        peak_tree_rss=peak,
        peak_root_rss=peak_root,
        peak_tree_pss=peak_pss,
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


def count_warc_statuses(paths: list[Path]) -> dict[str, int]:
    """HTTP status codes of the response records in WARC files ("200": n, "404": m, …)."""
    from warcio.archiveiterator import ArchiveIterator

    counts: dict[str, int] = {}
    for path in paths:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.http_headers is not None:
                    status = record.http_headers.get_statuscode()
                    counts[status] = counts.get(status, 0) + 1
    return counts


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"
