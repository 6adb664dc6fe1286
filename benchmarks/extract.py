"""Extraction speed: pages per second on one core, with site profiles and with the generic fallback.

    python benchmarks/extract.py [PAGES_DIR] [--seconds 3]

Times `extract` + `normalize_article` (what the crawl runs per article page) in CPU time
of this process, so other load on the machine does not count; parse included. Pages:
every NAME.html in PAGES_DIR (default ../shared/pages) and replica pages of the seed site.
"profile" rows use the page's own profile, "fallback" rows turn profiles off (trafilatura
reads the body). "parsed/s" gives `extract` the parsed Selector, as the spider does
(Scrapy has parsed the response already). "agreement every N" rows add the crawl's agreement check:
the generic reader on every N-th profiled page of a site (settings.AGREEMENT_EVERY, archiver/agreement.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from parsel import Selector

from archiver import agreement
from archiver.extract import extract
from archiver.normalize import normalize_article
from archiver.profile import profile_for
from archiver.replica import ReplicaSite

DEFAULT_PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"
NOW = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))


def load(pages: Path) -> list[tuple[str, str]]:
    """(url, html) of every labelled page: the URL picks the profile."""
    out = []
    for html in sorted(pages.glob("*.html")):
        label = html.with_suffix(".json")
        url = json.loads(label.read_text(encoding="utf-8"))["url"] if label.exists() else f"https://{html.stem}/"
        out.append((url, html.read_text(encoding="utf-8", errors="replace")))
    return out


def replica_pages(n: int = 20) -> list[tuple[str, str]]:
    site = ReplicaSite(articles=n, seed=1)
    base = "http://127.0.0.1:8765"
    return [(base + site.path(i), site.render_article(i)) for i in range(1, n + 1) if i != site.broken_id]


def rate(pages: list[tuple[str, str]], generic: bool, seconds: float, parsed: bool = False,
         every: int = 0) -> float:
    """Pages per CPU second; `parsed`: the page comes as a parsed Selector, as the spider passes it;
    `every`: the crawl's agreement check (the generic reader too on every `every`-th page of a site)."""
    inputs = [(url, Selector(text=html, base_url=url) if parsed else html) for url, html in pages]
    sampler = agreement.Sampler(every)
    done, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for url, page in inputs:
            raw = extract(page, url, fetched_at=NOW, generic_only=generic)
            article = normalize_article(raw)
            if every and raw.profile and sampler.due(raw.site):
                agreement.check(page, raw, article)
            done += 1
    return done / (time.process_time() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="?", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per row")
    parser.add_argument("--every", type=int, default=agreement.EVERY,
                        help="the agreement rows: the generic reader on every N-th profiled page (AGREEMENT_EVERY)")
    args = parser.parse_args(argv)
    real = load(args.pages) if args.pages.exists() else []
    profiled = [(u, h) for u, h in real if profile_for(u)]
    rows = [
        ("replica (dukcqtw)", "profile", replica_pages(), False, 0),
        (f"{args.pages.name} with a profile", "profile", profiled, False, 0),
        (f"replica, agreement every {args.every}", "profile", replica_pages(), False, args.every),
        (f"{args.pages.name}, agreement every {args.every}", "profile", profiled, False, args.every),
        (f"{args.pages.name}", "fallback", real, True, 0),
        ("replica (dukcqtw)", "fallback", replica_pages(), True, 0),
    ]
    rate(real[:1] or replica_pages(2), True, 0.2)  # warm-up: imports, selector caches
    print(f"{'pages':<34}{'path':<10}{'n':>4}{'pages/s':>10}{'parsed/s':>10}  (parsed: parse not counted)")
    for name, path, pages, generic, every in rows:
        if pages:
            whole = rate(pages, generic, args.seconds, every=every)
            parsed = rate(pages, generic, args.seconds, parsed=True, every=every)
            print(f"{name:<34}{path:<10}{len(pages):>4}{whole:>10.0f}{parsed:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
