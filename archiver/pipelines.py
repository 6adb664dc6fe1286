"""Item pipelines, one job each: normalize, validate, store."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archiver.items import Article, RawArticle
from archiver.normalize import normalize_article
from archiver.store import Archive

log = logging.getLogger(__name__)

REQUIRED = ("url", "title")  # an article without these is no article
SETTINGS_RECORDED = ("USER_AGENT", "ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY",
                     "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES",
                     "CLOSESPIDER_PAGECOUNT", "JOBDIR")


class NormalizePipeline:
    """RawArticle -> Article (NFC text, resolved dates, integer views)."""

    def process_item(self, item, spider=None):
        return normalize_article(item) if isinstance(item, RawArticle) else item


class ValidatePipeline:
    """Drops what is not an article, saying which page and which field; reports field problems."""

    def __init__(self, crawler: Crawler):
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
            reason = "no " + " and no ".join(missing)
            self.stats.inc_value(f"archiver/dropped/{reason.replace(' ', '_')}")
            self.dropped.append({"url": item.url, "reason": reason})
            raise DropItem(f"{item.url}: {reason} on the page; article dropped")
        for problem in item.problems:
            self.stats.inc_value(f"archiver/problems/{problem.split(':')[0]}")
            log.warning("%s: %s", item.url, problem)
        return item


class StorePipeline:
    """Writes articles to the SQLite archive in batches, off the reactor thread."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.archive: Archive | None = None
        self.crawl_id: int | None = None

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
        return item

    def close_spider(self, spider=None):
        self.archive.flush()
        stats = dict(self.crawler.stats.get_stats())
        report = self.archive.end_crawl(self.crawl_id, stats, getattr(self.crawler, "archiver_dropped", []))
        self.archive.close()
        self.crawler.archiver_report = report  # for `archiver demo` / `archiver crawl` summaries
