"""The spider crawls the replica over real HTTP; the archive must match the replica's ground truth."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timedelta

import pytest

TOLERANCE = {"hour": timedelta(hours=1), "day": timedelta(days=1), "month": timedelta(days=32),
             "year": timedelta(days=366)}
TABLES = ("articles", "paragraphs", "images", "related_links")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, site_url, scrapy_crawl):
    db = tmp_path_factory.mktemp("crawl") / "archive.db"
    first = scrapy_crawl(db, "-a", "site=dukcqtw", "-a", f"start_url={site_url}/", "-s", "LOG_LEVEL=DEBUG")
    counts = _counts(db)
    second = scrapy_crawl(db, "-a", "site=dukcqtw", "-a", f"start_url={site_url}/")
    return db, first, second, counts


def _counts(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def _article(conn, url):
    conn.row_factory = sqlite3.Row
    row = conn.execute("select * from articles where url = ?", (url,)).fetchone()
    assert row is not None, f"{url} missing from the archive"
    children = {
        t: [dict(r) for r in conn.execute(f"select * from {t} where article_id = ? order by position", (row["id"],))]
        for t in ("paragraphs", "images", "related_links")
    }
    return dict(row), children


def test_every_article_is_stored_once_and_the_broken_page_is_not(crawled, replica, site_url):
    db, *_ = crawled
    with sqlite3.connect(db) as conn:
        urls = {u for (u,) in conn.execute("select url from articles")}
    expected = {site_url + replica.path(i) for i in range(1, replica.size + 1) if i != replica.broken_id}
    assert urls == expected


@pytest.mark.parametrize("i", range(1, 31))
def test_archive_rows_match_ground_truth_field_by_field(crawled, replica, site_url, i):
    truth = replica.expected(i, site_url)
    if truth is None:
        pytest.skip("the broken page has no truth: it is dropped")
    with sqlite3.connect(crawled[0]) as conn:
        row, children = _article(conn, truth["url"])
    for field in ("title", "published_at", "published_raw", "views", "byline", "lead"):
        assert row[field] == truth[field], field
    assert [p["text"] for p in children["paragraphs"]] == truth["paragraphs"]
    assert [{"src": m["src"], "caption": m["caption"]} for m in children["images"]] == truth["images"]
    related = children["related_links"]
    assert [{k: r[k] for k in ("title", "url", "date_raw")} for r in related] == truth["related"]
    fetched_at = datetime.fromisoformat(row["last_seen"])
    for r, (iso, precision) in zip(related, replica.expected_related_dates(i, fetched_at), strict=True):
        assert r["precision"] == precision, r["date_raw"]
        assert abs(datetime.fromisoformat(r["date"]) - datetime.fromisoformat(iso)) <= TOLERANCE[precision]


def test_recrawl_updates_in_place(crawled):
    db, _, _, first_counts = crawled
    assert _counts(db) == first_counts
    assert first_counts["articles"] == 29


def test_the_broken_page_is_logged_with_its_url_and_the_crawl_goes_on(crawled, replica, site_url):
    _, first, *_ = crawled
    broken = site_url + replica.path(replica.broken_id)
    assert f"Dropped: {broken}: no title" in first.stderr


def test_the_dead_sibling_link_is_a_logged_404_not_a_failure(crawled):
    _, first, *_ = crawled
    assert "'downloader/response_status_count/404'" in first.stderr


def test_no_url_is_fetched_twice(crawled, replica):
    _, first, *_ = crawled
    fetched = re.findall(r"Crawled \(\d+\) <GET ([^>]+)>", first.stderr)
    assert len(fetched) == len(set(fetched))
    articles = [u for u in fetched if u.endswith(".aspx") and "/" in u.split("/", 3)[3]]
    assert len(articles) >= replica.size  # every article page (and the dead sibling) was fetched
