"""Watching crawls: layout-change flags from field coverage, and progress while crawling.

A site that changes its markup does not fail loudly: its pages still answer 200
and the spider still stores articles, just without bylines or dates. So every
crawl compares its per-field coverage with the site's recent runs, and a field
that falls far below them flags the run "layout changed?" (and `archiver crawl`
exits with LAYOUT_CHANGED, so cron can alert).
"""

from __future__ import annotations

import logging
import sys
import time
from statistics import median

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

log = logging.getLogger(__name__)

LAYOUT_CHANGED = 3  # exit code of `archiver crawl` when a run is flagged
MIN_ARTICLES = 10  # fewer articles in a run tell too little to flag anything
HISTORY = 5  # recent runs that make a site's baseline


def layout_flags(coverage: dict[str, float], history: list[dict[str, float]], articles: int) -> list[str]:
    """Fields whose coverage fell far below the site's recent runs: "byline 95% -> 0%"."""
    if articles < MIN_ARTICLES or not history:
        return []
    flags = []
    for field, now in coverage.items():
        past = [h[field] for h in history[-HISTORY:] if field in h]
        if not past:
            continue
        baseline = median(past)
        # "Far below": at most half of what it was, and at least 25 points lower.
        if baseline >= 0.25 and now <= baseline / 2 and baseline - now >= 0.25:
            flags.append(f"{field} {baseline:.0%} -> {now:.0%}")
    return flags


class Progress:
    """Pages done, items stored, rate and errors: one updating line on a terminal, log lines otherwise."""

    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.tty = sys.stderr.isatty()
        self.interval = 1.0 if self.tty else interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        ext = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 30.0))
        crawler.signals.connect(ext.start, signal=signals.spider_opened)
        crawler.signals.connect(ext.stop, signal=signals.spider_closed)
        return ext

    def start(self) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def stop(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.tty:
            sys.stderr.write("\n")

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        stored = stats.get_value("archiver/stored", 0)
        errors = stats.get_value("log_count/ERROR", 0) + sum(
            v for k, v in stats.get_stats().items() if k.startswith("downloader/exception_type_count/")
        )
        dropped = stats.get_value("item_dropped_count", 0)
        rate = pages / max(time.monotonic() - self.started, 1e-9)
        return f"pages {pages}  stored {stored}  dropped {dropped}  errors {errors}  {rate:.1f} pages/s"

    def report(self) -> None:
        if self.tty:
            sys.stderr.write("\r" + self.line() + "   ")
            sys.stderr.flush()
        else:
            log.info("progress: %s", self.line())
