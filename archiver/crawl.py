"""Run a crawl through the normal Scrapy machinery, from Python or the `archiver` CLI."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from archiver import settings as default_settings
from archiver.incremental import policy_from
from archiver.monitor import LAYOUT_CHANGED


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


# Exit codes of `archiver crawl` (README, "Exit codes"): cron and systemd alert on anything but 0.
OK = 0
JOB_LOCKED = 1  # another crawl holds the job directory: this one could not run
BAD_ARGUMENTS = 2  # click's usage errors too
# 3: LAYOUT_CHANGED, archiver.monitor flagged the run "layout changed?"
UNREACHABLE = 4  # not one page could be read: DNS failure, connection refused, every answer an error
STORAGE_FAILED = 5  # the archive could not be written: read-only, disk full, I/O error, corrupt
INTERRUPTED = 6  # stopped by SIGINT/SIGTERM before the end (with --resume the next run continues)


def exit_code(result: CrawlResult) -> int:
    """What a finished `run_crawl` means for cron: the most serious of what went wrong, else OK."""
    stats, report = result.stats, result.report
    if report.get("storage_error") or stats.get("archiver/storage_error"):
        return STORAGE_FAILED
    if stats.get("finish_reason", report.get("finish_reason")) in (None, "shutdown"):
        return INTERRUPTED
    # A worker that joined a shared crawl after the others had fetched everything asked for nothing: fine.
    joined_idle = stats.get("archiver/redis_seeder") == 0 and not stats.get("downloader/request_count")
    if not stats.get("archiver/pages_read") and not joined_idle:
        return UNREACHABLE
    if report.get("flags"):
        return LAYOUT_CHANGED
    return OK


def status_line(result: CrawlResult) -> str:
    """One line saying how the crawl ended, for the end-of-crawl summary."""
    code = exit_code(result)
    report = result.report
    if code == STORAGE_FAILED:
        error = report.get("storage_error") or result.stats.get("archiver/storage_error")
        return f"STORAGE FAILED: {error}; {report.get('unsaved') or 0} articles not saved (the next run refetches them)"
    if code == INTERRUPTED:
        return "INTERRUPTED before the end (with --resume the next run continues where it stopped)"
    if code == UNREACHABLE:
        return f"SITE UNREACHABLE: no page could be read (errors: {report.get('errors') or 'none recorded'})"
    if code == LAYOUT_CHANGED:
        return f"LAYOUT CHANGED? {'; '.join(report['flags'])}"
    return "finished"


def check_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """`-s NAME=VALUE` pairs as a dict; a value that the setting's type refuses is a ValueError naming it."""
    base = make_settings()
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"bad -s {pair!r}: give NAME=VALUE")
        default = base.get(name)
        try:
            if isinstance(default, bool):
                Settings({name: value}).getbool(name)
            elif isinstance(default, int | float):
                float(value)
            elif name == "REFRESH_POLICY":
                policy_from(json.loads(value))
            elif isinstance(default, dict | list) and value.lstrip()[:1] in ("[", "{"):
                json.loads(value)
        except (ValueError, TypeError) as error:
            kind = type(default).__name__ if default is not None else "value"
            raise ValueError(f"bad -s {name}={value!r}: not a valid {kind} ({error})") from None
        out[name] = value
    return out


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


STATE_FILES = ("requests.seen", "requests.queue", "spider.state")  # what Scrapy keeps in a JOBDIR
_HELD: set[Path] = set()  # job directories this process has locked


def clear_state(path: Path) -> None:
    for name in STATE_FILES:
        target = path / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)


@contextmanager
def job_dir(path: str | Path):
    """Scrapy's JOBDIR for `--resume`, locked for this crawl, cleaned up after a killed run.

    Scrapy saves its request queue only when a crawl stops cleanly; after a SIGKILL the
    queue on disk is incomplete while the list of seen requests is not, so resuming
    as is would skip pages that were never processed. After an unclean stop we keep
    nothing but the archive: the spider walks the listings again and fetches only
    the articles the archive lacks. (`JobState` clears the state after a crawl that
    finished, too: only an interrupted crawl has anything to resume.)
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
            clear_state(path)
        running.touch()
        _HELD.add(path.resolve())
        clean = False
        try:
            yield path
            clean = True
        finally:
            _HELD.discard(path.resolve())
            if clean:
                running.unlink(missing_ok=True)


class JobState:
    """Scrapy extension for crawls with a JOBDIR (`archiver crawl --resume`, `scrapy crawl -s JOBDIR=`).

    Scrapy keeps the list of requests seen when a crawl ends, however it ends. After a crawl that ran to
    its end, the next run would then find its start page "seen" and archive nothing: so only a crawl
    stopped by Ctrl-C or SIGTERM keeps its state to resume; any other end clears it (the archive knows
    what was stored). `scrapy crawl` gets the same lock and clean-up as `archiver crawl`.
    """

    def __init__(self, crawler: Crawler, path: Path):
        self.crawler = crawler
        self.path = path
        self.reason: str | None = None
        self.held = ExitStack()
        if path.resolve() not in _HELD:  # `scrapy crawl`: nobody locked it for us
            self.held.enter_context(job_dir(path))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobState:
        if not crawler.settings.get("JOBDIR"):
            raise NotConfigured
        ext = cls(crawler, Path(crawler.settings["JOBDIR"]))
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_closed(self, spider=None, reason: str = "finished") -> None:
        self.reason = reason

    def engine_stopped(self) -> None:
        # After spider_closed, when every part has written its state and the storage outcome is known.
        storage_failed = self.crawler.stats.get_value("archiver/storage_error")
        if self.reason != "shutdown" or storage_failed:
            clear_state(self.path)
        self.held.close()


def job_dir_for(site: str | None, start_url: str | None, root: str | Path = "data/jobs") -> Path:
    """data/jobs/SITE, or data/jobs/HOST without a site; a name that is not a plain file name is refused."""
    name = site or urlsplit((start_url or "").split(",")[0].strip()).netloc
    return Path(root) / check_job_name(re.sub(r"[^\w.-]+", "_", name or ""))


def check_job_name(name: str) -> str:
    if not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"bad job directory name {name!r}: give a site or start URL with a plain name")
    return name
