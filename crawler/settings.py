"""Scrapy settings for xxgk. Every value can be overridden with `-s NAME=VALUE`.

Defaults are polite (robots.txt, one or two connections per host, AutoThrottle):
county portals are small servers behind WAFs, and a crawl that gets blocked
archives nothing.
"""

BOT_NAME = "xxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "xxgk/0.1 (archiving crawler for government information disclosure pages)"
ROBOTSTXT_OBEY = True

# -- capture: every http(s) exchange is recorded at the connection ---------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOAD_HANDLERS = {
    "http": "crawler.capture.CaptureDownloadHandler",
    "https": "crawler.capture.CaptureDownloadHandler",
}
# HTTP/1.1 (keep-alive; servers may chunk). "1.0" asks servers not to chunk, as Heritrix
# does by default, for archives that must also pass `warcio check` (warcio#75).
XXGK_HTTP_VERSION = "1.1"
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024  # bodies beyond this are archived cut, with WARC-Truncated: length
DOWNLOAD_WARNSIZE = 50 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = False  # archive the partial body, flag the response "dataloss"

# -- politeness -------------------------------------------------------------------
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True
REDIRECT_ENABLED = True
HTTPERROR_ALLOW_ALL = True  # 404s and 5xx reach the spider, which records and counts them

# -- crawl order and memory ---------------------------------------------------------
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output; the spider
# yields at most one item per response, so 100 (the default) only costs time.
CONCURRENT_ITEMS = 8
# Details and attachments are scheduled before further listing pages (priorities in
# the spider), which keeps the frontier small on portals with thousands of pages.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
DEPTH_LIMIT = 0
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

SPIDER_MIDDLEWARES = {
    "crawler.marks.DocumentMarkMiddleware": 950,  # WARC metadata records for documents
}
ITEM_PIPELINES = {
    "crawler.pipelines.DocumentPipeline": 300,
}
EXTENSIONS = {
    "crawler.extensions.CrawlProgress": 500,
}

# -- xxgk ---------------------------------------------------------------------------
XXGK_OUT = "xxgk-data"  # output root: collections/, datasets/, runs/
XXGK_COLLECTION = None  # default: derived from the first seed's host
XXGK_WARC_PREFIX = None  # default: the collection name
XXGK_WARC_MAX_SIZE = 1_000_000_000
XXGK_WARC_GZIP = True
XXGK_WARC_COMPRESS_LEVEL = 6
XXGK_OPERATOR = None
XXGK_DEDUP = True  # identical payloads (this crawl or earlier ones) → revisit records
XXGK_DEDUP_MIN_SIZE = 1  # payloads smaller than this are always stored in full
XXGK_MAX_PAGES = 0  # stop after this many pages (0: no limit)
XXGK_EXTRACT_WORKERS = 1  # processes running text/metadata extraction off the reactor
XXGK_DATASET_FORMATS = ["jsonl", "parquet"]  # add "csv" for a CSV copy
XXGK_PROGRESS = False  # live progress line on stderr (the CLI turns it on for a terminal)
