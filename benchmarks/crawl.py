"""Crawl throughput: Scrapy's own ceiling (a bare link-following spider) vs the full archiver.

    python benchmarks/crawl.py --articles 2000

Serves the replica from a child process, then crawls it twice, each crawl in its
own process (Twisted runs one reactor per process): once with the bare spider
(follows the same links, extracts nothing, no pipelines), once with the news
spider (extract + normalize + validate + store into a fresh SQLite archive, every response kept in
WARC files), and once more with the news spider without WARC (`--no-warc`). Prints pages/s for each,
full/bare (target: >= 0.9) and with/without WARC (target: >= 0.9, WARC writing costs at most 10 %).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.crawl import make_settings, run_crawl  # noqa: E402
from archiver.server import serve_in_process  # noqa: E402


def _crawl(spider: str, url: str, db: str, out) -> None:
    overrides = {"LOG_LEVEL": "ERROR"}
    if spider == "bare":
        overrides["ITEM_PIPELINES"] = {}
        overrides["WARC_ENABLED"] = False
    if spider == "nowarc":
        spider = "news"
        overrides["WARC_ENABLED"] = False
    cpu = time.process_time()
    result = run_crawl(spider, settings=make_settings(db, local=True, overrides=overrides),
                       site="dukcqtw", start_url=url + "/")
    cpu = time.process_time() - cpu  # all the crawl's threads: steadier than wall time on a shared machine
    out.send((result.pages, result.seconds, result.stats.get("item_scraped_count", 0), cpu))


def crawl_in_child(spider: str, url: str, db: str) -> tuple[int, float, int, float]:
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=_crawl, args=(spider, url, db, child))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="Crawl each way this many times; best is kept.")
    args = parser.parse_args()
    best: dict[str, tuple[int, float, int, float]] = {}
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, serve_in_process(args.articles) as url:
        for n in range(args.repeat):
            for spider in ("bare", "news", "nowarc"):
                db = str(Path(tmp) / f"{spider}-{n}.db")
                pages, seconds, items, used = crawl_in_child(spider, url, db)
                rate = pages / seconds
                print(f"{spider:6} run {n + 1}: {pages} pages, {items} items in {seconds:.2f} s = {rate:.0f} pages/s, "
                      f"{used / pages * 1000:.2f} ms CPU per page")
                if spider not in best or rate > best[spider][0] / best[spider][1]:
                    best[spider] = (pages, seconds, items, used)
                cpu[spider] = min(cpu.get(spider, float("inf")), used / pages)
    bare = best["bare"][0] / best["bare"][1]
    full = best["news"][0] / best["news"][1]
    nowarc = best["nowarc"][0] / best["nowarc"][1]
    print(f"\nreplica: {args.articles} articles")
    print(f"bare spider (Scrapy ceiling): {bare:8.0f} pages/s")
    print(f"full archiver:                {full:8.0f} pages/s")
    print(f"full archiver, no WARC:       {nowarc:8.0f} pages/s")
    print(f"ratio full/bare:              {full / bare:8.2f}   (target >= 0.9)")
    print(f"ratio WARC/no WARC:           {full / nowarc:8.2f}   (target >= 0.9)")
    print(f"CPU per page, WARC/no WARC:   {cpu['news'] / cpu['nowarc']:8.2f}   (least of the runs each)")


if __name__ == "__main__":
    main()
