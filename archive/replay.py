"""Replay with real pywb, from an environment of its own.

pywb 2.10 pins redis==2.10.6, werkzeug and pyOpenSSL versions that cannot
share an environment with Scrapy and scrapy-redis, so xxgk keeps the
web-archive tools (pywb, and py-wacz for `wacz validate`) in a separate
virtual environment that it creates on first use and reuses afterwards.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from archive.errors import ArchiveError

TOOLS_REQUIREMENTS: tuple[str, ...] = ("pywb==2.10.0", "wacz==0.6.0")


def tools_env_dir() -> Path:
    """$XXGK_TOOLS_ENV, else ~/.cache/xxgk/tools-venv (one per user, shared by checkouts)."""
    if os.environ.get("XXGK_TOOLS_ENV"):
        return Path(os.environ["XXGK_TOOLS_ENV"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "xxgk" / "tools-venv"


def tool_path(name: str) -> Path:
    return tools_env_dir() / "bin" / name


def ensure_tools_env(*, quiet: bool = False) -> Path:
    """Create (once) the tools environment; later calls return at once.

    A lock file serialises concurrent first uses (parallel tests, two shells).
    """
    env = tools_env_dir()
    marker = env / "xxgk-tools.txt"
    wanted = "\n".join(TOOLS_REQUIREMENTS) + "\n"
    if marker.exists() and marker.read_text() == wanted:
        return env
    env.parent.mkdir(parents=True, exist_ok=True)
    with open(env.parent / (env.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == wanted:
            return env
        if not quiet:
            print(f"setting up the web-archive tools (pywb, py-wacz) in {env} — once", file=sys.stderr)
        if env.exists():
            shutil.rmtree(env)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, capture_output=True)
            subprocess.run(
                [
                    str(env / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    *TOOLS_REQUIREMENTS,
                ],
                check=True,
                capture_output=quiet,
            )
        except (subprocess.CalledProcessError, OSError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise ArchiveError(
                f"could not install {', '.join(TOOLS_REQUIREMENTS)} into {env}: {exc}\n{detail.decode(errors='replace')[-2000:]}"
            ) from exc
        marker.write_text(wanted)
    return env


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class PywbServer:
    """pywb's `wayback` serving ``<root>/collections/*``, bound to loopback."""

    def __init__(self, root: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 0):
        self.root = Path(root)
        if not (self.root / "collections").is_dir():
            raise ArchiveError(f"{self.root}: no collections/ directory (give the --out of a crawl)")
        self.host = host
        self.port = port or free_port(host)
        self.process: subprocess.Popen | None = None
        self.log = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, collection: str, url: str, timestamp: str = "", modifier: str = "") -> str:
        return (
            f"{self.base_url}/{collection}/{timestamp}{modifier}/{url}"
            if (timestamp or modifier)
            else f"{self.base_url}/{collection}/{url}"
        )

    def start(self, *, wait: float = 60, quiet: bool = True) -> PywbServer:
        """Start pywb and wait until it answers. ``quiet=False`` shows the one-time tools install.

        pywb's own output goes to a log file (a pipe nobody reads would fill up
        and stall it); the log is quoted if pywb fails to start.
        """
        if self.process is not None and self.process.poll() is None:
            return self  # already running (start() then `with server:` must not start a second one)
        ensure_tools_env(quiet=quiet)
        # a port another server holds would answer our readiness check and pass for pywb
        with socket.socket() as probe:
            try:
                probe.bind((self.host, self.port))
            except OSError as exc:
                raise ArchiveError(
                    f"cannot replay on {self.host}:{self.port}: {exc.strerror or exc}"
                ) from None
        cmd = [str(tool_path("wayback")), "--bind", self.host, "--port", str(self.port)]
        self.log = tempfile.NamedTemporaryFile(prefix="xxgk-pywb-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(cmd, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ArchiveError(f"pywb exited with {self.process.returncode}: {self._log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + "/", timeout=2):
                    pass
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
                continue
            if self.process.poll() is None:  # the answer came from our pywb, not another server
                return self
            raise ArchiveError(f"pywb exited with {self.process.returncode}: {self._log_tail()}")
        self.stop()
        raise ArchiveError(f"pywb did not answer on {self.base_url} within {wait:.0f} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        if self.log is None:
            return ""
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)
            self.log = None

    def __enter__(self) -> PywbServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
