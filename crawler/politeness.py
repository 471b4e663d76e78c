"""Back-off and retries (a RetryMiddleware replacement): Retry-After, exponential, blocks.

* 429/503 (any RETRY_HTTP_CODES status): the host is held for Retry-After seconds (a number
  or an HTTP date) when the server gives one, else for XXGK_BACKOFF_BASE * 2**attempt, capped
  at XXGK_BACKOFF_MAX; then the request is retried, at most RETRY_TIMES times (Scrapy's
  setting and stats, retry/count …).
* WAF block, challenge and 验证码 pages (crawler/blocks.py): counted as xxgk/blocked/<waf>,
  the host held as above, retried at most XXGK_BLOCK_RETRY_TIMES times; what finally comes
  back is marked ``meta["xxgk_blocked"]`` so the spider neither parses it nor makes it a
  document (the capture handler has archived it already: it is evidence).

Holding never blocks the reactor: requests for a held host wait in an asyncio sleep before
they reach the download slot, and everything else goes on.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from crawler.blocks import detect

BLOCKED_META = "xxgk_blocked"
TEXT_TYPES = (b"text/", b"application/json", b"application/xhtml", b"application/javascript")


def retry_after(value: bytes | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("XXGK_BACKOFF_BASE", 1.0)
        self.max_delay = settings.getfloat("XXGK_BACKOFF_MAX", 60.0)
        self.block_retries = settings.getint("XXGK_BLOCK_RETRY_TIMES", 1)
        self.detect_blocks = settings.getbool("XXGK_DETECT_BLOCKS", True)
        self._held: dict[str, float] = {}  # host → monotonic time before which it gets nothing

    def _stats(self, key: str) -> None:
        self.crawler.stats.inc_value(key)

    def _hold(self, request: Request, response: Response) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = retry_after(response.headers.get(b"Retry-After"))
        if delay is None:
            delay = self.base * 2**attempt
        delay = min(delay, self.max_delay)
        host = urlparse_cached(request).netloc
        self._held[host] = max(self._held.get(host, 0.0), time.monotonic() + delay)
        self._stats(f"xxgk/backoff/host/{host}")  # which host the summary's blocked line is about
        return delay

    async def process_request(self, request: Request, spider: Any = None) -> None:
        until = self._held.get(urlparse_cached(request).netloc)
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        kind = self._blocked(response) if self.detect_blocks else None
        if kind:
            self._stats(f"xxgk/blocked/{kind}")
            request.meta[BLOCKED_META] = kind
            if request.meta.get("dont_retry"):
                return response
            self._hold(request, response)
            retry = get_retry_request(
                request,
                spider=self.crawler.spider,
                reason=f"blocked by {kind}",
                max_retry_times=self.block_retries,
                priority_adjust=self.priority_adjust,
            )
            if retry is not None:
                retry.meta.pop(BLOCKED_META, None)
                self._stats("xxgk/backoff/blocked")
                return retry
            self._stats("xxgk/backoff/gave_up")
            return response
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        self._hold(request, response)
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            self._stats("xxgk/backoff/gave_up")
            return response
        self._stats(f"xxgk/backoff/{response.status}")
        return retry

    @staticmethod
    def _blocked(response: Response) -> str | None:
        ctype = response.headers.get(b"Content-Type") or b"text/html"
        if not ctype.lower().startswith(TEXT_TYPES):
            return None  # a PDF that mentions 验证码 is a PDF
        return detect(response.status, response.body)
