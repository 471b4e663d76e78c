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
# yields at most one item per response and the item pipeline never waits for
# extraction, so one task is enough (100, the default, only costs time).
CONCURRENT_ITEMS = 1
# Scrapy re-reads and re-parses the callback's source for every response to warn about
# `return value` in generators (its cache is keyed by short-lived bound methods).
WARN_ON_GENERATOR_RETURN_VALUE = False
STATS_CLASS = "crawler.stats.FastStatsCollector"  # no per-access deprecation shim (crawler/stats.py)
# Details and attachments are scheduled before further listing pages (priorities in
# the spider), which keeps the frontier small on portals with thousands of pages.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
SCHEDULER = "crawler.frontier.SpillingScheduler"  # requests past XXGK_FRONTIER_MEMORY wait on disk
XXGK_FRONTIER_MEMORY = 10_000  # pending requests held in memory (0: all, as Scrapy without JOBDIR)
DUPEFILTER_CLASS = (
    "crawler.dupefilter.CompactDupeFilter"  # 8 bytes a request, not ~100 (crawler/dupefilter.py)
)
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
XXGK_WARC_COMPRESS_LEVEL = None  # None: fast ISA-L deflate; 0-9: zlib at that level (smaller, slower)
XXGK_OPERATOR = None
XXGK_DEDUP = True  # identical payloads (this crawl or earlier ones) → revisit records
XXGK_DEDUP_MIN_SIZE = 1  # payloads smaller than this are always stored in full
XXGK_PROCESSES = 1  # crawl processes sharing the portal's URLs (crawler/shards.py): one per core is the most
XXGK_EXTRACT_WORKERS = 1  # processes running text/metadata extraction off the reactor
# extraction workers once capture is over, for the documents left (0: a core each, the cores shared
# by --processes N), if at least XXGK_EXTRACT_CATCH_UP_MIN are left (a worker starts in ~0.5 s)
XXGK_EXTRACT_CATCH_UP_WORKERS = 0
XXGK_EXTRACT_CATCH_UP_MIN = 200
XXGK_EXTRACT_BACKLOG = (
    256  # documents held in memory for extraction; more wait in a file (the crawl never waits)
)
# documents a worker is handed at a time: each hand-over and its rows' way back pass through this
# process's threads, which wait for the busy crawl thread's GIL (ms each): one document at a time,
# the workers idled while the crawl ran and extraction was left for after it
XXGK_EXTRACT_BATCH = 16
XXGK_EXTRACT_NICE = (
    19  # extraction workers' niceness increment: the crawl gets the CPU first (0: same priority)
)
XXGK_DATASET_FORMATS = ["jsonl", "parquet"]  # add "csv" for a CSV copy
XXGK_PROGRESS = False  # live progress line on stderr (the CLI turns it on for a terminal)

# -- runs: incremental, resumable, distributed (crawler/incremental.py, crawler/runs/) --
# The components are always wired and switch themselves off unless XXGK_INCREMENTAL
# is on (`xxgk run`, and `xxgk crawl` in one process, turn it on; `scrapy crawl` stays one-shot).
XXGK_INCREMENTAL = False  # state store <collection>/state.sqlite: versions, conditional re-checks, resume
XXGK_VERSIONS = True  # incremental: rows carry version/change and an unchanged document gets none
XXGK_FRESH = False
XXGK_RESUMED = False  # set by the parent of `--processes N` for its processes: the run is resumed
XXGK_SESSION_STARTED = None  # likewise: when this session began (fetches before it were a killed session's)  # `xxgk crawl --fresh`: an interrupted run is abandoned, not resumed
XXGK_CONDITIONAL_REQUESTS = True  # If-None-Match / If-Modified-Since for known documents
XXGK_RECHECK_AFTER = 0  # seconds: known documents fetched more recently are not re-checked (0: every run)
XXGK_RECHECK_UNLISTED = True  # re-fetch known documents no listing links any more (finds 404 removals)
XXGK_RUN_ID = None  # set by `xxgk run`; the run directory under <out>/runs/<name>/
XXGK_REDIS_URL = None  # distributed mode: frontier and duplicate filter in Redis (scrapy-redis)
SPIDER_MIDDLEWARES = {**SPIDER_MIDDLEWARES, "crawler.incremental.IncrementalSpiderMiddleware": 960}
DOWNLOADER_MIDDLEWARES = {"crawler.incremental.ConditionalRequestMiddleware": 950}
EXTENSIONS = {**EXTENSIONS, "crawler.incremental.RunStateExtension": 400}
XXGK_REDIS_PREFIX = None  # Redis key prefix (default xxgk:<collection>)
XXGK_WORKER_ID = None  # distributed mode: this worker's name (WARC prefix, activity key)
XXGK_WORKER_ACTIVE_TTL = 30  # seconds a busy worker's announcement lasts (keeps the others waiting)
EXTENSIONS = {**EXTENSIONS, "crawler.runs.distributed.WorkerCoordination": 410}
XXGK_LEASE_SECONDS = (
    30  # distributed: a request whose worker stops renewing its lease this long is crawled again
)

# -- discovery, scope, back-off and blocks (crawler/cms/, crawler/scope.py, crawler/politeness.py) --
XXGK_INCLUDE = []  # regexes: page URLs on a seed/extra host that are in scope whatever their path
XXGK_EXCLUDE = []  # regexes: URLs never fetched (checked first; attachments too)
XXGK_EXTRA_HOSTS = []  # more hosts of the portal (whole host in scope), e.g. a file server on another domain
XXGK_EXCLUDE_TRAPS = True  # built-in trap patterns: search, print, share, calendars, growing query strings
# CMS family modules (crawler/cms/base.py interface), in order; listing one replaces the defaults
XXGK_CMS_FAMILIES = [
    "crawler.cms.trs",
    "crawler.cms.hanweb",
    "crawler.cms.gkmlpt",
    "crawler.cms.generic",
    "crawler.cms.script",  # inline pager scripts run in a QuickJS sandbox (when the rules did not read them)
    "crawler.cms.scriptdata",  # listings that exist only as JSON in a script
]
# Page requisites (stylesheets, scripts, images, fonts, icons, what stylesheets load) are archived so a
# replayed page looks as the public saw it; never documents. Other hosts' requisites are tried once, briefly.
XXGK_REQUISITES = True
XXGK_REQUISITES_MAX = 2000  # requisite URLs per crawl at most (a gallery must not become the crawl)
XXGK_REQUISITE_TIMEOUT = 15  # seconds per requisite request (DOWNLOAD_TIMEOUT is for documents)
XXGK_ATTACHMENT_MAXSIZE = 0  # bytes: attachments beyond this are archived cut (0: DOWNLOAD_MAXSIZE)
XXGK_BACKOFF_BASE = (
    1.0  # seconds: without Retry-After, a host answering 429/503/a block waits base * 2**attempt
)
XXGK_BACKOFF_MAX = 60.0  # seconds: cap on any back-off, Retry-After included
XXGK_DETECT_BLOCKS = True  # WAF block/challenge and 验证码 pages: no documents, no links, back off, retry
XXGK_BLOCK_RETRY_TIMES = 1  # retries of a blocked request (429/503 use RETRY_TIMES)
DOWNLOADER_MIDDLEWARES = {
    **DOWNLOADER_MIDDLEWARES,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.BackoffRetryMiddleware": 550,
    # redirect loops are logged and counted instead of vanishing in the duplicate filter
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.redirects.LoopReportingRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.redirects.QuickMetaRefreshMiddleware": 580,
}
