"""The archive writer against real SQLite files: upserts, history, FTS, crawls, crashes, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from archive_samples import DANG, WEATHER, article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver import store
from archiver.items import Image, Related
from archiver.schema import MIGRATIONS, SCHEMA_VERSION
from archiver.store import Archive, content_hash, counts, coverage, coverage_by_site, d_folded


def rows(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def one(db: Path, sql: str, params: tuple = ()):
    return rows(db, sql, params)[0][0]


def table_counts(db: Path) -> dict[str, int]:
    tables = ["articles", "paragraphs", "images", "related_links", "view_counts", "revisions"]
    return {t: one(db, f"SELECT count(*) FROM {t}") for t in tables}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


def test_schema_is_versioned_in_wal_with_indexes(db: Path) -> None:
    Archive(db).close()
    Archive(db).close()  # reopening must not re-apply migrations
    assert one(db, "PRAGMA user_version") == SCHEMA_VERSION
    assert rows(db, "SELECT version FROM migrations") == [(v,) for v, _, _ in MIGRATIONS]
    assert one(db, "PRAGMA journal_mode") == "wal"
    indexed = {r[0] for r in rows(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    for column in ("published_at", "last_seen", "views", "url"):
        assert any(f"({column})" in sql or f", {column})" in sql for sql in indexed), column


def test_an_archive_of_an_older_schema_is_migrated_and_keeps_its_rows(db: Path) -> None:
    from archiver.schema import connect

    conn = connect(db)  # an archive written at version 2, before the FTS page size
    conn.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for number, name, apply in MIGRATIONS[:2]:
        apply(conn)
        conn.execute("INSERT INTO migrations VALUES (?, ?, '2026-01-01')", (number, name))
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with Archive(db) as archive:
        archive.add(DANG)
    assert one(db, "PRAGMA user_version") == SCHEMA_VERSION
    assert one(db, "SELECT v FROM articles_fts_config WHERE k = 'pgsz'") == 16000
    with Archive(db) as archive:
        archive.add(WEATHER)
    assert one(db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'dang'") == 1
    assert one(db, "PRAGMA integrity_check") == "ok"


def test_migration_5_makes_the_site_the_profile_name(db: Path) -> None:
    """Archives written before one site key held hosts in articles.site; the profile's name replaces them."""
    from archiver.schema import connect, migrate

    version_3 = [m for m in MIGRATIONS if m[0] <= 3]
    conn = connect(db)
    conn.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for number, name, apply in version_3:
        apply(conn)
        conn.execute("INSERT INTO migrations VALUES (?, ?, '2026-01-01')", (number, name))
    conn.execute("PRAGMA user_version = 3")
    for url, site, profile in [("https://tuoitre.vn/a.htm", "tuoitre.vn", "tuoitre"),
                               ("http://127.0.0.1:8765/b.aspx", "127.0.0.1", "dukcqtw"),
                               ("https://blog.example.vn/c", "blog.example.vn", None)]:
        conn.execute("INSERT INTO articles (url, site, profile, content_hash, first_seen, last_seen, last_changed) "
                     "VALUES (?, ?, ?, 'h', 't', 't', 't')", (url, site, profile))
    migrate(conn)
    conn.close()
    assert rows(db, "SELECT site FROM articles ORDER BY id") == [("tuoitre",), ("dukcqtw",), ("blog.example.vn",)]


def test_related_kind_and_label_are_added_to_an_archive_that_has_related_links(db: Path) -> None:
    from archiver.schema import connect

    conn = connect(db)  # an archive written at version 3, before related_links.kind and .label
    conn.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    for number, name, apply in [m for m in MIGRATIONS if m[0] <= 3]:
        apply(conn)
        conn.execute("INSERT INTO migrations VALUES (?, ?, '2026-01-01')", (number, name))
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO articles (id, url, site, content_hash, first_seen, last_seen, last_changed) "
                 "VALUES (1, 'https://vnexpress.net/cu.html', 'vnexpress', 'h', 'x', 'x', 'x')")
    conn.execute("INSERT INTO related_links (article_id, position, title, url) "
                 "VALUES (1, 0, 'Bài cũ', 'https://vnexpress.net/bai-cu.html')")
    conn.close()
    boxed = replace(DANG, related=[replace(DANG.related[0], kind="related", label="Tin liên quan"),
                                   Related("Trong bài", "https://vnexpress.net/trong-bai-3.html", kind="inline")])
    with Archive(db) as archive:
        archive.add(boxed)
    assert one(db, "PRAGMA user_version") == SCHEMA_VERSION
    assert rows(db, "SELECT article_id, title, kind, label FROM related_links ORDER BY article_id, position") == [
        (1, "Bài cũ", None, None),
        (2, "Bài liên quan", "related", "Tin liên quan"),
        (2, "Trong bài", "inline", None),
    ]


