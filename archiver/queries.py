"""Reading the archive: full-text search, the `archiver stats` summary, and Datasette settings."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from archiver.store import check_archive, counts, coverage_by_site, read_connection
from archiver.text import fold
from archiver.warc import sizes as warc_sizes
from archiver.warc import warc_dir_for

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


# What a person types: "a phrase", NEAR(, ( ), the operators (FTS5 reads them only in capitals), words.
_TOKEN = re.compile(r'"([^"]*)"?|(NEAR\()|([()])|(,\s*\d+)|(\w+\*?)')
OPERATORS = ("AND", "OR", "NOT")
MATCH_NOTHING = '""'  # a valid FTS5 query (an empty phrase) that matches no row
_NEAR_DISTANCE = re.compile(r",\s*\d+\s*\)")


def fts_query(text: str) -> str:
    """Words typed by a person -> an FTS5 query, the same for `archiver search` and Datasette.

    Every word is required, in any column, in any order; words in double quotes must appear together,
    in that order ("kinh tế"); a trailing * is a prefix search. AND, OR, NOT (in capitals, as FTS5 writes
    them), parentheses and NEAR(a b, 10) keep their FTS5 meaning. Every word is re-quoted, so punctuation
    cannot break the syntax; if the operators do not make a valid query ("kinh AND"), they are dropped
    and the words alone are searched. Diacritics need no handling here: the tokenizer folds them, and words
    with "đ" are also indexed accent-free (see store.d_folded), but only as single words, so a quoted
    phrase must keep its "đ" to match. Raises ValueError when there is no word at all.
    """
    parts: list[str] = []  # FTS5 pieces: quoted words/phrases, operators, "(", ")", "NEAR(", ", 10"
    for phrase, near, paren, distance, word in _TOKEN.findall(text):
        if word and word in OPERATORS:
            parts.append(word)
        elif word:
            parts.append(f'"{word.rstrip("*")}"' + ("*" if word.endswith("*") else ""))
        elif phrase.strip():
            if words := _WORD.findall(phrase):
                parts.append('"' + " ".join(w.rstrip("*") for w in words) + '"')
        elif near or paren or distance:
            parts.append(near or paren or distance.replace(" ", ""))
    words = [p for p in parts if p.startswith('"')]
    if not words:
        raise ValueError(f"nothing to search for in {text!r}")
    query = _join(parts)
    return query if query != " ".join(words) and _valid(query) else " ".join(words)


def _join(parts: list[str]) -> str:
    """Pieces joined by spaces, with the explicit AND that FTS5 wants next to a group: `(a OR b) c` is a
    syntax error, `(a OR b) AND c` is not. Inside NEAR(...) the phrases stay side by side."""
    out: list[str] = []
    in_near = False
    for part in parts:
        starts = part.startswith('"') or part in ("(", "NEAR(")
        group = out and (out[-1] == ")" or part in ("(", "NEAR("))
        if starts and group and not in_near and out[-1] not in (*OPERATORS, "(", "NEAR("):
            out.append("AND")
        in_near = (in_near or part == "NEAR(") and part != ")"
        out.append(part)
    return " ".join(out).replace("( ", "(").replace(" )", ")").replace(" ,", ",")


_CHECK = threading.local()


def _valid(query: str) -> bool:
    """FTS5 itself says whether the operators make sense, on a one-row table in memory."""
    conn = getattr(_CHECK, "conn", None)
    if conn is None:
        conn = _CHECK.conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    try:
        conn.execute("SELECT 1 FROM t WHERE t MATCH ?", (query,)).fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def escape_fts(text: str | None) -> str:
    """fts_query for SQL (Datasette's table search and the canned queries): never raises, so an empty
    or wordless search box shows no rows instead of `fts5: syntax error`."""
    try:
        return fts_query(text or "")
    except ValueError:
        return MATCH_NOTHING


def search_terms(text: str) -> list[str]:
    """The folded words of a query, operators and NEAR's distance left out: what snippets mark."""
    words = _WORD.findall(_NEAR_DISTANCE.sub(" ", text))
    return [fold(w) for w in words if w not in (*OPERATORS, "NEAR")]


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
    raw: bool = False,
) -> list[dict[str, Any]]:
    """Articles matching every word of `text` (accent-insensitive), best first, each with a snippet.

    `text` is read by `fts_query` (AND/OR/NOT/NEAR as in Datasette); `raw=True` hands it to FTS5 as it
    is, column filters and all, and FTS5's syntax errors come back as ValueError.

    Among the `window` most recently archived matches: words in the title first, then in the lead, then
    anywhere; newest first within each group (see RANK_WINDOW for why).
    `since`/`until` bound published_at (inclusive/exclusive), compared in the article's own offset.
    """
    params = {
        "query": text if raw else fts_query(text),
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
    except sqlite3.OperationalError as error:
        if "fts5" not in str(error):
            raise
        raise ValueError(f"bad full-text query {text!r}: {error}") from error
    finally:
        conn.close()
    results = []
    for row in rows:
        result = {k: row[k] for k in ("id", "url", "site", "title", "published_at", "views", "byline")}
        result["snippet"] = search_snippet(text, row["lead"], row["body"], row["title"])
        results.append(result)
    return results


def search_snippet(query: str | None, *texts: str | None) -> str:
    """The snippet of a search result, matched words in [brackets]: `archiver search` prints it and the
    Datasette queries call it as the SQL function archive_snippet(q, lead, body, title)."""
    return snippet("\n\n".join(t for t in texts if t), search_terms(query or ""))


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


def stats(db_path: str | Path, warc_dir: str | Path | None = None) -> dict[str, Any]:
    """What `archiver stats` prints: articles per site, field coverage overall and per site, crawls, and the
    WARC files (`warc_dir`, default warc/ next to the archive) with the articles they hold."""
    per_site = counts(db_path)
    by_site = coverage_by_site(db_path)
    conn = read_connection(db_path)
    try:
        conn.row_factory = sqlite3.Row
        last = conn.execute(
            "SELECT id, spider, site, started_at, finished_at, articles_written FROM crawls ORDER BY id DESC LIMIT 1"
        ).fetchone()
        crawls = conn.execute("SELECT count(*) FROM crawls").fetchone()[0]
        agreement = _last_agreement(conn)
        revisions = conn.execute("SELECT count(*) FROM revisions").fetchone()[0]
        has_provenance = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'provenance'").fetchone()
        kept = conn.execute("SELECT count(*) FROM provenance").fetchone()[0] if has_provenance else 0
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
        "warc": {**warc_sizes(warc_dir_for(db_path, warc_dir)), "articles": kept},
        "agreement": agreement,
    }


