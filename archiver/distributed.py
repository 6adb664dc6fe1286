"""One crawl shared by many workers through Redis, on scrapy-redis's scheduler, queue and dupefilter.

`archiver crawl SITE --redis redis://HOST:PORT/DB` (or `scrapy crawl news -s REDIS_URL=...`) makes the crawl
one worker of a shared crawl of SITE. Every Redis key of a site starts with `archiver:{site}:` so two sites'
crawls in one Redis never mix:

    requests    sorted set: the shared frontier (scrapy-redis PriorityQueue, pickled requests)
    dupefilter  set: fingerprints of every request scheduled in this run (scrapy-redis RFPDupeFilter)
    leases      hash: lease id -> "score|request" of each request a worker popped and has not finished
    deadlines   sorted set: lease id -> time its lease runs out (renewed by its live worker)
    run         string: who seeded this run and when (SETNX: the first worker seeds, later ones join)
    items       list: articles and other records for `archiver ingest`, the single writer of the archive

scrapy-redis pops destructively: a worker killed with requests in flight would lose them. `ReliableQueue`
moves a popped request into `leases` in the same Lua script that pops it; the request leaves `leases` only
when Scrapy has finished with it (downloaded, parsed, its links scheduled and its items pushed), or goes
back to `requests` when its lease runs out (its worker died) or when its worker stops early (SIGTERM).

scrapy-redis's idle handling and start-URL seeding live in its spider mixin (`RedisSpider`, built on
`start_requests`, which Scrapy 2.16 removed); `SharedFrontier` (an extension) does both for our own spider:
a worker closes once the shared frontier (queue and leases of every worker) has been empty for
`REDIS_IDLE_SECONDS`, and the last one clears the run's keys so that the next scheduled run starts anew.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from scrapy import signals
from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import reactor, task

from archiver.items import Article, NotModified

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0  # a popped request returns to the queue this long after its worker stopped renewing it
IDLE_SECONDS = 30.0  # a worker stops when the shared frontier has been empty this long


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one site's shared crawl."""

    site: str

    def __getattr__(self, name: str) -> str:  # keys.requests -> "archiver:dukcqtw:requests"
        if name.startswith("_"):
            raise AttributeError(name)
        return f"archiver:{self.site}:{name}"

    def run_keys(self) -> list[str]:
        """What one run leaves behind; `items` is not: the ingester drains it."""
        return [self.requests, self.dupefilter, self.leases, self.deadlines, self.run]


def connect(url: str) -> redis.Redis:
    """A client that rides out a Redis restart: commands are retried for about 30 s before failing."""
    retry = Retry(ExponentialBackoff(cap=2.0, base=0.1), retries=20)
    return redis.Redis.from_url(
        url,
        retry=retry,
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        socket_timeout=30,
        socket_connect_timeout=5,
        health_check_interval=10,
    )


# -- the reliable queue --------------------------------------------------------------------------------

# Pop the best request and lease it, atomically: there is no moment when it is in neither place.
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[2] .. '|' .. top[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return top[1]
"""
# Requests whose lease ran out (their worker died) or that are handed back go back to the queue.
_REQUEUE = """
local ids = ARGV
if ARGV[1] == '__expired__' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2], 'LIMIT', 0, 1000)
end
local n = 0
for _, id in ipairs(ids) do
  local v = redis.call('HGET', KEYS[2], id)
  if v then
    local bar = string.find(v, '|', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, bar - 1)), string.sub(v, bar + 1))
    redis.call('HDEL', KEYS[2], id)
    n = n + 1
  end
  redis.call('ZREM', KEYS[3], id)