def test_add_writes_article_and_children(db: Path) -> None:
    with Archive(db) as archive:
        archive.add(DANG)
    assert table_counts(db) == {
        "articles": 1, "paragraphs": 2, "images": 2, "related_links": 1, "view_counts": 1, "revisions": 0,
    }  # fmt: skip
    row = rows(
        db,
        "SELECT title, body, views, published_month, first_seen, last_seen, last_changed, d_folded, sources "
        "FROM articles",
    )[0]
    assert row[0] == DANG.title
    assert row[1] == "Đoàn công tác đến từ Đà Nẵng.\n\nCác đại biểu thảo luận về kinh tế."
    assert row[2:7] == (1200, "2024-05", DANG.fetched_at, DANG.fetched_at, DANG.fetched_at)
    assert row[7] == "dang doan den da dai"
    assert '"published_at": "jsonld"' in row[8]
    assert rows(db, "SELECT position, caption FROM images ORDER BY position") == [
        (0, "Toàn cảnh hội nghị"),
        (1, None),
    ]


def test_readding_same_url_updates_in_place(db: Path) -> None:
    later = replace(
        DANG,
        views=1500,
        fetched_at="2024-05-03T08:00:00+07:00",
        related=[Related("Khác", "https://vnexpress.net/khac.html", "1 giờ trước")],  # related not hashed
        images=[Image("https://i.vnecdn.net/a.jpg?w=680", "Toàn cảnh hội nghị"), DANG.images[1]],
    )
    with Archive(db) as archive:
        archive.add(DANG)
        archive.flush()
        archive.add(later)
    assert table_counts(db) == {
        "articles": 1, "paragraphs": 2, "images": 2, "related_links": 1, "view_counts": 2, "revisions": 0,
    }  # fmt: skip
    assert rows(db, "SELECT views, first_seen, last_seen, last_changed FROM articles") == [
        (1500, DANG.fetched_at, later.fetched_at, DANG.fetched_at)
    ]
    assert rows(db, "SELECT url FROM related_links") == [("https://vnexpress.net/khac.html",)]
    assert rows(db, "SELECT views FROM view_counts ORDER BY observed_at") == [(1200,), (1500,)]


def test_changed_content_keeps_previous_version(db: Path) -> None:
    edited = replace(
        DANG,
        title="Đảng ủy Khối họp bất thường",
        paragraphs=["Một đoạn mới."],
        fetched_at="2024-05-04T08:00:00+07:00",
    )
    with Archive(db) as archive:
        archive.add(DANG)
        archive.flush()
        archive.add(edited)
    assert rows(db, "SELECT title, body, last_changed, content_hash FROM articles") == [
        (edited.title, "Một đoạn mới.", edited.fetched_at, content_hash(edited))
    ]
    revision = rows(db, "SELECT title, body, first_seen, last_seen, replaced_at, content_hash, images FROM revisions")
    assert revision[0][:6] == (
        DANG.title, "Đoàn công tác đến từ Đà Nẵng.\n\nCác đại biểu thảo luận về kinh tế.",
        DANG.fetched_at, DANG.fetched_at, edited.fetched_at, content_hash(DANG),
    )  # fmt: skip
    assert "Toàn cảnh hội nghị" in revision[0][6]
    assert rows(db, "SELECT text FROM paragraphs") == [("Một đoạn mới.",)]


def test_late_replay_of_older_fetch_does_not_overwrite(db: Path) -> None:
    older = replace(DANG, title="Bản cũ", views=900, fetched_at="2024-05-01T20:00:00+07:00")
    with Archive(db) as archive:
        archive.add(DANG)
        archive.flush()
        archive.add(older)
    assert rows(db, "SELECT title, views, first_seen FROM articles") == [(DANG.title, 1200, DANG.fetched_at)]
    assert one(db, "SELECT count(*) FROM view_counts") == 2  # the observation itself is still history
    assert one(db, "SELECT count(*) FROM revisions") == 0


