"""A real `redis-server` on 127.0.0.1 for the distributed-crawl tests and benchmark, and the parts they share.

`RedisServer` runs Debian's redis-server (`apt-get install redis-server`; `.ci/run` installs it) on a free
port with its own directory and append-only file (fsync on every write), so a restart keeps everything the
crawl had written. `Counting` is a replica handler that counts the requests each path gets and can kill -9
a worker at the n-th article request. `worker_cmd` / `ingest_cmd` are the README's commands.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from archiver.server import ReplicaHandler

ARCHIVER = str(Path(sys.executable).parent / "archiver")
ROOT = Path(__file__).resolve().parent.parent
# Our own replica: no politeness delays; short leases and idle wait so a test takes seconds.
FAST = [
    "-s",
    "AUTOTHROTTLE_ENABLED=0",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "-s",
    "LOG_LEVEL=INFO",
]


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1:<free port>, data in `folder` (AOF, fsync always); `restart()` keeps it."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = redis_binary()
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        cmd = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.folder),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
            "--logfile",
            str(self.folder / "redis.log"),
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ping():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited: {(self.folder / 'redis.log').read_text()[-500:]}")
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer within 20 s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(20)
        self.proc = None

    def restart(self, down: float = 1.0) -> None:
        """Stop (SIGTERM: Redis writes its data and exits), stay down `down` seconds, start again."""
        self.stop()
        time.sleep(down)
        self.start()

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


class Counting(ReplicaHandler):
    """A replica handler that counts requests per path, and kills a worker at the n-th article request."""

    counts: Counter
    lock: threading.Lock
    on_article: list  # callables(n) run on each article request (kill a worker, restart Redis)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        path = urlsplit(self.path).path
        with self.lock:
            self.counts[self.path] += 1
            n = sum(v for p, v in self.counts.items() if p.count("/") > 1)
        if path.count("/") > 1:
            for hook in list(self.on_article):
                hook(n)
        super().do_GET()


def counting_handler() -> type[Counting]:
    return type("CountingHandler", (Counting,), {"counts": Counter(), "lock": threading.Lock(), "on_article": []})


def worker_cmd(site_url: str, redis_url: str, *extra: str, site: str | None = "dukcqtw") -> list[str]:
    return [
        ARCHIVER,
        "crawl",
        *([site] if site else []),
        "--start-url",
        site_url + "/",
        "--redis",
        redis_url,
        *FAST,
        *extra,
    ]


def ingest_cmd(redis_url: str, db: Path, *extra: str) -> list[str]:
    return [ARCHIVER, "ingest", "--redis", redis_url, "--db", str(db), *extra]


def start(cmd: list[str], log: Path) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 - closed with the process
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)


def kill_at(n: int, proc_of) -> callable:
    """A hook for `Counting.on_article`: SIGKILL the process `proc_of()` on the n-th article request."""
    fired = threading.Event()

    def hook(count: int) -> None:
        if count >= n and not fired.is_set():
            fired.set()
            proc = proc_of()
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)

    hook.fired = fired
    return hook


def judge(db: Path, site, base: str) -> tuple[int, int, int]:
    """(lost, extra, wrong) of the archive's articles under `base` against the replica's truth
    (`ReplicaSite.expected(i, base)`): articles missing; stored URLs that are no article of the site; stored
    articles whose title or paragraphs differ. A URL is stored at most once (the archive's unique key)."""
    import sqlite3

    truth = {e["url"]: e for i in range(1, site.size + 1) if (e := site.expected(i, base))}
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, url, title FROM articles WHERE url LIKE ?", (base + "/%",)).fetchall()
        paragraphs = dict(conn.execute("SELECT article_id, count(*) FROM paragraphs GROUP BY article_id"))
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    urls = {url for _, url, _ in rows}
    wrong = sum(
        1
        for i, url, title in rows
        if url in truth and (title != truth[url]["title"] or paragraphs.get(i, 0) != len(truth[url]["paragraphs"]))
    )
    return len(set(truth) - urls), len(urls - set(truth)), wrong + (not ok)
