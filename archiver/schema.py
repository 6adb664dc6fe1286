"""The archive's SQLite schema and its migrations.

Every schema change is a new entry in `MIGRATIONS`; `migrate()` applies the missing ones in order, each
in its own write transaction, and records it in the `migrations` table and in `PRAGMA user_version`.
README.md ("The archive: tables and columns") documents every table and column; keep it in step.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

# Words typed without diacritics must find Vietnamese text. unicode61 with remove_diacritics 2 folds
# "ủ" to "u" and is case-insensitive, but "đ" is a letter of its own, not "d" plus a mark, so the
# writer also stores the accent-free spelling of every word containing "đ" (see store.d_folded).
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
FTS_COLUMNS = ("title", "lead", "body", "byline", "d_folded")
FTS_WEIGHTS = "10.0, 4.0, 1.0, 2.0, 1.0"  # bm25 weight per FTS_COLUMNS entry

BUSY_TIMEOUT_MS = 30_000  # a second crawl writing the same archive waits for the lock instead of failing

_ARTICLES = """
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    title TEXT,
    byline TEXT,
    byline_raw TEXT,
    published_at TEXT,
    published_raw TEXT,
    published_precision TEXT,
    published_month TEXT,
    views INTEGER,
    views_observed_at TEXT,
    paragraph_count INTEGER NOT NULL DEFAULT 0,
    image_count INTEGER NOT NULL DEFAULT 0,
    caption_count INTEGER NOT NULL DEFAULT 0,
    related_count INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    profile TEXT,
    sources TEXT NOT NULL DEFAULT '{}',
    problems TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    first_crawl_id INTEGER REFERENCES crawls(id),
    last_crawl_id INTEGER REFERENCES crawls(id),
    -- Long text last: a scan reading only the columns above (stats, facets) skips the overflow pages.
    lead TEXT,
    body TEXT,
    d_folded TEXT NOT NULL DEFAULT ''
)
"""

# Children are WITHOUT ROWID: always read by their key and written in key order (new articles get
# increasing ids), so the key b-tree is the table: one b-tree insert per row instead of two.
_CHILDREN = [
    """
    CREATE TABLE paragraphs (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (article_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE images (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        src TEXT NOT NULL,
        caption TEXT,
        PRIMARY KEY (article_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE related_links (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        title TEXT,
        url TEXT NOT NULL,
        date_raw TEXT,
        date TEXT,
        precision TEXT,
        PRIMARY KEY (article_id, position)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE view_counts (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        observed_at TEXT NOT NULL,
        views INTEGER NOT NULL,
        crawl_id INTEGER REFERENCES crawls(id),
        PRIMARY KEY (article_id, observed_at)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        content_hash TEXT NOT NULL,
        title TEXT,
        lead TEXT,
        body TEXT,
        byline TEXT,
        images TEXT NOT NULL DEFAULT '[]',
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        replaced_by_crawl_id INTEGER REFERENCES crawls(id)
    )
    """,
]

_CRAWLS = [
    """
    CREATE TABLE crawls (
        id INTEGER PRIMARY KEY,
        spider TEXT NOT NULL,
        site TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        pages INTEGER,
        items INTEGER,
        articles_written INTEGER,
        articles_new INTEGER,
        articles_changed INTEGER,
        errors TEXT,
        dropped TEXT,
        dropped_count INTEGER,
        coverage TEXT,
        stats TEXT
    )
    """,
    """
    CREATE TABLE dropped_items (
        id INTEGER PRIMARY KEY,
        crawl_id INTEGER NOT NULL REFERENCES crawls(id) ON DELETE CASCADE,
        url TEXT,
        reason TEXT,
        detail TEXT
    )
    """,
]

_INDEXES = [
    "CREATE INDEX idx_articles_site_published ON articles(site, published_at)",
    "CREATE INDEX idx_articles_published_at ON articles(published_at)",
    "CREATE INDEX idx_articles_month_site ON articles(published_month, site)",
    "CREATE INDEX idx_articles_last_seen ON articles(last_seen)",
    "CREATE INDEX idx_articles_views ON articles(views)",
    "CREATE INDEX idx_articles_byline ON articles(byline)",
    "CREATE INDEX idx_articles_last_crawl ON articles(last_crawl_id)",
    "CREATE INDEX idx_related_links_url ON related_links(url)",
    "CREATE INDEX idx_revisions_article ON revisions(article_id)",
    "CREATE INDEX idx_dropped_items_crawl ON dropped_items(crawl_id)",
]


def _fts_statements() -> list[str]:
    """External-content FTS5 over articles, kept in step by triggers (named the way sqlite-utils
    names them, so `sqlite-utils` and Datasette both detect the index)."""
    cols = ", ".join(f"[{c}]" for c in FTS_COLUMNS)
    new = ", ".join(f"new.[{c}]" for c in FTS_COLUMNS)
    old = ", ".join(f"old.[{c}]" for c in FTS_COLUMNS)
    return [
        (
            f"CREATE VIRTUAL TABLE [articles_fts] USING FTS5 ({cols}, "
            f"tokenize='{FTS_TOKENIZE}', content=[articles], content_rowid=[id])"
        ),
        (
            f"CREATE TRIGGER [articles_ai] AFTER INSERT ON [articles] BEGIN "
            f"INSERT INTO [articles_fts] (rowid, {cols}) VALUES (new.[id], {new}); END"
        ),
        (
            f"CREATE TRIGGER [articles_ad] AFTER DELETE ON [articles] BEGIN "
            f"INSERT INTO [articles_fts] ([articles_fts], rowid, {cols}) "
            f"VALUES ('delete', old.[id], {old}); END"
        ),
        # Only updates touching indexed columns re-index: a re-crawl that refreshes views and last_seen
        # of an unchanged article costs no FTS work.
        (
            f"CREATE TRIGGER [articles_au] AFTER UPDATE OF {cols} ON [articles] BEGIN "
            f"INSERT INTO [articles_fts] ([articles_fts], rowid, {cols}) VALUES ('delete', old.[id], {old}); "
            f"INSERT INTO [articles_fts] (rowid, {cols}) VALUES (new.[id], {new}); END"
        ),
        # Default ranking (ORDER BY rank, also used by Datasette): a hit in the title counts most,
        # the accent-free d_folded column about as much as the body.
        f"INSERT INTO [articles_fts] ([articles_fts], rank) VALUES ('rank', 'bm25({FTS_WEIGHTS})')",
        # Measured on the benchmark corpus: an 8 MiB pending-terms buffer (default 1 MiB) and merging
        # 8 segments at a time (default 4) index about 1.4x faster; lookups stay ~1 ms at 150k articles.
        "INSERT INTO [articles_fts] ([articles_fts], rank) VALUES ('hashsize', 8388608)",
        "INSERT INTO [articles_fts] ([articles_fts], rank) VALUES ('automerge', 8)",
    ]


def _v1_initial(conn: sqlite3.Connection) -> None:
    for sql in [*_CRAWLS, _ARTICLES, *_CHILDREN, *_INDEXES, *_fts_statements()]:
        conn.execute(sql)


def _v2_validators_and_flags(conn: sqlite3.Connection) -> None:
    # HTTP validators for conditional refreshes, and the monitor's "layout changed?" flags per crawl.
    conn.execute("ALTER TABLE articles ADD COLUMN etag TEXT")
    conn.execute("ALTER TABLE articles ADD COLUMN last_modified TEXT")
    conn.execute("ALTER TABLE crawls ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'")
    conn.execute("CREATE INDEX idx_crawls_site ON crawls(site, id)")


def _v3_fts_page_size(conn: sqlite3.Connection) -> None:
    # FTS5 writes its index in leaves of 4,050 bytes by default, several to a 16 KiB database page; leaves
    # of one page each cut the store benchmark's indexing cost by about 8%. Only new segments use it, so
    # an older archive changes gradually as segments merge; both sizes read the same.
    conn.execute("INSERT INTO [articles_fts] ([articles_fts], rank) VALUES ('pgsz', 16000)")


def _v4_fetch_errors(conn: sqlite3.Connection) -> None:
    # Pages a crawl could not fetch or read (after retries), each with its reason: nothing lost silently.
    conn.execute(
        """CREATE TABLE fetch_errors (
            id INTEGER PRIMARY KEY,
            crawl_id INTEGER REFERENCES crawls(id),
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            status INTEGER,
            detail TEXT,
            at TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX idx_fetch_errors_crawl ON fetch_errors(crawl_id)")
    conn.execute("CREATE INDEX idx_fetch_errors_url ON fetch_errors(url)")


def _v5_site_is_the_profile(conn: sqlite3.Connection) -> None:
    # articles.site held the host (tuoitre.vn, 127.0.0.1) while crawls.site and --site use profile names:
    # one key everywhere, the profile's name when a profile read the page (extract.site_key).
    conn.execute("UPDATE articles SET site = profile WHERE profile IS NOT NULL AND profile != '' AND site != profile")


def _v6_related_kind_and_label(conn: sqlite3.Connection) -> None:
    # What kind of list a related link was in (inline / related / same_section) and the list's heading as
    # shown ("Tin liên quan"). Links archived before stay NULL: the next refresh of the article fills them.
    conn.execute("ALTER TABLE related_links ADD COLUMN kind TEXT")
    conn.execute("ALTER TABLE related_links ADD COLUMN label TEXT")


def _v7_crawl_agreement(conn: sqlite3.Connection) -> None:
    # Per site and field, how often the profile and the generic reader agreed on the pages compared
    # (archiver/agreement.py): {site: {field: {agree, disagree, profile_missing, generic_missing}}}.
    conn.execute("ALTER TABLE crawls ADD COLUMN agreement TEXT NOT NULL DEFAULT '{}'")


def _v8_warc_provenance(conn: sqlite3.Connection) -> None:
    # Where the raw response each article (and each kept revision) was read from is kept: its WARC record
    # (archiver/warc.py), so `archiver reextract` can read it again without the network. A table of its own,
    # not articles columns: the batch INSERT of new articles is at its variable limit (store._INSERT_COLUMNS).
    conn.execute(
        """CREATE TABLE provenance (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            warc_file TEXT NOT NULL,
            warc_offset INTEGER NOT NULL,
            warc_record_id TEXT NOT NULL,
            warc_date TEXT NOT NULL
        )"""
    )
    conn.execute("CREATE INDEX idx_provenance_file ON provenance(warc_file, warc_offset)")
    for column, kind in (("warc_file", "TEXT"), ("warc_offset", "INTEGER"), ("warc_record_id", "TEXT")):
        conn.execute(f"ALTER TABLE revisions ADD COLUMN {column} {kind}")


# (version, name, function). Append only: never edit a released migration.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "initial schema: articles, children, view_counts, revisions, crawls, FTS5", _v1_initial),
    (2, "articles.etag, articles.last_modified, crawls.flags", _v2_validators_and_flags),
    (3, "FTS5 leaf pages of one database page", _v3_fts_page_size),
    (4, "fetch_errors: pages not fetched or not read, with the reason", _v4_fetch_errors),
    (5, "articles.site is the profile name when a profile read the page", _v5_site_is_the_profile),
    (6, "related_links.kind, related_links.label", _v6_related_kind_and_label),
    (7, "crawls.agreement: profile vs generic reader per site and field", _v7_crawl_agreement),
    (8, "provenance: the WARC record of each article; revisions.warc_file, warc_offset, warc_record_id",
     _v8_warc_provenance),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    if readonly:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, isolation_level=None)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        # Memory-mapped reads (search, export, stats): no read() call and copy per page.
        conn.execute("PRAGMA mmap_size = 268435456")
    if not readonly:
        # Only takes effect on a new file. FTS5 index segments and article bodies are large blobs: 16 KiB
        # pages index about 15% faster than the default 4 KiB and make a smaller file.
        conn.execute("PRAGMA page_size = 16384")
        # WAL: readers (Datasette) never block the writer; NORMAL sync is crash-consistent in WAL mode,
        # a power cut can only lose the last committed transactions, which the next crawl refetches.
        _retry_locked(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: bounded, independent of archive size
        # Checkpoint every 64 MiB of WAL instead of every 16 MiB (1000 pages): FTS5 merges rewrite the same
        # pages over and over, and each checkpoint copies them to the database once. Measured on the store
        # benchmark: a third less wall time per article. The WAL file is cut back to that size after each.
        conn.execute("PRAGMA wal_autocheckpoint = 4096")
        conn.execute(f"PRAGMA journal_size_limit = {4096 * 16384}")
    return conn


def _retry_locked(run: Callable[[], object], seconds: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """Run a statement SQLite refuses with "database is locked" without calling the busy handler.

    Switching a new file to WAL needs an exclusive lock, and SQLite returns SQLITE_BUSY at once instead
    of waiting `busy_timeout` when another process holds one: two crawls creating the same archive at
    the same moment. The loser retries until the winner's first transaction is done.
    """
    deadline = time.monotonic() + seconds
    delay = 0.005
    while True:
        try:
            run()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def current_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply missing migrations; safe when two processes open a new archive at the same time."""
    if current_version(conn) >= SCHEMA_VERSION:
        return current_version(conn)
    conn.execute("BEGIN IMMEDIATE")  # take the write lock, then re-check: another process may have won
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        version = current_version(conn)
        for number, name, apply in MIGRATIONS:
            if number > version:
                apply(conn)
                conn.execute("INSERT INTO migrations VALUES (?, ?, ?)", (number, name, now_iso()))
                conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # a failed COMMIT may have rolled back already
            conn.execute("ROLLBACK")
        raise
    return current_version(conn)


def database(path: str | Path) -> sqlite_utils.Database:
    """A sqlite-utils view of an existing archive, for reads and introspection."""
    return sqlite_utils.Database(connect(path))
