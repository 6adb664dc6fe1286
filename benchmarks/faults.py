"""The fault matrix at scale: a hostile 2,000-article replica, crawled as cron would, judged page by page.

    python benchmarks/faults.py [--articles 2000] [--per-fault 20] [--modes profile,generic] [--no-kills]

Every fault of tests/faults/server.py is injected on its own `--per-fault` article pages (the transient
ones on some listing pages too) of one replica, which `archiver crawl` then crawls once per mode:
`profile` (`archiver crawl dukcqtw --start-url URL`) and `generic` (`--start-url` only, the generic
article guess). Prints one line per fault, `fault=NAME lost=N dup=N corrupt=N recorded=N` (see
tests/faults/matrix.py for what each counts), then the kill -9 matrix of tests/faults/kills.py when it
exists, and the total. Target: total lost=0 dup=0 corrupt=0, in under 10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.replica import ReplicaSite  # noqa: E402
from tests.faults.matrix import Row, crawl, judge, total  # noqa: E402
from tests.faults.server import FaultSite, serve_faults  # noqa: E402


def fault_rows(articles: int, per_fault: int, mode: str, workdir: Path) -> list[Row]:
    faults = FaultSite(ReplicaSite(articles, seed=11), per_fault=per_fault)
    db = workdir / f"faults-{mode}.db"
    with serve_faults(faults) as url:
        started = time.perf_counter()
        proc = crawl(url, db, "-s", "LOG_LEVEL=WARNING", profile=mode == "profile")
        seconds = time.perf_counter() - started
        rows = judge(db, faults, url)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # One crawl at a time: side by side, their servers share this process's GIL and big pages time out.
    print(f"# mode={mode}: {articles} articles, {per_fault} pages per fault; crawl exit {proc.returncode}, "
          f"{seconds:.0f} s, peak RSS of the crawls so far {rss:.0f} MiB")
    for row in rows:
        print(row.line(), flush=True)
    return rows


def kill_rows(articles: int, workdir: Path) -> list[Row]:
    try:
        from tests.faults.kills import kill_results
    except ImportError:
        print("# kill -9 matrix: tests/faults/kills.py is not there (yet); skipped")
        return []
    started = time.perf_counter()
    rows = []
    for name, lost, dup, corrupt, note in kill_results(articles, workdir):
        rows.append(Row(name, lost, dup, corrupt))
        print(f"fault={name} lost={lost} dup={dup} corrupt={corrupt} recorded=0  {note}", flush=True)
    print(f"# kill -9 matrix: {time.perf_counter() - started:.0f} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--per-fault", type=int, default=20)
    parser.add_argument("--modes", default="profile,generic")
    parser.add_argument("--no-kills", action="store_true", help="skip the kill -9 matrix")
    args = parser.parse_args()
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        for mode in args.modes.split(","):
            rows += fault_rows(args.articles, args.per_fault, mode, Path(tmp))
        if not args.no_kills:
            rows += kill_rows(args.articles, Path(tmp))
    print(total(rows))
    print(f"# {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
