"""Baseline (a): the minimal Scrapy crawler a user would write instead of xxgk.

A CrawlSpider with one LinkExtractor rule, following every same-host link, no
archiving, no extraction. Run as a script: `python bench/plain_scrapy.py URL`;
prints one JSON line with its stats.

`--same-urls`: the same spider, but its LinkExtractor denies xxgk's built-in trap
patterns (print views, search pages, share links: crawler.scope's
TRAP_URL_PATTERNS) and follows links to documents (PDF, DOCX, XLSX…), which
LinkExtractor skips by default and xxgk archives, so it fetches about the URL
set xxgk fetches and its pages/s is not inflated by thousands of cheap 404s.
What still differs (bench/crawl.py prints both counts): it also follows the
portal's navigation out of the 信息公开 section (/zwfw/, /hdjl/…: a few dozen
pages whatever the portal's size), and it misses what xxgk finds beyond plain
links: pages of script-built pagers and redirects (Scrapy counts the target only).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def same_urls_link_extractor() -> LinkExtractor:
    """The LinkExtractor of the --same-urls variant. xxgk's definitions are imported rather
    than copied, so the baseline follows any change to them."""
    from crawler.scope import TRAP_URL_PATTERNS
    from pipelines.links import ATTACHMENT_EXTENSIONS

    return LinkExtractor(
        # Python regexes searched anywhere in the URL, which is what deny does too: used as they are
        deny=list(TRAP_URL_PATTERNS),
        # Scrapy's default skip list includes pdf, doc(x), xls(x), zip…: attachments xxgk fetches
        deny_extensions=sorted(set(IGNORED_EXTENSIONS) - ATTACHMENT_EXTENSIONS),
    )


class PlainSpider(CrawlSpider):
    name = "plain"
    rules = (Rule(LinkExtractor(), follow=True),)

    def __init__(self, url: str, link_extractor: LinkExtractor | None = None, **kwargs):
        self.start_urls = [url]
        self.allowed_domains = [urlsplit(url).hostname]
        if link_extractor is not None:
            # CrawlSpider compiles `rules` in its __init__: set them on the instance first
            self.rules = (Rule(link_extractor, follow=True),)
        super().__init__(**kwargs)


def main(url: str, *, same_urls: bool = False) -> None:
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
    process.crawl(crawler, url=url, link_extractor=same_urls_link_extractor() if same_urls else None)
    process.start()
    stats = crawler.stats.get_stats()
    print(
        json.dumps(
            {
                "responses": stats.get("response_received_count", 0),
                "status_404": stats.get("downloader/response_status_count/404", 0),
                # spider open → close: the crawl without interpreter start-up and imports, the same
                # span as the capture time xxgk prints
                "crawl_seconds": stats.get("elapsed_time_seconds"),
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument(
        "--same-urls", action="store_true", help="deny xxgk's trap patterns, follow links to documents"
    )
    args = parser.parse_args()
    main(args.url, same_urls=args.same_urls)
