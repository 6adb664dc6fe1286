"""Kill -9 and SIGTERM at chosen moments of real `archiver crawl` runs, then the README's cron line again.

A replica site is crawled completely, grows, and the next scheduled run is killed at one moment: while it
starts, mid listing walk, while an article page is half sent, during a batch commit, right after one,
during the final flush; twice in a row; or stopped by SIGTERM. Then `archiver crawl ... --resume` runs
to the end, and the archive is checked against the replica's ground truth: articles lost, duplicated
(a URL twice, or a page that is no article of the site stored as one), corrupt (integrity checks, a
stored title that is not the article's). Both modes: with the site's profile, and `--start-url` only.

The moments are seen from outside, as an operator would: the server counts the requests it answers
(and can cut an answer in half), the archive shows its row count and whether its write lock is held, and
the crawl's log says when the spider closes.

`kill_results(2000, workdir)` runs the whole matrix (benchmarks/faults.py prints it);
tests/faults/test_kills.py runs a short chain of the same moments on every test run.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from archiver.replica import TZ, ReplicaSite
from archiver.server import ReplicaHandler, base_url, replace_site, serving

ARCHIVER = str(Path(sys.executable).parent / "archiver")
# Our own server: no politeness delays. Small batches and a short flush so a few hundred articles make
# several commits to kill in or after.
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "ARCHIVE_BATCH_SIZE=50", "-s", "ARCHIVE_FLUSH_SECONDS=1"]
MODES = ("profile", "no profile")
TIMEOUT = 300


class Watch:
    """What a crawl does, seen by the server: requests answered by kind; and the crawl to kill."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.kill_at: tuple[str, int] | None = None  # (kind, n): SIGKILL on the n-th request of that kind
        self.cut_at: int | None = None  # SIGKILL while the n-th article page is half sent
        self.killed = threading.Event()

    def arm(self, proc: subprocess.Popen, kill_at: tuple[str, int] | None = None, cut_at: int | None = None):
        with self.lock:
            self.counts.clear()
            self.proc, self.kill_at, self.cut_at = proc, kill_at, cut_at
            self.killed.clear()

    def count(self, path: str) -> tuple[str, int, str]:
        kind = _kind(path)
        with self.lock:
            self.counts[kind] += 1
            n = self.counts[kind]
            if self.kill_at == (kind, n):
                return kind, n, "kill"
            # From the n-th article on, not at it only: the n-th may be a dead link (a 404, nothing to cut).
            if kind == "article" and self.cut_at is not None and n >= self.cut_at and not self.killed.is_set():
                return kind, n, "cut"
        return kind, n, ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.killed.set()


def _kind(path: str) -> str:
    parts = urlsplit(path)
    if parts.path == "/robots.txt":
        return "robots"
    if parts.path == "/" or parts.path.count("/") == 1:
        return "listing"
    return "article"


class WatchedHandler(ReplicaHandler):
    watch: Watch  # set on the subclass per server

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        kind, n, action = self.watch.count(self.path)
        if action == "kill":
            self.watch.kill()
        elif action == "cut" and (page := self.route(urlsplit(self.path))):
            data = page[0].encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.watch.kill()
            self.close_connection = True
            return
        super().do_GET()


