"""Writing articles into the SQLite archive.

`Archive` buffers articles and writes each batch in one transaction: upserts keyed on canonical URL,
children (paragraphs, images, related links) replaced, a view-count observation appended, and the
previous version copied to `revisions` when the content hash changes. A crash mid-batch rolls the
batch back; everything committed before stays intact and the next crawl fetches the rest again.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from archiver.agreement import from_stats as agreement_from_stats
from archiver.items import Article
from archiver.schema import connect, migrate, now_iso
from archiver.text import fold

COVERAGE_FIELDS = (
    "title",
    "published_at",
    "views",
    "byline",
    "lead",
    "paragraphs",
    "images",
    "image_captions",
    "related",
)

# SQL expression per coverage field: true when an article has it.
_COVERAGE_SQL = {
    "title": "title IS NOT NULL AND title != ''",
    "published_at": "published_at IS NOT NULL",
    "views": "views IS NOT NULL",
    "byline": "byline IS NOT NULL AND byline != ''",
    "lead": "lead IS NOT NULL AND lead != ''",
    "paragraphs": "paragraph_count > 0",
    "images": "image_count > 0",
    "image_captions": "caption_count > 0",
    "related": "related_count > 0",
}

_WORD_FROM = re.compile(r"\w*")  # the rest of a word from a position
# fetch_errors kinds that are the crawl's own choice, not failures: recorded (the archive lacks the page), but
# logged at INFO and left out of the crawl's error count.
NOT_ERRORS = frozenset({"robots_txt"})


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str, sort_keys=True)


def content_hash(article: Article) -> str:
    """What counts as a new version: text a reader sees. Views, related dates and image URLs are left
    out because they change with fetch time (CDN resizes, "2 giờ trước") without the article changing."""
    # Control-character separators instead of JSON: this runs for every article and JSON was the slow part.
    parts = [
        article.title,
        article.lead,
        article.byline,
        str(len(article.paragraphs)),
        "\x1f".join(article.paragraphs),
        "\x1f".join(image.caption or "\x00" for image in article.images),
    ]
    text = "\x1e".join("\x00" if part is None else part for part in parts)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def body_text(article: Article) -> str:
    """The body is the paragraphs joined by a blank line (the lead has its own column)."""
    return "\n\n".join(article.paragraphs)


def d_folded(*texts: str | None) -> str:
    """Accent-free spellings of the words containing "đ", e.g. "Đảng" -> "dang".

    FTS5's unicode61 tokenizer already folds every other Vietnamese mark, so only these words need a
    second spelling for "dang uy khoi" to find "Đảng ủy Khối"; indexing a full folded copy of the body
    would double the index for nothing.
    """
    # Runs for every article: str.find and a cached fold per distinct word keep it cheap, where a regex
    # with Unicode \w over the whole text cost more than hashing the article.
    words: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        lowered = text.lower()
        pos = lowered.find("đ")
        while pos != -1:
            start = pos
            while start and (lowered[start - 1].isalnum() or lowered[start - 1] == "_"):
                start -= 1
            end = _WORD_FROM.match(lowered, pos).end()
            words[lowered[start:end]] = None
            pos = lowered.find("đ", end)
    return " ".join(dict.fromkeys(_fold_word(word) for word in words))


@lru_cache(maxsize=65536)  # the words containing "đ" are a small, recurring vocabulary
def _fold_word(word: str) -> str:
    return fold(word)


@dataclass
class PreparedArticle:
    """One article prepared for writing: computed outside the transaction to keep it short."""

    article: Article
    seen: str
    hash: str
    body: str
    params: dict[str, Any] = field(default_factory=dict)


def prepare(article: Article, crawl_id: int | None) -> PreparedArticle:
    seen = article.fetched_at or now_iso()
    body = body_text(article)
    row = PreparedArticle(article, seen, content_hash(article), body)
    row.params = {
        "url": article.url,
        "site": article.site,
        "title": article.title,
        "lead": article.lead,
        "body": body,
        "byline": article.byline,
        "byline_raw": article.byline_raw,
        "published_at": article.published_at,
        "published_raw": article.published_raw,
        "published_precision": article.published_precision,
        "published_month": article.published_at[:7] if article.published_at else None,
        "views": article.views,
        "views_observed_at": seen if article.views is not None else None,
        "paragraph_count": len(article.paragraphs),
        "image_count": len(article.images),
        "caption_count": sum(1 for image in article.images if image.caption),
        "related_count": len(article.related),
        "content_hash": row.hash,
        "profile": article.profile,
        "sources": _dumps(article.sources),
        "problems": _dumps(article.problems),
        "seen": seen,
        "crawl_id": crawl_id,
        "d_folded": d_folded(article.title, article.lead, body, article.byline),
        "etag": article.etag,
        "last_modified": article.last_modified,
    }
    return row


# New articles are inserted with one multi-row INSERT per batch, not one statement per row or per few hundred
# rows: FTS5 flushes its pending terms into a new index segment at the end of every statement that fires the
# FTS trigger (a statement savepoint), and every extra segment is written, then merged, once more. Measured
# under callgrind: one statement per batch costs 14% fewer instructions per article than 256-row statements.
_INSERT_COLUMNS = (
    "url", "site", "title", "lead", "body", "byline", "byline_raw", "published_at", "published_raw",
    "published_precision", "published_month", "views", "views_observed_at", "paragraph_count", "image_count",
    "caption_count", "related_count", "content_hash", "profile", "sources", "problems", "first_seen",
    "last_seen", "last_changed", "first_crawl_id", "last_crawl_id", "d_folded", "etag", "last_modified",
)  # fmt: skip
# Parameter (PreparedArticle.params key) per insert column: a new article is first and last seen, and
# changed, at its fetch time, by the current crawl.
_INSERT_ALIASES = {
    "first_seen": "seen",
    "last_seen": "seen",
    "last_changed": "seen",
    "first_crawl_id": "crawl_id",
    "last_crawl_id": "crawl_id",
}
_INSERT_PARAMS = tuple(_INSERT_ALIASES.get(column, column) for column in _INSERT_COLUMNS)
# A power of two: an articles batch of this size (the default `max_batch`) is one statement, and its 29
# columns stay under SQLite's default limit of 32,766 variables per statement.
_MAX_ROWS_PER_STATEMENT = 1024


def _statement_chunks(rows: list, width: int) -> Iterator[list]:
    """Rows in chunks for multi-row statements: full chunks of a power of two, then the remainder split in
    powers of two. Each chunk size is a different SQL text that Python's sqlite3 compiles and caches, so
    the sizes are kept to a few (a cache of many large statements grew the process by hundreds of MiB)."""
    size = _MAX_ROWS_PER_STATEMENT
    while size * width > 30_000:  # SQLite's default limit is 32,766 variables per statement
        size //= 2
    start = 0
    while start < len(rows):
        while size > len(rows) - start:
            size //= 2
        yield rows[start : start + size]
        start += size


def _insert_new(conn: sqlite3.Connection, rows: list[PreparedArticle]) -> dict[str, int]:
    """Insert articles not yet archived; returns url -> id."""
    ids: dict[str, int] = {}
    one_row = "(" + ",".join("?" * len(_INSERT_COLUMNS)) + ")"
    for chunk in _statement_chunks(rows, len(_INSERT_COLUMNS)):
        sql = (
            f"INSERT INTO articles ({', '.join(_INSERT_COLUMNS)}) VALUES "
            + ",".join([one_row] * len(chunk))
            + " RETURNING url, id"  # RETURNING order is unspecified: map by URL
        )
        params = [row.params[name] for row in chunk for name in _INSERT_PARAMS]
        ids.update(conn.execute(sql, params).fetchall())
    return ids


# Columns that may change without the content changing. Kept apart from _UPDATE_CONTENT so that the FTS
# trigger (AFTER UPDATE OF the indexed columns) only fires when the text really changed.
_UPDATE_META = """
UPDATE articles SET
    site = :site, byline_raw = :byline_raw, published_at = :published_at, published_raw = :published_raw,
    published_precision = :published_precision, published_month = :published_month,
    views = coalesce(:views, views), views_observed_at = coalesce(:views_observed_at, views_observed_at),
    image_count = :image_count, caption_count = :caption_count, related_count = :related_count,
    profile = :profile, sources = :sources, problems = :problems,
    etag = :etag, last_modified = :last_modified,
    last_seen = :seen, last_crawl_id = coalesce(:crawl_id, last_crawl_id)
