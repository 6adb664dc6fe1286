"""Scheduled, incremental and resumable crawls, run for real: `archiver crawl` in a subprocess
against replicas served over HTTP on 127.0.0.1, checked in the SQLite archive."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archiver.crawl import (
    BAD_ARGUMENTS,
    INTERRUPTED,
    STORAGE_FAILED,
    UNREACHABLE,
    CrawlResult,
    JobLockedError,
    exit_code,
    job_dir,
    job_dir_for,
)
from archiver.monitor import LAYOUT_CHANGED
from archiver.replica import TZ, ReplicaSite
from archiver.server import ReplicaHandler, base_url, replace_site, serve_in_thread, serving

ARCHIVER = str(Path(sys.executable).parent / "archiver")
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def crawl_cmd(url: str, db: Path, *extra: str, site: str | None = "dukcqtw") -> list[str]:
    return [ARCHIVER, "crawl", *([site] if site else []), "--start-url", url + "/", "--db", str(db), *FAST, *extra]


def crawl(url: str, db: Path, *extra: str, cwd: Path | None = None, ok=(0,), site: str | None = "dukcqtw"
          ) -> subprocess.CompletedProcess:
    proc = subprocess.run(crawl_cmd(url, db, *extra, site=site), capture_output=True, text=True, timeout=600,
                          cwd=cwd)
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
    # A first crawl killed half-way; tests/faults/test_kills.py kills grown sites at every moment.
    site = ReplicaSite(600, seed=5)
    db = tmp_path / "a.db"
    with serve_in_thread(site) as url:
        proc = subprocess.Popen(crawl_cmd(url, db, "--resume"), cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _count(db) < 250:
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


# -- the incremental contract: a grown site, with or without --resume, with or without a profile ------------


# No profile with --resume: tests/faults/test_kills.py, with kills in between.
@pytest.mark.parametrize(("profile", "resume"), [(True, True), (True, False), (False, False)])
def test_every_scheduled_run_stores_what_is_new_since_the_last(tmp_path, profile, resume):
    """The README's cron line (--resume) and a plain run, with the site's profile and with --start-url only:
    a site that grows between runs is archived whole, with no listing page stored as an article."""
    site = ReplicaSite(60, seed=8, clock=in_the_past(200))
    extra = ["--resume"] if resume else []
    with serving(site) as server:
        url = base_url(server)
        for size in (60, 150):
            replace_site(server, site.grown(size))
            crawl(url, tmp_path / "a.db", *extra, cwd=tmp_path, site="dukcqtw" if profile else None)
            assert sorted(urls(tmp_path / "a.db")) == sorted(expected_urls(site.grown(size), url)), size
        if resume:  # a finished crawl leaves nothing for Scrapy to "resume"
            assert not list((tmp_path / "data/jobs").glob("*/requests.seen"))


class TrackedLinks(ReplicaHandler):
    """The replica as shared on social networks: every article link carries its own campaign tags and a
    fragment. Counts the requests per path."""

    fetched: Counter

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.fetched[urlsplit(self.path).path] += 1
        super().do_GET()

    def reply(self, status: int, body: str, modified=None) -> None:
        tags = itertools.count()
        body = re.sub(r'href="(/[a-z-]+/[a-z0-9-]+\.aspx)"',
                      lambda m: f'href="{m[1]}?utm_source=zalo&utm_campaign=c{next(tags)}&fbclid=IwAR{next(tags)}'
                                f'#binh-luan"', body)
        super().reply(status, body, modified)


@pytest.mark.parametrize("site_name", ["dukcqtw", None])
def test_tracking_parameters_and_fragments_are_dropped_before_the_request(tmp_path, site_name):
    site = ReplicaSite(40, seed=9)
    handler = type("Tracked", (TrackedLinks,), {"fetched": Counter()})
    with serving(site, handler=handler) as server:
        url = base_url(server)
        crawl(url, tmp_path / "a.db", site=site_name)
    assert sorted(urls(tmp_path / "a.db")) == sorted(expected_urls(site, url))  # all stored, under clean URLs
    articles = {path: n for path, n in handler.fetched.items() if path.count("/") == 2}
    assert len(articles) >= site.size and set(articles.values()) == {1}  # each fetched once


# -- exit codes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--start-url", "htp:/127.0.0.1/"],  # malformed start URL
        ["--start-url", "http://"],
        ["--start-url", "http://127.0.0.1:99999/"],
        ["nosuchsite"],
        ["dukcqtw", "-s", "DOWNLOAD_DELAY=fast"],  # invalid -s value
        ["dukcqtw", "-s", "ROBOTSTXT_OBEY=maybe"],
        ["dukcqtw", "-s", "REFRESH_POLICY=[[7, 0]]"],
        ["dukcqtw", "-s", "NOVALUE"],
        ["dukcqtw", "--max-pages", "0"],  # bad option
        ["dukcqtw", "--no-such-option"],
        ["--start-url", "http://../", "--resume"],  # a job directory named ".."
    ],
)
def test_bad_arguments_exit_2_with_one_line_before_fetching(tmp_path, args):
    from click.testing import CliRunner

    from archiver.cli import cli

    result = CliRunner().invoke(cli, ["crawl", *args, "--db", str(tmp_path / "a.db")])
    assert result.exit_code == BAD_ARGUMENTS, result.output
    assert "Error:" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "a.db").exists()  # nothing was started


@pytest.mark.parametrize("name", ["", ".", "..", ".hidden"])
def test_job_directory_names_that_are_no_plain_name_are_refused(name):
    with pytest.raises(ValueError, match="bad job directory name"):
        job_dir_for(name or None, "http:///" if not name else None)


def test_an_unreachable_site_exits_4(tmp_path):
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = crawl(f"http://127.0.0.1:{port}", tmp_path / "a.db", "-s", "RETRY_TIMES=0", ok=(UNREACHABLE,),
                 site=None)
    assert "SITE UNREACHABLE" in proc.stderr and "Errors: none" not in proc.stdout


def test_a_read_only_archive_exits_5_before_fetching(read_only_archive):
    proc = crawl("http://127.0.0.1:9", read_only_archive, ok=(STORAGE_FAILED,))
    assert str(read_only_archive) in proc.stderr and "Traceback" not in proc.stderr


def test_a_full_disk_stops_the_crawl_with_exit_5_and_the_next_run_refills_it(tiny_filesystem):
    """A 2 MiB filesystem fills up mid-crawl: the crawl says so and exits 5; once there is room again, the
    next ordinary run (no --full) stores every article, gap included."""
    site = ReplicaSite(300, seed=6)
    db = tiny_filesystem / "a.db"
    with serve_in_thread(site) as url:
        proc = crawl(url, db, "-s", "ARCHIVE_BATCH_SIZE=20", ok=(STORAGE_FAILED,))
        assert "database or disk is full" in proc.stderr and "Errors: none" not in proc.stdout
        assert 0 < one(db, "SELECT count(*) FROM articles") < site.size - 1
        subprocess.run(["mount", "-o", "remount,size=64m", str(tiny_filesystem)], check=True)
        crawl(url, db)
    assert sorted(urls(db)) == sorted(expected_urls(site, url))
    assert one(db, "PRAGMA integrity_check") == "ok"


def test_exit_code_order():
    """The most serious outcome wins: storage, then interruption, then an unreachable site, then layout."""
    def result(**stats):
        return CrawlResult({"finish_reason": "finished", "archiver/pages_read": 5, **stats}, {"flags": ["x"]})

    assert exit_code(result()) == LAYOUT_CHANGED
    assert exit_code(result(**{"archiver/pages_read": 0})) == UNREACHABLE
    assert exit_code(result(finish_reason="shutdown", **{"archiver/pages_read": 0})) == INTERRUPTED
    assert exit_code(result(finish_reason="storage_error", **{"archiver/storage_error": "full"})) == STORAGE_FAILED
    assert exit_code(CrawlResult({"finish_reason": "finished", "archiver/pages_read": 1})) == 0


def test_scrapy_crawl_with_a_jobdir_stores_what_is_new_like_archiver_crawl_resume(tmp_path, scrapy_crawl):
    site = ReplicaSite(30, seed=10, clock=in_the_past(40))
    db, jobdir = tmp_path / "a.db", tmp_path / "job"
    with serving(site) as server:
        url = base_url(server)
        for size in (30, 50):
            replace_site(server, site.grown(size))
            scrapy_crawl(db, "-a", "site=dukcqtw", "-a", f"start_url={url}/", "-s", f"JOBDIR={jobdir}")
            assert sorted(urls(db)) == sorted(expected_urls(site.grown(size), url))
    assert not (jobdir / "requests.seen").exists() and not (jobdir / "RUNNING").exists()


@pytest.mark.parametrize(("layout", "drifted"), [(1, None), (2, "published")])
def test_agreement_with_the_generic_reader_shows_a_drifting_profile(tmp_path, layout: int, drifted: str | None):
    """Layout 2 moves the date into markup the profile does not know: the generic reader still reads it,
    so `published` is profile_missing on every compared page, the log and the summary say so, and the
    crawl's agreement record (crawls.agreement) keeps the counts. On layout 1 every such field agrees."""
    site = ReplicaSite(30, seed=3, layout=layout)
    db = tmp_path / "a.db"
    with serve_in_thread(site) as url:
        proc = crawl(url, db, "-s", "AGREEMENT_EVERY=1")
    record = json.loads(one(db, "SELECT agreement FROM crawls ORDER BY id DESC LIMIT 1"))["dukcqtw"]
    compared = 30  # every article page, the broken one included (compared before it is dropped)
    assert record["title"]["agree"] == compared - 1
    assert record["related"] == {"agree": compared - 1, "disagree": 0, "profile_missing": 0, "generic_missing": 0}
    drifting = [line for line in proc.stderr.splitlines() if "profile drifting?" in line]
    if drifted is None:
        assert record["published"]["agree"] == compared - 1 and drifting == []
        assert all(c["disagree"] == c["profile_missing"] == 0 for f, c in record.items() if f != "body"), record
    else:
        assert record[drifted] == {"agree": 0, "disagree": 0, "profile_missing": compared - 1, "generic_missing": 0}
        assert len(drifting) == 1 and f"dukcqtw {drifted}: 0% agree" in drifting[0]
        assert f"LOW: dukcqtw {drifted}: 0% agree" in proc.stdout
    stats = subprocess.run([ARCHIVER, "stats", "--db", str(db)], capture_output=True, text=True, timeout=60).stdout
    assert "profile and generic reader agree" in stats
    assert ("published 0%" if drifted else "published 100%") in stats


def test_agreement_sampling_compares_every_nth_page(tmp_path):
    site = ReplicaSite(30, seed=3)
    db = tmp_path / "a.db"
    with serve_in_thread(site) as url:
        crawl(url, db, "-s", "AGREEMENT_EVERY=10")
    record = json.loads(one(db, "SELECT agreement FROM crawls ORDER BY id DESC LIMIT 1"))["dukcqtw"]
    # pages 1, 11 and 21 of the 30 article pages read; the body is counted on each (the broken page's too)
    assert sum(record["body"].values()) == 3
