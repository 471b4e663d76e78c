"""FastStatsCollector keeps MemoryStatsCollector's behaviour."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.stats import FastStatsCollector


def test_same_stats_as_scrapy():
    collectors = [cls(get_crawler()) for cls in (MemoryStatsCollector, FastStatsCollector)]
    for stats in collectors:
        stats.inc_value("n")
        stats.inc_value("n", 4)
        stats.set_value("s", "x")
        stats.max_value("max", 3)
        stats.max_value("max", 2)
        stats.min_value("min", 3)
        stats.min_value("min", 1)
        stats.set_value("gone", 1)
        stats.get_stats().pop("gone")
    assert collectors[0].get_stats() == collectors[1].get_stats() == {"n": 5, "s": "x", "max": 3, "min": 1}
    assert collectors[1].get_value("missing", 7) == 7
