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

from archiver.store import error_counts

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
    """Pages done, articles stored, rate and errors: one updating line on a terminal, log lines otherwise.

    With PROGRESS_TOTAL (the number of articles the crawl expects: the demo knows its size) the line also
    shows the share done and an estimated time left. Errors are counted as the end-of-crawl report counts
    them (store.error_counts: HTTP 4xx/5xx included), so the line and the summary agree.
    """

    def __init__(self, crawler: Crawler, interval: float, total: int = 0):
        self.crawler = crawler
        self.tty = sys.stderr.isatty()
        self.interval = 1.0 if self.tty else interval
        self.total = total
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self._clear = _ClearLine()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        ext = cls(crawler, settings.getfloat("PROGRESS_INTERVAL", 30.0), settings.getint("PROGRESS_TOTAL", 0))
        crawler.signals.connect(ext.start, signal=signals.spider_opened)
        crawler.signals.connect(ext.stop, signal=signals.spider_closed)
        return ext

    def start(self) -> None:
        if self.tty:  # a log line first clears the progress line, which the next tick draws again below it
            for handler in logging.getLogger().handlers:
                handler.addFilter(self._clear)
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def stop(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self._clear)
        if self.tty:
            sys.stderr.write("\n")

    def line(self) -> str:
        stats = self.crawler.stats.get_stats()
        pages = stats.get("response_received_count", 0)
        stored = stats.get("archiver/stored", 0)
        dropped = stats.get("item_dropped_count", 0)
        errors = sum(error_counts(stats).values())
        elapsed = max(time.monotonic() - self.started, 1e-9)
        done = f"stored {stored}"
        if self.total:
            share = min((stored + dropped) / self.total, 1.0)
            left = elapsed * (1 - share) / share if share else None
            eta = f"ETA {left:.0f} s" if left is not None else "ETA ?"
            done = f"stored {stored}/{self.total} {share:.0%} {eta}"
        return f"pages {pages}  {done}  dropped {dropped}  errors {errors}  {pages / elapsed:.1f} pages/s"

    def report(self) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K" + self.line())
            sys.stderr.flush()
            self._clear.drawn = True
        else:
            log.info("progress: %s", self.line())


class _ClearLine(logging.Filter):
    """Clears a drawn progress line before a log record is written to the terminal (a filter runs
    just before its handler writes), so log lines never start in the middle of it."""

    drawn = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.drawn:
            sys.stderr.write("\r\033[K")
            self.drawn = False
        return True