@dataclass
class Archive:
    """The archive file of one scenario, looked at from outside the crawl."""

    path: Path

    def stored(self) -> int:
        try:
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5) as conn:
                return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.OperationalError:  # not created yet
            return 0

    def writing(self, conn: sqlite3.Connection) -> bool:
        """Is a crawl inside a write transaction right now? Its lock makes ours fail at once."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        conn.execute("ROLLBACK")
        return False


@dataclass
class Moment:
    """When to stop the crawl: on the server (kill_at / cut_at) or by polling `when(run)`."""

    name: str
    kill_at: Callable[[int], tuple[str, int]] | None = None  # new articles -> (kind, n)
    cut_at: Callable[[int], int] | None = None
    when: Callable[[Run], bool] | None = None
    sig: int = signal.SIGKILL


@dataclass
class Run:
    proc: subprocess.Popen
    archive: Archive
    start_count: int
    new: int  # articles the site gained since the archive's last complete crawl
    closing: threading.Event = field(default_factory=threading.Event)
    lock_probe: sqlite3.Connection | None = None

    def stored_since(self) -> int:
        return self.archive.stored() - self.start_count

    def writing(self) -> bool:
        if self.lock_probe is None:
            self.lock_probe = sqlite3.connect(self.archive.path, timeout=0, isolation_level=None)
        return self.archive.writing(self.lock_probe)


MOMENTS = [
    Moment("during start", kill_at=lambda new: ("robots", 1)),
    Moment("mid listing walk", kill_at=lambda new: ("listing", max(2, new // 40))),
    Moment("mid article fetch", cut_at=lambda new: max(1, new // 3)),
    Moment("during a batch commit", when=lambda run: run.stored_since() >= run.new // 4 and run.writing()),
    Moment("right after a commit", when=lambda run: run.stored_since() >= run.new // 2),
    Moment("during the final flush", when=lambda run: run.closing.is_set() and run.writing()),
]
SIGTERM = Moment("SIGTERM mid crawl", when=lambda run: run.stored_since() >= run.new // 3, sig=signal.SIGTERM)


def _quiet(request, address) -> None:
    pass


def crawl_cmd(url: str, db: Path, mode: str, *extra: str) -> list[str]:
    site = ["dukcqtw"] if mode == "profile" else []
    return [ARCHIVER, "crawl", *site, "--start-url", url + "/", "--db", str(db), *FAST, *extra]


def crawl(url: str, db: Path, mode: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(crawl_cmd(url, db, mode, *extra), cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT)


def interrupted_run(watch: Watch, url: str, archive: Archive, mode: str, cwd: Path, moment: Moment, new: int,
                    *extra: str) -> tuple[int, str]:
    """Start a crawl, stop it at `moment`; returns its exit code and a note on where it was stopped."""
    proc = subprocess.Popen(crawl_cmd(url, archive.path, mode, *extra), cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    run = Run(proc, archive, archive.stored(), new)
    watch.arm(proc, kill_at=moment.kill_at(new) if moment.kill_at else None,
              cut_at=moment.cut_at(new) if moment.cut_at else None)
    threading.Thread(target=_watch_log, args=(proc, run.closing), daemon=True).start()
    deadline = time.monotonic() + TIMEOUT
    try:
        while proc.poll() is None and not watch.killed.is_set() and time.monotonic() < deadline:
            if moment.when and moment.when(run):
                watch.kill(moment.sig)
                break
            time.sleep(0.001 if moment.when else 0.01)
        code = proc.wait(TIMEOUT)
    finally:
        if run.lock_probe is not None:
            run.lock_probe.close()
    landed = "stopped" if watch.killed.is_set() else "NOT stopped: it finished first"
    return code, f"{landed} at {run.stored_since()}/{new} stored, exit {code}"


def _watch_log(proc: subprocess.Popen, closing: threading.Event) -> None:
    for line in proc.stderr:
        if "Closing spider" in line:
            closing.set()


def check(archive: Archive, site: ReplicaSite, url: str) -> tuple[int, int, int]:
    """(lost, dup, corrupt) of the archive against the replica's ground truth."""
    truth = {url + site.path(i): site.article(i).title for i in range(1, site.size + 1) if i != site.broken_id}
    with sqlite3.connect(archive.path) as conn:
        rows = conn.execute("SELECT url, title FROM articles").fetchall()
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = len(conn.execute("PRAGMA foreign_key_check").fetchall())
        try:
            conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
            fts_ok = True
        except sqlite3.DatabaseError:
            fts_ok = False
    urls = [u for u, _ in rows]
    lost = len(set(truth) - set(urls))
    dup = len(urls) - len(set(urls)) + len(set(urls) - set(truth))
    wrong = sum(1 for u, title in rows if u in truth and title != truth[u])  # NFC/"Ð" are normalized alike
    corrupt = wrong + (integrity != "ok") + orphans + (not fts_ok)
    return lost, dup, corrupt


