"""Download handler that records every HTTP exchange at the connection.

Scrapy's own HTTP/1.1 handler (Twisted) de-chunks bodies, drops the reason
phrase, folds repeated headers and title-cases names before anything can see
them (shared/docs/web-archiving.md §2). To archive what the server really
sent, this handler speaks HTTP/1.1 itself over asyncio streams: the request
bytes it writes and the response bytes it reads go to the WARC untouched, and
only then is a normal Scrapy Response built for the middlewares and spiders.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import ssl
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers._base_http import BaseHttpDownloadHandler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Headers
from scrapy.http import Response as ScrapyResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.asyncio import is_asyncio_available
from scrapy.utils.ssl import _make_ssl_context

from archive.coverage import ensure_covered
from archive.dedup import DedupIndex
from archive.http import HOP_BY_HOP, HttpParseError, ResponseParser
from archive.index_sink import IndexSink
from archive.recover import recover_open_files
from archive.writer import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Exchange,
    Original,
    WarcFileWriter,
    digest,
    warc_date,
)
from crawler.collection import collection_paths, warcinfo_fields
from crawler.connections import Connection, ConnectionPool
from crawler.signals import document_found

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

META_KEY = "xxgk_warc"  # request.meta key holding the response record's location

DEFAULT_PORTS = {"http": 80, "https": 443}
READ_SIZE = 256 * 1024


def _optional_int(value) -> int | None:
    return None if value in (None, "", "None") else int(value)


_BINARY = re.compile(rb"[\x01-\x08\x0b\x0c\x0e-\x1f]")  # scrapy.utils.python.binary_is_text's bytes


def response_class(headers: Headers, url: str, body: bytes) -> type[ScrapyResponse]:
    """Scrapy's choice of Response class (responsetypes.from_args), with its body sniffing —
    a Python loop over 5,000 bytes, run for every PDF and DOCX — done by one regex search."""
    cls = responsetypes.from_args(headers=headers, url=url)
    if cls is not ScrapyResponse:
        return cls
    chunk = body[:5000]
    if _BINARY.search(chunk):
        return responsetypes.from_mimetype("application/octet-stream")
    chunk = chunk.lower()  # the rest as ResponseTypes.from_body
    if b"<html>" in chunk:
        return responsetypes.from_mimetype("text/html")
    if b"<?xml" in chunk:
        return responsetypes.from_mimetype("text/xml")
    if b"<!doctype html>" in chunk:
        return responsetypes.from_mimetype("text/html")
    return responsetypes.from_mimetype("text")


class StaleConnection(Exception):
    """A reused keep-alive connection was closed by the server before answering."""


def build_request_bytes(
    request: Request, host_header: bytes, target: bytes, version: bytes = b"HTTP/1.1"
) -> bytes:
    """The request exactly as it will be written to the socket."""
    lines = [request.method.encode("ascii") + b" " + target + b" " + version]
    headers = request.headers
    if b"Host" not in headers:
        lines.append(b"Host: " + host_header)
    if version == b"HTTP/1.0" and b"Connection" not in headers:
        lines.append(b"Connection: keep-alive")  # 1.0 closes after each response unless asked
    for name, values in headers.items():
        if name.lower() == b"proxy-authorization":
            continue  # only for proxies, never sent to the origin
        lines.extend(name + b": " + value for value in values)
    body = request.body or b""
    if (body or request.method in ("POST", "PUT", "PATCH")) and b"Content-Length" not in headers:
        lines.append(b"Content-Length: " + str(len(body)).encode("ascii"))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class CaptureDownloadHandler(BaseHttpDownloadHandler):
    """HTTP/HTTPS handler writing request and response records to the collection's WARCs."""

    lazy = False
    _CRAWLER_ATTR = "_xxgk_capture_handler"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureDownloadHandler:
        # Scrapy builds one handler per URL scheme; http and https must share one
        # instance so that a crawl writes one WARC series with one dedup index.
        handler = getattr(crawler, cls._CRAWLER_ATTR, None)
        if handler is None:
            handler = cls(crawler)
            setattr(crawler, cls._CRAWLER_ATTR, handler)
        return handler

    def __init__(self, crawler: Crawler):
        if not is_asyncio_available():
            raise NotConfigured("CaptureDownloadHandler needs the asyncio reactor (TWISTED_REACTOR)")
        super().__init__(crawler)
        settings = crawler.settings
        self.stats = crawler.stats
        self._closed = False
        self.recovered_files: list[Path] = []
        self.default_timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        version = str(settings.get("XXGK_HTTP_VERSION", "1.1"))
        if version not in ("1.0", "1.1"):
            raise NotConfigured(f"XXGK_HTTP_VERSION must be 1.0 or 1.1, not {version!r}")
        self.http_version = b"HTTP/" + version.encode()
        self.pool = ConnectionPool(
            _make_ssl_context(settings),
            max_idle_per_host=max(2, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")),
            bind_host=(settings.get("DOWNLOAD_BIND_ADDRESS") or None),
        )
        paths = collection_paths(crawler)
        self.collection_dir: Path = paths.collection
        for fixed in recover_open_files(paths.archive) if paths.archive.exists() else []:
            logger.warning(
                "closed %s left open by an interrupted crawl (%d records kept)",
                fixed.path.name,
                fixed.records,
            )
            self.recovered_files.append(fixed.path)
        # files earlier crawls left out of the index (killed before their merge, or after recovering
        # a file) are indexed now, recovered ones included: the collection is whole before we add to it
        if paths.archive.exists():
            ensure_covered(self.collection_dir)
        # the writer keeps every record's CDXJ line, so the index is merged at close without re-reading
        self.index_sink = IndexSink.for_collection(self.collection_dir)
        self.writer = WarcFileWriter(
            paths.archive,
            paths.prefix,
            warcinfo=warcinfo_fields(crawler),
            max_size=settings.getint("XXGK_WARC_MAX_SIZE"),
            gzip=settings.getbool("XXGK_WARC_GZIP"),
            compress_level=_optional_int(settings.get("XXGK_WARC_COMPRESS_LEVEL")),
            index=self.index_sink,
        )
        crawler.signals.connect(self._document_found, signal=document_found)
        # identical payloads become revisit records, within this crawl and against earlier ones
        self.dedup = (
            DedupIndex.from_collection(self.collection_dir) if settings.getbool("XXGK_DEDUP") else None
        )
        self.dedup_min_size = settings.getint("XXGK_DEDUP_MIN_SIZE")

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise DownloadFailedError(f"cannot fetch {request.url!r}: not an http(s) URL with a host")
        if request.meta.get("proxy"):
            raise DownloadFailedError("CaptureDownloadHandler does not support proxies yet")
        port = parts.port or DEFAULT_PORTS[scheme]
        host_header = (
            parts.hostname.encode("idna") if not parts.hostname.isascii() else parts.hostname.encode()
        )
        if parts.port and parts.port != DEFAULT_PORTS[scheme]:
            host_header += b":%d" % parts.port
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_bytes = build_request_bytes(
            request, host_header, target.encode("ascii", "surrogateescape"), self.http_version
        )
        timeout = float(request.meta.get("download_timeout", self.default_timeout))
        maxsize = int(request.meta.get("download_maxsize", self._default_maxsize))
        key = (scheme, parts.hostname, port)

        for attempt in range(2):
            conn = await self._connect(key, timeout, request, fresh=attempt > 0)
            date = warc_date()
            parser = ResponseParser(method=request.method)
            try:
                truncated = await self._exchange(conn, request_bytes, parser, timeout, maxsize)
            except StaleConnection:
                conn.close()
                continue
            except HttpParseError as exc:
                conn.close()
                self.stats.inc_value("xxgk/download/not_http")
                raise DownloadFailedError(f"{request.url}: server did not answer with HTTP: {exc}") from exc
            except TimeoutError as exc:
                conn.close()
                # a partial head is no HTTP response: archive only once the head is complete
                # (as for a disconnect), else the record would fail every WARC checker
                if parser.head is not None:
                    self._archive(request, conn, request_bytes, parser, date, "time")
                raise DownloadTimeoutError(
                    f"Getting {request.url} took longer than {timeout} seconds."
                ) from exc
            except BaseException:
                conn.close()
                raise
            break
        else:  # pragma: no cover - both attempts hit closed keep-alive connections
            raise DownloadFailedError(f"{request.url}: connection closed before a response")

        self.pool.release(conn, reusable=truncated is None and parser.keep_alive)
        ref = self._archive(request, conn, request_bytes, parser, date, truncated)
        request.meta[META_KEY] = ref.__dict__ | {"truncated": truncated}
        return self._make_scrapy_response(request, conn, parser, truncated)

    async def _connect(self, key, timeout: float, request: Request, *, fresh: bool) -> Connection:
        try:
            return await self.pool.acquire(key, timeout, fresh=fresh)
        except TimeoutError as exc:
            raise DownloadTimeoutError(
                f"Connecting to {key[1]}:{key[2]} took longer than {timeout} s"
            ) from exc
        except ConnectionRefusedError as exc:
            raise DownloadConnectionRefusedError(f"{key[1]}:{key[2]}: connection refused") from exc
        except socket.gaierror as exc:
            raise CannotResolveHostError(f"cannot resolve {key[1]}: {exc}") from exc
        except (OSError, ssl.SSLError) as exc:
            raise DownloadFailedError(f"{request.url}: cannot connect: {exc}") from exc

    async def _exchange(
        self, conn: Connection, request_bytes: bytes, parser: ResponseParser, timeout: float, maxsize: int
    ) -> str | None:
        """Send the request, read one response. Returns the WARC-Truncated reason or None."""
        async with asyncio.timeout(timeout):
            try:
                conn.writer.write(request_bytes)
                await conn.writer.drain()
                while not parser.done:
                    data = await conn.reader.read(READ_SIZE)
                    if not data:
                        parser.feed_eof()
                        break
                    try:
                        parser.feed(data)
                    except HttpParseError as exc:
                        if parser.head is None:
                            raise
                        # a good head, then body framing that cannot be followed (a bad chunk
                        # size line): keep every byte that came, marked as cut, rather than lose them
                        logger.warning(
                            "%s: %s; archived as received (WARC-Truncated: unspecified)", conn.key[1], exc
                        )
                        conn.close()
                        return "unspecified"
                    if maxsize and len(parser.raw) - parser.body_start > maxsize:
                        conn.close()
                        return "length"
            except (ConnectionError, ssl.SSLError, OSError) as exc:
                if not parser.raw and conn.reused:
                    raise StaleConnection from exc
                if not parser.raw:
                    raise DownloadFailedError(f"connection lost before a response: {exc}") from exc
                parser.feed_eof()
        if not parser.raw and conn.reused:
            raise StaleConnection
        if parser.head is None:
            # closed early: not a protocol error (not counted as xxgk/download/not_http)
            if not parser.raw:
                raise DownloadFailedError("connection closed before any response")
            raise DownloadFailedError(f"connection closed after {len(parser.raw)} bytes of the response head")
        return None if parser.complete else "disconnect"

    def _archive(self, request, conn, request_bytes, parser, date, truncated):
        entity = parser.entity()
        payload_digest = digest(entity, self.writer.digest_algorithm)
        exchange = Exchange(
            url=request.url,
            request_bytes=request_bytes,
            response_bytes=parser.message,
            entity=entity,
            payload_digest=payload_digest,
            head_length=parser.head.length if parser.head else 0,
            date=date,
            request_body=request.body or b"",
            ip_address=conn.ip_address,
            protocol="http/1.1" if conn.tls_version is None else f"http/1.1, {conn.tls_version.lower()}",
            truncated=truncated,
        )
        revisit_of, profile = self._revisit_of(request, parser, payload_digest, len(entity), truncated)
        if revisit_of is not None:
            ref, _ = self.writer.write_exchange(exchange, revisit_of, profile)
            self.stats.inc_value("xxgk/warc/revisits")
        else:
            ref, _ = self.writer.write_exchange(exchange)
            if self.dedup is not None and not truncated and parser.head.status == 200:
                self.dedup.add(payload_digest, ref.filename, ref.offset)
        self.stats.inc_value("xxgk/warc/exchanges")
        self.stats.set_value("xxgk/warc/bytes", self.writer.bytes_written)
        if truncated:
            self.stats.inc_value(f"xxgk/warc/truncated/{truncated}")
        return ref

    def _revisit_of(self, request, parser, payload_digest, size, truncated) -> tuple[Original | None, str]:
        """Whether this response repeats an archived capture, and by which revisit profile."""
        status = parser.head.status if parser.head else 0
        earlier = request.meta.get("xxgk_previous_capture")  # set by conditional recrawls
        if status == 304 and earlier:
            return Original(earlier["url"], earlier["date"], earlier.get("record_id")), SERVER_NOT_MODIFIED
        if self.dedup is None or truncated or status != 200 or size < self.dedup_min_size:
            return None, ""
        return self.dedup.lookup(payload_digest), IDENTICAL_PAYLOAD

    def _document_found(self, item: dict) -> None:
        """Record what the spider made of a capture, for re-parsing from the WARC alone."""
        ref = item.get("warc") or {}
        if not ref.get("record_id"):
            return
        # beside its response, as part of the capture; a response in another file (rotated away
        # meanwhile, or archived by a killed session or worker and answered from its WARC) is
        # referred to instead: the WARC standard's way to point at a record elsewhere
        beside = ref.get("filename") == (self.writer.current_file and self.writer.current_file.name)
        fields = {
            "xxgk-document": item.get("kind"),
            "via": item.get("parent_url"),
            "xxgk-link-text": item.get("link_text"),
            "xxgk-column": item.get("column"),
        }
        block = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v).encode("utf-8")
        self.writer.write_record(
            "metadata",
            block,
            content_type="application/warc-fields",
            target_uri=item["url"],
            extra=[("WARC-Concurrent-To" if beside else "WARC-Refers-To", ref["record_id"])],
            rotate=False,
        )

    def _make_scrapy_response(self, request, conn, parser, truncated) -> Response:
        head = parser.head
        headers = Headers()
        for name, value in head.headers:
            if name.lower() not in HOP_BY_HOP:
                headers.appendlist(name, value)
        flags = []
        if truncated == "disconnect":
            if request.meta.get("download_fail_on_dataloss", self._fail_on_dataloss):
                raise ResponseDataLossError(f"{request.url}: connection closed before the body was complete")
            flags.append("dataloss")
        elif truncated:
            flags.append("truncated")
        body = parser.entity()
        if truncated == "length":
            # Scrapy cancels oversize downloads; we archive the cut record and hand on what we have
            logger.warning("%s: body cut at the size limit (WARC-Truncated: length)", request.url)
        try:
            ip = ipaddress.ip_address(conn.ip_address) if conn.ip_address else None
        except ValueError:
            ip = None
        return response_class(headers, request.url, body)(
            url=request.url,
            status=head.status,
            headers=headers,
            body=body,
            flags=flags,
            certificate=conn.certificate,
            ip_address=ip,
            protocol=head.protocol,
        )

    async def close(self) -> None:
        if self._closed:  # shared by the http and https schemes: closed once
            return
        self._closed = True
        await self.pool.close()
        self.writer.close()
        files = self.recovered_files + self.writer.files_written
        self.stats.set_value("xxgk/warc/files", [str(p) for p in files])
        try:
            if self.writer.files_written:  # recovered files were indexed when the crawl started
                self.index_sink.merge(self.collection_dir, self.writer.files_written)
        except Exception:
            # the index is derived data: the next crawl (or `xxgk index`) indexes what is missing
            logger.exception("could not update %s/indexes/index.cdxj; run `xxgk index`", self.collection_dir)
