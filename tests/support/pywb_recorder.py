"""A WARC written by pywb's own recorder, made at test time instead of kept as a sample.

pywb (in the tools environment, archive/replay.py) records through `wayback --record --live`
from a loopback server that answers every page with `Transfer-Encoding: chunked` (one page
gzip-coded too): pywb stores such bodies de-chunked under the chunked header, as its sample
iana.warc.gz shows. Readers must take them as stored.
"""

from __future__ import annotations

import gzip
import http.server
import socketserver
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import ClassVar

from archive.replay import ensure_tools_env, free_port, tool_path

_DETAIL = (
    "<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
    "<table class='xxgk-meta'><tr><td>索引号：</td><td>{index_no}</td><td>发布机构：</td><td>贺兰县人民政府办公室</td></tr>"
    "<tr><td>成文日期：</td><td>2024-05-0{day}</td><td>发布日期：</td><td>2024-05-0{day}</td></tr></table>"
    "<div class='TRS_Editor'>{paragraphs}</div></body></html>"
)
DETAILS = {
    "/xxgk/zcwj/202405/t20240501_101.html": ("关于做好2024年防汛工作的通知", "11640122/2024-00101", 1),
    "/xxgk/zcwj/202405/t20240502_102.html": ("关于开展农村人居环境整治的实施意见", "11640122/2024-00102", 2),
}
GZIPPED = "/xxgk/zcwj/202405/t20240502_102.html"


def _pages() -> dict[str, bytes]:
    pages = {
        "/xxgk/": (
            "<html><head><meta charset='utf-8'><title>政府信息公开</title>"
            "<link rel='stylesheet' href='/css/xxgk.css'></head><body><ul>"
            + "".join(f"<li><a href='{path}'>{title}</a></li>" for path, (title, _, _) in DETAILS.items())
            + "</ul></body></html>"
        ).encode(),
        "/css/xxgk.css": b"body { font-family: SimSun, serif; }\n",
    }
    for path, (title, index_no, day) in DETAILS.items():
        paragraphs = f"<p>各乡镇人民政府，县直各部门：{title}，请结合实际认真贯彻执行。</p>" * 8
        pages[path] = _DETAIL.format(title=title, index_no=index_no, day=day, paragraphs=paragraphs).encode()
    return pages


class _Chunking(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        kind = "text/css" if self.path.endswith(".css") else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        if self.path == GZIPPED:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        half = len(body) // 2
        for part in (body[:half], body[half:]):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args) -> None:
        pass


def record_with_pywb(root: Path, *, wait: float = 60) -> tuple[Path, str]:
    """(the WARC pywb's recorder wrote, the origin it recorded from): every page of the server."""
    ensure_tools_env(quiet=True)
    _Chunking.pages = _pages()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Chunking)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    subprocess.run([str(tool_path("wb-manager")), "init", "rec"], cwd=root, check=True, capture_output=True)
    port = free_port()
    log = (root / "wayback.log").open("wb")
    wayback = subprocess.Popen(
        [str(tool_path("wayback")), "--record", "--live", "--bind", "127.0.0.1", "--port", str(port)],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + wait
        for path in _Chunking.pages:
            url = f"http://127.0.0.1:{port}/rec/record/id_/{origin}{path}"
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=10) as answer:
                        answer.read()
                    break
                except OSError:
                    if wayback.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            (root / "wayback.log").read_text(errors="replace")[-2000:]
                        ) from None
                    time.sleep(0.3)
    finally:
        wayback.terminate()  # closes the WARC
        try:
            wayback.wait(15)
        except subprocess.TimeoutExpired:
            wayback.kill()
            wayback.wait()
        log.close()
        server.shutdown()
        server.server_close()
    (warc,) = (root / "collections" / "rec" / "archive").glob("*.warc.gz")
    return warc, origin
