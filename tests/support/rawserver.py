"""A raw-socket HTTP server for capture tests: sends hand-built bytes, logs what it got.

Unlike http.server it never normalises anything: each route is the exact byte
string to send, so a test can compare the WARC block with it byte for byte.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Route:
    data: bytes  # the whole response, as sent
    close: bool = False  # close the connection after sending (close-delimited bodies)
    pause_after: int | None = None  # send this many bytes, then reset the connection


@dataclass
class RawHttpServer:
    routes: dict[str, Route | Callable[[bytes], Route]]
    host: str = "127.0.0.1"
    ssl_context: ssl.SSLContext | None = None  # serve HTTPS
    received: list[tuple[str, bytes]] = field(default_factory=list)  # (target, request bytes)
    sent: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self.host, 0))
        self._sock.listen(32)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base_url(self) -> str:
        return f"{'https' if self.ssl_context else 'http'}://{self.host}:{self.port}"

    def __enter__(self) -> RawHttpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _wrap(self, conn: socket.socket) -> socket.socket:
        if self.ssl_context is None:
            return conn
        conn.settimeout(10)
        return self.ssl_context.wrap_socket(conn, server_side=True)

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            conn = self._wrap(conn)
            conn.settimeout(10)
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head_end = buf.index(b"\r\n\r\n") + 4
                head = buf[:head_end]
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(buf) < head_end + length:
                    buf += conn.recv(65536)
                request, buf = buf[: head_end + length], buf[head_end + length :]
                target = request.split(b" ", 2)[1].decode("latin-1")
                route = self.routes.get(target) or self.routes.get(target.split("?")[0])
                if callable(route):
                    route = route(request)
                if route is None:
                    route = Route(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
                with self._lock:
                    self.received.append((target, request))
                    self.sent[target] = route.data
                if route.pause_after is not None:
                    conn.sendall(route.data[: route.pause_after])
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                conn.sendall(route.data)
                if route.close:
                    return
        except (OSError, ValueError):
            return
        finally:
            conn.close()


def chunked(body: bytes, size: int = 100) -> bytes:
    """Chunked transfer coding, with a chunk extension on the first chunk as some servers send."""
    out = []
    for i in range(0, len(body), size):
        piece = body[i : i + size]
        ext = b";name=first" if i == 0 else b""
        out.append(b"%x%s\r\n%s\r\n" % (len(piece), ext, piece))
    out.append(b"0\r\n\r\n")
    return b"".join(out)
