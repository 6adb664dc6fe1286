"""Full-text search, stats and Datasette settings over a real archive file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from archive_samples import DANG, WEATHER, article, make_archive

from archiver.queries import (
    MATCH_NOTHING,
    ServeOptions,
    datasette_command,
    datasette_metadata,
    escape_fts,
    format_stats,
    fts_query,
    search,
    search_terms,
    snippet,
    stats,
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    old = replace(DANG, url="https://vnexpress.net/cu.html", published_at="2023-01-05T10:00:00+07:00")
    return make_archive(tmp_path / "archive.db", old, extra=5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dang uy khoi", '"dang" "uy" "khoi"'),
        ("Đảng ủy", '"Đảng" "ủy"'),
        ('kinh tế AND "NEAR"', '"kinh" "tế" AND "NEAR"'),  # a quoted keyword is a word
        ("kinh OR lạnh", '"kinh" OR "lạnh"'),
        ("kinh and or", '"kinh" "and" "or"'),  # FTS5 reads operators in capitals only
        ("(kinh OR lạnh) khối", '("kinh" OR "lạnh") AND "khối"'),  # FTS5 wants the AND after a group
        ("đảng NOT (kinh OR lạnh)", '"đảng" NOT ("kinh" OR "lạnh")'),
        ("NEAR(hội nghị, 5) khối", 'NEAR("hội" "nghị",5) AND "khối"'),
        ("kinh AND", '"kinh"'),  # operators that make no valid query are dropped
        ("NOT kinh", '"kinh"'),
        ("a (b", '"a" "b"'),
        ("covid-19", '"covid" "19"'),
        ("kinh*", '"kinh"*'),
        ('"kinh tế" lạnh', '"kinh tế" "lạnh"'),
        ('"Hà Nội, ngày" "', '"Hà Nội ngày"'),
    ],
)
def test_fts_query_quotes_every_word(text: str, expected: str) -> None:
    assert fts_query(text) == expected


def test_fts_query_rejects_empty() -> None:
    with pytest.raises(ValueError):
        fts_query(" -- ")


@pytest.mark.parametrize(
    ("text", "terms"),
    [("NEAR(hội nghị, 5) covid 19", ["hoi", "nghi", "covid", "19"]), ("Đảng OR kinh*", ["dang", "kinh*"])],
)
def test_search_terms_are_the_words_snippets_mark(text: str, terms: list[str]) -> None:
    assert search_terms(text) == terms


@pytest.mark.parametrize("text", ["", None, " -- ", "AND", "((", '"'])
def test_escape_fts_never_raises(text: str | None) -> None:
    """The SQL function Datasette's search box and the canned queries call: an empty box finds nothing."""
    assert escape_fts(text) == MATCH_NOTHING


@pytest.mark.parametrize(
    ("query", "options", "urls"),
    [
        ("đảng ủy khối", {}, {DANG.url, "https://vnexpress.net/cu.html"}),
        ("dang uy khoi", {}, {DANG.url, "https://vnexpress.net/cu.html"}),
        ("DANG UY KHOI", {"since": "2024-01-01"}, {DANG.url}),
        ("dang uy khoi", {"until": "2024-01-01"}, {"https://vnexpress.net/cu.html"}),
        ("thoi tiet", {}, {WEATHER.url}),
        ("lạnh", {"site": "tuoitre"}, {WEATHER.url}),
        ("lạnh", {"site": "vnexpress"}, set()),
        ("bài số 3", {}, {article(3).url}),
        ('"ủy khối"', {"since": "2024-01-01"}, {DANG.url}),
        ('"khối ủy"', {}, set()),
        ("kinh", {"limit": 2}, 2),
        ("khôngcótừnày", {}, set()),
        ("lạnh OR khoi", {}, {WEATHER.url, DANG.url, "https://vnexpress.net/cu.html"}),
        ("kinh NOT bài", {}, {DANG.url, "https://vnexpress.net/cu.html"}),  # the numbered ones say "bài"
        ("đảng NOT đà", {"since": "2024-01-01"}, set()),
        ("NEAR(hội nghị, 2)", {}, {DANG.url, "https://vnexpress.net/cu.html"}),
        ("NEAR(hội khối, 0)", {}, set()),
    ],
)
def test_search(db: Path, query: str, options: dict, urls: set | int) -> None:
    found = {r["url"] for r in search(db, query, **options)}
    assert (len(found) if isinstance(urls, int) else found) == urls


def test_title_match_ranks_first(db: Path) -> None:
    assert search(db, "bài số 3")[0]["url"] == article(3).url


def test_search_result_has_marked_snippet(db: Path) -> None:
    result = search(db, "dang uy khoi", since="2024-01-01")[0]
    assert result["title"] == DANG.title and result["published_at"] == DANG.published_at
    assert "[Đảng] [ủy] [Khối]" in result["snippet"]


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01"])
def test_search_rejects_bad_dates(db: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        search(db, "dang", since=bad)


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("Hội nghị Đảng ủy Khối", ["dang"], "Hội nghị [Đảng] ủy Khối"),
        ("Hội nghị Đảng ủy Khối", ["hoi*"], "[Hội] nghị Đảng ủy Khối"),
        ("không có", ["xyz"], "không có"),
        ("một " * 100 + "Đà Nẵng", ["nang"], "…" + "một " * 11 + "Đà [Nẵng]"),  # window starts before the hit
    ],
)
def test_snippet(text: str, terms: list[str], expected: str) -> None:
    assert snippet(text, terms) == expected


def test_stats(db: Path) -> None:
    summary = stats(db)
    assert summary["articles"] == 8 and summary["sites"] == {"tuoitre": 1, "vnexpress": 7}
    assert summary["coverage_by_site"]["tuoitre"]["views"] == 0.0
    assert summary["coverage"]["title"] == 1.0
    table = format_stats(summary)
    assert table.splitlines()[0].split()[:3] == ["site", "articles", "title"]
    assert "vnexpress  7" in table


def test_datasette_metadata_renamed_after_the_file(tmp_path: Path) -> None:
    metadata = datasette_metadata(tmp_path / "other.db")
    assert "other" in metadata["databases"] and "archive" not in metadata["databases"]
    assert metadata["databases"]["other"]["tables"]["articles"]["fts_table"] == "articles_fts"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (ServeOptions(port=9000, open_browser=False),
         ["serve", "a.db", "--metadata", "m.json", "--host", "127.0.0.1", "--port", "9000"]),
        (ServeOptions(host="0.0.0.0", immutable=True, settings=(("sql_time_limit_ms", "5000"),),
                      plugins_dir="plugins", template_dir="templates"),
         ["serve", "--immutable", "a.db", "--metadata", "m.json", "--host", "0.0.0.0", "--port", "8001",
          "--setting", "sql_time_limit_ms", "5000", "--plugins-dir", "plugins", "--template-dir", "templates",
          "--open"]),
    ],
)
def test_datasette_command(options: ServeOptions, expected: list[str]) -> None:
    assert datasette_command("a.db", "m.json", options) == expected


def test_ranking_window_keeps_the_newest_matches(db: Path) -> None:
    """With a window of 2, only the two most recently archived matches compete."""
    found = [r["url"] for r in search(db, "kinh", limit=2, window=2)]
    assert sorted(found) == sorted([article(3).url, article(4).url])