WHERE id = :id
"""

_UPDATE_CONTENT = """
UPDATE articles SET
    title = :title, lead = :lead, body = :body, byline = :byline, d_folded = :d_folded,
    paragraph_count = :paragraph_count, content_hash = :content_hash, last_changed = :seen
WHERE id = :id
"""

_SAVE_REVISION = """
INSERT INTO revisions (article_id, content_hash, title, lead, body, byline, images,
                       first_seen, last_seen, replaced_at, replaced_by_crawl_id,
                       warc_file, warc_offset, warc_record_id)
SELECT id, content_hash, title, lead, body, byline,
       (SELECT coalesce(json_group_array(json_object('src', src, 'caption', caption)), '[]')
          FROM (SELECT src, caption FROM images WHERE article_id = articles.id ORDER BY position)),
       last_changed, last_seen, :seen, :crawl_id, p.warc_file, p.warc_offset, p.warc_record_id
FROM articles LEFT JOIN provenance AS p ON p.article_id = articles.id WHERE id = :id
"""


def _is_before(a: str, b: str) -> bool:
    """Compare ISO 8601 instants, whatever their offsets; unparsable values never count as older."""
    try:
        return datetime.fromisoformat(a) < datetime.fromisoformat(b)
    except (TypeError, ValueError):  # naive vs aware or garbage: keep the newest-write-wins default
        return False


def _done(fn, *args) -> Future:
    """Run `fn` now and return its outcome as a finished Future (the synchronous writer's path)."""
    future: Future = Future()
    try:
        future.set_result(fn(*args))
    except BaseException as error:  # noqa: BLE001 - handed to whoever reads the Future
        future.set_exception(error)
    return future


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class BatchResult:
    written: int = 0
    new: int = 0
    changed: int = 0
    stale: int = 0  # older than what the archive holds: only the view observation was recorded


def _existing(conn: sqlite3.Connection, urls: list[str]) -> dict[str, tuple[int, str, str]]:
    """url -> (id, content_hash, last_seen) for the URLs already archived."""
    found: dict[str, tuple[int, str, str]] = {}
    for chunk in _chunks(urls, 500):
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT url, id, content_hash, last_seen FROM articles WHERE url IN ({marks})"
        for url, id_, hash_, last_seen in conn.execute(sql, chunk):
            found[url] = (id_, hash_, last_seen)
    return found


def write_batch(conn: sqlite3.Connection, rows: Iterable[PreparedArticle]) -> BatchResult:
    """Write prepared articles in one transaction; the last of several rows with the same URL wins."""
    by_url = {row.article.url: row for row in rows}
    result = BatchResult()
    if not by_url:
        return result
    conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no lock upgrade deadlock between crawls
    try:
        _write_rows(conn, list(by_url.values()), result)
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    return result


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is still open: after a failed COMMIT (disk full, I/O error) SQLite
    has often rolled back already, and a second ROLLBACK would raise and hide the real error."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _write_rows(conn: sqlite3.Connection, rows: list[PreparedArticle], result: BatchResult) -> None:
    existing = _existing(conn, [row.article.url for row in rows])
    new = [row for row in rows if row.article.url not in existing]
    new_ids = _insert_new(conn, new)
    result.new += len(new)
    replaced: list[int] = []  # existing articles whose children are rewritten
    children = [(new_ids[row.article.url], row.article) for row in new]
    observed = [(new_ids[row.article.url], row) for row in new]
    for row in rows:
        if row.article.url in new_ids:
            continue
        article_id, old_hash, last_seen = existing[row.article.url]
        observed.append((article_id, row))
        # An older fetch replayed late must not overwrite newer content; its views are still history.
        if _is_before(row.seen, last_seen):
            result.stale += 1
            continue
        params = {**row.params, "id": article_id}
        if old_hash != row.hash:
            conn.execute(_SAVE_REVISION, params)
            conn.execute(_UPDATE_CONTENT, params)
            result.changed += 1
        conn.execute(_UPDATE_META, params)
        replaced.append(article_id)
        children.append((article_id, row.article))
    result.written += len(children)
    _replace_children(conn, replaced, children)
    # The raw response each written version was read from (a fetch without WARC keeps the last one kept).
    # A background WARC writer may still be compressing the record: its location is waited for here, on the
    # archive's own thread.
    kept = [(i, w.file, w.offset, w.record_id, w.date) for i, a in children if a.warc and (w := a.warc.resolved())]
    _insert_rows(conn, "INSERT OR REPLACE INTO provenance (article_id, warc_file, warc_offset, warc_record_id, "
                 "warc_date)", 5, kept)
    views = [(i, r.seen, r.article.views, r.params["crawl_id"]) for i, r in observed if r.article.views is not None]
    _insert_rows(conn, "INSERT OR REPLACE INTO view_counts (article_id, observed_at, views, crawl_id)", 4, views)


def _insert_rows(conn: sqlite3.Connection, head: str, width: int, rows: list[tuple]) -> None:
    """INSERT many rows with multi-row VALUES statements: about 1.6x the speed of executemany, which
    steps one statement per row."""
    one_row = "(" + ",".join("?" * width) + ")"
    for chunk in _statement_chunks(rows, width):
        conn.execute(head + " VALUES " + ",".join([one_row] * len(chunk)), [v for row in chunk for v in row])


def _replace_children(conn: sqlite3.Connection, replace_ids: list[int], children: list[tuple[int, Article]]) -> None:
    for chunk in _chunks(replace_ids, 500):
        marks = ",".join("?" * len(chunk))
        for table in ("paragraphs", "images", "related_links"):
            conn.execute(f"DELETE FROM {table} WHERE article_id IN ({marks})", chunk)
    _insert_rows(
        conn,
        "INSERT INTO paragraphs (article_id, position, text)",
        3,
        [(i, pos, text) for i, a in children for pos, text in enumerate(a.paragraphs)],
    )
    _insert_rows(
        conn,
        "INSERT INTO images (article_id, position, src, caption)",
        4,
        [(i, pos, img.src, img.caption) for i, a in children for pos, img in enumerate(a.images)],
    )
    _insert_rows(
        conn,
        "INSERT INTO related_links (article_id, position, title, url, date_raw, date, precision, kind, label)",
        9,
        [
            (i, pos, r.title, r.url, r.date_raw, r.date, r.precision, r.kind, r.label)
            for i, a in children
            for pos, r in enumerate(a.related)
        ],
    )


class StorageError(RuntimeError):
    """The archive cannot be written (disk full, read-only file, I/O error): the batch is kept, not lost."""


class Archive:
    """The archive writer. Not thread-safe: one Archive per writer (crawls in other processes are fine).

    With `background=True` batches are written by a worker thread so that the caller (Scrapy's
    reactor) does not wait for SQLite. While the worker is busy, articles keep buffering (group commit):
    the next batch takes all of them, up to `max_batch`, so that under a fast stream each transaction
    carries more articles (fewer FTS5 segments to merge, fewer commits), while a slow crawl still commits
    every `batch_size` articles or every `flush_seconds`, whichever comes first. At most one batch is in
    flight and one buffered, so memory stays bounded and a crash loses at most those two uncommitted
    batches. The default `max_batch` is the most articles one INSERT statement takes, so a full batch
    adds one FTS5 segment.

    A batch the archive refuses (disk full, read-only, I/O error) is retried after each of
    `retry_delays` (the first time; later ones get one try each), then kept in the buffer and reported
    as `StorageError`: a later flush writes it, and nothing is dropped on the way. A row SQLite refuses
    as data (a constraint) is no storage fault: its batch is discarded and the error raised as it is.
    """

    def __init__(
        self, path: str | Path, *, batch_size: int = 200, background: bool = False, max_batch: int | None = None,
        flush_seconds: float | None = None, retry_delays: tuple[float, ...] = (0.5, 2.0),
    ):
        self.path = Path(path)
        self.batch_size = batch_size
        self.max_batch = max(batch_size, max_batch or _MAX_ROWS_PER_STATEMENT)
        self.flush_seconds = flush_seconds
        self.retry_delays = retry_delays
        try:
            self._conn = connect(self.path)
            migrate(self._conn)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the archive {self.path}: {error}") from error
        self._buffer: list[PreparedArticle] = []
        self._buffered_at = 0.0  # monotonic time the oldest buffered article was added
        self._crawl_id: int | None = None
        self._totals = BatchResult()
        self._lock = threading.Lock()  # guards _totals, updated by the worker thread
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive") if background else None
        self._pending: tuple[Future, list[PreparedArticle]] | None = None
        self._failed = False  # a batch was refused (disk full, read-only, ...)

    # -- writing -------------------------------------------------------------------------------------

    def add(self, article: Article) -> None:
        # Hashing and folding happen here, a little per article, so no call blocks for a whole batch of it.
        if not self._buffer:
            self._buffered_at = time.monotonic()
        self._buffer.append(prepare(article, self._crawl_id))
        if (len(self._buffer) >= self.batch_size or self._flush_due()) and not self._busy():
            self._submit()

    def flush_due(self) -> None:
        """Hand the buffer to the writer when its oldest article waited `flush_seconds` (a timer calls this,
        so a slow, polite crawl commits every few seconds, not every `batch_size` articles)."""
        if self._buffer and self._flush_due() and not self._busy():
            self._submit()

    def _flush_due(self) -> bool:
        return self.flush_seconds is not None and time.monotonic() - self._buffered_at >= self.flush_seconds

    def _busy(self) -> bool:
        """The worker is still writing and the buffer may grow: wait for it only at `max_batch`."""
        pending = self._pending
        return pending is not None and not pending[0].done() and len(self._buffer) < self.max_batch

    @property
    def unsaved(self) -> int:
        """Articles added but not yet committed."""
        return len(self._buffer) + (len(self._pending[1]) if self._pending else 0)

    def flush(self) -> None:
        self._submit()
        self._wait()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _submit(self) -> None:
        self._wait()  # one batch in flight at a time: bounded memory, errors surface on the next call
        batch, self._buffer = self._buffer, []
        if not batch:
            return
        if self._pool is None:
            self._pending = (_done(self._write, batch), batch)
            self._wait()
        else:
            self._pending = (self._pool.submit(self._write, batch), batch)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        future, batch = pending
        try:
            future.result()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as error:
            self._buffer[:0] = batch  # kept, in order: the next flush writes it
            self._failed = True
            raise StorageError(f"cannot write {len(batch)} articles to the archive {self.path}: {error}") from error

    def _write(self, batch: list[PreparedArticle]) -> None:
        # Once the archive has refused a batch, later batches get one try each: no waiting on every one.
        delays = () if self._failed else self.retry_delays
        for delay in (*delays, None):
            try:
                result = write_batch(self._conn, batch)
                break
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error:
                if delay is None:
                    raise
                time.sleep(delay)  # on the writer's thread when in the background: the crawl goes on
        with self._lock:
            for name in ("written", "new", "changed", "stale"):
                setattr(self._totals, name, getattr(self._totals, name) + getattr(result, name))

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._wait()
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                _rollback(self._conn)
                raise
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as error:
            raise StorageError(f"cannot write to the archive {self.path}: {error}") from error

    def touch(self, urls_seen: list[tuple[str, str]]) -> None:
        """Articles fetched again and unchanged (HTTP 304): only their last_seen moves."""
        self.flush()  # keeps the order of writes: an article added earlier is in the table now
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE articles SET last_seen = ?, last_crawl_id = coalesce(?, last_crawl_id) WHERE url = ?",
                [(seen, self._crawl_id, url) for url, seen in urls_seen],
            )

    # -- crawls --------------------------------------------------------------------------------------

    def recent_coverage(self, site: str | None, before: int, runs: int = 5) -> list[dict[str, float]]:
        """Per-field coverage of the site's last finished crawls before crawl `before`, oldest first."""
        rows = self._conn.execute(
            "SELECT coverage FROM crawls WHERE site IS ? AND id < ? AND finished_at IS NOT NULL "
            "AND coverage IS NOT NULL AND articles_written >= 10 ORDER BY id DESC LIMIT ?",
            (site, before, runs),
        ).fetchall()
        return [json.loads(c) for (c,) in reversed(rows)]

    def flag_crawl(self, crawl_id: int, flags: list[str]) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE crawls SET flags = ? WHERE id = ?", (_dumps(flags), crawl_id))

    def begin_crawl(self, spider: str, site: str | None, settings: dict) -> int:
        """Start a crawl record; articles added from now on are attributed to it."""
        self.flush()
        with self._transaction() as conn:
            crawl_id = conn.execute(
                "INSERT INTO crawls (spider, site, started_at, settings) VALUES (?, ?, ?, ?) RETURNING id",
                (spider, site, now_iso(), _dumps(settings or {})),
            ).fetchone()[0]
        self._crawl_id = crawl_id
        self._totals = BatchResult()
        return crawl_id

    def end_crawl(self, crawl_id: int, stats: dict, dropped: list[dict] | None = None,
                  fetch_errors: list[dict] | None = None) -> dict:
        """Flush, record the crawl's stats, drops, fetch errors and per-field coverage, and return that report.

        `fetch_errors`: one dict per page not fetched or not read, with `url`, `kind`, `status`, `detail`, `at`
        (see archiver.failures)."""
        self.flush()
        stats = stats or {}
        dropped = list(dropped or [])
        fetch_errors = list(fetch_errors or [])
        dropped_reasons = _dropped_reasons(stats, dropped)
        report: dict[str, Any] = {
            "crawl_id": crawl_id,
            "finished_at": now_iso(),
            "pages": stats.get("downloader/response_count", stats.get("pages")),
            "items": stats.get("item_scraped_count", stats.get("items")),
            "articles_written": self._totals.written,
            "articles_new": self._totals.new,
            "articles_changed": self._totals.changed,
            "errors": error_counts(stats),
            "dropped": dropped_reasons,
            "dropped_count": sum(dropped_reasons.values()),
            "fetch_errors": dict(Counter(e["kind"] for e in fetch_errors)),
            "agreement": agreement_from_stats(stats),
        }
        if failed := sum(1 for e in fetch_errors if e["kind"] not in NOT_ERRORS):
            report["errors"]["fetch_errors"] = failed
        with self._transaction() as conn:
            report["coverage"] = _coverage(conn, "last_crawl_id = ?", (crawl_id,))
            conn.execute(
                """UPDATE crawls SET finished_at = :finished_at, pages = :pages, items = :items,
                   articles_written = :articles_written, articles_new = :articles_new,
                   articles_changed = :articles_changed, errors = :errors_json, dropped = :dropped_json,
                   dropped_count = :dropped_count, coverage = :coverage_json, stats = :stats_json,
                   agreement = :agreement_json
                   WHERE id = :crawl_id""",
                {
                    **report,
                    "errors_json": _dumps(report["errors"]),
                    "dropped_json": _dumps(dropped_reasons),
                    "coverage_json": _dumps(report["coverage"]),
                    "stats_json": _dumps(stats),
                    "agreement_json": _dumps(report["agreement"]),
                },
            )
            conn.executemany(
                "INSERT INTO dropped_items (crawl_id, url, reason, detail) VALUES (?, ?, ?, ?)",
                [(crawl_id, d.get("url"), d.get("reason"), _dumps(d)) for d in dropped],
            )
            conn.executemany(
                "INSERT INTO fetch_errors (crawl_id, url, kind, status, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
                [(crawl_id, e["url"], e["kind"], e.get("status"), e.get("detail"), e.get("at") or now_iso())
                 for e in fetch_errors],
            )
            row = conn.execute("SELECT spider, site, started_at FROM crawls WHERE id = ?", (crawl_id,)).fetchone()
        if row:
            report.update(spider=row[0], site=row[1], started_at=row[2])
        if crawl_id == self._crawl_id:
            self._crawl_id = None
        return report


