"""The hardening middlewares' decisions, on their own; tests/faults/ crawls a hostile server with them."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse

from archiver.middlewares import gunzip_strict, is_mislabelled_utf8, is_on_site, last_depth, retry_after

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
VIETNAMESE = "Đảng ủy Khối các cơ quan Trung ương"


@pytest.mark.parametrize(("header", "seconds"), [
    (b"120", 120.0),
    (b" 0 ", 0.0),
    (format_datetime(NOW + timedelta(seconds=30), usegmt=True).encode(), 30.0),
    (format_datetime(NOW - timedelta(hours=1), usegmt=True).encode(), 0.0),  # a date in the past: now
    (b"soon", None),
    (b"-5", None),
    (b"", None),
    (None, None),
])
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    assert retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize(("declared", "body", "mislabelled"), [
    ("cp1252", VIETNAMESE.encode("utf-8"), True),  # the usual misconfigured server
    ("iso8859-15", VIETNAMESE.encode("utf-8"), True),
    ("cp1258", "Đảng".encode("cp1258", errors="ignore") + " ủy".encode("cp1258", errors="ignore"), False),
    ("cp1252", "Café crème".encode("cp1252"), False),  # a real latin-1 page
    ("utf-8", VIETNAMESE.encode("utf-8"), False),
    ("cp1252", b"plain ASCII", False),
    ("shift_jis", VIETNAMESE.encode("utf-8"), False),  # multi-byte charsets are left to Scrapy
])
def test_utf8_pages_labelled_single_byte_are_recognised(declared, body, mislabelled):
    assert is_mislabelled_utf8(declared, body) is mislabelled


def test_strict_gunzip_refuses_truncated_and_corrupt_streams():
    page = VIETNAMESE.encode() * 200
    packed = gzip.compress(page)
    assert gunzip_strict(packed) == page
    assert gunzip_strict(packed + gzip.compress(b"!")) == page + b"!"  # several members
    with pytest.raises(EOFError):
        gunzip_strict(packed[: len(packed) // 2])  # Scrapy's gunzip returns the half silently
    corrupt = bytearray(packed)
    corrupt[len(corrupt) // 2] ^= 0xFF
    with pytest.raises(zlib.error):
        gunzip_strict(bytes(corrupt))
    with pytest.raises(IgnoreRequest, match="DOWNLOAD_MAXSIZE"):
        gunzip_strict(packed, max_size=1000)


@pytest.mark.parametrize(("url", "on_site"), [
    ("http://127.0.0.1:8765/a.aspx", True),  # ports aside
    ("https://www.dangbokhoicoquantw.vn/x", True),
    ("http://offsite.invalid/a.aspx", False),
    ("http://evil-127.0.0.1.example/", False),
])
def test_on_site_compares_hosts(url, on_site):
    assert is_on_site(url, ["127.0.0.1", "dangbokhoicoquantw.vn"]) is on_site


@pytest.mark.parametrize(("levels", "cut_short"), [(10, False), (1500, False), (100_000, True)])
def test_a_page_cut_short_by_its_depth_is_recognised(levels, cut_short):
    html = "<html><body><h1>T</h1>" + "<div>" * levels + "<p>x</p>" + "</div>" * levels + "<p>end</p></body></html>"
    response = HtmlResponse("http://x/a.aspx", body=html.encode(), encoding="utf-8")
    assert (last_depth(response) >= 1000) is cut_short
    assert bool(response.css("p::text").getall()[-1:] == ["end"]) is not cut_short  # what the cut costs