@pytest.mark.parametrize(
    ("field", "a", "b", "same"),
    [
        ("views", 1, 2, True),
        ("related", [], [Related("x", "https://x")], True),
        ("images", [Image("a.jpg", "c")], [Image("b.jpg", "c")], True),  # CDN variants of one image
        ("images", [Image("a.jpg", "c")], [Image("a.jpg", "d")], False),
        ("title", "A", "B", False),
        ("byline", "A", "B", False),
        ("lead", "A", "B", False),
        ("paragraphs", ["a"], ["a", "b"], False),
    ],
)
def test_content_hash_covers_reader_visible_text_only(field: str, a, b, same: bool) -> None:
    assert (content_hash(replace(DANG, **{field: a})) == content_hash(replace(DANG, **{field: b}))) is same


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Đảng ủy Khối",), "dang"),
        (("đường Điện Biên", "ĐÀ NẴNG"), "duong dien da"),
        (("không có chữ đê",), "de"),
        ((None, "Hà Nội"), ""),
    ],
)
def test_d_folded(texts: tuple, expected: str) -> None:
    assert d_folded(*texts) == expected


SEARCHES = [
    ("đảng", True),
    ("Đảng", True),
    ("ĐẢNG", True),
    ("dang uy khoi", True),
    ("DANG UY KHOI", True),
    ("Đảng ủy Khối", True),
    ("khoi", True),
    ("da nang", True),  # "Đà Nẵng" in the body
    ("minh anh", True),  # byline
    ("ha noi", True),  # lead
    ("thoi tiet", False),
]


@pytest.mark.parametrize(("query", "found"), SEARCHES)
def test_fts_matches_with_and_without_diacritics(db: Path, query: str, found: bool) -> None:
    with Archive(db) as archive:
        archive.add(DANG)
    terms = " ".join(f'"{w}"' for w in query.split())
    assert bool(rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (terms,))) is found


def test_fts_follows_updates_and_deletes(db: Path) -> None:
    def match(q: str) -> list:
        return rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", (q,))

    with Archive(db) as archive:
        archive.add(DANG)
        archive.flush()
        archive.add(replace(DANG, title="Thời sự", lead=None, paragraphs=["Tin mới"], fetched_at="2024-05-05"))
    assert match("khoi") == [] and match("dang") == [] and len(match("thoi su")) == 1
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")  # as every archive connection does
    conn.execute("DELETE FROM articles")
    conn.commit()
    conn.close()
    assert match("thoi") == []
    assert one(db, "SELECT count(*) FROM paragraphs") == 0  # children cascade
    assert_fts_in_sync(db)


def assert_fts_in_sync(db: Path) -> None:
    """FTS5's own check, rank=1 compares the index with the articles table; it raises if stale."""
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")
    conn.close()


def test_batches_commit_when_full(db: Path) -> None:
    archive = Archive(db, batch_size=3)
    for n in range(7):
        archive.add(article(n))
    assert one(db, "SELECT count(*) FROM articles") == 6  # two full batches committed, one article buffered
    archive.close()
    assert one(db, "SELECT count(*) FROM articles") == 7


def test_a_full_batch_adds_one_fts_segment(db: Path) -> None:
    """FTS5 writes a segment at the end of every statement that indexes rows: a batch of max_batch new
    articles must be one INSERT, or the index grows (and is merged) in many small pieces."""
    with Archive(db, batch_size=1024) as archive:
        for n in range(1024):
            archive.add(article(n))
    assert one(db, "SELECT count(DISTINCT segid) FROM articles_fts_idx") == 1
    assert_fts_in_sync(db)


def test_duplicate_urls_within_a_batch_keep_the_last(db: Path) -> None:
    with Archive(db) as archive:
        archive.add(article(1, title="first"))
        archive.add(article(1, title="second"))
    assert rows(db, "SELECT title FROM articles") == [("second",)]
    assert one(db, "SELECT count(*) FROM paragraphs") == 3


def test_failed_batch_rolls_back_and_archive_stays_usable(db: Path) -> None:
    archive = Archive(db, batch_size=2)
    archive.add(article(1))
    archive.add(article(2))  # committed batch
    archive.add(article(3))
    with pytest.raises(sqlite3.IntegrityError):
        archive.add(article(4, site=None))  # NOT NULL violation in the middle of the second batch
    assert one(db, "SELECT count(*) FROM articles") == 2
    archive.add(article(5))
    archive.close()
    assert sorted(r[0] for r in rows(db, "SELECT url FROM articles")) == [article(n).url for n in (1, 2, 5)]
    assert one(db, "PRAGMA integrity_check") == "ok"