def error_counts(stats: dict) -> dict[str, int]:
    """Errors by kind from Scrapy's stats: exceptions by class, HTTP 4xx/5xx by status, logged errors."""
    errors: Counter[str] = Counter()
    for key, value in stats.items():
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if key.startswith(("downloader/exception_type_count/", "spider_exceptions/")):
            errors[key.rsplit("/", 1)[-1].rsplit(".", 1)[-1]] += value
        elif key.startswith("downloader/response_status_count/") and key.rsplit("/", 1)[-1] >= "400":
            errors["http_" + key.rsplit("/", 1)[-1]] += value
        elif key == "log_count/ERROR":
            errors["log_error"] += value
        elif key == "retry/max_reached":
            errors["retry_max_reached"] += value
    for kind, value in (stats.get("errors") or {}).items():
        errors[kind] += value
    return dict(errors)


def _dropped_reasons(stats: dict, dropped: list[dict]) -> dict[str, int]:
    if dropped:
        return dict(Counter(str(d.get("reason") or "unknown") for d in dropped))
    prefix = "item_dropped_reasons_count/"
    return {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)}


# -- reading: the summaries the demo and `archiver stats` print -------------------------------------------


def _coverage(conn: sqlite3.Connection, where: str = "1", params: tuple = ()) -> dict[str, float]:
    shares = ", ".join(f"avg(CASE WHEN {_COVERAGE_SQL[f]} THEN 1.0 ELSE 0.0 END)" for f in COVERAGE_FIELDS)
    row = conn.execute(f"SELECT count(*), {shares} FROM articles WHERE {where}", params).fetchone()
    if not row[0]:
        return dict.fromkeys(COVERAGE_FIELDS, 0.0)
    return {name: round(value, 4) for name, value in zip(COVERAGE_FIELDS, row[1:], strict=True)}


