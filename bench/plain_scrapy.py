"""Baseline (a): the minimal Scrapy crawler a user would write instead of xxgk.

A CrawlSpider with one LinkExtractor rule, following every same-host link, no
archiving, no extraction. Run as a script: `python bench/plain_scrapy.py URL`;
prints one JSON line with its stats.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class PlainSpider(CrawlSpider):
    name = "plain"
    rules = (Rule(LinkExtractor(), follow=True),)

    def __init__(self, url: str, **kwargs):
        self.start_urls = [url]
        self.allowed_domains = [urlsplit(url).hostname]
        super().__init__(**kwargs)


def main(url: str) -> None:
    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": False,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": 32,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
        }
    )
    crawler = process.create_crawler(PlainSpider)
    process.crawl(crawler, url=url)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"responses": stats.get("response_received_count", 0)}))


if __name__ == "__main__":
    main(sys.argv[1])