end
return n
"""
# The run is over when nothing is queued or leased: clear its keys, once, atomically. KEYS: Keys.run_keys().
_FINISH = """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[4]) > 0 then return 0 end
redis.call('DEL', unpack(KEYS))
return 1
"""


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue, with a lease on every popped request (see the module docstring).

    `pop` returns the request and remembers its lease id; `ack(request)` ends the lease when the request is
    done, `release()` puts every lease of this worker back. `renew()` moves this worker's deadlines forward
    (a timer calls it), `reclaim()` requeues the requests of dead workers.
    """

    def __init__(self, server, spider, key, serializer=None, *, keys: Keys, lease_seconds: float = LEASE_SECONDS):
        super().__init__(server, spider, key, serializer)
        self.keys = keys
        self.lease_seconds = lease_seconds
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        self.held: dict = {}  # request object -> lease id, while Scrapy works on it
        self.serial = 0
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)

    def _encode_request(self, request):
        obj = request.to_dict(spider=self.spider)
        obj["meta"].pop("download_slot", None)  # a per-process detail
        return self.serializer.dumps(obj)

    def pop(self, timeout=0):
        self.serial += 1
        lease = f"{self.worker}:{self.serial}"
        data = self._pop(
            keys=[self.key, self.keys.leases, self.keys.deadlines], args=[lease, time.time() + self.lease_seconds]
        )
        if not data:
            return None
        request = self._decode_request(data)
        self.held[request] = lease
        return request

    def ack(self, requests) -> int:
        leases = [self.held.pop(r) for r in requests if r in self.held]
        if leases:
            pipe = self.server.pipeline()
            pipe.hdel(self.keys.leases, *leases)
            pipe.zrem(self.keys.deadlines, *leases)
            pipe.execute()
        return len(leases)

    def release(self) -> int:
        """Hand every request this worker holds back to the queue (a worker stopping early)."""
        leases, self.held = list(self.held.values()), {}
        if not leases:
            return 0
        return self._requeue(keys=[self.key, self.keys.leases, self.keys.deadlines], args=leases)

    def renew(self) -> None:
        if self.held:
            deadline = time.time() + self.lease_seconds
            self.server.zadd(self.keys.deadlines, dict.fromkeys(self.held.values(), deadline), xx=True)

    def reclaim(self) -> int:
        """Requeue the requests whose lease ran out: their worker died (kill -9, power cut)."""
        return self._requeue(keys=[self.key, self.keys.leases, self.keys.deadlines], args=["__expired__", time.time()])

    def leased(self) -> int:
        """Requests leased by any worker."""
        return self.server.zcard(self.keys.deadlines)


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler on the site's keys, with `ReliableQueue` and the shared dupefilter.

    Without REDIS_URL it is Scrapy's own scheduler (`from_crawler` builds that instead), so the project's
    settings can always name this class.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        if not crawler.settings.get("REDIS_URL"):
            return ScrapyScheduler.from_crawler(crawler)
        settings = crawler.settings
        scheduler = cls(connect(settings["REDIS_URL"]), persist=True, serializer=picklecompat)
        # Unreachable Redis: fail now, before anything is fetched (no retries for this first contact).
        redis.Redis.from_url(settings["REDIS_URL"], socket_connect_timeout=5).ping()
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.lease_seconds = settings.getfloat("REDIS_LEASE_SECONDS", LEASE_SECONDS)
        scheduler.idle_seconds = settings.getfloat("REDIS_IDLE_SECONDS", IDLE_SECONDS)
        return scheduler

    def open(self, spider):
        self.spider = spider
        self.keys = Keys(spider.site_name)
        self.queue = ReliableQueue(
            self.server, spider, self.keys.requests, self.serializer, keys=self.keys, lease_seconds=self.lease_seconds
        )
        self.df = RFPDupeFilter(self.server, self.keys.dupefilter, debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        self.seeder = self._claim_run()
        self.stats.set_value("archiver/redis_seeder", int(self.seeder))
        if reclaimed := self.queue.reclaim():
            log.info("requeued %d requests of a worker that stopped without finishing them", reclaimed)
        log.info(
            "%s the shared crawl of %s (%d requests queued, %d leased)",
            "seeding" if self.seeder else "joining",
            self.keys.site,
            len(self.queue),
            self.queue.leased(),
        )

    def _claim_run(self) -> bool:
        """SETNX: the first worker of a run seeds it with the start URLs; later ones join. A run whose
        workers all died once its frontier was empty (nothing queued or leased, started long ago) is over:
        the next worker clears it and seeds a new one, instead of joining a crawl with nothing left to do."""
        mark = json.dumps({"worker": self.queue.worker, "at": time.time()})
        if self.server.set(self.keys.run, mark, nx=True):
            return True
        self.queue.reclaim()
        stale = self.idle_seconds + self.lease_seconds
        try:
            started = json.loads(self.server.get(self.keys.run) or "{}").get("at", 0)
        except ValueError:
            started = 0
        if time.time() - started > stale and self.server.register_script(_FINISH)(keys=self.keys.run_keys()):
            log.info("the last run of %s ended without clearing its keys: starting a new run", self.keys.site)
            return bool(self.server.set(self.keys.run, mark, nx=True))
        return False

    def enqueue_request(self, request):
        if request.meta.get("is_start_request") and not self.seeder:
            return False  # the run's first worker seeded it
        if not request.dont_filter and self.df.request_seen(request):  # the shared seen-set
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        self.ack_done()
        request = self.queue.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.queue) > 0

    def ack_done(self) -> None:
        """End the leases of the requests the engine has finished with (downloaded, parsed, links and
        items handed on). Scrapy says so by taking them out of its slot's in-progress set."""
        done = [r for r in self.queue.held if r not in _in_progress(self.crawler)]
        if done:
            self.queue.ack(done)

    def close(self, reason):
        self.ack_done()
        if released := self.queue.release():  # stopped early: cancelled downloads go back to the queue
            log.info("handed %d unfinished requests back to the shared queue", released)


