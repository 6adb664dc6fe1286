"""Item pipelines, one job each: normalize, validate, store."""

from __future__ import annotations

import logging
from datetime import datetime

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver.failures import as_rows, fetch_errors
from archiver.items import Article, NotModified, RawArticle
from archiver.monitor import layout_flags
from archiver.normalize import normalize_article
from archiver.store import Archive

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
    """Writes articles to the SQLite archive in batches, off the reactor thread."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.unchanged: list[tuple[str, str]] = []  # (url, fetched_at) of 304 answers

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = self.crawler.spider
        settings = self.crawler.settings
        self.archive = Archive(settings.get("ARCHIVE_DB"), background=True)
        recorded = {k: settings.get(k) for k in SETTINGS_RECORDED}
        self.crawl_id = self.archive.begin_crawl(spider.name, getattr(spider, "site_name", None), recorded)

    def process_item(self, item, spider=None):
        if isinstance(item, Article):
            self.archive.add(item)
            self.crawler.stats.inc_value("archiver/stored")
        elif isinstance(item, NotModified):
            self.unchanged.append((item.url, item.fetched_at))
            self.crawler.stats.inc_value("archiver/not_modified")
        return item

    def close_spider(self, spider=None):
        self.archive.touch(self.unchanged)
        stats = dict(self.crawler.stats.get_stats())
        report = self.archive.end_crawl(self.crawl_id, stats, getattr(self.crawler, "archiver_dropped", []),
                                        as_rows(fetch_errors(self.crawler)))
        history = self.archive.recent_coverage(report.get("site"), before=self.crawl_id)
        report["flags"] = layout_flags(report["coverage"], history, report.get("articles_written") or 0)
        if report["flags"]:
            self.archive.flag_crawl(self.crawl_id, report["flags"])
            log.error("layout changed? %s: %s", report.get("site"), "; ".join(report["flags"]))
        self.archive.close()
        self.crawler.archiver_report = report  # for `archiver demo` / `archiver crawl` summaries
