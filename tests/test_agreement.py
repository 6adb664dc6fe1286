"""Profile vs generic reader, per field (archiver/agreement.py): the outcomes, the stats round trip, the
share that warns, and the sampling."""

from __future__ import annotations

from dataclasses import replace

import pytest

from archiver import agreement
from archiver.items import Article, Image, Related

BASE = Article(url="https://x.vn/a-123456.html", site="x", title="Giá vàng giảm mạnh", byline="Minh Anh",
               published_at="2026-03-01T08:15:00+07:00", published_raw=None, views=12, lead="Sapo của bài.",
               paragraphs=["Đoạn một của bài viết về giá vàng hôm nay.", "Đoạn hai nói về thị trường."],
               images=[Image("https://x.vn/1.jpg", "Ảnh: Minh Anh")],
               related=[Related("Bài khác", "https://x.vn/b-654321.html")],
               sources={k: "profile" for k in agreement.SOURCE_KEY.values()})


@pytest.mark.parametrize(("profiled", "generic", "want"), [
    ({}, {}, dict.fromkeys(agreement.FIELDS, "agree")),
    # case, accents and spacing folded; published to the minute
    ({}, {"title": "GIÁ VÀNG  GIẢM MẠNH", "published_at": "2026-03-01T08:15:59+07:00"},
     {"title": "agree", "published": "agree"}),
    ({}, {"byline": "Thu Hà", "views": 13}, {"byline": "disagree", "views": "disagree"}),
    ({}, {"paragraphs": ["Một bài hoàn toàn khác."]}, {"body": "disagree"}),
    ({}, {"paragraphs": BASE.paragraphs[:1] + ["Đoạn hai nói về thị trường vàng."]}, {"body": "agree"}),  # F1 ≥ 0.8
    # the profile's field came from the generic reader (its selector found nothing): profile_missing
    ({"sources": {**BASE.sources, "byline_raw": "jsonld"}}, {}, {"byline": "profile_missing"}),
    ({"views": None}, {}, {"views": "profile_missing"}),
    ({}, {"views": None, "related": []}, {"views": "generic_missing", "related": "generic_missing"}),
])
def test_compare(profiled: dict, generic: dict, want: dict):
    got = agreement.compare(replace(BASE, **profiled), replace(BASE, **generic))
    for name, outcome in want.items():
        assert got[name] == outcome, name


def test_a_field_neither_reads_is_not_counted():
    assert "views" not in agreement.compare(replace(BASE, views=None), replace(BASE, views=None))


def test_stats_round_trip_and_low_fields():
    stats = {"archiver/pages_read": 40}
    for outcome, n in (("agree", 2), ("profile_missing", 8)):
        for key in agreement.stat_keys("dantri", {"published": outcome}):
            stats[key] = n
    stats[agreement.stat_keys("dantri", {"views": "generic_missing"})[0]] = 10
    stats[agreement.stat_keys("dantri", {"title": "agree"})[0]] = 10
    record = agreement.from_stats(stats)
    assert record == {"dantri": {
        "title": {"agree": 10, "disagree": 0, "profile_missing": 0, "generic_missing": 0},
        "published": {"agree": 2, "disagree": 0, "profile_missing": 8, "generic_missing": 0},
        "views": {"agree": 0, "disagree": 0, "profile_missing": 0, "generic_missing": 10},
    }}
    assert agreement.low_fields(record) == ["dantri published: 20% agree (2 of 10; profile missing 8)"]
    assert agreement.low_fields(record, min_counted=11) == []
    assert agreement.summary_lines(record) == [
        "  dantri (10 pages compared): title 100%, published 20%, views (profile only)"]


@pytest.mark.parametrize(("every", "due"), [(1, 6), (3, 2), (10, 1), (0, 0)])
def test_sampler_takes_every_nth_page_per_site(every: int, due: int):
    sampler = agreement.Sampler(every)
    assert sum(sampler.due("a") for _ in range(6)) == due
    assert sampler.due("b") is (every > 0)  # counted per site: another site's first page is due
