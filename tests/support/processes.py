"""Processes as /proc shows them: what a killed crawl leaves running."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    found = _state_and_parent(pid)
    return found is not None and found[0] != "Z"


def descendants(pid: int) -> set[int]:
    """Every running process below `pid`: children, their children…"""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _state_and_parent(int(entry))) and found[0] != "Z":
            parents[int(entry)] = found[1]
    below, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, pp in parents.items() if pp == parent} - below
        below |= children
        todo.extend(children)
    return below


def wait_until_gone(pids: set[int], timeout: float) -> list[int]:
    """The pids still running after up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(running(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if running(pid)]


def children(pid: int) -> list[int]:
    """The running children of `pid`, whichever of its threads started them."""
    return sorted(
        int(entry)
        for entry in os.listdir("/proc")
        if entry.isdigit()
        and (found := _state_and_parent(int(entry)))
        and found[0] != "Z"
        and found[1] == pid
    )


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # gone
        return ""


def crawl_processes(parent_pid: int) -> list[int]:
    """The crawl processes of `xxgk crawl --processes N` (forked: the parent's command line)."""
    return [pid for pid in children(parent_pid) if "crawler.cli" in command_line(pid)]


def extraction_workers(crawl_pid: int) -> list[int]:
    """The pool's workers: forked by the forkserver, itself a child of the process that owns the pool
    (the crawl process; with --processes N, their parent)."""
    servers = [pid for pid in children(crawl_pid) if "multiprocessing.forkserver" in command_line(pid)]
    return [worker for server in servers for worker in children(server)]
