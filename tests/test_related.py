"""Related lists: which links are the article's lists, with their kind and label; never widgets, tags or navigation."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from archiver.extract import extract
from archiver.normalize import normalize_article
from archiver.profile import get_profile
from archiver.related import ArticleLinks, heading_kind, label_of, looks_like_article, site_key

URL = "https://baotinhnha.vn/xa-hoi/cau-moi-qua-song-duoc-thong-xe-12345.html"
FETCHED = datetime.fromisoformat("2026-01-01T00:00:00+07:00")
TEXT = "".join(f"<p>Đoạn văn thứ {n} của bài, kể chuyện cây cầu mới bắc qua con sông lớn của tỉnh nhà.</p>"
               for n in range(1, 5))
A1 = '<a href="/xa-hoi/khoi-cong-cau-tu-hai-nam-truoc-11111.html">Khởi công cầu từ hai năm trước</a>'
A2 = '<a href="https://baotinhnha.vn/xa-hoi/duong-dan-len-cau-hoan-thanh-22222.html">Đường dẫn lên cầu xong</a>'
A3 = '<a href="/giao-thong/xe-buyt-qua-cau-moi-33333.html">Xe buýt qua cầu mới</a>'
U1, U2, U3 = ("https://baotinhnha.vn/xa-hoi/khoi-cong-cau-tu-hai-nam-truoc-11111.html",
              "https://baotinhnha.vn/xa-hoi/duong-dan-len-cau-hoan-thanh-22222.html",
              "https://baotinhnha.vn/giao-thong/xe-buyt-qua-cau-moi-33333.html")


def article(body: str = TEXT, after: str = "", sapo: str = "Sapo của bài viết về cây cầu mới, đủ dài để nhận.",
            url: str = URL) -> list[tuple[str, str | None, str]]:
    html = (f"<html><body><div class='menu'><a href='/xa-hoi.htm'>Xã hội</a>"
            f"<a href='/thoi-su/chinh-tri.htm'>Chính trị</a></div>"
            f"<div class='main'><h1>Cầu mới qua sông được thông xe</h1><div class='sapo'>{sapo}</div>"
            f"<div class='content'>{body}</div>{after}</div></body></html>")
    a = normalize_article(extract(html, url, fetched_at=FETCHED))
    return [(r.kind, r.label, r.url) for r in a.related]


@pytest.mark.parametrize("heading, kind, label", [
    ("Tin liên quan", "related", "Tin liên quan"),
    ("TIN LIÊN QUAN", "related", "TIN LIÊN QUAN"),
    ("Bài liên quan:", "related", "Bài liên quan"),
    ("Đọc thêm", "related", "Đọc thêm"),
    ("» Xem thêm", "related", "Xem thêm"),
    ("Tin cùng chuyên mục", "same_section", "Tin cùng chuyên mục"),
    ("Các tin khác cùng chuyên mục Xã hội", "same_section", "Các tin khác cùng chuyên mục Xã hội"),
    ("CÙNG CHUYÊN MỤC", "same_section", "CÙNG CHUYÊN MỤC"),
    ("Các bài viết khác", "same_section", "Các bài viết khác"),
    ("Có thể bạn quan tâm", None, None),
    ("Đọc nhiều", None, None),
    ("Tin mới nhất", None, None),
    ("Xem thêm trên Báo Tỉnh Nhà", None, None),
    ("Đọc nhiều cùng chuyên mục", None, None),
])
def test_headings_name_the_kind(heading, kind, label):
    assert heading_kind(heading) == kind
    box = f"<div class='box'><h3>{heading}</h3><ul><li>{A1}</li><li>{A2}</li></ul></div>"
    expected = [(kind, label, U1), (kind, label, U2)] if kind else []
    assert article(after=box) == expected


@pytest.mark.parametrize("href, article_url", [
    ("/xa-hoi/khoi-cong-cau-tu-hai-nam-truoc-11111.html", True),
    ("/xa-hoi/mot-bai-viet-co-duong-dan-dai.html", True),  # a slug of four words or more
    ("/tin-tuc.aspx?ID=4521", True),
    ("/thoi-su/chinh-tri.htm", False),  # a section
    ("/xa-hoi.htm", False),
    ("/", False),
    ("/tag/cau-moi-qua-song-11111.html", False),
    ("/chu-de/giao-thong-do-thi-44444.htm", False),
    ("/tac-gia/nguyen-van-an-55555.html", False),
    ("https://other.vn/xa-hoi/bai-o-trang-khac-66666.html", False),  # another site
    ("https://m.baotinhnha.vn/xa-hoi/ban-di-dong-cua-bai-77777.html", True),  # a subdomain of the site
    ("javascript:void(0)", False),
    ("#binh-luan", False),
    ("no_script_;", False),
])
def test_article_urls(href, article_url):
    assert (ArticleLinks(URL).url(href) is not None) is article_url


def test_a_profile_pattern_decides_unless_the_page_is_of_another_layout_generation():
    pattern = (re.compile(r"-\d{17}\.htm$"),)
    new = ArticleLinks("https://dantri.com.vn/xa-hoi/bai-moi-20250101080000123.htm", pattern)
    assert new.url("/xa-hoi/bai-khac-20250102080000456.htm")
    assert not new.url("/xa-hoi/bai-cu-kieu-duong-dan-khac-12345.htm")  # matches no article pattern
    old = ArticleLinks("https://dantri.com.vn/xa-hoi/bai-cu-nam-2012-654321.htm", pattern)
    assert old.url("/xa-hoi/bai-cu-kieu-duong-dan-khac-12345.htm")  # the generic test decides


@pytest.mark.parametrize("host, key", [
    ("vnexpress.net", "vnexpress.net"), ("m.vnexpress.net", "vnexpress.net"),
    ("www.baotinhnha.com.vn", "baotinhnha.com.vn"), ("dukcqtw.dcs.vn", "dcs.vn"),
])
def test_site_key(host, key):
    assert site_key(host) == key


@pytest.mark.parametrize("body, after, expected", [
    # A link in the text, and a ">>" line: inline, no label.
    (TEXT + f"<p>Cầu nối với {A1} ở phía bắc và đủ dài.</p><p>&gt;&gt; {A2}</p>", "",
     [("inline", None, U1), ("inline", None, U2)]),
    # An in-body box with its heading: inline, labelled.
    (TEXT[:200] + f"<div class='box'><b>Tin liên quan</b><ul><li>{A1}</li><li>{A2}</li></ul></div>" + TEXT[200:], "",
     [("inline", "Tin liên quan", U1), ("inline", "Tin liên quan", U2)]),
    # "Xem thêm:" on its own line, then link lines; a text paragraph ends the list.
    (TEXT + f"<p><strong>Xem thêm:</strong></p><p>{A1}</p><p>{A2}</p>", "",
     [("inline", "Xem thêm", U1), ("inline", "Xem thêm", U2)]),
    # An un-headed card right after the body: inline.
    (TEXT, f"<div class='news-relate-one'>{A3}</div>", [("inline", None, U3)]),
    # The same article in the text and in the list under the body: in both lists.
    (TEXT + f"<p>Xem bài {A1} để biết thêm về quá trình xây.</p>",
     f"<div class='box'><h3>Tin liên quan</h3><ul><li>{A1}</li></ul></div>",
     [("inline", None, U1), ("related", "Tin liên quan", U1)]),
])
def test_lists_in_and_around_the_body(body, after, expected):
    assert article(body, after) == expected


def test_a_link_in_the_sapo_is_inline():
    assert article(sapo=f"Sapo đủ dài của bài viết, nhắc lại {A3} đã đăng tuần trước.") == [("inline", None, U3)]


@pytest.mark.parametrize("after", [
    # Tags, the section's own link in the heading, navigation.
    "<div class='tags'><span>Từ khóa:</span><a href='/tag/cau-moi-qua-song.html'>cầu mới</a></div>",
    "<div class='box'><h3><a href='/tin-lien-quan.htm'>Tin liên quan</a></h3></div>",
    "<div class='cat'><h3>Tin cùng chuyên mục</h3><a href='/thoi-su/chinh-tri.htm'>Chính trị</a>"
    "<a href='/xa-hoi/giao-duc.htm'>Giáo dục</a></div>",
    # A site-wide widget right after an empty (script-filled) box: not given to the empty box's heading.
    "<div class='lazy'><h3>Tin liên quan</h3><div class='list'></div></div>"
    f"<div class='side'><h3 class='title'>Có thể bạn quan tâm</h3><ul><li>{A1}</li><li>{A2}</li></ul></div>",
    # A heading after a list names what follows it, not the list before it.
    f"<ul class='list'><li>{A1}</li></ul><h3>Tin cùng chuyên mục</h3><div class='lazy'></div>",
])
def test_widgets_tags_and_navigation_are_never_related(after):
    assert article(after=after) == []


def test_a_profile_whose_related_selector_finds_nothing_falls_back_to_the_generic_lists():
    # The Tuổi Trẻ profile reads `div.detail__related`; this older page has a plain "Tin liên quan" box.
    url = "https://tuoitre.vn/cau-moi-qua-song-duoc-thong-xe-20120312080000123.htm"
    box = ("<div class='tlq'><h3>Tin liên quan</h3><ul><li>"
           "<a href='/khoi-cong-cau-tu-hai-nam-truoc-20100101080000456.htm'>Khởi công cầu</a></li></ul></div>")
    html = (f"<html><body><h1 class='detail-title'>Cầu mới qua sông được thông xe</h1>"
            f"<div class='detail-content'>{TEXT}</div>{box}</body></html>")
    raw = extract(html, url, fetched_at=FETCHED)
    assert raw.profile == "tuoitre"
    assert [(r.kind, r.label, urlsplit(r.url).path) for r in raw.related] == [
        ("related", "Tin liên quan", "/khoi-cong-cau-tu-hai-nam-truoc-20100101080000456.htm")]
    assert raw.sources["related"] == "headings"


def test_profile_lists_keep_their_kind_and_label():
    profile = get_profile("dukcqtw")
    html = ("<html><body><h1 class='title'>Tiêu đề bài</h1><div class='contentview'>" + TEXT + "</div>"
            "<div class='othernews'><h3>Các bài viết khác</h3><ul class='listo'>"
            "<li><a href='/tin-tuc/bai-khac-so-hai-2.aspx'>Bài khác số hai</a> <span>(1 tháng trước)</span></li>"
            "</ul></div></body></html>")
    raw = extract(html, "http://127.0.0.1:8765/tin-tuc/bai-so-mot-1.aspx", fetched_at=FETCHED, profile=profile)
    assert [(r.kind, r.label, r.title) for r in raw.related] == [
        ("same_section", "Các bài viết khác", "Bài khác số hai")]


@pytest.mark.parametrize("text, label", [("Xem thêm:", "Xem thêm"), ("» Tin liên quan »", "Tin liên quan"),
                                         ("  TIN  LIÊN QUAN ", "TIN LIÊN QUAN")])
def test_label_of(text, label):
    assert label_of(text) == label


def test_looks_like_article_reads_the_path_not_the_host():
    assert looks_like_article(urlsplit("https://a.vn/video/lu-lon-tren-song-hong-12345.htm"))
    assert not looks_like_article(urlsplit("https://a.vn/video.htm"))


def test_a_profile_without_a_section_list_gets_the_pages_own():
    url = "https://tuoitre.vn/cau-moi-qua-song-duoc-thong-xe-20260312080000123.htm"
    own = ("<div class='detail__related'><div class='box-category-item'><h3><a href='/cau-cu-20260101080000456.htm'>"
           "Cầu cũ</a></h3></div></div>")
    section = ("<div class='same'><p class='box-title'>Tin cùng chuyên mục</p>"
               "<a href='/xe-buyt-qua-cau-20260201080000789.htm'>Xe buýt qua cầu</a></div>")
    html = (f"<html><body><div class='main'><h1 class='detail-title'>Cầu mới qua sông được thông xe</h1>"
            f"<div class='detail-content'>{TEXT}</div>{own}{section}</div></body></html>")
    raw = extract(html, url, fetched_at=FETCHED)
    assert [(r.kind, urlsplit(r.url).path) for r in raw.related] == [
        ("related", "/cau-cu-20260101080000456.htm"), ("same_section", "/xe-buyt-qua-cau-20260201080000789.htm")]
    assert raw.sources["related"] == "profile+headings"


def test_a_heading_link_without_an_address_is_still_the_lists_heading():
    box = f"<div class='box'><h3><a class='title'>Tin liên quan</a></h3><ul><li>{A1}</li></ul></div>"
    assert article(after=box) == [("related", "Tin liên quan", U1)]
