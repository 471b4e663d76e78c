"""Scrapy's in-memory stats collector, without its per-attribute deprecation shim.

Scrapy 2.13+ routes every attribute access on the stats object (``inc_value``
and also ``_stats`` inside it) through a ``__getattribute__`` that builds a
name and raises and catches AttributeError, to warn about a deprecated
``spider`` argument. Scrapy updates ~20 stats per request, so on a fast crawl
that shim costs a few percent of the CPU; this class answers attribute access
the normal way and keeps everything else of MemoryStatsCollector.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class FastStatsCollector(MemoryStatsCollector):
    __getattribute__ = object.__getattribute__
