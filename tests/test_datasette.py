"""Real Datasette, in process, over a real archive with data/metadata.yml: metadata, facets, search,
every canned query."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from archive_samples import DANG, WEATHER, article, make_archive
from datasette.app import Datasette

from archiver.queries import datasette_metadata
from archiver.store import Archive

CITED = DANG.related[0].url
LATER = "2024-05-09T08:00:00+07:00"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ds") / "archive.db"
    with Archive(path) as archive:
        crawl = archive.begin_crawl("news", None, {})
        archive.add(DANG)  # 1200 views
        archive.add(WEATHER)  # cites CITED too
        archive.add(article(1, views=50, published_at="2024-04-02T10:00:00+07:00", related=[]))
        archive.add(article(2, views=10, site="tuoitre", related=[]))
        archive.end_crawl(crawl, {})
        crawl = archive.begin_crawl("news", None, {})  # second crawl: views grew
        archive.add(replace(DANG, views=1500, fetched_at=LATER))
        archive.add(article(1, views=450, published_at="2024-04-02T10:00:00+07:00", related=[], fetched_at=LATER))
        archive.end_crawl(crawl, {})
    return path


def get(db: Path, path: str, metadata: dict | None = None, follow: bool = True) -> tuple[int, Any]:
    """GET a Datasette URL in process (our plugin loaded); the JSON body, the HTML text, or the redirect."""

    async def fetch() -> tuple[int, Any]:
        ds = Datasette([str(db)], metadata=metadata or datasette_metadata(db))
        await ds.invoke_startup()
        response = await ds.client.get(path)
        if response.status_code == 302 and follow:
            response = await ds.client.get(response.headers["location"])
        elif response.status_code == 302:
            return 302, response.headers["location"]
        is_json = response.headers.get("content-type", "").startswith("application/json")
        return response.status_code, response.json() if is_json else response.text

    return asyncio.run(fetch())


def query_rows(db: Path, name: str, **params: str) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    status, body = get(db, f"/archive/{name}.json?_shape=objects&{query}")
    assert status == 200, body
    return body["rows"]


def test_metadata_loads(db: Path) -> None:
    status, body = get(db, "/-/metadata.json")
    assert status == 200
    tables = body["databases"]["archive"]["tables"]
    assert {"articles", "paragraphs", "images", "related_links", "view_counts", "revisions", "crawls"} <= set(tables)
    status, html = get(db, "/archive/articles")
    assert status == 200 and "Articles" in html and "One row per canonical URL" in html


def test_every_column_is_documented(db: Path) -> None:
    tables = datasette_metadata(db)["databases"]["archive"]["tables"]
    _, body = get(db, "/archive.json")
    for table in body["tables"]:
        if table["hidden"]:
            continue
        documented = set(tables[table["name"]].get("columns", {}))
        assert set(table["columns"]) <= documented, table["name"]


@pytest.mark.parametrize(
    ("facet", "expected"),
    [
        ("site", {"vnexpress": 2, "tuoitre": 2}),
        ("published_month", {"2024-05": 2, "2024-04": 1, "2024-06": 1}),
        ("byline", {"Minh Anh": 3}),
    ],
)
def test_configured_facets(db: Path, facet: str, expected: dict) -> None:
    status, body = get(db, "/archive/articles.json?_extra=facet_results")
    assert status == 200
    results = body["facet_results"]
    results = results.get("results", results)  # 0.65 returns a dict of facet name -> result
    values = {str(v["value"]): v["count"] for v in results[facet]["results"]}
    assert values == expected


@pytest.mark.parametrize("query", ["dang uy khoi", "Đảng ủy Khối", "đảng", "ĐÀ NẴNG", "da nang"])
def test_table_search_with_and_without_diacritics(db: Path, query: str) -> None:
    status, body = get(db, f"/archive/articles.json?_shape=objects&_search={query}")
    assert status == 200
    assert [r["url"] for r in body["rows"]] == [DANG.url]


def test_sortable_by_views(db: Path) -> None:
    status, body = get(db, "/archive/articles.json?_shape=objects&_sort_desc=views&_size=2")
    assert status == 200 and [r["views"] for r in body["rows"]] == [1500, 450]


def test_canned_articles_per_month(db: Path) -> None:
    rows = query_rows(db, "articles_per_month")
    assert [(r["month"], r["site"], r["articles"]) for r in rows] == [
        ("2024-06", "tuoitre", 1),
        ("2024-05", "tuoitre", 1),
        ("2024-05", "vnexpress", 1),
        ("2024-04", "vnexpress", 1),
    ]
    assert [r["articles"] for r in query_rows(db, "articles_per_month", site="tuoitre")] == [1, 1]


def test_canned_most_viewed(db: Path) -> None:
    rows = query_rows(db, "most_viewed")
    assert [(r["url"], r["views"]) for r in rows] == [
        (DANG.url, 1500),
        (article(1).url, 450),
        (article(2).url, 10),
    ]
    assert [r["views"] for r in query_rows(db, "most_viewed", site="tuoitre")] == [10]
    assert [r["views"] for r in query_rows(db, "most_viewed", since="2024-05-01")] == [1500, 10]


def test_canned_view_growth(db: Path) -> None:
    rows = query_rows(db, "view_growth")
    assert [(r["url"], r["previous_views"], r["views"], r["growth"]) for r in rows] == [
        (article(1).url, 50, 450, 400),
        (DANG.url, 1200, 1500, 300),
    ]
    assert rows[1]["observed_at"] == LATER and rows[1]["previous_observed_at"] == DANG.fetched_at


def test_canned_citing_articles(db: Path) -> None:
    rows = query_rows(db, "citing_articles", url=CITED)
    assert [r["url"] for r in rows] == [WEATHER.url, DANG.url]  # newest first
    assert query_rows(db, "citing_articles", url="https://nowhere/") == []


@pytest.mark.parametrize(
    ("params", "urls"),
    [
        ({"q": "dang uy khoi"}, [DANG.url]),
        ({"q": "Đảng ủy Khối", "from": "2024-05-01", "to": "2024-05-01"}, [DANG.url]),
        ({"q": "dang uy khoi", "from": "2024-05-02"}, []),
        ({"q": "dang uy khoi", "to": "2024-04-30"}, []),
        ({"q": "kinh tế", "from": "2024-04-01", "to": "2024-04-30"}, [article(1).url]),
    ],
)
def test_canned_search_by_date(db: Path, params: dict, urls: list[str]) -> None:
    rows = query_rows(db, "search_by_date", **params)
    assert [r["id"] for r in rows] == [ids(db)[url] for url in urls]
    assert all("[" in r["snippet"] for r in rows)


def ids(db: Path) -> dict[str, int]:
    _, body = get(db, "/archive/articles.json?_shape=objects&_col=url&_size=max")
    return {r["url"]: r["id"] for r in body["rows"]}


def test_search_marks_words_as_the_cli_does(db: Path) -> None:
    from archiver.queries import search

    (row,) = query_rows(db, "search_by_date", q="dang uy khoi")
    assert row["snippet"] == search(db, "dang uy khoi")[0]["snippet"]
    assert "[Đảng] [ủy] [Khối]" in row["snippet"]
    status, html = get(db, "/archive/search_by_date?q=dang+uy+khoi")
    assert status == 200 and "<mark>Đảng</mark> <mark>ủy</mark>" in html


@pytest.mark.parametrize("query", list(datasette_metadata("archive.db")["databases"]["archive"]["queries"]))
def test_every_canned_query_runs_without_parameters(db: Path, query: str) -> None:
    status, body = get(db, f"/archive/{query}.json")
    assert status == 200 and body["ok"], body
    status, html = get(db, f"/archive/{query}")
    assert status == 200 and "syntax error" not in html and "message-error" not in html


@pytest.mark.parametrize(
    ("search", "urls"),
    [
        ("lạnh OR khoi", {DANG.url, WEATHER.url}),
        ("đảng NOT đà", set()),
        ("kinh AND", {DANG.url, article(1).url, article(2).url}),  # a dangling operator is dropped
        ("", set()),  # the API: nothing to search for, no rows (the page drops an empty box, below)
        ("NEAR(hội khối, 3)", {DANG.url}),  # Hội nghị Đảng ủy Khối
        ("NEAR(hội khối, 2)", set()),
    ],
)
def test_table_search_reads_operators_as_the_cli_does(db: Path, search: str, urls: set) -> None:
    status, body = get(db, f"/archive/articles.json?_shape=objects&_col=url&_search={search}")
    assert status == 200 and {r["url"] for r in body["rows"]} == urls


def test_raw_fts_syntax_on_purpose(db: Path) -> None:
    status, body = get(db, "/archive/articles.json?_shape=objects&_col=url&_searchmode=raw&_search=title:lạnh")
    assert status == 200 and [r["url"] for r in body["rows"]] == [WEATHER.url]


def test_metadata_works_for_any_file_name(tmp_path: Path) -> None:
    """`datasette other.db --metadata data/metadata.yml`: the metadata names "archive"; the plugin adopts it."""
    import yaml

    from archiver.queries import DEFAULT_METADATA

    other = make_archive(tmp_path / "other.db")
    raw = yaml.safe_load(DEFAULT_METADATA.read_text(encoding="utf-8"))
    status, body = get(other, "/other/articles.json?_extra=facet_results&_size=0", metadata=raw)
    results = body["facet_results"]
    assert status == 200 and {"site", "byline", "published_month"} <= set(results.get("results", results))
    status, body = get(other, "/other/most_viewed.json?_shape=objects", metadata=raw)
    assert status == 200 and body["rows"][0]["url"] == DANG.url
    status, html = get(other, "/-/dashboards/archive", metadata=raw)
    assert status == 200 and "Articles per month and site" in html


def test_articles_open_slim(db: Path) -> None:
    status, where = get(db, "/archive/articles?site=vnexpress", follow=False)
    assert status == 302 and where.startswith("/archive/articles?site=vnexpress&_col=title&_col=published_at")
    status, html = get(db, where)
    assert status == 200 and 'data-column="body"' not in html and 'data-column="title"' in html
    assert get(db, "/archive/articles?_nocol=d_folded")[0] == 200  # every column, on purpose
    assert get(db, "/", follow=False)[1] == "/archive/articles"
    status, where = get(db, "/archive/articles?_search=&_col=title", follow=False)  # an empty search box
    assert status == 302 and where == "/archive/articles?_col=title"


def test_article_page_reads_like_the_article(db: Path) -> None:
    article_id = ids(db)[DANG.url]
    status, html = get(db, f"/archive/articles/{article_id}")
    assert status == 200
    paragraphs = [html.index(f"<p>{p}</p>") for p in DANG.paragraphs]
    assert paragraphs == sorted(paragraphs)  # in page order
    assert "<figcaption>Toàn cảnh hội nghị</figcaption>" in html and 'src="https://i.vnecdn.net/a.jpg"' in html
    assert "2 view count observations" in html
    status, html = get(db, f"/archive/articles/{ids(db)[WEATHER.url]}")
    assert "Dự báo" in html and "not archived" in html


def test_json_cells_and_long_text_are_short_in_tables(db: Path) -> None:
    status, html = get(db, "/archive/articles?_col=sources&_col=body&_col=problems")
    assert status == 200 and '<ul class="json-cell"><li>published_at: jsonld</li>' in html
    status, html = get(db, "/archive/crawls?_col=errors&_col=stats")
    assert status == 200 and '<span class="json-empty">none</span>' in html