def coverage_by_site(db_path: str | Path) -> dict[str, dict[str, float]]:
    """`coverage` for every site, plus "*" for all sites, in one scan of the articles table."""
    sums = ", ".join(f"sum(CASE WHEN {_COVERAGE_SQL[f]} THEN 1 ELSE 0 END)" for f in COVERAGE_FIELDS)
    conn = read_connection(db_path)
    try:
        rows = conn.execute(f"SELECT site, count(*), {sums} FROM articles GROUP BY site ORDER BY site").fetchall()
    finally:
        conn.close()
    width = 1 + len(COVERAGE_FIELDS)
    totals = [sum(row[1 + i] for row in rows) for i in range(width)]
    result = {}
    for site, n, *having in [*rows, ("*", *totals)]:
        result[site] = {f: round(h / n, 4) if n else 0.0 for f, h in zip(COVERAGE_FIELDS, having, strict=True)}
    return result


def read_connection(db_path: str | Path) -> sqlite3.Connection:
    """A read-only connection to an existing archive (never creates an empty one by mistake).

    FileNotFoundError when there is no file, ValueError when it is not a SQLite archive."""
    check_archive(db_path)
    return connect(db_path, readonly=True)


def check_sqlite(db_path: str | Path) -> None:
    """ValueError, in one line, when an existing file is not a readable SQLite database (a crawl would
    otherwise fail on its first write, deep in the pipeline)."""
    path = Path(db_path)
    if path.is_dir():
        raise ValueError(f"{db_path} is a directory, not an archive file")
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{db_path} is not a SQLite archive: {error}") from error


def check_archive(db_path: str | Path) -> None:
    """FileNotFoundError or a one-line ValueError unless `db_path` is an archive the readers can use."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no archive at {db_path}")
    check_sqlite(db_path)
    conn = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" in tables and "articles_fts" in tables:
            # A damaged file can open and list its tables; the first pages of the index show the damage.
            conn.execute("SELECT id FROM articles ORDER BY id DESC LIMIT 1").fetchall()
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{db_path} is a damaged SQLite archive: {error}") from error
    finally:
        conn.close()
    if not {"articles", "articles_fts"} <= tables:
        raise ValueError(f"{db_path} is a SQLite file but not an archive (no articles table)")


def coverage(db_path: str | Path, site: str | None = None) -> dict[str, float]:
    """Share (0..1) of articles having each field; `image_captions` = at least one captioned image."""
    conn = read_connection(db_path)
    try:
        if site is None:
            return _coverage(conn)
        return _coverage(conn, "site = ?", (site,))
    finally:
        conn.close()


def counts(db_path: str | Path) -> dict[str, int]:
    """Articles per site."""
    conn = read_connection(db_path)
    try:
        return dict(conn.execute("SELECT site, count(*) FROM articles GROUP BY site ORDER BY site"))
    finally:
        conn.close()
