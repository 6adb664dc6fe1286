"""Sanity checks of profile values (archiver/checks.py): each refuses what a selector of another layout
generation reads, and lets a real value through."""

from __future__ import annotations

from datetime import datetime

import pytest

from archiver.checks import Context, outlet_names, refusal

CTX = Context(datetime.fromisoformat("2026-03-01T10:00:00+07:00"),
              outlet_names("Dân trí", "dantri", "dantri.com.vn", "Báo điện tử Dân trí"))


@pytest.mark.parametrize(("attr", "value", "reason"), [
    ("title", "Giá vàng hôm nay giảm mạnh", None),
    ("title", "Giá vàng giảm 2 triệu đồng trong ngày 12/3", None),
    ("title", "Dân trí", "the site's name"),
    ("title", "Báo Dân Trí", "the site's name"),
    ("title", "12/03/2025 08:00", "a date"),
    ("title", "Thứ năm, 12/03/2025 08:00 (GMT+7)", "a date"),
    ("title", "Tin", "3 characters"),
    ("title", "x" * 400, "400 characters"),
    ("published_raw", "Thứ năm, 12/02/2026 08:00", None),
    ("published_raw", "2026-02-12T08:00:00+07:00", None),
    ("published_raw", "12/03/2027 08:00", "in the future"),
    ("published_raw", "2026-03-01T12:30:00+07:00", "in the future"),  # later than the fetch, same day
    ("published_raw", "12/03/1990 08:00", "before 1995"),
    ("published_raw", "Chia sẻ bài viết", "does not parse (no date found)"),
    ("byline_raw", "Minh Anh", None),
    ("byline_raw", "Hoài Thu (TTXVN)", None),
    ("byline_raw", "DANTRI.COM.VN", "outlet name"),
    ("byline_raw", "Báo Dân trí", "outlet name"),
    ("byline_raw", "nld.com.vn", "outlet name"),  # any domain is an outlet
    ("byline_raw", "Theo các chuyên gia, giá vàng sẽ còn giảm trong những ngày tới do nhu cầu giảm sút",
     "a sentence, not a name"),
    ("views_raw", "1.234", None),
    ("views_raw", "1.234 lượt xem", None),
    ("views_raw", "Bình luận", "not a count (not a view count)"),
    ("lead", "anything: no check", None),
])
def test_refusal(attr: str, value: str, reason: str | None):
    assert refusal(attr, value, CTX) == reason


def test_outlet_names_fold_case_accents_and_prefixes():
    names = outlet_names("Báo Người Lao Động", "nld.com.vn")
    assert {"nguoilaodong", "baonguoilaodong", "nld"} <= names
