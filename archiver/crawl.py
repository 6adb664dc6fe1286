"""Run a crawl through the normal Scrapy machinery, from Python or the `archiver` CLI."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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


class JobLockedError(RuntimeError):
    """Another crawl is running with the same job directory."""


@contextmanager
def job_dir(path: str | Path):
    """Scrapy's JOBDIR for `--resume`, locked for this crawl, cleaned up after a killed run.

    Scrapy saves its request queue only when a crawl stops cleanly; after a SIGKILL the
    queue on disk is incomplete while the list of seen requests is not, so resuming
    as is would skip pages that were never processed. After an unclean stop we keep
    nothing but the archive: the spider walks the listings again and fetches only
    the articles the archive lacks.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / "lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise JobLockedError(f"another crawl (pid {lock.read().strip() or '?'}) is using {path}") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        running = path / "RUNNING"
        if running.exists():  # the last crawl with this job directory did not stop cleanly
            for name in ("requests.seen", "requests.queue", "spider.state"):
                target = path / name
                shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        running.touch()
        clean = False
        try:
            yield path
            clean = True
        finally:
            if clean:
                running.unlink(missing_ok=True)


def job_dir_for(site: str | None, start_url: str | None, root: str | Path = "data/jobs") -> Path:
    name = site or urlsplit((start_url or "").split(",")[0]).netloc or "crawl"
    return Path(root) / re.sub(r"[^\w.-]+", "_", name)