def _last_agreement(conn: sqlite3.Connection) -> dict[str, dict]:
    """Per site, the agreement record of its last finished crawl that compared pages (crawls.agreement)."""
    rows = conn.execute(
        "SELECT agreement FROM crawls WHERE finished_at IS NOT NULL AND agreement NOT IN ('{}', '') ORDER BY id"
    ).fetchall()
    out: dict[str, dict] = {}
    for (text,) in rows:
        out.update(json.loads(text))  # later crawls replace a site's older record
    return dict(sorted(out.items()))


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
    if warc := summary.get("warc"):
        per_article = f", {warc['bytes'] / warc['articles'] / 1024:.1f} KiB per article" if warc["articles"] else ""
        lines.append(f"WARC: {warc['files']} files, {warc['bytes'] / 1024**2:.1f} MiB in {warc['dir']} "
                     f"({warc['articles']} articles with their record{per_article})")
    if summary.get("agreement"):
        from archiver.agreement import summary_lines

        lines += ["profile and generic reader agree (last crawl of each site):", *summary_lines(summary["agreement"])]
    return "\n".join(lines)


def datasette_metadata(db_path: str | Path, metadata_path: str | Path = DEFAULT_METADATA) -> dict[str, Any]:
    """metadata.yml with its database section renamed after `db_path`, since Datasette names a
    database by its file stem and the archive need not be called archive.db. (The front-end plugin,
    archiver.frontend, does the same for a bare `datasette X.db --metadata data/metadata.yml`.)

    Raises ValueError, naming the file and line, when the metadata is not a YAML/JSON mapping."""
    try:
        metadata = yaml.safe_load(Path(metadata_path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read metadata {metadata_path}: {error}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValueError(f"bad YAML in metadata {metadata_path}{where}: {problem}") from error
    if not isinstance(metadata, dict):
        raise ValueError(f"bad metadata {metadata_path}: expected a mapping of keys, got {type(metadata).__name__}")
    databases = metadata.get("databases") or {}
    if METADATA_DATABASE in databases:
        databases[Path(db_path).stem] = databases.pop(METADATA_DATABASE)
    return metadata


@dataclass
class ServeOptions:
    """`archiver browse` options, passed on to `datasette serve` as the same flags."""

    host: str = "127.0.0.1"
    port: int = 8001
    settings: tuple[tuple[str, str], ...] = ()
    immutable: bool = False
    plugins_dir: str | None = None
    template_dir: str | None = None
    open_browser: bool = True


def datasette_command(db_path: str | Path, metadata_file: str | Path, options: ServeOptions) -> list[str]:
    """The `datasette serve` arguments `archiver browse` runs."""
    # --immutable takes the file as its value: Datasette then never checks it for changes (faster counts).
    command = ["serve", *(["--immutable"] if options.immutable else []), str(db_path)]
    command += ["--metadata", str(metadata_file), "--host", options.host, "--port", str(options.port)]
    for name, value in options.settings:
        command += ["--setting", name, value]
    for flag, value in (("--plugins-dir", options.plugins_dir), ("--template-dir", options.template_dir)):
        if value:
            command += [flag, value]
    if options.open_browser:
        command.append("--open")
    return command


def check_port(host: str, port: int) -> None:
    """Raises OSError with a plain message when `port` cannot be bound on `host` (busy, or not allowed)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(f"cannot serve on {host}:{port}: {error.strerror or error}") from error


def browse(db_path: str | Path, metadata_path: str | Path, options: ServeOptions) -> int:
    """Run `datasette serve` on the archive, in this process: the server stops with it (Ctrl-C, SIGTERM),
    and the archive's plugin (archiver.frontend) is loaded. Returns the exit code."""
    from click import Abort, ClickException
    from datasette.cli import cli as datasette_cli

    check_archive(db_path)
    metadata = datasette_metadata(db_path, metadata_path)
    check_port(options.host, options.port)
    with tempfile.TemporaryDirectory(prefix="archiver-browse-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        try:
            datasette_cli.main(datasette_command(db_path, metadata_file, options), prog_name="datasette",
                               standalone_mode=False)
        except ClickException as error:  # a bad --setting: Datasette's own one-line message
            error.show()
            return error.exit_code
        except (Abort, KeyboardInterrupt):  # Ctrl-C, the usual way to stop a server
            return 0
    return 0
