"""Scrapy settings: polite by default, for crawling other people's sites."""

from archiver import __version__

BOT_NAME = "vn-news-archiver"
SPIDER_MODULES = ["spiders"]
COMMANDS_MODULE = "archiver.commands"  # `scrapy crawl` checks the spider arguments first (archiver/commands/crawl.py)
NEWSPIDER_MODULE = "spiders"

# Identify ourselves and obey the site's rules.
USER_AGENT = f"vn-news-archiver/{__version__} (research news archiver; +https://pypi.org/project/vn-news-archiver/)"
ROBOTSTXT_OBEY = True

# Bounded concurrency per site, adapted to the site's latency.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_TIMEOUT = 30
COOKIES_ENABLED = False
# No way into a running crawl: Scrapy's telnet console and its HTTP RemoteControl (which runs Python
# code sent to it; on by default in the Scrapy releases that have it, 2.19 here) stay off.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Hostile or broken servers (archiver/middlewares.py): a page is at most 16 MiB (a 30 MB page cost
# 500 MiB of memory), and whatever is refused is recorded in `fetch_errors` with its reason.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_AFTER_MAX = 60  # seconds: the longest Retry-After (429, 503) a retry waits for
NESTING_LIMIT = 1000  # a page whose last element is this deep was cut short by the parser
DOWNLOADER_MIDDLEWARES = {
    "archiver.middlewares.Redirects": 610,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "archiver.middlewares.Decompression": 590,
    "archiver.middlewares.RetryAfter": 560,
    "archiver.middlewares.Charset": 545,
    "archiver.middlewares.Nesting": 540,
    # Next to the downloader: every response as the server sent it, before redirects, retries, decompression.
    "archiver.warc.WarcCapture": 950,
}
# Every downloaded response is kept in WARC files (archiver/warc.py), in WARC_DIR (default: `warc/` next to
# ARCHIVE_DB), rotated at WARC_MAX_SIZE bytes; `archiver crawl --no-warc` or -s WARC_ENABLED=0 turns it off.
WARC_ENABLED = True
WARC_DIR = None
WARC_MAX_SIZE = 1024**3

ITEM_PIPELINES = {
    "archiver.pipelines.NormalizePipeline": 100,
    "archiver.pipelines.ValidatePipeline": 200,
    "archiver.pipelines.StorePipeline": 300,
    "archiver.distributed.RedisItemsPipeline": 300,  # instead of StorePipeline in a shared crawl
}
# Scheduled runs refetch a known article only when due: [age below N days, every M days], ...;
# older articles are never refetched. A profile's `refresh` key overrides it for its site.
REFRESH_POLICY = [[7, 1], [30, 7]]

# Where StorePipeline writes; `archiver crawl --db` and `-s ARCHIVE_DB=...` override it.
ARCHIVE_DB = "data/archive.db"
# Articles are committed in batches of ARCHIVE_BATCH_SIZE, and at least every ARCHIVE_FLUSH_SECONDS: a kill
# during a slow, polite crawl loses at most these few seconds of work (the next run fetches it again).
ARCHIVE_BATCH_SIZE = 200
ARCHIVE_FLUSH_SECONDS = 5.0
# Every AGREEMENT_EVERY-th page a profile reads (per site, the first included) is read by the generic reader
# too, and the fields compared (archiver/agreement.py; 0 turns it off). A field agreeing on fewer than
# AGREEMENT_WARN of the compared pages is logged at the end of the crawl.
AGREEMENT_EVERY = 25
AGREEMENT_WARN = 0.8

# Progress: one updating line on a terminal, a log line every PROGRESS_INTERVAL seconds otherwise.
# JobState: with a JOBDIR (--resume), only an interrupted crawl keeps Scrapy's state to resume from.
EXTENSIONS = {"archiver.monitor.Progress": 500, "archiver.crawl.JobState": 0,
              "archiver.distributed.SharedFrontier": 100}
PROGRESS_INTERVAL = 30

# A crawl shared by many workers (archiver/distributed.py, README "Distributed crawls"): with REDIS_URL set,
# the request queue and seen-set are on Redis (scrapy-redis), items go to a Redis list for `archiver ingest`
# (REDIS_ITEMS = False: each worker writes ARCHIVE_DB itself), a popped request returns to the queue
# REDIS_LEASE_SECONDS after its worker stopped renewing it, and a worker stops once the shared frontier
# has been empty for REDIS_IDLE_SECONDS. Without REDIS_URL the scheduler is Scrapy's own.
SCHEDULER = "archiver.distributed.Scheduler"
REDIS_URL = None
REDIS_ITEMS = True
REDIS_LEASE_SECONDS = 60.0
REDIS_IDLE_SECONDS = 30.0

LOG_FORMATTER = "archiver.logformat.ArchiverLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Settings for the bundled replica on 127.0.0.1: our own server, so no throttling.
LOCAL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
}
