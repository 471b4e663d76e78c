"""FaultPortal: the demo portal, misbehaving on purpose at chosen URLs.

Real county portals answer 5xx under load, reset connections mid-body, stall,
lie in Content-Length, send broken gzip and chunking, loop redirects, serve
GBK as UTF-8 and PDFs as text/html. http.server cannot misbehave at the byte
level, so this server speaks HTTP/1.1 over raw sockets: good URLs get what
DemoPortal would send (keep-alive, Content-Length), fault URLs get exactly the
bytes of their fault. Everything is deterministic per URL, and every request
is counted per target so tests can bound retries.

The root page (the 信息公开 root a crawl starts from) carries one extra link
per fault, so a crawl from the root meets every fault.

    python -m crawler.demo.faults [--size N] [--port P]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import random
import socket
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType

from crawler.demo.model import DemoSite, Resource

FAULT_DIR = "/xxgk/faults"
_LINGER_RESET = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # SO_LINGER on, 0 s: close() sends RST


@dataclass(frozen=True)
class Fault:
    """One misbehaving URL and what a correct crawler makes of it."""

    path: str
    kind: str  # key of FaultPortal's behaviours
    link_text: str
    truncated: str | None = None  # the WARC-Truncated value its capture must carry
    row: bool = False  # a dataset row is expected (the response is usable, even if odd)
    retried: bool = False  # a retrying crawler asks again (5xx, timeouts, resets)
    status: int | None = None  # the HTTP status archived, when a response is archived
    archived: bool = True  # some response bytes arrive, so a response record is expected


def _detail(n: int) -> str:
    # TRS-style detail URLs, so the crawler schedules them as documents
    return f"{FAULT_DIR}/202401/t20240115_{9000 + n}.htm"


FAULTS: tuple[Fault, ...] = (
    Fault(_detail(1), "status-500", "服务器错误500", status=500, retried=True),
    Fault(_detail(2), "status-502", "网关错误502", status=502, retried=True),
    Fault(_detail(3), "status-503", "服务不可用503", status=503, retried=True),
    Fault(_detail(4), "status-503-retry-after", "服务不可用503（Retry-After）", status=503, retried=True),
    Fault(_detail(5), "reset-mid-body", "连接中途重置", truncated="disconnect", status=200, retried=False),
    Fault(_detail(6), "stall-after-head", "响应头后停顿", truncated="time", status=200, retried=True),
    Fault(_detail(7), "stall-before-head", "无响应", retried=True, archived=False),
    Fault(_detail(8), "drip", "慢速滴漏响应", truncated="time", status=200, retried=True),
    Fault(_detail(19), "drip-head", "慢速滴漏响应头", retried=True, archived=False),
    Fault(_detail(9), "chunked-truncated", "分块传输截断", truncated="disconnect", status=200),
    Fault(_detail(20), "chunked-bad-size", "分块长度行错误", truncated="unspecified", status=200, row=True),
    Fault(_detail(10), "gzip-invalid", "错误的gzip压缩", status=200),
    Fault(
        _detail(11), "length-too-long-close", "Content-Length偏大（关闭）", truncated="disconnect", status=200
    ),
    Fault(
        _detail(12),
        "length-too-long-hang",
        "Content-Length偏大（挂起）",
        truncated="time",
        status=200,
        retried=True,
    ),
    Fault(_detail(13), "length-too-short", "Content-Length偏小", status=200, row=True),
    Fault(_detail(14), "empty-200", "空白页面", status=200, row=True),
    Fault(_detail(15), "not-html-binary", "二进制冒充HTML", status=200, row=True),
    Fault(_detail(16), "not-html-json", "JSON冒充HTML", status=200, row=True),
    Fault(_detail(17), "not-http", "非HTTP应答", retried=True, archived=False),
    Fault(_detail(18), "close-immediately", "立即关闭连接", retried=True, archived=False),
    Fault(_detail(21), "interim-100", "100 Continue", status=200, row=True),
    Fault(_detail(22), "header-bomb", "超长响应头", retried=True, archived=False),
    Fault(_detail(23), "bad-content-length", "Content-Length非数字", status=200, row=True),
    Fault(f"{FAULT_DIR}/nowhere.htm", "redirect-no-location", "重定向无Location", status=302),
    Fault(f"{FAULT_DIR}/elsewhere.htm", "redirect-bad-scheme", "重定向到ftp", status=302),
    Fault(f"{FAULT_DIR}/loop-a.htm", "redirect-loop", "重定向循环", status=302),
    Fault(f"{FAULT_DIR}/chain-1.htm", "redirect-chain", "重定向链", status=302),
    Fault(f"{FAULT_DIR}/big.pdf", "big-attachment", "大附件.pdf", status=200, row=True),
    Fault(
        f"{FAULT_DIR}/huge.pdf", "huge-attachment", "超大附件.pdf", truncated="length", status=200, row=True
    ),
)
LOOP_TARGETS = {
    f"{FAULT_DIR}/loop-a.htm": f"{FAULT_DIR}/loop-b.htm",
    f"{FAULT_DIR}/loop-b.htm": f"{FAULT_DIR}/loop-a.htm",
}
CHAIN_LENGTH = 5
CHAIN_END = _detail(99)  # a good document at the end of the redirect chain
BIG_SIZE = 11 * 1024 * 1024  # archived whole under DOWNLOAD_MAXSIZE = 16 MiB
HUGE_SIZE = 20 * 1024 * 1024  # cut at that limit


def fault_links_html(faults: tuple[Fault, ...]) -> str:
    items = "".join(f'<li><a href="{f.path}">{f.link_text}</a></li>' for f in faults)
    return f'<div class="fault-links"><ul>{items}</ul></div>'


def _response_head(status: int, headers: list[tuple[str, str]]) -> bytes:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {status} {reason}", "Server: nginx", *(f"{k}: {v}" for k, v in headers)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class FaultPortal:
    """Serve `site` on 127.0.0.1 with the faults of `faults` injected (all of FAULTS by default)."""

    def __init__(
        self,
        site: DemoSite,
        faults: tuple[Fault, ...] = FAULTS,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        stall_limit: float = 30.0,
    ) -> None:
        self.site = site
        self.faults = {f.path: f for f in faults}
        self.host = host
        self.stall_limit = stall_limit  # a stalled answer gives up after this long, whatever the client
        self.counts: Counter[str] = Counter()  # request target -> requests received
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name=f"fault-portal-{self.port}", daemon=True)
        # a real detail page to cut, stall and mislabel (UTF-8, so byte cuts are visible in tests)
        self._page = next(
            site.pages[d.path].body
            for d in site.detail_pages
            if d.encoding == "utf-8" and d.path in site.pages
        )
        self._behaviours: dict[str, Callable[[socket.socket, str], bool]] = {
            "status-500": lambda c, t: self._status(c, 500),
            "status-502": lambda c, t: self._status(c, 502),
            "status-503": lambda c, t: self._status(c, 503),
            "status-503-retry-after": lambda c, t: self._status(c, 503, [("Retry-After", "1")]),
            "reset-mid-body": self._reset_mid_body,
            "stall-after-head": self._stall_after_head,
            "stall-before-head": self._stall_before_head,
            "drip": self._drip,
            "drip-head": lambda c, t: self._drip(c, t, head_too=True),
            "chunked-truncated": self._chunked_truncated,
            "chunked-bad-size": self._chunked_bad_size,
            "gzip-invalid": self._gzip_invalid,
            "length-too-long-close": lambda c, t: self._length_too_long(c, hang=False),
            "length-too-long-hang": lambda c, t: self._length_too_long(c, hang=True),
            "length-too-short": self._length_too_short,
            "empty-200": lambda c, t: self._send(c, 200, b"", "text/html; charset=utf-8"),
            "not-html-binary": lambda c, t: self._send(c, 200, _noise(4096, t), "text/html; charset=utf-8"),
            "not-html-json": lambda c, t: self._send(c, 200, b'{"code":0,"data":[1,2,3]}', "text/html"),
            "not-http": self._not_http,
            "close-immediately": lambda c, t: False,
            "interim-100": self._interim_100,
            "header-bomb": self._header_bomb,
            "bad-content-length": self._bad_content_length,
            "redirect-no-location": lambda c, t: self._send(c, 302, b"<html>moved</html>", "text/html"),
            "redirect-bad-scheme": lambda c, t: self._redirect(c, "ftp://127.0.0.1/pub/file.htm"),
            "redirect-loop": self._redirect_loop,
            "redirect-chain": self._redirect_chain,
            "big-attachment": lambda c, t: self._big_attachment(c, t, BIG_SIZE),
            "huge-attachment": lambda c, t: self._big_attachment(c, t, HUGE_SIZE),
        }

    # -- lifecycle -------------------------------------------------------------

    def __enter__(self) -> FaultPortal:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._sock.close()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def root_url(self) -> str:
        return self.base_url + self.site.root_path

    def requests_for(self, path: str) -> int:
        with self._lock:
            return self.counts[path]

    # -- serving ---------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        """One connection: requests in a keep-alive loop until a fault ends it."""
        buf = b""
        try:
            conn.settimeout(self.stall_limit)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self._stop.is_set():
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                end = buf.index(b"\r\n\r\n") + 4
                head, buf = buf[:end], buf[end:]  # GET/HEAD only: no request bodies
                parts = head.split(b" ", 2)
                target = parts[1].decode("latin-1") if len(parts) > 1 else "/"
                with self._lock:
                    self.counts[target] += 1
                if not self._answer(conn, target, head.startswith(b"HEAD ")):
                    return
        except (OSError, ValueError):
            return
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, target: str, head_only: bool) -> bool:
        """Send the answer for `target`; False when the connection must end."""
        path = target.split("?", 1)[0]
        fault = self.faults.get(path)
        if fault is not None:
            return self._behaviours[fault.kind](conn, target)
        if path in LOOP_TARGETS:
            return self._redirect_loop(conn, target)
        if path.startswith(f"{FAULT_DIR}/chain-"):
            return self._redirect_chain(conn, target)
        if path == CHAIN_END:
            return self._send(conn, 200, self._page, "text/html; charset=utf-8")
        resource = self.site.resolve(target)
        body = resource.body
        if path == self.site.root_path and resource.status == 200:
            body = _inject(body, resource, fault_links_html(tuple(self.faults.values())))
        headers = [
            (k, v) for k, v in resource.response_headers().items() if k not in ("ETag", "Last-Modified")
        ]
        return self._send(conn, resource.status, body, headers=headers, head_only=head_only)

    def _send(
        self,
        conn: socket.socket,
        status: int,
        body: bytes,
        content_type: str | None = None,
        headers: list[tuple[str, str]] | None = None,
        *,
        head_only: bool = False,
    ) -> bool:
        fields = list(headers or [])
        if content_type:
            fields.append(("Content-Type", content_type))
        fields.append(("Content-Length", str(len(body))))
        conn.sendall(_response_head(status, fields) + (b"" if head_only else body))
        return True

    # -- faults (each returns whether the connection stays usable) ---------------

    def _status(self, conn: socket.socket, status: int, extra: list[tuple[str, str]] | None = None) -> bool:
        body = f"<html><body><h1>{status} {HTTPStatus(status).phrase}</h1><hr>nginx</body></html>".encode()
        return self._send(conn, status, body, "text/html", extra)

    def _reset(self, conn: socket.socket) -> bool:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        return False  # _serve closes it: with linger 0 that is an RST

    def _reset_mid_body(self, conn: socket.socket, target: str) -> bool:
        head = _response_head(
            200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(self._page)))]
        )
        conn.sendall(head + self._page[: len(self._page) // 2])
        return self._reset(conn)

    def _stall(self) -> None:
        self._stop.wait(self.stall_limit)

    def _stall_after_head(self, conn: socket.socket, target: str) -> bool:
        head = _response_head(
            200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(self._page)))]
        )
        conn.sendall(head + self._page[:1000])
        self._stall()
        return False

    def _stall_before_head(self, conn: socket.socket, target: str) -> bool:
        self._stall()
        return False

    def _drip(self, conn: socket.socket, target: str, *, head_too: bool = False) -> bool:
        """Slow-loris: one byte every 0.2 s, so no read waits long but the whole never ends.

        With `head_too` even the head drips, so a client timing out holds no complete head.
        """
        head = _response_head(
            200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(self._page)))]
        )
        data = head + self._page
        start = 0 if head_too else len(head)
        conn.sendall(data[:start])
        for i in range(start, len(data)):
            if self._stop.wait(0.2):
                break
            conn.sendall(data[i : i + 1])
        return False

    def _chunked_truncated(self, conn: socket.socket, target: str) -> bool:
        head = _response_head(
            200, [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
        )
        body = self._page
        first, second = body[:4000], body[4000:8000]
        # the second chunk announces 4000 bytes and the connection closes after 1000 of them
        conn.sendall(
            head + b"%x\r\n%s\r\n" % (len(first), first) + b"%x\r\n%s" % (len(second), second[:1000])
        )
        return False

    def _chunked_bad_size(self, conn: socket.socket, target: str) -> bool:
        head = _response_head(
            200, [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")]
        )
        first = self._page[:4000]
        # the second chunk's size line is not hexadecimal: the framing is lost from there on
        conn.sendall(head + b"%x\r\n%s\r\nzz\r\n%s" % (len(first), first, self._page[4000:6000]))
        return False

    def _gzip_invalid(self, conn: socket.socket, target: str) -> bool:
        good = gzip.compress(self._page, mtime=0)
        broken = good[:10] + bytes(b ^ 0x5A for b in good[10:200]) + good[200:]  # gzip magic, corrupt deflate
        return self._send(
            conn,
            200,
            broken,
            "text/html; charset=utf-8",
            [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")],
        )

    def _length_too_long(self, conn: socket.socket, *, hang: bool) -> bool:
        head = _response_head(
            200,
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(self._page) + 5000))],
        )
        conn.sendall(head + self._page)
        if hang:
            self._stall()
        return False

    def _length_too_short(self, conn: socket.socket, target: str) -> bool:
        head = _response_head(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "2000")])
        conn.sendall(head + self._page)  # the rest is garbage on a keep-alive connection
        return False

    def _interim_100(self, conn: socket.socket, target: str) -> bool:
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")  # an interim answer nobody asked for
        return self._send(conn, 200, self._page, "text/html; charset=utf-8")

    def _header_bomb(self, conn: socket.socket, target: str) -> bool:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
        cookie = b"Set-Cookie: " + b"x" * 4000 + b"\r\n"
        conn.sendall(head + cookie * 300)  # 1.2 MB of head, and no end to it
        return False

    def _bad_content_length(self, conn: socket.socket, target: str) -> bool:
        head = _response_head(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "abc")])
        conn.sendall(head + self._page)  # unusable length: the body ends when the connection does
        return False

    def _not_http(self, conn: socket.socket, target: str) -> bool:
        conn.sendall(b"SSH-2.0-OpenSSH_8.4\r\nProtocol mismatch.\r\n\r\n")
        return False

    def _redirect(self, conn: socket.socket, location: str) -> bool:
        body = f'<html><body><a href="{location}">moved</a></body></html>'.encode()
        return self._send(conn, 302, body, "text/html", [("Location", location)])

    def _redirect_loop(self, conn: socket.socket, target: str) -> bool:
        path = target.split("?", 1)[0]
        return self._redirect(conn, LOOP_TARGETS.get(path, f"{FAULT_DIR}/loop-b.htm"))

    def _redirect_chain(self, conn: socket.socket, target: str) -> bool:
        n = int(target.split("?", 1)[0].rsplit("-", 1)[1].split(".")[0])
        return self._redirect(conn, CHAIN_END if n >= CHAIN_LENGTH else f"{FAULT_DIR}/chain-{n + 1}.htm")

    def _big_attachment(self, conn: socket.socket, target: str, size: int) -> bool:
        head = _response_head(
            200,
            [
                ("Content-Type", "application/pdf"),
                ("Content-Length", str(size)),
                ("Content-Disposition", f'attachment; filename="{target.rsplit("/", 1)[-1]}"'),
            ],
        )
        conn.sendall(head)
        block = b"%PDF-1.4\n" + _noise(1 << 20, target)[9:]
        sent = 0
        while sent < size:
            piece = block[: size - sent]
            conn.sendall(piece)
            sent += len(piece)
        return True


def _noise(size: int, seed: str) -> bytes:
    return random.Random(seed).randbytes(size)


def _inject(body: bytes, resource: Resource, html: str) -> bytes:
    """Add `html` before </body>, in the page's own encoding."""
    charset = "gbk" if "gbk" in resource.content_type.lower() else "utf-8"
    marker = body.rfind(b"</body>")
    at = marker if marker >= 0 else len(body)
    return body[:at] + html.encode(charset) + body[at:]


def main(argv: list[str] | None = None) -> int:
    from crawler.demo.site import build_site

    parser = argparse.ArgumentParser(
        prog="python -m crawler.demo.faults", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--size", type=int, default=20)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    site = build_site(args.size, 0, wrong_charset=True)
    with FaultPortal(site, port=args.port) as portal:
        print(f"serving {portal.root_url} with {len(portal.faults)} faults under {FAULT_DIR}/", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