def base_archive(watch: Watch, url: str, site: ReplicaSite, mode: str, workdir: Path) -> Path:
    """A complete crawl of `site` in `mode`: the archive every scenario of the mode starts from."""
    base = workdir / f"base-{mode.replace(' ', '-')}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    watch.arm(None)
    proc = crawl(url, base / "a.db", mode, base, "--resume")
    if proc.returncode != 0:
        raise RuntimeError(f"the base crawl failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return base / "a.db"


def scenario_dir(workdir: Path, name: str, base_db: Path) -> tuple[Path, Archive]:
    """A copy of the base crawl's folder: its archive and its job directory (data/jobs/...)."""
    cwd = workdir / name.replace(" ", "-").replace(",", "")
    shutil.rmtree(cwd, ignore_errors=True)
    shutil.copytree(base_db.parent, cwd)
    return cwd, Archive(cwd / "a.db")


def kill_results(articles: int, workdir: Path) -> list[tuple[str, int, int, int, str]]:
    """The whole matrix: (name, lost, dup, corrupt, note) per moment and mode.

    The archive first holds a complete crawl of three quarters of the site; the site then grows to
    `articles`, the next run (with --resume, like the README's cron line) is stopped at the moment, and
    one more `--resume` run finishes. "no --resume" repeats one moment without a job directory at all.
    """
    workdir = Path(workdir)
    site = ReplicaSite(articles - articles // 4, seed=11,
                       clock=datetime.now(TZ) - ReplicaSite(1).interval * articles)
    grown = site.grown(articles)
    new = grown.size - site.size
    watch = Watch()
    rows = []
    handler = type("Watched", (WatchedHandler,), {"watch": watch})
    with serving(site, handler=handler) as server:
        server.handle_error = _quiet  # crawls killed mid-answer reset their connections: expected here
        url = base_url(server)
        for mode in MODES:
            replace_site(server, site)
            base_db = base_archive(watch, url, site, mode, workdir)
            replace_site(server, grown)
            cases = [(m, ("--resume",)) for m in (*MOMENTS, SIGTERM)]
            cases += [(Moment("right after a commit, no --resume", when=MOMENTS[4].when), ())]
            for moment, extra in cases:
                cwd, archive = scenario_dir(workdir, f"{mode}-{moment.name}", base_db)
                code, note = interrupted_run(watch, url, archive, mode, cwd, moment, new, *extra)
                if moment.sig == signal.SIGTERM and code != 6:
                    note += " (SIGTERM should exit 6)"
                watch.arm(None)
                final = crawl(url, archive.path, mode, cwd, *extra)
                note += f"; then exit {final.returncode}"
                rows.append((f"kill {moment.name} [{mode}]" if moment.sig == signal.SIGKILL
                             else f"{moment.name} [{mode}]", *check(archive, grown, url), note))
            cwd, archive = scenario_dir(workdir, f"{mode}-twice", base_db)
            first, _ = interrupted_run(watch, url, archive, mode, cwd, MOMENTS[2], new, "--resume")
            _, note = interrupted_run(watch, url, archive, mode, cwd, MOMENTS[4], new, "--resume")
            watch.arm(None)
            final = crawl(url, archive.path, mode, cwd, "--resume")
            rows.append((f"kill twice in a row [{mode}]", *check(archive, grown, url),
                         f"first exit {first}; second {note}; then exit {final.returncode}"))
    return rows


def kill_chain(articles: int, workdir: Path, mode: str) -> tuple[list[tuple[str, int, str]], tuple[int, int, int], int]:
    """The short form for the test suite: one archive, the site grown once, then one run stopped at each
    moment in turn (each resuming the one before), then a run to the end. Returns (moment, exit code, note)
    per stopped run, the final (lost, dup, corrupt) and the last run's exit code."""
    workdir = Path(workdir)
    site = ReplicaSite(articles // 3, seed=12, clock=datetime.now(TZ) - ReplicaSite(1).interval * articles)
    grown = site.grown(articles)
    watch = Watch()
    handler = type("Watched", (WatchedHandler,), {"watch": watch})
    notes = []
    with serving(site, handler=handler) as server:
        server.handle_error = _quiet
        url = base_url(server)
        base_db = base_archive(watch, url, site, mode, workdir)
        replace_site(server, grown)
        cwd, archive = scenario_dir(workdir, f"chain-{mode}", base_db)
        for moment in (*MOMENTS[:2], SIGTERM, *MOMENTS[2:]):
            missing = grown.size - 1 - archive.stored()
            code, note = interrupted_run(watch, url, archive, mode, cwd, moment, max(missing, 1), "--resume")
            notes.append((moment.name, code, note))
        watch.arm(None)
        final = crawl(url, archive.path, mode, cwd, "--resume")
        return notes, check(archive, grown, url), final.returncode


if __name__ == "__main__":  # python tests/faults/kills.py [ARTICLES]
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        results = kill_results(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, Path(tmp))
        for name, lost, dup, corrupt, note in results:
            print(f"{name:<52} lost={lost} dup={dup} corrupt={corrupt}  {note}")
        totals = [sum(r[i] for r in results) for i in (1, 2, 3)]
        print(f"{'total':<52} lost={totals[0]} dup={totals[1]} corrupt={totals[2]}  "
              f"({time.perf_counter() - started:.0f} s)")
