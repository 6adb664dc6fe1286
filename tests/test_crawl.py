"""Scheduled, incremental and resumable crawls, run for real: `archiver crawl` in a subprocess
against replicas served over HTTP on 127.0.0.1, checked in the SQLite archive."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from archiver.crawl import JobLockedError, job_dir
from archiver.monitor import LAYOUT_CHANGED
from archiver.replica import TZ, ReplicaSite
from archiver.server import serve_in_thread

ARCHIVER = str(Path(sys.executable).parent / "archiver")
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def crawl_cmd(url: str, db: Path, *extra: str) -> list[str]:
    return [ARCHIVER, "crawl", "dukcqtw", "--start-url", url + "/", "--db", str(db), *FAST, *extra]


def crawl(url: str, db: Path, *extra: str, cwd: Path | None = None, ok=(0,)) -> subprocess.CompletedProcess:
    proc = subprocess.run(crawl_cmd(url, db, *extra), capture_output=True, text=True, timeout=600, cwd=cwd)
    assert proc.returncode in ok, proc.stderr[-3000:]
    return proc


def one(db: Path, sql: str, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchone()[0]


def last_stats(db: Path) -> dict:
    return json.loads(one(db, "SELECT stats FROM crawls ORDER BY id DESC LIMIT 1"))


def urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [u for (u,) in conn.execute("SELECT url FROM articles")]


def expected_urls(site: ReplicaSite, base: str) -> set[str]:
    return {base + site.path(i) for i in range(1, site.size + 1) if i != site.broken_id}


def in_the_past(intervals: int) -> datetime:
    """A replica clock this many publication intervals ago, so the site can grow up to now."""
    return datetime.now(TZ) - ReplicaSite(1).interval * intervals


@pytest.fixture
def small(tmp_path):
    site = ReplicaSite(30, seed=3, clock=in_the_past(30))
    with serve_in_thread(site) as url:
        db = tmp_path / "a.db"
        crawl(url, db)
        yield site, url, db


def test_a_no_change_run_fetches_listings_only(small):
    site, url, db = small
    before = one(db, "SELECT count(*) FROM articles")
    crawl(url, db)
    stats = last_stats(db)
    assert stats["response_received_count"] <= 8  # home, category first pages, robots.txt
    assert stats.get("archiver/known_skipped", 0) >= 10
    assert stats.get("item_scraped_count", 0) == 0
    assert one(db, "SELECT count(*) FROM articles") == before


def test_new_articles_are_fetched_and_known_ones_skipped(small, tmp_path):
    site, _, db = small
    grown = ReplicaSite(40, seed=3, clock=site.clock + site.interval * 10)  # 10 newer articles, same old ones
    with serve_in_thread(grown) as url:
        # The archive knows the articles under the first server's port; carry them over to this one.
        with sqlite3.connect(db) as conn:
            old = conn.execute("SELECT url FROM articles LIMIT 1").fetchone()[0].split("/")[2]
            conn.execute("UPDATE articles SET url = replace(url, ?, ?)", (old, url.split("/")[2]))
        crawl(url, db)
        stats = last_stats(db)
        assert set(urls(db)) == expected_urls(grown, url)
        assert stats["item_scraped_count"] == 10
        assert stats["response_received_count"] < 30  # not a full re-crawl


def test_due_articles_are_refreshed_with_conditional_requests(small):
    site, url, db = small
    seen_before = one(db, "SELECT max(last_seen) FROM articles")
    crawl(url, db, "-s", "REFRESH_POLICY=[[3650, 0.000001]]")  # everything is due
    stats = last_stats(db)
    assert stats["archiver/not_modified"] == 29  # 304: unchanged, nothing re-extracted
    assert stats.get("item_scraped_count", 0) == 29  # the 304 notices themselves
    assert one(db, "SELECT min(last_seen) FROM articles") > seen_before


def test_since_stores_only_newer_articles(tmp_path):
    site = ReplicaSite(30, seed=3)
    since = site.published(20).date().isoformat()
    with serve_in_thread(site) as url:
        db = tmp_path / "a.db"
        crawl(url, db, "--since", since)
    dates = {one(db, "SELECT min(published_at) FROM articles")[:10]}
    assert min(dates) >= since
    assert one(db, "SELECT count(*) FROM dropped_items WHERE reason = 'published before --since'") > 0


def test_max_pages_stops_the_crawl(tmp_path):
    with serve_in_thread(ReplicaSite(60)) as url:
        db = tmp_path / "a.db"
        crawl(url, db, "--max-pages", "10")
    stats = last_stats(db)
    assert stats["response_received_count"] - stats.get("robotstxt/response_count", 0) == 10
    assert stats["archiver/max_pages_reached"] > 0


def test_a_layout_change_is_flagged_and_the_exit_code_says_so(small):
    site, _, db = small
    redesign = ReplicaSite(60, seed=3, clock=site.clock + site.interval * 30, layout=2)
    with serve_in_thread(redesign) as url:
        proc = crawl(url, db, "--full", ok=(LAYOUT_CHANGED,))
    assert "LAYOUT CHANGED?" in proc.stderr and "byline" in proc.stderr
    flags = json.loads(one(db, "SELECT flags FROM crawls ORDER BY id DESC LIMIT 1"))
    assert any(f.startswith("byline") for f in flags)


def test_progress_is_logged_when_not_on_a_terminal(tmp_path):
    with serve_in_thread(ReplicaSite(40)) as url:
        proc = crawl(url, tmp_path / "a.db", "-s", "PROGRESS_INTERVAL=0.2", "-s", "DOWNLOAD_DELAY=0.05")
    assert "progress: pages" in proc.stderr


def test_two_crawls_can_write_one_archive_at_once(tmp_path):
    db = tmp_path / "a.db"
    one_site, other = ReplicaSite(40, seed=1), ReplicaSite(40, seed=2)
    with serve_in_thread(one_site) as url1, serve_in_thread(other) as url2:
        procs = [subprocess.Popen(crawl_cmd(u, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for u in (url1, url2)]
        assert [p.wait(timeout=300) for p in procs] == [0, 0]
    assert set(urls(db)) == expected_urls(one_site, url1) | expected_urls(other, url2)
    assert one(db, "PRAGMA integrity_check") == "ok"


def test_a_second_crawl_on_the_same_job_directory_is_refused(tmp_path):
    with job_dir(tmp_path / "data/jobs/dukcqtw"):
        with pytest.raises(JobLockedError):
            with job_dir(tmp_path / "data/jobs/dukcqtw"):
                pass
        proc = subprocess.run([ARCHIVER, "crawl", "dukcqtw", "--resume", "--db", "a.db"], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "another crawl" in proc.stderr


def test_a_killed_crawl_resumes_without_missing_or_duplicated_articles(tmp_path):
    site = ReplicaSite(2000, seed=5)
    db = tmp_path / "a.db"
    with serve_in_thread(site) as url:
        proc = subprocess.Popen(crawl_cmd(url, db, "--resume"), cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _count(db) < 400:
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stored_at_kill = _count(db)
        assert 0 < stored_at_kill < site.size - 1, "the kill must land mid-crawl"
        assert (tmp_path / "data/jobs/dukcqtw/RUNNING").exists()
        crawl(url, db, "--resume", cwd=tmp_path)
    assert sorted(urls(db)) == sorted(expected_urls(site, url))  # 0 missing, 0 extra
    assert one(db, "SELECT count(*) - count(DISTINCT url) FROM articles") == 0
    assert one(db, "PRAGMA integrity_check") == "ok"
    assert not (tmp_path / "data/jobs/dukcqtw/RUNNING").exists()


def _count(db: Path) -> int:
    try:
        return one(db, "SELECT count(*) FROM articles")
    except sqlite3.OperationalError:  # not created yet
        return 0
