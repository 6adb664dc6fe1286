"""archiver.views: view counts."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archiver.views import parse_views, views_with_reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("927", 927),
        ("0", 0),
        ("1.234", 1234),  # Vietnamese thousands dot
        ("12.345", 12345),
        ("1.234.567", 1234567),
        ("1,234", 1234),  # English thousands comma
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1,2K", 1200),
        ("1.2K", 1200),
        ("1,2k", 1200),
        ("15K", 15000),
        ("2,5 triệu", 2500000),
        ("2,5 tr", 2500000),
        ("1.2M", 1200000),
        ("3 nghìn", 3000),
        ("3 ngàn", 3000),
        ("1,5N", 1500),
        ("Lượt xem: 12.345", 12345),
        ("lượt xem 927", 927),
        ("12.345 lượt xem", 12345),
        ("927 lượt đọc", 927),
        ("Views: 1,234", 1234),
        ("1.234 views", 1234),
        ("👁 927", 927),
        ("(927)", 927),
        ("  927  ", 927),
        ("24/10/2019 | 927", 927),  # the seed's date-and-views line
        ("927 | 24/10/2019", 927),
    ],
)
def test_parse_views(text, expected):
    assert parse_views(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  ", "empty"),
        ("abc", "not a view count"),
        ("-5", "not a view count"),
        ("12 bình luận", "not a view count"),
        ("1.5", "a decimal is not a count"),
        ("1,2", "a decimal is not a count"),
        ("1.234K", "thousands separators before a multiplier"),
        ("1,2345K", "fraction of a view"),
        ("24/10/2019", "not a view count"),
        ("12 | 927", "no single view count among the parts"),
        ("1.23.456", "not a view count"),
    ],
)
def test_no_count_and_why(text, reason):
    assert views_with_reason(text) == (None, reason)
    assert parse_views(text) is None


def test_the_reason_is_logged(caplog):
    with caplog.at_level(logging.DEBUG, logger="archiver.views"):
        assert parse_views("12 bình luận") is None
    assert any(r.name == "archiver.views" and "not a view count" in r.getMessage() for r in caplog.records)


@given(st.integers(0, 10**9))
def test_any_count_written_the_vietnamese_way(n):
    assert parse_views(f"{n:,}".replace(",", ".")) == n
    assert parse_views(f"{n:,}") == n
    assert parse_views(str(n)) == n


@given(st.text(max_size=40))
def test_never_raises(text):
    value = parse_views(text)
    assert value is None or (isinstance(value, int) and value >= 0)
