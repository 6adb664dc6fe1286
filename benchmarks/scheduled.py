"""Cost of a scheduled run that finds nothing new, against a full re-crawl of the same archive.

    python benchmarks/scheduled.py --articles 10000

Serves the replica from a child process and crawls it with the news spider (each
crawl in its own process, as cron would start it):
1. the first crawl, into an empty archive;
2. a scheduled run right after it: nothing new, nothing due;
3. a full re-crawl of the same archive: every listing page walked, every article due.
Prints pages fetched and seconds for each.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.crawl import make_settings, run_crawl  # noqa: E402
from archiver.server import serve_in_process  # noqa: E402

RUNS = {
    "first crawl (empty archive)": ({}, {}),
    "scheduled run, no change": ({}, {}),
    "full re-crawl (all due)": ({"full": 1}, {"REFRESH_POLICY": json.dumps([[36500, 1e-9]])}),
}


def _crawl(url: str, db: str, args: dict, settings: dict, out) -> None:
    overrides = {"LOG_LEVEL": "ERROR", **settings}
    result = run_crawl("news", settings=make_settings(db, local=True, overrides=overrides),
                       site="dukcqtw", start_url=url + "/", **args)
    out.send((result.pages, result.seconds, result.stats.get("archiver/not_modified", 0)))


def crawl_in_child(url: str, db: str, args: dict, settings: dict) -> tuple[int, float, int]:
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=_crawl, args=(url, db, args, settings, child))
    proc.start()
    proc.join()
    if not parent.poll():
        raise RuntimeError(f"the crawl process failed (exit code {proc.exitcode})")
    return parent.recv()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_in_process(args.articles) as url:
        db = str(Path(tmp) / "archive.db")
        print(f"replica: {args.articles} articles\n")
        print(f"{'run':32} {'pages':>8} {'seconds':>9} {'304s':>7}")
        for name, (spider_args, settings) in RUNS.items():
            pages, seconds, not_modified = crawl_in_child(url, db, spider_args, settings)
            print(f"{name:32} {pages:8d} {seconds:9.1f} {not_modified:7d}", flush=True)
        with sqlite3.connect(db) as conn:
            n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        print(f"\narticles in the archive: {n}")


if __name__ == "__main__":
    main()