def _crash_in_second_batch(path: str) -> None:
    original = store._replace_children
    calls = []

    def crash(*args):
        calls.append(1)
        if len(calls) == 2:
            import os

            os._exit(3)  # the process dies mid-transaction: no rollback, no cleanup
        original(*args)

    store._replace_children = crash
    archive = Archive(path, batch_size=5)
    for n in range(12):
        archive.add(article(n))


def test_process_killed_mid_batch_loses_only_that_batch(db: Path) -> None:
    process = multiprocessing.get_context("spawn").Process(target=_crash_in_second_batch, args=(str(db),))
    process.start()
    process.join(60)
    assert process.exitcode == 3
    assert one(db, "PRAGMA integrity_check") == "ok"
    assert one(db, "SELECT count(*) FROM articles") == 5
    assert one(db, "SELECT count(*) FROM paragraphs") == 15
    with Archive(db, batch_size=5) as archive:  # the next crawl refetches the lost batch
        for n in range(12):
            archive.add(article(n))
    assert one(db, "SELECT count(*) FROM articles") == 12


def _write_many(path: str, start: int) -> None:
    with Archive(path, batch_size=20) as archive:
        crawl = archive.begin_crawl("news", None, {})
        for n in range(start, start + 200):
            archive.add(article(n % 300))  # the two writers overlap on 100 URLs
        archive.end_crawl(crawl, {})


def test_two_concurrent_writers_do_not_corrupt(db: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_write_many, args=(str(db), start)) for start in (0, 100)]
    for w in writers:
        w.start()
    for w in writers:
        w.join(120)
    assert [w.exitcode for w in writers] == [0, 0]
    assert one(db, "PRAGMA integrity_check") == "ok"
    assert one(db, "SELECT count(*) FROM articles") == 300
    assert one(db, "SELECT count(*) FROM paragraphs") == 900
    assert one(db, "SELECT count(*) FROM crawls WHERE finished_at IS NOT NULL") == 2


def test_background_writer_gives_the_same_archive(tmp_path: Path) -> None:
    results = []
    for background in (False, True):
        path = tmp_path / f"{background}.db"
        with Archive(path, batch_size=4, background=background) as archive:
            for n in range(10):
                archive.add(article(n))
            archive.add(replace(article(3), title="sửa", fetched_at="2024-06-01T00:00:00+07:00"))
        results.append((table_counts(path), rows(path, "SELECT url, title, content_hash FROM articles ORDER BY url")))
    assert results[0] == results[1]


def _adding(archive: Archive, articles: list):
    """add() every article on a thread, as a reactor would; returns the Event set when all returned."""
    import threading

    done = threading.Event()

    def run() -> None:
        for a in articles:
            archive.add(a)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def test_background_writer_keeps_buffering_while_a_batch_is_written(db: Path) -> None:
    """Group commit: while the worker waits on a slow transaction, add() keeps returning and the buffer
    grows, up to max_batch; then add() waits, so memory stays bounded. Nothing is lost or duplicated."""
    archive = Archive(db, batch_size=2, background=True, max_batch=6)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock: the worker's first batch waits
    assert _adding(archive, [article(n) for n in range(2)]).wait(5)  # batch 1 handed to the worker
    assert _adding(archive, [article(n) for n in range(2, 7)]).wait(5)  # buffered behind it: 5 < max_batch
    last = _adding(archive, [article(7)])
    assert not last.wait(0.5)  # the 6th buffered article: add() waits for batch 1
    blocker.execute("ROLLBACK")
    blocker.close()
    assert last.wait(5)
    archive.close()
    assert one(db, "SELECT count(*) FROM articles") == 8
    assert one(db, "SELECT count(DISTINCT url) FROM articles") == 8
    assert one(db, "PRAGMA integrity_check") == "ok"


