"""Redirects: followed as Scrapy does, but a loop is reported, not dropped in silence.

A redirect back to a URL already in the request's own redirect chain would be
dropped by the duplicate filter (logged at DEBUG, once per crawl); crawl
operators need to see which URL loops, so it is logged as a warning, counted
and the request given up.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from pipelines.urls import canonical_url

logger = logging.getLogger(__name__)


class LoopReportingRedirectMiddleware(RedirectMiddleware):
    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        chain = [*request.meta.get("redirect_urls", []), request.url]
        target = canonical_url(redirected.url)
        if any(canonical_url(url) == target for url in chain):
            logger.warning("redirect loop, not followed: %s -> %s", " -> ".join(chain), redirected.url)
            if self.crawler.stats:
                self.crawler.stats.inc_value("xxgk/errors/redirect_loop")
            raise IgnoreRequest(f"redirect loop: {' -> '.join(chain)} -> {redirected.url}")
        return super()._redirect(redirected, request, reason)


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding and regex-scanning every page.

    Scrapy reads the first 4,096 characters of each HTML response for a
    ``<meta http-equiv="refresh">``; a page whose first 16 KiB (4,096 characters
    in any encoding portals use) do not even contain "refresh" cannot have one
    there, so only the few that do are handed on.
    """

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if b"refresh" not in response.body[: 4 * 4096].lower():
            return response
        return super().process_response(request, response)
