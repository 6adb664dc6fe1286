"""The fault matrix: crawl the hostile replica once, then judge every fault against the ground truth.

Per fault (and `none` for the articles no fault touched):
- lost: ground-truth articles neither in the archive nor recorded in `fetch_errors` (silently lost);
  a transient fault must also leave nothing recorded, so there a recorded article counts as lost;
- dup: extra rows for one article (the same page stored under a second URL);
- corrupt: stored rows that differ from the ground truth, rows that are no article of the site, and
  `PRAGMA integrity_check` not ok;
- recorded: the fault's pages in `fetch_errors` with the kind the fault promises (transient: any kind).
Used by tests/faults/test_matrix.py (a small replica) and benchmarks/faults.py (2,000 articles).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .server import TIMEOUT, FaultSite

ARCHIVER = str(Path(sys.executable).parent / "archiver")
SETTINGS = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT}"]


@dataclass
class Row:
    fault: str
    lost: int = 0
    dup: int = 0
    corrupt: int = 0
    recorded: int = 0
    pages: int = 0  # pages the fault was injected on
    refetched: int = 0  # requests beyond one per page

    def line(self) -> str:
        return (f"fault={self.fault} lost={self.lost} dup={self.dup} corrupt={self.corrupt} "
                f"recorded={self.recorded} pages={self.pages} refetched={self.refetched}")


def crawl(url: str, db: Path, *extra: str, profile: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
    """`archiver crawl [dukcqtw] --start-url URL/`, as cron runs it."""
    cmd = [ARCHIVER, "crawl", *(["dukcqtw"] if profile else []), "--start-url", url + "/", "--db", str(db),
           *SETTINGS, *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def judge(db: Path, faults: FaultSite, base: str) -> list[Row]:
    """One Row per fault, then `none`; see the module's docstring."""
    site = faults.site
    conn = sqlite3.connect(db)
    try:
        urls = {u for (u,) in conn.execute("SELECT url FROM articles")}
        recorded = dict(conn.execute("SELECT url, kind FROM fetch_errors"))
        healthy = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        targeted = {i for ids in faults.targets.values() for i in ids}
        rows = []
        for name, ids in faults.targets.items():
            fault = faults.faults[name]
            row = _judge_articles(conn, Row(name), site, base, ids, urls, recorded, fault.kind)
            listings = [base + p for p in faults.listing_targets.get(name, ())]
            row.recorded += sum(1 for u in listings if u in recorded)
            row.lost += 0 if fault.permanent else row.recorded
            row.pages = len(ids) + len(listings)
            row.refetched = sum(max(0, faults.per_page[site.path(i)] - 1) for i in ids) if name == "tracking" else 0
            rows.append(row)
        rows.append(_dead_links(site, base, urls, recorded))
        control = [i for i in range(1, site.size + 1) if i not in targeted and i != site.broken_id]
        none = _judge_articles(conn, Row("none"), site, base, control, urls, recorded, None)
        known = {base + site.path(i) for i in range(1, site.size + 1)}
        none.corrupt += len(urls - known) + (not healthy)
        none.lost += none.recorded
        none.pages = len(control)
        rows.append(none)
        return rows
    finally:
        conn.close()


def _judge_articles(conn, row: Row, site, base: str, ids, urls: set[str], recorded: dict, kind: str | None) -> Row:
    for i in ids:
        truth = site.expected(i, base)
        url = truth["url"]
        row.dup += sum(1 for u in urls if u != url and u.split("?")[0] == url)
        if url in urls:
            row.corrupt += bool(mismatches(conn, truth))
        elif url not in recorded:
            row.lost += 1
        if url in recorded and (kind is None or recorded[url] == kind):
            row.recorded += 1
    return row


def _dead_links(site, base: str, urls: set[str], recorded: dict) -> Row:
    """The replica's sibling links that answer 404: each one recorded as http_404, none silent."""
    dead = [base + site.path(site.size + i) for i in range(1, site.size + 1)
            if site.expected(i, base) and base + site.path(i) in urls and site.article(i).variation.dead_sibling]
    row = Row("http_404", pages=len(dead))
    row.recorded = sum(1 for u in dead if recorded.get(u) == "http_404")
    row.lost = len(dead) - sum(1 for u in dead if u in recorded)
    return row


def mismatches(conn: sqlite3.Connection, truth: dict) -> list[str]:
    """Fields of the archived article that differ from the replica's ground truth."""
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM articles WHERE url = ?", (truth["url"],)).fetchone()
        children = {t: [dict(r) for r in conn.execute(
            f"SELECT * FROM {t} WHERE article_id = ? ORDER BY position", (row["id"],))]
            for t in ("paragraphs", "images", "related_links")}
    finally:
        conn.row_factory = None
    found = {f: row[f] for f in ("title", "published_at", "published_raw", "views", "byline", "lead")}
    found["paragraphs"] = [p["text"] for p in children["paragraphs"]]
    found["images"] = [{"src": m["src"], "caption": m["caption"]} for m in children["images"]]
    found["related"] = [{k: r[k] for k in ("title", "url", "date_raw")} for r in children["related_links"]]
    return [field for field, value in found.items() if value != truth[field]]


def total(rows: list[Row]) -> str:
    return "total " + " ".join(f"{k}={sum(getattr(r, k) for r in rows)}" for k in ("lost", "dup", "corrupt"))


def report(db: Path) -> dict:
    """The last crawl's row of the `crawls` table, JSON columns decoded."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = dict(conn.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1").fetchone())
    finally:
        conn.close()
    return {k: json.loads(v) if k in ("errors", "dropped", "coverage", "stats", "flags") and v else v
            for k, v in row.items()}
