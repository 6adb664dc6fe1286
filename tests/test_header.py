"""The generic reader's header fields from independent signals (issue #11): one fixture page of our own per
failure class seen on real pages, read end to end (extract without profiles, then normalize)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from lxml import html as lxml_html
from parsel import Selector

from archiver import header
from archiver.extract import extract
from archiver.generic import Page
from archiver.header import Signal, name_shaped, pick, pick_date
from archiver.normalize import normalize_article

PAGES = Path(__file__).parent / "fixtures" / "header"
URL = "https://langque.example.vn/xa-hoi/mua-lua-chin-12345.html"
FETCHED = datetime.fromisoformat("2026-06-01T12:00:00+07:00")


def read(name: str):
    html = (PAGES / name).read_text(encoding="utf-8")
    raw = extract(html, URL, fetched_at=FETCHED, generic_only=True)
    return raw, normalize_article(raw)


@pytest.mark.parametrize(
    "name, published_at, source",
    [
        # A date-only metadata value (midnight) loses to the visible minute-precise time.
        ("date_meta_midnight.html", "2019-03-24T10:15:00+07:00", "visible"),
        # A ticker's time without a date is no signal; the article's own date line is.
        ("date_ticker.html", "2020-05-15T14:20:00+07:00", "visible"),
        ("date_two_digit_year.html", "2012-11-30T16:00:00+07:00", "visible"),
        ("date_pipe_time.html", "2014-01-04T00:03:00+07:00", "visible"),
        # A recommendation popup's date is another article's.
        ("date_popup.html", "2021-02-08T07:30:00+07:00", "visible"),
        # No h1: the headline is found by the title metadata names, and the date next to the byline read.
        ("date_next_to_byline.html", "2026-03-07T08:47:00+07:00", "visible"),
        ("date_jsonld_dmy.html", "2019-03-24T08:15:00+07:00", "jsonld"),
        ("views_after_date.html", "2019-10-24T00:00:00+07:00", "visible"),
    ],
)
def test_published(name, published_at, source):
    raw, article = read(name)
    assert (article.published_at, raw.sources["published_raw"]) == (published_at, source)


@pytest.mark.parametrize(
    "name, byline, source, last_paragraph_starts",
    [
        ("byline_signature_right.html", "K. Miên", "fallback:body", "Đoạn 5"),  # source note above it dropped
        ("byline_signature_initials.html", "H.V", "fallback:body", "Đoạn 5"),  # initials are not left in the body
        ("byline_signature_after_body.html", "Hà Anh", "signature", "Đoạn 5"),
        ("byline_theo_outlet.html", None, None, "Đoạn 5"),  # "Theo VnExpress" is a source; its note dropped
        ("byline_two_authors.html", "NHẬT XUÂN - NGHI VŨ", "visible", "Đoạn 5"),
        ("byline_reference_source.html", "Lê Văn Tám", "visible", "Đoạn 5"),  # JSON-LD names the organisation
        ("date_next_to_byline.html", "Nguyên Minh", "visible", "Đoạn 5"),
    ],
)
def test_byline(name, byline, source, last_paragraph_starts):
    raw, article = read(name)
    assert (article.byline, raw.sources.get("byline_raw")) == (byline, source)
    assert article.paragraphs[-1].startswith(last_paragraph_starts)


def test_hidden_h1_is_not_the_title():
    raw, article = read("title_hidden_h1.html")
    assert (article.title, raw.sources["title"]) == ("Nông dân ven sông Hồng vào vụ gặt sớm", "visible")
    assert article.published_at == "2016-03-07T08:01:00+07:00"  # read below the visible headline


@pytest.mark.parametrize("name, views", [("views_label.html", 1234), ("views_after_date.html", 927)])
def test_views(name, views):
    raw, article = read(name)
    assert (article.views, raw.sources["views_raw"]) == (views, "visible")


@pytest.mark.parametrize(
    "markup, hidden",
    [
        ('<h1 style="display: none">x</h1>', True),
        ('<h1 style="visibility:hidden">x</h1>', True),
        ('<h1 class="title hidden">x</h1>', True),
        ('<h1 class="sr-only">x</h1>', True),
        ('<h1 aria-hidden="true">x</h1>', True),
        ("<h1 hidden>x</h1>", True),
        ('<div style="display:none"><div><h1>x</h1></div></div>', True),
        ('<h1 class="hidden-xs title">x</h1>', False),  # hidden on phones only: a reader on a computer sees it
        ('<h1 class="title">x</h1>', False),
    ],
)
def test_hidden(markup, hidden):
    root = lxml_html.fromstring(f"<html><body>{markup}</body></html>")
    assert header.hidden(next(root.iter("h1"))) is hidden


AUTHOR = (
    "<html><body><h1>Mùa lúa chín vàng trên cánh đồng ven sông Hồng</h1>{0}<div class='c'>"
    + "<p>Một đoạn văn đủ dài của bài viết để được tính là nội dung chính của trang này.</p>" * 5
    + "</div></body></html>"
)


@pytest.mark.parametrize(
    "markup, name",
    [
        ('<span class="ReferenceSourceTG">Minh Hoàng</span>', "Minh Hoàng"),
        ('<span class="author">Minh Hoàng</span>', "Minh Hoàng"),
        ('<span class="author-name">Minh Hoàng</span>', "Minh Hoàng"),
        ('<span itemprop="author">Minh Hoàng</span>', "Minh Hoàng"),
        ('<span class="author">Theo Dân trí</span>', None),
        ('<span class="author" style="display:none">Minh Hoàng</span>', None),
    ],
)
def test_author_elements(markup, name):
    page = Page(Selector(text=AUTHOR.format(markup), base_url=URL), URL)
    assert (header.visible_bylines(page) or [None])[0] == name


@pytest.mark.parametrize(
    "text, shaped",
    [
        ("K. Miên", True),
        ("H.V.", True),
        ("Hà Anh", True),
        ("XUÂN LONG", True),
        ("NHẬT XUÂN - NGHI VŨ", True),
        ("Ảnh: Hà Anh", False),
        ("Tin liên quan", False),
        ("Đoạn cuối của bài viết này rất dài.", False),
        ("Hà Nội 2024", False),
        ("hà anh", False),
    ],
)
def test_name_shaped(text, shaped):
    assert name_shaped(text) is shaped


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    "signals, chosen",
    [
        # Visible minute-precise date and metadata agreeing to the minute: metadata (it has the seconds).
        (
            [
                Signal("m", "jsonld", 0.8, "second", when("2020-01-01T08:00:30+07:00")),
                Signal("v", "visible", 0.9, "minute", when("2020-01-01T08:00:00+07:00")),
            ],
            "m",
        ),
        # Disagreeing: the visible one.
        (
            [
                Signal("m", "jsonld", 0.8, "second", when("2020-01-01T01:00:00+07:00")),
                Signal("v", "visible", 0.9, "minute", when("2020-01-01T08:00:00+07:00")),
            ],
            "v",
        ),
        # A visible date-only day and a minute-precise metadata time of that day: the metadata time.
        (
            [
                Signal("m", "meta", 0.79, "second", when("2020-01-01T08:00:00+07:00")),
                Signal("v", "visible", 0.6, "day", when("2020-01-01T00:00:00+07:00")),
            ],
            "m",
        ),
        ([], None),
    ],
)
def test_pick_date(signals, chosen):
    found = pick_date(signals)
    assert (found.value if found else None) == chosen


def test_pick_takes_the_first_of_equals():
    assert pick([Signal("a", "x", 0.5), Signal("b", "y", 0.5), Signal("c", "z", 0.1)]).value == "a"


def test_nearest_date_before_the_headline_first():
    html = AUTHOR.replace(
        "<h1>", "<div class='crumbs'>01/01/2020 07:00</div><div class='date'>02/02/2021 08:30</div><h1>"
    ).format("")
    page = Page(Selector(text=html, base_url=URL), URL)
    assert [s.value for s in header.visible_date_signals(page)][:1] == ["02/02/2021 08:30"]


def test_json_ld_author_that_is_an_outlet_loses_to_the_visible_byline():
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Tuổi Trẻ"}}'
    )
    html = AUTHOR.format('<span class="author">Minh Hoàng</span>').replace(
        "<html>", f"<html><head>{ld}</script></head>"
    )
    page = Page(Selector(text=html, base_url=URL), URL)
    assert pick(header.byline_signals(page)) == Signal("Minh Hoàng", "visible", 0.7)
