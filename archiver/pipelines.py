"""Item pipelines, one job each: normalize, validate, store."""

from __future__ import annotations

import logging
from datetime import datetime

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from archiver import agreement
from archiver.failures import as_rows, fetch_errors
from archiver.items import Article, NotModified, RawArticle
from archiver.monitor import layout_flags
from archiver.normalize import normalize_article
from archiver.store import Archive, StorageError, error_counts

log = logging.getLogger(__name__)

REQUIRED = ("url", "title")  # an article without these is no article
SETTINGS_RECORDED = ("USER_AGENT", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY",
                     "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES",
                     "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE",
                     "CLOSESPIDER_PAGECOUNT", "JOBDIR")


class NormalizePipeline:
    """RawArticle -> Article (NFC text, resolved dates, integer views)."""

    def process_item(self, item, spider=None):
        return normalize_article(item) if isinstance(item, RawArticle) else item


class ValidatePipeline:
    """Drops what is not an article, saying which page and which field; reports field problems."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.dropped: list[dict] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        pipe = cls(crawler)
        crawler.archiver_dropped = pipe.dropped  # read by StorePipeline for the crawl report
        return pipe

    def process_item(self, item, spider=None):
        if not isinstance(item, Article):
            return item
        if missing := [f for f in REQUIRED if not getattr(item, f)]:
            self.drop(item, "no " + " and no ".join(missing), "on the page; article dropped")
        since = getattr(self.crawler.spider, "since", None)
        if since and item.published_at and datetime.fromisoformat(item.published_at) < since:
            self.drop(item, "published before --since", f"({item.published_at}); not stored")
        for problem in item.problems:
            self.stats.inc_value(f"archiver/problems/{problem.split(':')[0]}")
            log.warning("%s: %s", item.url, problem)
        return item

    def drop(self, item: Article, reason: str, detail: str) -> None:
        self.stats.inc_value(f"archiver/dropped/{reason.replace(' ', '_')}")
        self.dropped.append({"url": item.url, "reason": reason})
        raise DropItem(f"{item.url}: {reason} {detail}")


class StorePipeline:
    """Writes articles to the SQLite archive in batches, off the reactor thread.

    Batches are committed when full or every ARCHIVE_FLUSH_SECONDS. When the archive refuses a write
    (disk full, read-only, I/O error) the crawl stops with reason `storage_error`: fetching on would
    only pile up articles that cannot be kept. The unsaved batch is tried once more at the end, and the
    crawl is recorded as incomplete, so the next run walks every listing and refills what is missing.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.unchanged: list[tuple[str, str]] = []  # (url, fetched_at) of 304 answers
        self.storage_error: str | None = None
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        from archiver.distributed import redis_items

        if redis_items(crawler.settings):  # a worker of a shared crawl: `archiver ingest` writes the archive
            raise NotConfigured
        pipe = cls(crawler)
        crawler.signals.connect(pipe.finish, signal=signals.spider_closed)
        return pipe

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        settings = self.crawler.settings
        recorded = {k: settings.get(k) for k in SETTINGS_RECORDED}
        try:
            archive = Archive(settings.get("ARCHIVE_DB"), background=True,
                              batch_size=settings.getint("ARCHIVE_BATCH_SIZE", 200),
                              flush_seconds=settings.getfloat("ARCHIVE_FLUSH_SECONDS", 5.0))
        except StorageError as error:
            self.fail(error)
            return
        try:
            self.crawl_id = archive.begin_crawl(spider.name, getattr(spider, "site_name", None), recorded)
            self.crawler.archiver_crawl_id = self.crawl_id  # WARC files are named after it (archiver.warc)
        except StorageError as error:
            archive.close()  # nothing buffered yet: nothing to write
            self.fail(error)
            return
        self.archive = archive
        self.timer = task.LoopingCall(self._flush_due)
        self.timer.start(1.0, now=False)

    def process_item(self, item, spider=None):
        if self.archive is None:  # the archive could not be opened: the crawl is stopping
            self.crawler.stats.inc_value("archiver/unsaved")
            return item
        try:
            if isinstance(item, Article):
                self.archive.add(item)
                self.crawler.stats.inc_value("archiver/stored")
            elif isinstance(item, NotModified):
                self.unchanged.append((item.url, item.fetched_at))
                self.crawler.stats.inc_value("archiver/not_modified")
        except StorageError as error:  # the article is kept in the unsaved batch
            self.fail(error)
        return item

    def _flush_due(self) -> None:
        try:
            self.archive.flush_due()
        except StorageError as error:
            self.fail(error)

    def fail(self, error: StorageError, stop: bool = True) -> None:
        """Say it once, record it, and stop the crawl."""
        if self.storage_error is not None:
            return
        self.storage_error = str(error)
        self.crawler.stats.set_value("archiver/storage_error", self.storage_error)
        log.error("%s; stopping the crawl (the next run fetches what is missing)", error)
        engine = self.crawler.engine
        if stop and engine is not None and engine.spider is not None:
            if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
                self._closing = deferred_from_coro(engine.close_spider_async(reason="storage_error"))
            else:
                self._closing = engine.close_spider(engine.spider, "storage_error")

    def finish(self, spider=None, reason: str = "finished") -> None:
        """At spider_closed, when the close reason is known: record the crawl and build its report."""
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        if reason not in ("finished", "storage_error"):  # an early end is an error: the report must say so
            stats["errors"] = {"interrupted" if reason == "shutdown" else reason: 1}
        dropped = getattr(self.crawler, "archiver_dropped", [])
        report: dict = {}
        if self.archive is not None:
            try:
                self.archive.touch(self.unchanged)
                report = self.archive.end_crawl(self.crawl_id, stats, dropped,
                                                 as_rows(fetch_errors(self.crawler)))
                history = self.archive.recent_coverage(report.get("site"), before=self.crawl_id)
                report["flags"] = layout_flags(report["coverage"], history, report.get("articles_written") or 0)
                if report["flags"]:
                    self.archive.flag_crawl(self.crawl_id, report["flags"])
                    log.error("layout changed? %s: %s", report.get("site"), "; ".join(report["flags"]))
                threshold = self.crawler.settings.getfloat("AGREEMENT_WARN", agreement.WARN_BELOW)
                report["agreement_low"] = agreement.low_fields(report.get("agreement") or {}, threshold)
                for line in report["agreement_low"]:
                    log.warning("profile drifting? %s (the generic reader reads this field otherwise)", line)
            except StorageError as error:
                self.fail(error, stop=False)
            archive, self.archive = self.archive, None
            try:
                archive.close()  # the last try for a batch the archive refused
            except StorageError as error:
                self.fail(error, stop=False)
            if archive.unsaved:
                self.crawler.stats.inc_value("archiver/unsaved", archive.unsaved)
        if self.storage_error:
            report = {"crawl_id": self.crawl_id, "errors": error_counts(stats), **report}
            report["errors"]["storage"] = 1
            report["storage_error"] = self.storage_error
            report["unsaved"] = self.crawler.stats.get_value("archiver/unsaved", 0)
        report["finish_reason"] = reason
        self.crawler.archiver_report = report  # for `archiver demo` / `archiver crawl` summaries
