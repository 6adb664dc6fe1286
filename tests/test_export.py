"""Exports: every article with its children, JSONL (UTF-8 as is) and CSV, with filters."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from pathlib import Path

import pytest
from archive_samples import DANG, WEATHER, make_archive

from archiver.export import CSV_COLUMNS, export, iter_articles


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "archive.db", extra=7)


def test_export_roundtrips_the_article(db: Path) -> None:
    exported = next(a for a in iter_articles(db) if a["url"] == DANG.url)
    original = asdict(DANG)
    for key in ("title", "published_at", "published_raw", "views", "byline", "lead", "paragraphs", "sources"):
        assert exported[key] == original[key], key
    assert exported["images"] == [asdict(i) for i in DANG.images]
    assert exported["related"] == [asdict(r) for r in DANG.related]
    assert exported["first_seen"] == DANG.fetched_at and exported["problems"] == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, 9),
        ({"site": "tuoitre"}, 1),
        ({"since": "2024-06-01"}, 1),
        ({"since": "2024-05-01", "site": "vnexpress"}, 8),
        ({"site": "nowhere"}, 0),
    ],
)
def test_export_filters(db: Path, options: dict, expected: int) -> None:
    assert export(db, io.StringIO(), "jsonl", **options) == expected


def test_chunks_cover_every_article_once(db: Path) -> None:
    urls = [a["url"] for a in iter_articles(db, chunk=2)]
    assert len(urls) == len(set(urls)) == 9


def test_jsonl_is_utf8_not_escaped(db: Path) -> None:
    out = io.StringIO()
    export(db, out, "jsonl", site="vnexpress")
    lines = out.getvalue().splitlines()
    assert len(lines) == 8 and "Đảng ủy Khối" in lines[0] and "\\u" not in out.getvalue()
    assert all(json.loads(line)["paragraphs"] for line in lines)


def test_csv_has_one_row_per_article_with_json_children(db: Path) -> None:
    out = io.StringIO()
    export(db, out, "csv")
    reader = csv.DictReader(io.StringIO(out.getvalue()))
    assert reader.fieldnames == list(CSV_COLUMNS)
    rows = {row["url"]: row for row in reader}
    assert len(rows) == 9
    dang = rows[DANG.url]
    assert json.loads(dang["paragraphs"]) == DANG.paragraphs
    assert json.loads(dang["images"])[0]["caption"] == "Toàn cảnh hội nghị"
    assert rows[WEATHER.url]["views"] == ""


def test_unknown_format_is_refused(db: Path) -> None:
    with pytest.raises(ValueError):
        export(db, io.StringIO(), "xml")
