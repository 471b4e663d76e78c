"""`xxgk replay` as an operator runs it: a port already taken is an error (exit 2), and SIGTERM
stops pywb and leaves no log file behind."""

from __future__ import annotations

import signal
import socket
import tempfile
from pathlib import Path

from archive.replay import free_port
from tests.support.runner import xxgk, xxgk_server


def _pywb_logs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("xxgk-pywb-*.log")}


def test_a_port_in_use_is_refused(demo_crawl):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        proc = xxgk("replay", str(demo_crawl.out), "--port", str(port), timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("xxgk replay: error: cannot replay on 127.0.0.1:") and "in use" in line


def test_sigterm_stops_pywb_and_cleans_up(demo_crawl):
    before = _pywb_logs()
    port = free_port()
    proc = xxgk_server(
        "replay", str(demo_crawl.out), "--port", str(port), answers=f"http://127.0.0.1:{port}/"
    )
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, proc.stderr.read()
    with socket.socket() as probe:  # pywb is gone: nothing listens on the port any more
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    assert _pywb_logs() == before
