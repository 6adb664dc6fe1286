"""Reading the archive: full-text search, the `archiver stats` summary, and Datasette settings."""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from archiver.store import counts, coverage_by_site, read_connection
from archiver.text import fold

DEFAULT_METADATA = Path(__file__).resolve().parent.parent / "data" / "metadata.yml"
METADATA_DATABASE = "archive"  # the database name metadata.yml describes (Datasette names it by file stem)

_WORD = re.compile(r"\w+\*?")


def _fold_table() -> dict[int, str]:
    """Latin letters with marks (Vietnamese included) -> the one character text.fold gives them."""
    table = {}
    for start, stop in ((0x00C0, 0x0250), (0x1E00, 0x1F00)):
        for code in range(start, stop):
            folded = fold(chr(code))
            if len(folded) == 1 and folded != chr(code):
                table[code] = folded
    return table


_FOLD_TABLE = _fold_table()


def fold_same_length(text: str) -> str:
    """text.fold for NFC text, one character per character so positions carry over to the original;
    str.translate runs in C, several times faster than fold's per-character loop on article bodies."""
    return text.lower().translate(_FOLD_TABLE)


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


# Why not ORDER BY rank (bm25)? bm25 needs each word's document frequency, which FTS5 computes by reading
# the word's whole posting list: over a million articles a common word took 40-100 ms per query whatever the
# LIMIT. So a search takes the newest RANK_WINDOW matches (FTS5 walks its index by descending rowid and
# stops there; rowids grow as articles are first archived) and orders those by where the words occur:
# all in the title first, then all in the lead, then elsewhere; newest published first within each group.
# The two column checks are FTS queries bounded to the window's rowid range, so they stay cheap too.
RANK_WINDOW = 2000

_SEARCH_SQL = """
WITH window AS (
    SELECT articles_fts.rowid AS id
    FROM articles_fts CROSS JOIN articles AS a ON a.id = articles_fts.rowid
    WHERE articles_fts MATCH :query
      AND (:site IS NULL OR a.site = :site)
      AND (:since IS NULL OR a.published_at >= :since)
      AND (:until IS NULL OR a.published_at < :until)
    ORDER BY articles_fts.rowid DESC
    LIMIT :window
),
in_title AS (
    SELECT rowid AS id FROM articles_fts
    WHERE articles_fts MATCH '{title d_folded} : (' || :query || ')'
      AND rowid >= (SELECT min(id) FROM window)
),
in_lead AS (
    SELECT rowid AS id FROM articles_fts
    WHERE articles_fts MATCH '{lead d_folded} : (' || :query || ')'
      AND rowid >= (SELECT min(id) FROM window)
)
SELECT a.id, a.url, a.site, a.title, a.published_at, a.views, a.byline, a.lead, a.body,
       (window.id IN in_title) * 2 + (window.id IN in_lead) AS score
FROM window JOIN articles AS a ON a.id = window.id
ORDER BY score DESC, a.published_at DESC, a.id DESC
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

    Among the `window` most recently archived matches: words in the title first, then in the lead, then
    anywhere; newest first within each group (see RANK_WINDOW for why).
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
    folded = fold_same_length(text)
    if len(folded) != len(text):  # lower() changed the length (rare characters): positions would drift
        return text[:width] + ("…" if len(text) > width else "")
    pattern = _terms_pattern(terms)
    first = pattern.search(folded) if pattern else None
    start = max(0, first.start() - width // 4) if first else 0
    if start:  # begin on a word boundary
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    spans = [m.span() for m in pattern.finditer(folded, start, end)] if first else []
    pieces, cursor = [], start
    for s, e in spans:
        if s >= cursor and e <= end:
            pieces += [text[cursor:s], mark[0], text[s:e], mark[1]]
            cursor = e
    pieces.append(text[cursor:end])
    return ("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else "")


def _terms_pattern(terms: list[str]) -> re.Pattern | None:
    """Whole folded words, or word starts for terms ending in "*"."""
    alternatives = [re.escape(t[:-1]) + r"\w*" if t.endswith("*") else re.escape(t) for t in terms if t.strip("*")]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + r")(?!\w)")


def stats(db_path: str | Path) -> dict[str, Any]:
    """What `archiver stats` prints: articles per site, field coverage overall and per site, crawls."""
    per_site = counts(db_path)
    by_site = coverage_by_site(db_path)
    conn = read_connection(db_path)
    try:
        conn.row_factory = sqlite3.Row
        last = conn.execute(
            "SELECT id, spider, site, started_at, finished_at, articles_written FROM crawls ORDER BY id DESC LIMIT 1"
        ).fetchone()
        crawls = conn.execute("SELECT count(*) FROM crawls").fetchone()[0]
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
    finally:
        conn.close()
    return {
        "articles": sum(per_site.values()),
        "sites": per_site,
        "coverage": by_site.pop("*"),
        "coverage_by_site": by_site,
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
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
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
