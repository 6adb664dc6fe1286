"""The generic reader: metadata order, author sanity, visible dates, trafilatura body, related headings."""

from __future__ import annotations

import json

import pytest
from parsel import Selector

from archiver import generic
from archiver.generic import Page, same_title, strip_site_suffix
from archiver.items import RawArticle
from archiver.metadata import Author, json_ld

URL = "https://baomoi.example.vn/xa-hoi/bai-viet-12345.html"
BODY = "".join(f"<p>Đoạn văn thứ {n} của bài viết, đủ dài để được tính là nội dung chính của trang.</p>"
               for n in range(1, 6))


def page(head: str = "", body: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>", base_url=URL)


def ld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def filled(sel: Selector) -> RawArticle:
    raw = RawArticle(url=URL, site="baomoi.example.vn", fetched_at="2026-01-01T00:00:00+07:00")
    generic.fill(raw, sel, URL)
    return raw


ARTICLE = {"@type": "NewsArticle", "headline": "Tiêu đề từ JSON-LD",
           "datePublished": "2025-05-01T10:20:00+07:00"}


@pytest.mark.parametrize("head, body, title, source", [
    (ld(ARTICLE) + '<meta property="og:title" content="Tiêu đề OG">', "", "Tiêu đề từ JSON-LD", "jsonld"),
    (ld({"@graph": [{"@type": "WebSite", "name": "S"}, ARTICLE]}), "", "Tiêu đề từ JSON-LD", "jsonld"),
    ('<meta property="og:title" content="Tiêu đề OG - Báo Mới">', "", "Tiêu đề OG", "meta"),
    ('<meta property="og:title" content="Nắng nóng kéo dài ở Bắc Bộ - Báo Mới">',
     "<h1>Nắng nóng kéo dài ở Bắc Bộ</h1>", "Nắng nóng kéo dài ở Bắc Bộ", "meta"),
    ("", '<h1 itemprop="headline">Chỉ có itemprop</h1>', "Chỉ có itemprop", "itemprop"),
    ("", "<h1>Chỉ có thẻ h1 trên trang</h1>", "Chỉ có thẻ h1 trên trang", "fallback"),
    ("<title>Tiêu đề trong thẻ title | Báo Mới</title>", "", "Tiêu đề trong thẻ title", "fallback"),
])
def test_title_order(head, body, title, source):
    raw = filled(page(head, body))
    assert (raw.title, raw.sources["title"]) == (title, source)


@pytest.mark.parametrize("head, body, published, source", [
    (ld(ARTICLE) + '<meta property="article:published_time" content="2024-01-01T00:00:00+07:00">', "",
     "2025-05-01T10:20:00+07:00", "jsonld"),
    ('<meta property="article:published_time" content="2025-05-02T08:00:00+07:00">', "",
     "2025-05-02T08:00:00+07:00", "meta"),
    ('<meta itemprop="datePublished" content="2025-05-03T08:00:00+07:00">', "",
     "2025-05-03T08:00:00+07:00", "meta"),
    ("", '<time datetime="2025-05-04T08:00:00+07:00">4/5/2025</time>', "2025-05-04T08:00:00+07:00", "time"),
    # Metadata seven hours off (UTC written as local time) loses to the date the reader sees.
    ('<meta property="article:published_time" content="2025-05-05T08:00:00+07:00">',
     '<h1>Một tiêu đề đủ dài</h1><div class="x">05/05/2025 15:00</div>', "05/05/2025 15:00", "visible"),
    # A non-ISO metadata date ("3/24/2024 7:12 AM" is US order) loses to a visible one.
    ('<meta name="pubdate" content="3/24/2024 7:12:35 AM">',
     "<h1>Một tiêu đề đủ dài</h1><span>07:12 ngày 24/03/2024</span>", "07:12 ngày 24/03/2024", "visible"),
])
def test_published_order(head, body, published, source):
    raw = filled(page(head, body))
    assert (raw.published_raw, raw.sources["published_raw"]) == (published, source)


@pytest.mark.parametrize("author, visible, byline, source", [
    ({"@type": "Person", "name": "Minh Hoàng"}, "", "Minh Hoàng", "jsonld"),
    ([{"@type": "Person", "name": "Lan"}, {"@type": "Person", "name": "Hùng"}], "", "Lan, Hùng", "jsonld"),
    ({"@type": "Organization", "name": "&#x110;&#x1ED7; Trung"}, '<a href="/tac-gia/do-trung">Đỗ Trung</a>',
     "Đỗ Trung", "visible"),
    ({"@type": "Person", "name": "https://facebook.com/bao"}, '<p class="author">Thu Hà</p>',
     "Thu Hà", "visible"),
    ({"@type": "Person", "name": "TP"}, '<div class="article__author"><p class="name">Trần Phong</p></div>',
     "Trần Phong", "visible"),
    ({"@type": "Person", "name": "TP"}, "", "TP", "jsonld"),  # initials still beat nothing
    # The CMS glued name and agency in JSON-LD; the page shows them apart.
    ({"@type": "Person", "name": "Tâm HằngTTXVN"}, '<p class="author"><strong>Tâm Hằng</strong><i> (TTXVN)</i></p>',
     "Tâm Hằng (TTXVN)", "visible"),
    ({"@type": "Person", "name": "Tâm HằngTTXVN"}, "", "Tâm HằngTTXVN", "jsonld"),  # nothing better shown
    ({"@type": "Person", "name": "Minh Hoàng"}, '<p class="author">Thu Hà</p>', "Minh Hoàng", "jsonld"),
    ({"@type": "Person", "name": ""}, "", None, None),
    ({"@type": "Organization", "name": "Báo Nhân Dân điện tử"}, "", None, None),
])
def test_byline_sanity(author, visible, byline, source):
    raw = filled(page(ld({**ARTICLE, "author": author}), f"<h1>Tiêu đề từ JSON-LD</h1>{visible}"))
    assert raw.byline_raw == byline
    assert raw.sources.get("byline_raw") == source


@pytest.mark.parametrize("name, kind, good", [
    ("Minh Hoàng", "person", True), ("T.H", "person", False), ("N.A.", "unknown", False),
    ("VnExpress", "org", False), ("https://x.vn", "url", False), ("", "person", False),
])
def test_author_good(name, kind, good):
    assert Author(name, kind).good is good


def test_json_ld_tolerates_broken_scripts_and_prefers_news_types():
    sel = page('<script type="application/ld+json">{not json</script>'
               + ld({"@type": "WebPage", "headline": "Trang"})
               + ld([{"@type": "NewsArticle", "headline": "Bài"}]))
    assert json_ld(sel)["headline"] == "Bài"


CUT = BODY.index("<p>", 300)  # between two paragraphs


def test_body_from_trafilatura_keeps_captions_and_drops_boxes():
    html = (f'<div id="menu"><a href="/">Trang chủ</a></div><h1>Tiêu đề của bài</h1>'
            f'<div class="sapo">Sapo của bài viết, một câu tóm tắt đủ dài để nhận ra.</div>'
            f'<div class="content">{BODY[:CUT]}<p style="text-align:center"><img src="/a.jpg"></p>'
            f'<p style="text-align:center"><em>Chú thích ảnh trong bài.</em></p>{BODY[CUT:]}'
            f'<div class="notebox"><p>Hộp quảng bá không phải nội dung của bài này đâu nhé bạn đọc.</p></div>'
            f'<p style="text-align:right"><strong>Hà Linh</strong></p></div>')
    raw = filled(page("", html))
    assert raw.sources["paragraphs"] == "trafilatura"
    assert raw.lead == "Sapo của bài viết, một câu tóm tắt đủ dài để nhận ra."
    assert len(raw.paragraphs) == 5 and all(p.startswith("Đoạn văn thứ") for p in raw.paragraphs)
    images = [(i.src, i.caption) for i in raw.images]
    assert images == [("https://baomoi.example.vn/a.jpg", "Chú thích ảnh trong bài.")]
    assert raw.byline_raw == "Hà Linh"


@pytest.mark.parametrize("visible, meta, same", [
    ("Apple hủy bỏ dự án", "Apple hủy bỏ dự án - Znews", False),  # too short to accept a suffix
    ("Apple hủy bỏ dự án quan trọng", "Apple hủy bỏ dự án quan trọng - Znews", True),
    ("Apple hủy bỏ dự án quan trọng", "apple huy bo du an quan trong", True),
    ("Apple hủy bỏ dự án quan trọng", "Samsung ra mắt điện thoại", False),
])
def test_same_title(visible, meta, same):
    assert same_title(visible, meta) is same


def test_strip_site_suffix():
    assert strip_site_suffix("Bão số 3 đổ bộ - Báo Tuổi Trẻ") == "Bão số 3 đổ bộ"
    assert strip_site_suffix("Giá vàng | Tin nhanh") == "Giá vàng"
    assert strip_site_suffix("Hà Nội - Hải Phòng mở cao tốc mới") == "Hà Nội - Hải Phòng mở cao tốc mới"


def test_views_near_the_headline_not_in_the_sidebar():
    sel = page("", '<div class="side"><span>99.999 lượt xem</span></div><h1>Tiêu đề của bài viết</h1>'
                   f'<span class="v">1.234 lượt xem</span>{BODY}')
    assert generic.views(Page(sel, URL)) == ("1.234 lượt xem", "visible")
