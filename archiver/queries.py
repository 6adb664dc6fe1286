"""Reading the archive: full-text search, the `archiver stats` summary, and Datasette settings."""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from archiver.store import counts, coverage, read_connection
from archiver.text import fold

DEFAULT_METADATA = Path(__file__).resolve().parent.parent / "data" / "metadata.yml"
METADATA_DATABASE = "archive"  # the database name metadata.yml describes (Datasette names it by file stem)

_WORD = re.compile(r"\w+\*?")
_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\w+\*?)')


def fts_query(text: str) -> str:
    """Words typed by a person -> an FTS5 query: every word required, in any column, in any order;
    words in double quotes must appear together, in that order ("kinh tế").

    Words are re-quoted so that punctuation or FTS keywords ("AND", "NEAR") typed by a user cannot break
    the query syntax; a trailing * keeps its meaning (prefix search). Diacritics need no handling here:
    the tokenizer folds them, and words with "đ" are also indexed accent-free (see store.d_folded), but
    only as single words, so a quoted phrase must keep its "đ" to match.
    """
    terms = []
    for phrase, word in _PHRASE_OR_WORD.findall(text):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                terms.append('"' + " ".join(w.rstrip("*") for w in words) + '"')
        elif word:
            prefix = word.endswith("*")
            terms.append(f'"{word.rstrip("*")}"' + ("*" if prefix else ""))
    if not terms:
        raise ValueError(f"nothing to search for in {text!r}")
    return " ".join(terms)


def check_date(value: str | None) -> str | None:
    """Accept YYYY-MM-DD or a full ISO 8601 timestamp; it is compared with published_at as text."""
    if value is None:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"not an ISO 8601 date: {value!r}") from error
    return value


# Ranking every match costs time in proportion to the number of matches: over a million articles a common
# word matches most of them and ORDER BY rank took seconds. So rank the newest RANK_WINDOW matches (FTS5
# walks its index in descending rowid order and stops there; rowids grow as articles are first archived)
# and return the best of those. `since`/`until` narrow the window to older news when that is wanted.
RANK_WINDOW = 2000

_SEARCH_SQL = """
WITH window AS (
    SELECT articles_fts.rowid AS id, articles_fts.rank AS score
    FROM articles_fts CROSS JOIN articles AS a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH :query
      AND (:site IS NULL OR a.site = :site)
      AND (:since IS NULL OR a.published_at >= :since)
      AND (:until IS NULL OR a.published_at < :until)
    ORDER BY articles_fts.rowid DESC
    LIMIT :window
)
SELECT a.id, a.url, a.site, a.title, a.published_at, a.views, a.byline, a.lead, a.body
FROM window JOIN articles AS a ON a.id = window.id
ORDER BY window.score
LIMIT :limit
"""


def search(
    db_path: str | Path,
    text: str,
    *,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    window: int = RANK_WINDOW,
) -> list[dict[str, Any]]:
    """Articles matching every word of `text` (accent-insensitive), best first, each with a snippet.

    "Best" is bm25 (title weighs most) among the `window` most recently archived matches.
    `since`/`until` bound published_at (inclusive/exclusive), compared in the article's own offset.
    """
    params = {
        "query": fts_query(text),
        "site": site,
        "since": check_date(since),
        "until": check_date(until),
        "limit": limit,
        "window": max(window, limit),
    }
    conn = read_connection(db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(_SEARCH_SQL, params).fetchall()
    finally:
        conn.close()
    terms = [fold(w) for w in _WORD.findall(text)]
    results = []
    for row in rows:
        result = {k: row[k] for k in ("id", "url", "site", "title", "published_at", "views", "byline")}
        texts = [t for t in (row["lead"], row["body"], row["title"]) if t]
        result["snippet"] = snippet("\n\n".join(texts), terms)
        results.append(result)
    return results


def snippet(text: str, terms: list[str], width: int = 200, mark: tuple[str, str] = ("[", "]")) -> str:
    """A window of `text` around the first word matching a folded term, matches marked.

    Terms are folded words; one ending in "*" matches as a prefix. Done in Python rather than with
    FTS5's snippet() so that "dang" also marks "Đảng", which FTS5 only matched through the accent-free
    `d_folded` column.
    """
    text = " ".join(text.split())
    folded = fold(text)
    if len(folded) != len(text):  # fold changed the length (rare characters): positions would drift
        return text[:width] + ("…" if len(text) > width else "")
    exact = {t for t in terms if not t.endswith("*")}
    prefixes = tuple(t[:-1] for t in terms if t.endswith("*"))
    spans = [
        m.span()
        for m in re.finditer(r"\w+", folded)
        if m.group() in exact or (prefixes and m.group().startswith(prefixes))
    ]
    start = max(0, spans[0][0] - width // 4) if spans else 0
    if start:  # begin on a word boundary
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    pieces, cursor = [], start
    for s, e in spans:
        if s >= cursor and e <= end:
            pieces += [text[cursor:s], mark[0], text[s:e], mark[1]]
            cursor = e
    pieces.append(text[cursor:end])
    return ("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else "")


def stats(db_path: str | Path) -> dict[str, Any]:
    """What `archiver stats` prints: articles per site, field coverage overall and per site, crawls."""
    per_site = counts(db_path)
    conn = read_connection(db_path)
    try:
        conn.row_factory = sqlite3.Row
        last = conn.execute(
            "SELECT id, spider, site, started_at, finished_at, articles_written FROM crawls "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        crawls = conn.execute("SELECT count(*) FROM crawls").fetchone()[0]
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
    finally:
        conn.close()
    return {
        "articles": sum(per_site.values()),
        "sites": per_site,
        "coverage": coverage(db_path),
        "coverage_by_site": {site: coverage(db_path, site) for site in per_site},
        "crawls": crawls,
        "revisions": revisions,
        "last_crawl": dict(last) if last else None,
    }


def format_stats(summary: dict[str, Any]) -> str:
    """A plain-text table: one row per site (plus "all"), one column per coverage field."""
    fields = list(summary["coverage"])
    header = ["site", "articles", *fields]
    rows = [["all", str(summary["articles"]), *(f"{summary['coverage'][f]:.0%}" for f in fields)]]
    for site, n in summary["sites"].items():
        cov = summary["coverage_by_site"][site]
        rows.append([site, str(n), *(f"{cov[f]:.0%}" for f in fields)])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]
    ]
    lines.append(f"crawls: {summary['crawls']}  revisions kept: {summary['revisions']}")
    return "\n".join(lines)


def datasette_metadata(db_path: str | Path, metadata_path: str | Path = DEFAULT_METADATA) -> dict[str, Any]:
    """metadata.yml with its database section renamed after `db_path`, since Datasette names a
    database by its file stem and the archive need not be called archive.db."""
    metadata = yaml.safe_load(Path(metadata_path).read_text(encoding="utf-8"))
    databases = metadata.get("databases", {})
    if METADATA_DATABASE in databases:
        databases[Path(db_path).stem] = databases.pop(METADATA_DATABASE)
    return metadata


def datasette_command(
    db_path: str | Path, metadata_file: str | Path, *, port: int = 8001, open_browser: bool = True
) -> list[str]:
    """The `datasette serve` command line `archiver browse` runs."""
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata_file)]
    command += ["--port", str(port)]
    if open_browser:
        command.append("--open")
    return command
