"""A small pool of keep-alive HTTP/1.1 connections on asyncio streams.

The capture handler owns its sockets (rather than Twisted's HTTP client) so it
sees every byte written and read; this module only opens, reuses and closes
them. Per-host concurrency is Scrapy's downloader slots' job, not the pool's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import defaultdict
from dataclasses import dataclass, field

ConnKey = tuple[str, str, int]  # (scheme, host, port)


@dataclass(eq=False)
class Connection:
    key: ConnKey
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    ip_address: str | None
    tls_version: str | None = None
    certificate: bytes | None = None
    reused: int = 0  # requests already served on this connection
    closed: bool = field(default=False)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()

    @property
    def usable(self) -> bool:
        return not self.closed and not self.reader.at_eof() and not self.writer.is_closing()


class ConnectionPool:
    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        *,
        max_idle_per_host: int = 8,
        bind_host: str | None = None,
    ):
        self.ssl_context = ssl_context
        self.max_idle_per_host = max_idle_per_host
        self.bind_host = bind_host
        self._idle: dict[ConnKey, list[Connection]] = defaultdict(list)

    async def acquire(self, key: ConnKey, timeout: float, *, fresh: bool = False) -> Connection:
        """An idle connection to ``key`` if one is alive, otherwise a new one."""
        if not fresh:
            idle = self._idle.get(key)
            while idle:
                conn = idle.pop()
                if conn.usable:
                    conn.reused += 1
                    return conn
                conn.close()
        return await self._open(key, timeout)

    async def _open(self, key: ConnKey, timeout: float) -> Connection:
        scheme, host, port = key
        tls = scheme == "https"
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                host,
                port,
                ssl=self.ssl_context if tls else None,
                server_hostname=host if tls else None,
                local_addr=(self.bind_host, 0) if self.bind_host else None,
                limit=1 << 20,
            )
        peer = writer.get_extra_info("peername")
        conn = Connection(key, reader, writer, ip_address=peer[0] if peer else None)
        ssl_object = writer.get_extra_info("ssl_object")
        if ssl_object is not None:
            conn.tls_version = ssl_object.version()
            conn.certificate = ssl_object.getpeercert(binary_form=True)
        return conn

    def release(self, conn: Connection, *, reusable: bool) -> None:
        """Return a connection after a complete exchange; close it if it cannot be reused."""
        idle = self._idle[conn.key]
        if reusable and conn.usable and len(idle) < self.max_idle_per_host:
            idle.append(conn)
        else:
            conn.close()

    async def close(self) -> None:
        conns = [c for idle in self._idle.values() for c in idle]
        self._idle.clear()
        for conn in conns:
            conn.close()
        for conn in conns:
            with contextlib.suppress(TimeoutError, OSError, ssl.SSLError):
                await asyncio.wait_for(conn.writer.wait_closed(), 1)
