"""Shared crawls through Redis: pages/s and CPU per page for 1, 2, 4... workers, and a kill -9.

    python benchmarks/distributed.py [--articles 5000] [--workers 1,2,4] [--no-kill]

For each worker count, a fresh run: a real redis-server (tests/redisserver.py) on 127.0.0.1, the replica
site served from this process (it counts the requests each URL gets), N `archiver crawl dukcqtw --redis`
workers started at once, then one `archiver ingest` into a fresh archive. Prints, per N:

    workers=N pages=P seconds=S pages/s=R cpu_ms/page=C requests=Q distinct=D ratio=Q/D
        stored=A lost=L extra=E wrong=W ingest_s=I

`seconds` runs from the workers' start to the last page the site answered (the idle wait that ends a
worker is not crawl time); CPU is the workers' user+system time (os.wait4). `lost/extra/wrong` judge the
archive against the replica's truth (`ReplicaSite.expected`); every article is stored at most once (the
archive's unique key). Target: lost=extra=wrong=0 and requests <= 1.01 x distinct URLs. Then (unless
--no-kill) two workers of which one is killed with SIGKILL at a third of the articles and a third worker
started after it: the same figures, plus the requests in flight it held and the pages fetched twice.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.distributed import frontier  # noqa: E402
from archiver.replica import ReplicaSite  # noqa: E402
from archiver.server import base_url, serving  # noqa: E402
from tests.redisserver import (  # noqa: E402
    ROOT,
    RedisServer,
    counting_handler,
    ingest_cmd,
    judge,
    kill_at,
    worker_cmd,
)

SETTINGS = [
    "-s",
    "REDIS_IDLE_SECONDS=3",
    "-s",
    "REDIS_LEASE_SECONDS=10",
    "-s",
    "LOG_LEVEL=WARNING",
    "-s",
    "CONCURRENT_REQUESTS=32",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=32",
]


def spawn(cmd: list[str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def reap(proc: subprocess.Popen) -> tuple[int, float]:
    """(exit status, user+system CPU seconds) of a finished child."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


def run(n: int, site: ReplicaSite, workdir: Path, kill: bool = False) -> str:
    rds = RedisServer(workdir / f"redis-{n}{'-kill' if kill else ''}").start()
    handler = counting_handler()
    last = [0.0]
    handler.on_article.append(lambda count: last.__setitem__(0, time.perf_counter()))
    try:
        with serving(site, handler=handler) as server:
            server.handle_error = lambda request, address: None  # killed workers reset their connections
            url = base_url(server)
            log = workdir / f"workers-{n}.log"
            started = time.perf_counter()
            procs = [spawn(worker_cmd(url, rds.url, *SETTINGS), log) for _ in range(n)]
            note = ""
            if kill:
                hook = kill_at(site.size // 3, lambda: procs[0])
                handler.on_article.append(hook)
                hook.fired.wait(600)
                time.sleep(0.2)
                held = frontier(rds.url, "dukcqtw")["leased"]
                procs.append(spawn(worker_cmd(url, rds.url, *SETTINGS), log))  # the killed one's successor
            results = [reap(p) for p in procs]
            cpu = sum(c for _, c in results)
            codes = [c for c, _ in results]
            seconds = last[0] - started
            db = workdir / f"archive-{n}{'-kill' if kill else ''}.db"
            t0 = time.perf_counter()
            subprocess.run(ingest_cmd(rds.url, db), cwd=ROOT, check=True, capture_output=True)
            ingest_s = time.perf_counter() - t0
            lost, extra, wrong = judge(db, site, url)
            requests = sum(handler.counts.values())
            distinct = len(handler.counts)
            pages = requests
            if kill:
                twice = sum(v - 1 for v in handler.counts.values() if v > 1)
                note = f" killed_worker_exit={codes[0]} in_flight_at_kill={held} fetched_twice={twice}"
            import sqlite3

            with sqlite3.connect(db) as conn:
                stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            return (
                f"{'kill-9 ' if kill else ''}workers={n} pages={pages} seconds={seconds:.1f} "
                f"pages/s={pages / seconds:.0f} cpu_ms/page={1000 * cpu / pages:.2f} requests={requests} "
                f"distinct={distinct} ratio={requests / distinct:.4f} stored={stored} lost={lost} "
                f"extra={extra} wrong={wrong} ingest_s={ingest_s:.1f} exits={codes}{note}"
            )
    finally:
        rds.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--workdir", help="Keep the workers' logs, Redis data and archives here.")
    args = parser.parse_args()
    site = ReplicaSite(args.articles, seed=21)
    print(f"replica: {args.articles} articles ({args.articles - 1} storable), {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="distributed-") as tmp:
        tmp = args.workdir or tmp
        Path(tmp).mkdir(parents=True, exist_ok=True)
        for n in (int(w) for w in args.workers.split(",") if w):
            print(run(n, site, Path(tmp)), flush=True)
        if not args.no_kill:
            print(run(2, site, Path(tmp), kill=True), flush=True)


if __name__ == "__main__":
    main()
