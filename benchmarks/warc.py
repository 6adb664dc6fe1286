"""WARC figures: bytes per article kept, `archiver reextract` pages/s, `archiver import-warc` pages/s.

    python benchmarks/warc.py --articles 2000

Crawls the replica (served from a child process) into a fresh archive with WARC on, then re-extracts
every article from its WARC record (no network), then imports the crawl's WARC files into another
fresh archive as a WARC made elsewhere would be. The crawl ratio with and without WARC is
`benchmarks/crawl.py`'s.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.fromwarc import import_warc, reextract  # noqa: E402
from archiver.server import serve_in_process  # noqa: E402
from archiver.warc import warc_files  # noqa: E402


def _crawl(url: str, db: str) -> None:
    from archiver.crawl import make_settings, run_crawl

    run_crawl(
        "news",
        settings=make_settings(db, local=True, overrides={"LOG_LEVEL": "ERROR"}),
        site="dukcqtw",
        start_url=url + "/",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "crawl.db"
        with serve_in_process(args.articles) as url:
            proc = multiprocessing.get_context("spawn").Process(target=_crawl, args=(url, str(db)))
            proc.start()
            proc.join()
        conn = sqlite3.connect(db)
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        responses = conn.execute("SELECT pages FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0]
        conn.close()
        files = warc_files(Path(tmp) / "warc")
        size = sum(p.stat().st_size for p in files)
        print(f"replica: {args.articles} articles; crawl stored {articles} articles from {responses} responses")
        print(
            f"WARC: {len(files)} files, {size / 1024**2:.1f} MiB = {size / articles / 1024:.1f} KiB per article "
            f"(listings, redirects and errors included), {size / responses / 1024:.1f} KiB per response"
        )
        report = reextract(db)
        print(
            f"reextract:   {report.pages} pages in {report.seconds:.2f} s = {report.pages_per_second:.0f} pages/s "
            f"(stored {report.stored}, changed {report.changed})"
        )
        report = import_warc(Path(tmp) / "imported.db", files)
        print(
            f"import-warc: {report.pages} pages in {report.seconds:.2f} s = {report.pages_per_second:.0f} pages/s "
            f"(stored {report.stored}, skipped {report.skipped})"
        )


if __name__ == "__main__":
    main()