def test_crawl_report_and_record(db: Path) -> None:
    stats = {
        "downloader/response_count": 12,
        "item_scraped_count": 2,
        "log_count/ERROR": 1,
        "downloader/exception_type_count/twisted.internet.error.TimeoutError": 2,
        "downloader/response_status_count/404": 3,
        "downloader/response_status_count/200": 9,
        "start_time": "2024-05-02T01:00:00",
    }
    dropped = [{"url": "https://x/1", "reason": "no title"}, {"url": "https://x/2", "reason": "no title"}]
    with Archive(db) as archive:
        crawl = archive.begin_crawl("news", "vnexpress", {"DOWNLOAD_DELAY": 0.5})
        archive.add(DANG)
        archive.add(WEATHER)
        report = archive.end_crawl(crawl, stats, dropped)
    assert report["pages"] == 12 and report["items"] == 2
    assert report["articles_written"] == 2 and report["articles_new"] == 2
    assert report["errors"] == {"log_error": 1, "TimeoutError": 2, "http_404": 3}
    assert report["dropped"] == {"no title": 2} and report["dropped_count"] == 2
    assert report["coverage"]["views"] == 0.5 and report["coverage"]["title"] == 1.0
    assert report["spider"] == "news" and report["site"] == "vnexpress"
    row = rows(
        db,
        "SELECT spider, settings, pages, finished_at IS NOT NULL, json_extract(coverage, '$.byline') FROM crawls",
    )
    assert row == [("news", '{"DOWNLOAD_DELAY": 0.5}', 12, 1, 0.5)]
    assert rows(db, "SELECT DISTINCT last_crawl_id, first_crawl_id FROM articles") == [(crawl, crawl)]
    assert one(db, "SELECT count(*) FROM dropped_items WHERE reason = 'no title'") == 2
    assert one(db, "SELECT crawl_id FROM view_counts") == crawl


def test_coverage_and_counts(db: Path) -> None:
    with Archive(db) as archive:
        archive.add(DANG)
        archive.add(WEATHER)
        archive.add(replace(WEATHER, url="https://tuoitre.vn/2.htm", images=[Image("x.jpg")]))
    assert counts(db) == {"tuoitre": 2, "vnexpress": 1}
    everything = coverage(db)
    third = pytest.approx(1 / 3, abs=1e-3)
    assert everything == {
        "title": 1.0, "published_at": 1.0, "views": third, "byline": third, "lead": third, "paragraphs": 1.0,
        "images": pytest.approx(2 / 3, abs=1e-3), "image_captions": third, "related": 1.0,
    }  # fmt: skip
    assert coverage(db, "tuoitre")["images"] == 0.5
    assert set(coverage(db, "nowhere").values()) == {0.0}
    by_site = coverage_by_site(db)
    assert by_site == {"*": everything, "tuoitre": coverage(db, "tuoitre"), "vnexpress": coverage(db, "vnexpress")}


def test_coverage_of_an_empty_archive(db: Path) -> None:
    Archive(db).close()
    assert coverage(db) == coverage_by_site(db)["*"] == dict.fromkeys(store.COVERAGE_FIELDS, 0.0)
    assert counts(db) == {}


def test_reading_a_missing_archive_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        counts(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 4), st.sampled_from(["A", "B"])),
        max_size=30,
    ),
    st.integers(1, 7),
)
def test_any_sequence_of_adds_leaves_one_row_per_url(tmp_path: Path, adds: list, batch_size: int) -> None:
    """Whatever the order, batching and repetition: one row per URL, children of the last version only."""
    path = tmp_path / f"prop-{len(list(tmp_path.iterdir()))}.db"
    last: dict[int, tuple[int, str]] = {}
    with Archive(path, batch_size=batch_size) as archive:
        for step, (n, paragraphs, title) in enumerate(adds):
            archive.add(
                article(n, title=title, paragraphs=[f"p{i}" for i in range(paragraphs)],
                        fetched_at=f"2024-05-01T00:00:{step:02d}+07:00")
            )  # fmt: skip
            last[n] = (paragraphs, title)
    assert one(path, "SELECT count(*) FROM articles") == len(last)
    assert one(path, "SELECT count(*) FROM paragraphs") == sum(p for p, _ in last.values())
    assert one(path, "SELECT count(*) FROM images") == 2 * len(last)
    assert sorted(rows(path, "SELECT title FROM articles")) == sorted((t,) for _, t in last.values())
    assert one(path, "PRAGMA integrity_check") == "ok"
    assert_fts_in_sync(path)


@pytest.mark.parametrize(
    ("n", "width", "sizes"),
    [
        (0, 3, []),
        (5, 3, [4, 1]),
        (1025, 3, [1024, 1]),
        (1024, 29, [1024]),  # a full articles batch is one statement
        (1600, 29, [1024, 512, 64]),
        (300, 200, [128, 128, 32, 8, 4]),  # 200 columns: at most 128 rows under the variable limit
    ],
)
def test_statement_chunks_use_few_distinct_sizes(n: int, width: int, sizes: list[int]) -> None:
    assert [len(chunk) for chunk in store._statement_chunks(list(range(n)), width)] == sizes


