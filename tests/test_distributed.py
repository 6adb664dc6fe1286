"""Distributed crawls (archiver/distributed.py) with a real redis-server and real worker processes.

The session fixture starts Debian's redis-server on 127.0.0.1 on a free port (append-only file, fsync
always); where the binary is missing the tests skip saying so, except in CI (CI=true), where they fail.
Workers are real `archiver crawl SITE --redis URL` / `scrapy crawl news -s REDIS_URL=...` processes on the
replica site; the archive that `archiver ingest` writes is judged against the replica's ground truth.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
import redis
import scrapy
from redisserver import (
    FAST,
    ROOT,
    RedisServer,
    counting_handler,
    ingest_cmd,
    judge,
    kill_at,
    redis_binary,
    start,
    worker_cmd,
)

from archiver.distributed import Keys, ReliableQueue, frontier, ingest
from archiver.replica import ReplicaSite
from archiver.server import base_url, serving

SHORT = ["-s", "REDIS_LEASE_SECONDS=2", "-s", "REDIS_IDLE_SECONDS=2"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if redis_binary() is None:
        message = "redis-server is not installed (apt-get install redis-server): distributed crawls not tested"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " - in CI it must be (.ci/run installs it)")
        pytest.skip(message)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def rds(redis_server):
    redis_server.flush()
    return redis_server


@pytest.fixture
def counted():
    """A replica of 40 articles whose server counts requests per path."""
    site = ReplicaSite(articles=40, seed=3)
    handler = counting_handler()
    with serving(site, handler=handler) as server:
        server.handle_error = lambda request, address: None  # a killed worker resets its connections
        yield site, base_url(server), handler


# -- the reliable queue ---------------------------------------------------------------------------


class _Spider(scrapy.Spider):
    name = "news"
    site_name = "queue-test"


def _queue(rds, lease: float = 60.0) -> ReliableQueue:
    keys = Keys("queue-test")
    return ReliableQueue(redis.Redis.from_url(rds.url), _Spider(), keys.requests, keys=keys, lease_seconds=lease)


def test_a_popped_request_lives_in_leases_until_acked(rds):
    queue = _queue(rds)
    for i in range(3):
        queue.push(scrapy.Request(f"http://x.test/{i}", priority=i))
    first = queue.pop()
    assert first.url == "http://x.test/2"  # highest priority first, as scrapy-redis's PriorityQueue
    assert (len(queue), queue.leased()) == (2, 1)
    assert queue.ack([first]) == 1
    assert (len(queue), queue.leased()) == (2, 0)


@pytest.mark.parametrize("lease, wait, back", [(0.2, 0.4, 2), (30.0, 0.0, 0)])
def test_reclaim_requeues_only_expired_leases(rds, lease, wait, back):
    import time

    dead = _queue(rds, lease=lease)
    for i in range(3):
        dead.push(scrapy.Request(f"http://x.test/{i}"))
    popped = {dead.pop().url for _ in range(2)}
    time.sleep(wait)
    live = _queue(rds)
    assert live.reclaim() == back
    assert len(live) == 1 + back and live.leased() == 2 - back
    if back:
        assert {live.pop().url for _ in range(3)} >= popped  # the requests themselves, not lost


def test_release_hands_requests_back(rds):
    queue = _queue(rds)
    queue.push(scrapy.Request("http://x.test/a"))
    queue.pop()
    assert queue.release() == 1
    assert (len(queue), queue.leased()) == (1, 0)


# -- whole crawls -----------------------------------------------------------------------------------


def _wait(procs, timeout=150):
    for proc in procs:
        proc.wait(timeout)
    return [p.returncode for p in procs]


def _articles_by_site(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT site, count(*) FROM articles GROUP BY site"))


def test_workers_share_one_crawl_and_items_land_once(rds, counted, tmp_path):
    """Two workers (one through `scrapy crawl`) on one site, a third crawl of another site in the same
    Redis, one ingester: every article once, every URL fetched once, the sites' keys apart."""
    site, url, handler = counted
    other = ReplicaSite(articles=15, seed=5)
    with serving(other) as other_server:
        other_url = base_url(other_server)
        scrapy_worker = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "news",
            "-a",
            "site=dukcqtw",
            "-a",
            f"start_url={url}/",
            "-s",
            f"REDIS_URL={rds.url}",
            *FAST,
            *SHORT,
        ]
        procs = [
            start(worker_cmd(url, rds.url, *SHORT), tmp_path / "w1.log"),
            start(scrapy_worker, tmp_path / "w2.log"),
            start(worker_cmd(other_url, rds.url, *SHORT, site=None), tmp_path / "other.log"),
        ]
        codes = _wait(procs)
    assert codes == [0, 0, 0], (tmp_path / "w1.log").read_text()[-3000:]
    logs = [(tmp_path / name).read_text() for name in ("w1.log", "w2.log")]
    assert sum("seeding the shared crawl of dukcqtw" in log for log in logs) == 1  # SETNX: one seeder
    db = tmp_path / "archive.db"
    done = subprocess.run(ingest_cmd(rds.url, db), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert judge(db, site, url) == (0, 0, 0)  # (lost, extra, wrong) against the replica's truth
    assert judge(db, other, other_url) == (0, 0, 0)  # the other site's crawl: all of it, nothing else
    fetched = {p: n for p, n in handler.counts.items() if p != "/robots.txt"}
    assert max(fetched.values()) == 1, [p for p, n in fetched.items() if n > 1]  # the shared seen-set
    # Every lease ended: Scrapy's engine said each request was done (archiver.distributed._in_progress).
    assert [(frontier(rds.url, s)["queued"], frontier(rds.url, s)["leased"]) for s in ("dukcqtw", "127.0.0.1")] == [
        (0, 0),
        (0, 0),
    ]
    # The run's keys are cleared once it finished, so the next scheduled run seeds again.
    assert not redis.Redis.from_url(rds.url).exists(Keys("dukcqtw").run, Keys("dukcqtw").dupefilter)
    again = subprocess.run(ingest_cmd(rds.url, db), cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Ingested 0 records" in again.stdout


def test_kill_9_of_a_worker_loses_nothing(rds, counted, tmp_path):
    """A worker killed with requests in flight: a worker started after it finds them again once their
    lease ran out; nothing is lost and only the requests in flight are fetched twice."""
    site, url, handler = counted
    procs: list = []
    hook = kill_at(12, lambda: procs[0] if procs else None)
    handler.on_article.append(hook)
    procs.append(start(worker_cmd(url, rds.url, *SHORT), tmp_path / "killed.log"))
    procs[0].wait(120)
    assert hook.fired.is_set() and procs[0].returncode == -9, (tmp_path / "killed.log").read_text()[-3000:]
    left = frontier(rds.url, "dukcqtw")
    assert left["leased"] > 0, left  # the requests it was working on are still in Redis
    handler.on_article.clear()
    after = start(worker_cmd(url, rds.url, *SHORT), tmp_path / "after.log")
    assert _wait([after]) == [0], (tmp_path / "after.log").read_text()[-3000:]
    db = tmp_path / "archive.db"
    ingest(rds.url, db)
    assert judge(db, site, url) == (0, 0, 0)
    fetched = {p: n for p, n in handler.counts.items() if p != "/robots.txt"}
    refetched = sum(fetched.values()) - len(fetched)
    assert refetched <= left["leased"], (left, {p: n for p, n in fetched.items() if n > 1})  # at most those in flight


def test_redis_restarted_mid_crawl_is_survived(rds, counted, tmp_path):
    site, url, handler = counted
    restarted = []

    def restart(n: int) -> None:
        if n == 15 and not restarted:
            restarted.append(n)
            rds.restart(down=1.0)

    handler.on_article.append(restart)
    worker = start(worker_cmd(url, rds.url, *SHORT), tmp_path / "w.log")
    assert _wait([worker]) == [0], (tmp_path / "w.log").read_text()[-3000:]
    assert restarted
    db = tmp_path / "archive.db"
    ingest(rds.url, db)
    assert judge(db, site, url) == (0, 0, 0)


def _records(site: ReplicaSite, url: str) -> list[str]:
    from archiver.extract import extract
    from archiver.normalize import normalize_article

    out = []
    for i in range(1, site.size + 1):
        if i == site.broken_id:
            continue
        raw = extract(site.render_article(i), url + site.path(i), fetched_at=site.clock)
        out.append(json.dumps({"type": "article", **normalize_article(raw).to_dict()}, ensure_ascii=False))
    return out


def test_ingest_is_idempotent_and_resumes_a_killed_ingest(rds, tmp_path):
    """A batch a killed ingester had taken (left in items:ingesting) is written by the next one; ingesting
    the same items again changes nothing."""
    site, url = ReplicaSite(articles=20, seed=9), "http://replica.test"
    records = _records(site, url)
    server = redis.Redis.from_url(rds.url)
    keys = Keys("dukcqtw")
    server.rpush(f"{keys.items}:ingesting", *records[:7])  # taken, never confirmed
    server.rpush(keys.items, *records[7:])
    db = tmp_path / "archive.db"
    first = ingest(rds.url, db, batch=5)
    assert (first.articles, first.new, first.replayed) == (len(records), len(records), 7)
    assert judge(db, site, url) == (0, 0, 0)
    server.rpush(keys.items, *records)  # the same items once more (a replayed batch)
    second = ingest(rds.url, db)
    assert (second.articles, second.new, second.changed) == (len(records), 0, 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == len(records)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--redis", "http://x:1"], "bad --redis"),
        (["--redis", "redis://127.0.0.1:1/0", "--resume"], "--resume and --redis"),
    ],
)
def test_bad_redis_options_are_usage_errors(args, message):
    from click.testing import CliRunner

    from archiver.cli import cli

    result = CliRunner().invoke(cli, ["crawl", "dukcqtw", *args])
    assert result.exit_code == 2 and message in result.output


def test_unreachable_redis_is_a_clear_error(tmp_path):
    from redisserver import free_port

    cmd = worker_cmd("http://127.0.0.1:9", f"redis://127.0.0.1:{free_port()}/0")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("Error: cannot use Redis at redis://127.0.0.1:")


def test_the_docs_example_three_workers_and_one_ingester(redis_server, tmp_path):
    """docs/distributed.md's example, as written, on free ports, a smaller replica and a temporary folder."""
    from redisserver import free_port

    doc = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Example: 3 workers and 1 ingester") :]
    script = section[section.index("```bash\n") + 8 : section.index("```\n", section.index("```bash\n") + 8)]
    script = (
        script.replace("6390", str(free_port()))
        .replace("8790", str(free_port()))
        .replace("--articles 300", "--articles 40")
        .replace("data/", f"{tmp_path}/")
    )
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=150, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count(": exit 0") == 3, done.stdout
    assert done.stdout.count("seeded it") == 1 and done.stdout.count("joined it") == 2, done.stdout
    assert '[{"articles": 39, "urls": 39}]' in done.stdout, done.stdout


@pytest.mark.parametrize("left", ["nothing", "a leased request"])
def test_a_run_left_over_by_dead_workers(rds, counted, tmp_path, left):
    """Every worker of a run killed long ago (its `run` key still set). With nothing left to do, the next
    scheduled worker does not join that finished run: it seeds a new one. With a request still leased by
    a dead worker, it joins the run and takes that request over."""
    from spiders.news import NewsSpider

    site, url, handler = counted
    server = redis.Redis.from_url(rds.url)
    keys = Keys("dukcqtw")
    server.set(keys.run, json.dumps({"worker": "dead", "at": 0}))
    server.sadd(keys.dupefilter, "fingerprint-of-an-old-run")
    if left == "a leased request":
        spider = NewsSpider(site="dukcqtw", start_url=url + "/")
        dead = ReliableQueue(server, spider, keys.requests, keys=keys, lease_seconds=0.1)
        dead.push(scrapy.Request(url + "/", callback=spider.parse, errback=spider.failed))
        assert dead.pop() is not None and dead.leased() == 1
    worker = start(worker_cmd(url, rds.url, *SHORT), tmp_path / "w.log")
    assert _wait([worker]) == [0], (tmp_path / "w.log").read_text()[-3000:]
    log = (tmp_path / "w.log").read_text()
    assert ("starting a new run" in log) == (left == "nothing")
    assert ("joining the shared crawl" in log) == (left != "nothing")
    db = tmp_path / "archive.db"
    ingest(rds.url, db)
    assert judge(db, site, url) == (0, 0, 0)
