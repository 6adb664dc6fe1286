"""What a scheduled crawl fetches again: the archive is the truth for what is known.

Listing pages and feeds are fetched on every run, new articles always, and a known
article only when it is due for a refresh under its site's policy: a list of
(age below N days, refresh every M days) steps, e.g. daily for a week after
publication, weekly for a month, then never. So view counts and edits are
followed without fetching the whole archive again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

# (age below this many days, refresh when last fetched this many days ago); older: never.
DEFAULT_POLICY: tuple[tuple[float, float], ...] = ((7, 1), (30, 7))


@dataclass(frozen=True)
class Known:
    published_at: datetime | None
    last_seen: datetime
    etag: str | None = None
    last_modified: str | None = None


def policy_from(value: Iterable | None) -> tuple[tuple[float, float], ...]:
    """Validate a policy given as [[age_days, every_days], ...] (settings, profiles)."""
    if value is None:
        return DEFAULT_POLICY
    steps = tuple((float(age), float(every)) for age, every in value)
    if any(age <= 0 or every <= 0 for age, every in steps) or list(steps) != sorted(steps):
        raise ValueError(f"refresh policy must be increasing [age_days, every_days] pairs > 0, got {value!r}")
    return steps


def is_due(known: Known, now: datetime, policy=DEFAULT_POLICY) -> bool:
    """Is this known article due for a refresh at `now`?"""
    if known.published_at is None:  # undated: we cannot tell its age, refresh it like a young one
        age = timedelta(0)
    else:
        age = now - known.published_at
    since_seen = now - known.last_seen
    for max_age, every in policy:
        if age < timedelta(days=max_age):
            return since_seen >= timedelta(days=every)
    return False


def load_known(db: str | Path, hosts: Iterable[str]) -> dict[str, Known]:
    """URL -> what the archive knows of it, for the given site keys: profile names or hosts (empty if
    there is no archive yet)."""
    if not Path(db).exists():
        return {}
    hosts = sorted(set(hosts))
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles'").fetchone():
            return {}
        marks = ",".join("?" * len(hosts))
        validators = {c[1] for c in conn.execute("PRAGMA table_info(articles)")} >= {"etag", "last_modified"}
        columns = "url, published_at, last_seen" + (", etag, last_modified" if validators else "")
        rows = conn.execute(f"SELECT {columns} FROM articles WHERE site IN ({marks})", hosts)
        return {url: Known(_parse(published), _parse(seen), *rest) for url, published, seen, *rest in rows}
    finally:
        conn.close()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def last_crawl_complete(db: str | Path, site: str | None) -> bool:
    """Did the site's last crawl in this archive run to its end and store everything it found?

    A crawl killed (no `finished_at`), stopped (Ctrl-C, SIGTERM, a storage failure: its `finish_reason`)
    or cut short by `--max-pages` leaves gaps that the stop rule ("follow pagination while a listing shows
    something new") would never look into: the listing's first page shows what was stored, the gap is
    deeper. So the next run walks every listing page, until one run completes. An archive without
    crawls of the site is complete (nothing to refill: the first run walks everything anyway).
    """
    if not Path(db).exists():
        return True
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'crawls'").fetchone():
            return True
        row = conn.execute(
            "SELECT finished_at, json_extract(stats, '$.finish_reason'),"
            " json_extract(stats, '$.\"archiver/max_pages_reached\"'),"
            " json_extract(stats, '$.\"archiver/storage_error\"') FROM crawls WHERE site IS ? ORDER BY id DESC LIMIT 1",
            (site,),
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        return True
    finished_at, reason, cut_short, storage_error = row
    return bool(finished_at) and reason == "finished" and not cut_short and not storage_error