def test_fetch_errors_are_recorded_per_url_and_counted_in_the_report(db: Path) -> None:
    failed = [
        {"url": "https://x/a", "kind": "http_500", "status": 500, "detail": "HTTP 500 (after 3 retries)",
         "at": "2026-12-03T01:00:00+00:00"},
        {"url": "https://x/b", "kind": "redirect_loop", "status": 302, "detail": "redirect loop: b -> c -> b",
         "at": "2026-12-03T01:00:01+00:00"},
    ]
    with Archive(db) as archive:
        crawl = archive.begin_crawl("news", "x", {})
        report = archive.end_crawl(crawl, {"downloader/response_status_count/500": 4}, [], failed)
    assert report["fetch_errors"] == {"http_500": 1, "redirect_loop": 1}
    assert report["errors"] == {"http_500": 4, "fetch_errors": 2}
    assert json.loads(one(db, "SELECT errors FROM crawls")) == report["errors"]
    assert rows(db, "SELECT crawl_id, url, kind, status, detail FROM fetch_errors ORDER BY url") == [
        (crawl, "https://x/a", "http_500", 500, "HTTP 500 (after 3 retries)"),
        (crawl, "https://x/b", "redirect_loop", 302, "redirect loop: b -> c -> b"),
    ]


def test_pages_robots_txt_forbids_are_recorded_but_are_no_errors(db: Path) -> None:
    forbidden = {"url": "https://x/search", "kind": "robots_txt", "status": None, "detail": "Forbidden by robots.txt",
                 "at": "2026-12-03T01:00:00+00:00"}
    with Archive(db) as archive:
        report = archive.end_crawl(archive.begin_crawl("news", "x", {}), {}, [], [forbidden])
    assert report["fetch_errors"] == {"robots_txt": 1} and report["errors"] == {}
    assert one(db, "SELECT kind FROM fetch_errors") == "robots_txt"


@pytest.mark.parametrize("background", [False, True])
def test_a_batch_the_full_disk_refuses_is_kept_and_written_later(db: Path, background: bool) -> None:
    """SQLite's max_page_count makes the archive "full": the failed COMMIT keeps the batch, and the error
    says what happened (not "cannot rollback")."""
    archive = Archive(db, batch_size=200, background=background, retry_delays=())
    for n in range(200):
        archive.add(article(n))
    archive.flush()
    pages = one(db, "PRAGMA page_count")
    archive._conn.execute(f"PRAGMA max_page_count = {pages}")  # no room for one more page
    with pytest.raises(store.StorageError, match="database or disk is full"):
        for n in range(200, 400):
            archive.add(article(n))
        archive.flush()
    assert archive.unsaved == 200
    assert one(db, "SELECT count(*) FROM articles") == 200
    archive._conn.execute("PRAGMA max_page_count = 1073741823")  # space again
    archive.add(article(400))
    archive.close()
    assert one(db, "SELECT count(*) FROM articles") == 401
    assert one(db, "PRAGMA integrity_check") == "ok"


def test_write_batch_after_a_failed_commit_raises_the_real_error(db: Path) -> None:
    Archive(db).close()
    conn = store.connect(db)
    conn.execute(f"PRAGMA max_page_count = {one(db, 'PRAGMA page_count')}")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        store.write_batch(conn, [store.prepare(article(n), None) for n in range(300)])
    assert not conn.in_transaction
    conn.close()


def _open_new_archive(path: str, barrier) -> None:
    barrier.wait()
    Archive(path).close()


def test_processes_creating_one_archive_at_once_all_succeed(tmp_path: Path) -> None:
    """Switching a new file to WAL does not wait for the busy timeout: the losers must retry."""
    ctx = multiprocessing.get_context("fork")
    failures = 0
    for round_ in range(6):
        path = str(tmp_path / f"{round_}.db")
        barrier = ctx.Barrier(4)
        openers = [ctx.Process(target=_open_new_archive, args=(path, barrier)) for _ in range(4)]
        for p in openers:
            p.start()
        for p in openers:
            p.join(60)
        failures += sum(p.exitcode != 0 for p in openers)
        assert one(Path(path), "PRAGMA journal_mode") == "wal"
    assert failures == 0


def test_a_read_only_archive_is_a_storage_error(read_only_archive: Path) -> None:
    with pytest.raises(store.StorageError, match=str(read_only_archive)):
        with Archive(read_only_archive) as archive:
            archive.begin_crawl("news", "x", {})