def _in_progress(crawler: Crawler) -> set:
    """The requests the engine is working on. Scrapy has no public API for it; the engine slot's
    `inprogress` set (Scrapy 2.13 - 2.19) is what its own idle check reads. tests/test_distributed.py
    checks that every lease ends, so a Scrapy that renames it fails the tests rather than the crawls."""
    slot = getattr(crawler.engine, "_slot", None)
    return slot.inprogress if slot is not None else set()


class SharedFrontier:
    """Extension: renews this worker's leases, requeues dead workers' ones, and keeps the worker open while
    the shared frontier has work (other workers may still add requests); it closes once the frontier has
    been empty for REDIS_IDLE_SECONDS, and the last worker out clears the run's keys."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.idle_seconds = crawler.settings.getfloat("REDIS_IDLE_SECONDS", IDLE_SECONDS)
        self.idle_since: float | None = None
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontier:
        if not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    @property
    def scheduler(self) -> Scheduler:
        return self.crawler.engine._slot.scheduler  # noqa: SLF001 - the engine's scheduler, built from settings

    def opened(self, spider=None) -> None:
        lease = self.scheduler.lease_seconds
        self.timer = task.LoopingCall(self.tick)
        self.timer.start(max(0.2, min(lease / 4, 5.0)), now=False)

    def tick(self) -> None:
        try:
            queue = self.scheduler.queue
            self.scheduler.ack_done()
            queue.renew()
            if queue.reclaim():
                _wake(self.crawler)
        except redis.RedisError as error:  # Redis restarting: the next tick tries again
            log.warning("shared frontier: %s", error)

    def idle(self, spider=None) -> None:
        scheduler = self.scheduler
        scheduler.ack_done()
        busy = len(scheduler.queue) or scheduler.queue.leased() or scheduler.queue.reclaim()
        now = time.monotonic()
        if busy:
            self.idle_since = None
        elif self.idle_since is None:
            self.idle_since = now
        if busy or now - self.idle_since < self.idle_seconds:
            reactor.callLater(0.5, _wake, self.crawler)  # look again soon, not at Scrapy's 5 s heartbeat
            raise DontCloseSpider

    def closed(self, spider=None, reason: str = "finished") -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        if reason == "finished":
            keys = self.scheduler.keys
            server = self.scheduler.server
            if server.register_script(_FINISH)(keys=keys.run_keys()):
                log.info("shared crawl of %s finished: its run keys are cleared for the next run", keys.site)


def _wake(crawler: Crawler) -> None:
    """Ask the engine to look at the scheduler now (other workers may have queued requests)."""
    slot = getattr(crawler.engine, "_slot", None) if crawler.engine else None
    if slot is not None:
        slot.nextcall.schedule()


# -- items to Redis, and the single writer ------------------------------------------------------------


class RedisItemsPipeline:
    """Pushes every article (and every 304 "not modified") onto the site's `items` list, for `archiver
    ingest`. Synchronous on purpose: when Scrapy takes the request out of progress (and the lease ends),
    its items are in Redis. On with REDIS_URL unless REDIS_ITEMS is off (workers writing the archive)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.server = connect(crawler.settings["REDIS_URL"])

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemsPipeline:
        if not redis_items(crawler.settings):
            raise NotConfigured
        pipe = cls(crawler)
        crawler.signals.connect(pipe.closed, signal=signals.spider_closed)
        return pipe

    def closed(self, spider=None, reason: str = "finished") -> None:
        """This worker's dropped items and pages not fetched, for the ingester's crawl record."""
        from archiver.failures import as_rows, fetch_errors

        records = [{"type": "dropped", **d} for d in getattr(self.crawler, "archiver_dropped", [])]
        records += [{"type": "fetch_error", **e} for e in as_rows(fetch_errors(self.crawler))]
        if records:
            key = Keys(self.crawler.spider.site_name).items
            self.server.rpush(key, *(json.dumps(r, ensure_ascii=False, default=str) for r in records))

    def process_item(self, item, spider=None):
        if isinstance(item, Article):
            record = {"type": "article", **item.to_dict()}
        elif isinstance(item, NotModified):
            record = {"type": "not_modified", **asdict(item)}
        else:
            return item
        site = self.crawler.spider.site_name
        self.server.rpush(Keys(site).items, json.dumps(record, ensure_ascii=False))
        self.crawler.stats.inc_value("archiver/pushed")
        return item


def redis_items(settings) -> bool:
    """Do this crawl's workers push items to Redis (True) or write the archive themselves?"""
    return bool(settings.get("REDIS_URL")) and settings.getbool("REDIS_ITEMS", True)


def article_from(record: dict) -> Article:
    from archiver.items import Image, Related

    fields = {k: v for k, v in record.items() if k != "type"}
    fields["images"] = [Image(**i) for i in fields.get("images") or []]
    fields["related"] = [Related(**r) for r in fields.get("related") or []]
    return Article(**fields)


# Move up to N records from the items list to the ingester's own list, atomically: a killed ingester
# leaves them there, and the next one writes them first (writes are idempotent upserts).
_TAKE = """
local batch = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #batch > 0 then
  redis.call('RPUSH', KEYS[2], unpack(batch))
  redis.call('LTRIM', KEYS[1], #batch, -1)
end
return #batch
"""


@dataclass
class IngestResult:
    records: int = 0
    articles: int = 0
    not_modified: int = 0
    new: int = 0
    changed: int = 0
    replayed: int = 0  # records a killed ingester had taken and not confirmed
    dropped: list = field(default_factory=list)
    fetch_errors: list = field(default_factory=list)


def sites_with_items(server: redis.Redis) -> list[str]:
    """Sites with items waiting, or a batch a killed ingester left (`archiver:{site}:items[:ingesting]`)."""
    names = (k.decode().removeprefix("archiver:").removesuffix(":ingesting") for k in server.scan_iter("archiver:*"))
    return sorted({n.removesuffix(":items") for n in names if n.endswith(":items")})


def ingest(
    url: str, db, sites: list[str] | None = None, *, batch: int = 500, idle: float = 0.0, poll: float = 0.5
) -> IngestResult:
    """Write the sites' items from Redis into the archive, as the single writer; idempotent and resumable.

    Each batch is moved to `archiver:{site}:items:ingesting` before it is written and deleted from there
    after its transaction committed; a kill in between leaves it there and the next ingest writes it again
    (an upsert of the same fetch changes nothing). With `idle` > 0 it runs beside the workers: it stops once
    no run of these sites is going on (no `run` key) and no item came for `idle` seconds, having seen one
    (so it may be started before the workers).
    """
    from archiver.store import Archive

    server = connect(url)
    take = server.register_script(_TAKE)
    result = IngestResult()
    archive = Archive(db)
    crawl = _IngestCrawl(archive, sites[0] if sites and len(sites) == 1 else None, url)
    try:
        quiet_since, started = time.monotonic(), not idle  # with --idle: once a crawl or an item was seen
        while True:
            moved = 0
            for site in sites or sites_with_items(server):
                moved += _ingest_site(server, take, crawl, Keys(site), batch, result)
            running = bool(idle) and _running(server, sites)
            started = started or bool(moved) or running
            if moved or running:
                quiet_since = time.monotonic()
            elif started and time.monotonic() - quiet_since >= idle:
                break
            else:
                time.sleep(poll)
        if crawl.id is not None:  # an ingest that found nothing leaves no crawl record
            counts = {k: v for k, v in asdict(result).items() if isinstance(v, int)}
            stats = {"finish_reason": "finished", "items": result.records, "ingested": counts}
            archive.end_crawl(crawl.id, stats, result.dropped, result.fetch_errors)
    finally:
        archive.close()
    return result


def _running(server: redis.Redis, sites: list[str] | None) -> bool:
    """Is a shared crawl of these sites (default: any) going on? Its first worker set its `run` key."""
    if sites:
        return bool(server.exists(*(Keys(site).run for site in sites)))
    return next(iter(server.scan_iter("archiver:*:run")), None) is not None


@dataclass
class _IngestCrawl:
    """The ingest's row in `crawls`, begun with its first record."""

    archive: object
    site: str | None
    url: str
    id: int | None = None

    def started(self):
        if self.id is None:
            self.id = self.archive.begin_crawl("ingest", self.site, {"REDIS_URL": self.url})
        return self.archive


def _ingest_site(server: redis.Redis, take, crawl: _IngestCrawl, keys: Keys, batch: int, result: IngestResult) -> int:
    pending = f"{keys.items}:ingesting"
    moved = 0
    if left := server.llen(pending):  # a killed ingester's batch: written again first
        result.replayed += left
    while True:
        records = server.lrange(pending, 0, -1)
        if not records:
            if not take(keys=[keys.items, pending], args=[batch]):
                return moved
            continue
        _write(crawl.started(), [json.loads(r) for r in records], result)
        server.delete(pending)  # only once the batch is committed
        moved += len(records)


def _write(archive, records: list[dict], result: IngestResult) -> None:
    before = (archive._totals.new, archive._totals.changed)  # noqa: SLF001 - the writer's own counters
    seen: list[tuple[str, str]] = []
    for record in records:
        if record.get("type") == "article":
            archive.add(article_from(record))
            result.articles += 1
        elif record.get("type") == "not_modified":
            seen.append((record["url"], record["fetched_at"]))
            result.not_modified += 1
        elif record.get("type") == "dropped":
            result.dropped.append({k: v for k, v in record.items() if k != "type"})
        elif record.get("type") == "fetch_error":
            result.fetch_errors.append({k: v for k, v in record.items() if k != "type"})
    archive.flush()
    if seen:
        archive.touch(seen)
    result.records += len(records)
    result.new += archive._totals.new - before[0]  # noqa: SLF001
    result.changed += archive._totals.changed - before[1]  # noqa: SLF001


def frontier(url: str, site: str) -> dict[str, int]:
    """What the shared crawl of a site holds now (for the README's `archiver ingest` example and tests)."""
    server = connect(url)
    keys = Keys(site)
    return {
        "queued": server.zcard(keys.requests),
        "leased": server.zcard(keys.deadlines),
        "seen": server.scard(keys.dupefilter),
        "items": server.llen(keys.items),
    }


def iter_records(url: str, site: str) -> Iterator[dict]:
    server = connect(url)
    for raw in server.lrange(Keys(site).items, 0, -1):
        yield json.loads(raw)
