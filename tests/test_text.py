"""archiver.text: clean_text, fold, bylines."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archiver.text import Byline, clean_byline, clean_text, collapse_spaces, fold, parse_byline

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("   \n\t ", None),
        ("\u200b\u00a0", None),
        ("Hà Nội", "Hà Nội"),
        (NFD("Đánh bại Argentina, Tây Ban Nha vô địch"), "Đánh bại Argentina, Tây Ban Nha vô địch"),
        ("Vì sao VAR công nhận bàn của Brazil dù việt vị?", "Vì sao VAR công nhận bàn của Brazil dù việt vị?"),
        ("  nhiều   khoảng\n\ttrắng  ", "nhiều khoảng trắng"),
        ("a\u00a0b\u202fc", "a b c"),  # non-breaking spaces
        ("Hà\u200bNội\u200c\u200d\ufeff", "HàNội"),  # zero-width characters vanish
        ("đồng\u00adhồ", "đồnghồ"),  # soft hyphen
        ("&#x110;&#x1ED7; Trung", "Đỗ Trung"),  # JSON-LD entities
        ("l&agrave;m kh&aacute;ch", "làm khách"),
        ("T&acirc;y Ban Nha &amp; Brazil", "Tây Ban Nha & Brazil"),
        ("&amp;#x110;&amp;#x1ED7; Trung", "Đỗ Trung"),  # escaped twice by the CMS
        ("&nbsp;Hà&nbsp;Nội&nbsp;", "Hà Nội"),
        ("\u00d0ỗ Trung", "Đỗ Trung"),  # Icelandic Ð typed for Đ
        ("\u00d0à N\u1eb5ng", "Đà Nẵng"),
        ("đ\u00f0", "đđ"),
        ("bell\x07 char", "bell char"),
        ("AT&T", "AT&T"),
        ("Q&A", "Q&A"),
        ("1 < 2 > 0", "1 < 2 > 0"),
    ],
)
def test_clean_text(text, expected):
    assert clean_text(text) == expected


@given(st.text())
def test_clean_text_is_nfc_collapsed_and_idempotent(text):
    cleaned = clean_text(text)
    if cleaned is None:
        return
    assert unicodedata.is_normalized("NFC", cleaned)
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert "\u00d0" not in cleaned and "\u200b" not in cleaned
    assert clean_text(cleaned) == cleaned or "&" in cleaned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ""),
        ("", ""),
        ("Đà Nẵng", "da nang"),
        (NFD("Đảng Cộng sản"), "dang cong san"),
        ("TIẾNG VIỆT", "tieng viet"),
        ("\u00d0à", "da"),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Theo Hồ Hương", "Hồ Hương"),
        ("Hà Thu (tổng hợp)", "Hà Thu"),
        ("Bài và ảnh: Minh Phương", "Minh Phương"),
        ("Bài, ảnh: Minh Phương.", "Minh Phương"),
        ("Bài & ảnh: Minh Phương", "Minh Phương"),
        ("Tin, ảnh: Lê Nam", "Lê Nam"),
        ("Ảnh: Lê Nam", "Lê Nam"),
        ("Bài: Lê Nam", "Lê Nam"),
        ("Tác giả: Hà Thu", "Hà Thu"),
        ("Phóng viên: Hà Thu", "Hà Thu"),
        ("PV Hà Thu", "Hà Thu"),
        ("Theo TTXVN", None),  # "Theo X" with X an outlet names the source, not an author (issue #11)
        ("Theo VnExpress", None),
        ("Theo Tuổi Trẻ", None),
        ("Reuters", None),
        ("(Vietnamnet/Reuters)", None),
        ("(theo online-tech-tips)", None),
        ("K. Miên (Vietnamnet/Reuters)", "K. Miên"),
        ("NHẬT XUÂN - NGHI VŨ", "NHẬT XUÂN - NGHI VŨ"),
        ("H.V.", "H.V"),
        ("Hà Thu (TH)", "Hà Thu"),
        ("Hà Thu (t/h)", "Hà Thu"),
        ("Hà Thu (theo Reuters)", "Hà Thu"),
        ("Tâm Hằng (TTXVN)", "Tâm Hằng"),
        ("Tâm Hằng (TTXVN/Vietnam+)", "Tâm Hằng"),
        ("Hà Thu - Tổng hợp", "Hà Thu"),
        ("Bài và ảnh: Theo Hồ Hương (tổng hợp)", "Hồ Hương"),
        ("Đỗ Trung • 07:12 ngày 24/03/2024", "Đỗ Trung"),
        ("&#x110;&#x1ED7; Trung", "Đỗ Trung"),
        (NFD("Theo Hồ Hương"), "Hồ Hương"),
        ("TP", "TP"),
        ("Minh Hoàng", "Minh Hoàng"),
        ("Nhóm PV", "Nhóm PV"),
        ("Byron Nguyen", "Byron Nguyen"),  # "By" only as a word
        ("Theodore Lê", "Theodore Lê"),
        ("Minh Phương - Hà Thu", "Minh Phương - Hà Thu"),
        ("Theo:", None),
        ("Theo", "Theo"),  # a lone word may be a name
        ("(tổng hợp)", None),
        ("  ", None),
        (None, None),
    ],
)
def test_clean_byline(text, expected):
    assert clean_byline(text) == expected


def test_parse_byline_keeps_the_raw_text():
    assert parse_byline("Bài và ảnh: Minh Phương") == Byline(raw="Bài và ảnh: Minh Phương", name="Minh Phương")
    assert parse_byline(None) == Byline(raw=None, name=None)


@given(st.text(alphabet=st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\u200bab đ"))) | st.text())
def test_collapse_spaces_is_the_regex(text):
    assert collapse_spaces(text) == re.sub(r"\s+", " ", text).strip()
