"""Exporting the archive: every article with its paragraphs, images and related links, as JSONL or CSV.

Articles are streamed in id order, a chunk at a time, from one read transaction: memory stays flat
however large the archive, and a crawl writing meanwhile does not change what one export sees.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from archiver.queries import check_date
from archiver.store import read_connection

FORMATS = ("jsonl", "csv")

# Export keys: the `archiver extract` JSON keys first (an exported article reads like an extracted one),
# then what the archive adds.
ARTICLE_COLUMNS = (
    "url",
    "site",
    "title",
    "published_at",
    "published_raw",
    "views",
    "byline",
    "lead",
    "published_precision",
    "byline_raw",
    "profile",
    "sources",
    "problems",
    "content_hash",
    "first_seen",
    "last_seen",
    "last_changed",
    "views_observed_at",
)
NESTED = ("paragraphs", "images", "related")
JSON_COLUMNS = ("sources", "problems")
CSV_COLUMNS = ARTICLE_COLUMNS[:8] + NESTED + ARTICLE_COLUMNS[8:]


def _children(conn: sqlite3.Connection, ids: list[int]) -> dict[str, dict[int, list]]:
    marks = ",".join("?" * len(ids))
    found: dict[str, dict[int, list]] = {name: defaultdict(list) for name in NESTED}
    sql = f"SELECT article_id, text FROM paragraphs WHERE article_id IN ({marks}) ORDER BY article_id, position"
    for article_id, text in conn.execute(sql, ids):
        found["paragraphs"][article_id].append(text)
    sql = f"SELECT article_id, src, caption FROM images WHERE article_id IN ({marks}) ORDER BY article_id, position"
    for article_id, src, caption in conn.execute(sql, ids):
        found["images"][article_id].append({"src": src, "caption": caption})
    sql = (
        "SELECT article_id, title, url, date_raw, date, precision, kind, label FROM related_links "
        f"WHERE article_id IN ({marks}) ORDER BY article_id, position"
    )
    for article_id, title, url, date_raw, date, precision, kind, label in conn.execute(sql, ids):
        found["related"][article_id].append(
            {"title": title, "url": url, "date_raw": date_raw, "date": date, "precision": precision,
             "kind": kind, "label": label}
        )
    return found


def iter_articles(
    db_path: str | Path, *, since: str | None = None, site: str | None = None, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Every article (published on/after `since`, of `site`) as a dict with nested children."""
    since = check_date(since)
    conn = read_connection(db_path)
    conn.row_factory = sqlite3.Row
    columns = ", ".join(ARTICLE_COLUMNS)
    sql = (
        f"SELECT id, {columns} FROM articles WHERE id > :after "
        "AND (:site IS NULL OR site = :site) AND (:since IS NULL OR published_at >= :since) "
        "ORDER BY id LIMIT :chunk"
    )
    try:
        conn.execute("BEGIN")  # one snapshot for the whole export
        after = 0
        while rows := conn.execute(sql, {"after": after, "site": site, "since": since, "chunk": chunk}).fetchall():
            after = rows[-1]["id"]
            children = _children(conn, [row["id"] for row in rows])
            for row in rows:
                article = {key: row[key] for key in ARTICLE_COLUMNS}
                for key in JSON_COLUMNS:
                    article[key] = json.loads(article[key]) if article[key] else article[key]
                for name in NESTED:
                    article[name] = children[name].get(row["id"], [])
                yield article
        conn.execute("COMMIT")
    finally:
        conn.close()


def write_jsonl(articles: Iterator[dict[str, Any]], out: TextIO) -> int:
    """One JSON object per line, UTF-8 text as is (not ASCII-escaped)."""
    count = 0
    for article in articles:
        out.write(json.dumps(article, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(articles: Iterator[dict[str, Any]], out: TextIO) -> int:
    """One row per article; paragraphs, images, related, sources and problems as JSON text cells,
    so nothing is lost and a spreadsheet still shows one article per row."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for article in articles:
        for key in (*NESTED, *JSON_COLUMNS):
            article[key] = json.dumps(article[key], ensure_ascii=False)
        writer.writerow(article)
        count += 1
    return count


def export(
    db_path: str | Path, out: TextIO, fmt: str = "jsonl", *, since: str | None = None, site: str | None = None
) -> int:
    """Write the archive to `out` in `fmt`; returns the number of articles written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    articles = iter_articles(db_path, since=since, site=site)
    return write_jsonl(articles, out) if fmt == "jsonl" else write_csv(articles, out)
