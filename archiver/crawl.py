"""Run a crawl through the normal Scrapy machinery, from Python or the `archiver` CLI."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archiver import settings as default_settings


@dataclass
class CrawlResult:
    stats: dict
    report: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return self.stats.get("response_received_count", 0)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def make_settings(db: str | Path | None = None, *, local: bool = False, overrides: dict | None = None) -> Settings:
    """The project's settings; `local` drops politeness delays for our own 127.0.0.1 replica."""
    s = Settings()
    s.setmodule(default_settings, priority="project")
    if local:
        s.setdict(default_settings.LOCAL_SETTINGS, priority="cmdline")
    if db is not None:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        s.set("ARCHIVE_DB", str(db), priority="cmdline")
    s.setdict(overrides or {}, priority="cmdline")
    return s


def run_crawl(spider: str = "news", *, settings: Settings, **spider_args) -> CrawlResult:
    """Run one spider to the end in this process (Twisted allows one such run per process)."""
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **{k: v for k, v in spider_args.items() if v is not None})
    started = time.perf_counter()
    process.start()
    seconds = time.perf_counter() - started
    return CrawlResult(dict(crawler.stats.get_stats()), getattr(crawler, "archiver_report", {}) or {}, seconds)
