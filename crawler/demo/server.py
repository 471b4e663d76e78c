"""DemoPortal: serve a DemoSite over HTTP/1.1 on loopback, in a background thread.

Keep-alive with Content-Length, HEAD, ETag/Last-Modified with 304 answers,
no per-request logging to stderr; every request is recorded in `requests` so
tests can assert what a crawler fetched and what it left alone.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from crawler.demo.model import DemoSite, Resource


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str  # request target as sent: path and query
    headers: dict[str, str]
    status: int
    body: bytes = b""  # request body (POST)


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    # weak comparison (RFC 9110 13.1.2): W/ prefixes do not matter for GET
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags


def not_modified(resource: Resource, headers: dict[str, str]) -> bool:
    """RFC 9110 precedence: If-None-Match decides when present, else If-Modified-Since."""
    if not resource.cacheable:
        return False
    inm = headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, resource.etag or "")
    ims = headers.get("if-modified-since")
    if ims is not None and resource.modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return resource.modified.replace(microsecond=0) <= since
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries Content-Length
    server_version = "nginx"
    disable_nagle_algorithm = True  # small responses on kept-alive sockets: avoid 40 ms stalls
    server: _Server

    def version_string(self) -> str:
        return self.server_version  # real portals say "nginx" without the Python version

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read .requests
        pass

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_POST(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        portal = self.server.portal
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        request_body = self.rfile.read(length) if length > 0 else b""
        resource = portal.site.respond(self.command, self.path, request_body)
        status = resource.status
        extra = resource.response_headers()
        body = b""
        if status == 200 and not_modified(resource, headers):
            status = 304
            extra = {k: v for k, v in extra.items() if k in ("ETag", "Last-Modified")}
        else:
            body = resource.body
            if (
                portal.compress
                and len(body) > 512
                and "gzip" in headers.get("accept-encoding", "")
                and _compressible(resource.content_type)
            ):
                body = gzip.compress(body, mtime=0)
                extra["Content-Encoding"] = "gzip"
                extra["Vary"] = "Accept-Encoding"
        portal._record(RequestRecord(self.command, self.path, headers, status, request_body))
        self.send_response(status)
        for name, value in extra.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)


def _compressible(content_type: str) -> bool:
    return content_type.startswith(("text/", "application/javascript"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # benchmarks open dozens of connections at once
    portal: DemoPortal

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-response are normal for crawlers; stay quiet


class DemoPortal:
    """Serve `site` on http://host:port (free port by default) until stopped.

    Use as a context manager, or call start()/stop(). `compress=True` gzips
    text responses for clients that accept it (as most real portals do).
    """

    def __init__(
        self, site: DemoSite, host: str = "127.0.0.1", port: int = 0, *, compress: bool = False
    ) -> None:
        self.site = site
        self.host = host
        self.port = port
        self.compress = compress
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> DemoPortal:
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.portal = self
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"demo-portal-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("DemoPortal is not running: call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    @property
    def root_url(self) -> str:
        """Where a crawl starts: the 信息公开 root."""
        return self.url(self.site.root_path)

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- request log -----------------------------------------------------------

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(record)

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of every request served so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requested_paths(self, method: str | None = None) -> list[str]:
        return [r.path for r in self.requests if method is None or r.method == method]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
