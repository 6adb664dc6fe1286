"""The body reader: paragraphs, images with captions in the layouts editors use, the trailing byline."""

from __future__ import annotations

import pytest
from parsel import Selector

from archiver.body import read_body

BASE = "https://bao.vn/muc/bai-1.html"
IMG = '<p style="text-align:center"><img src="/anh/1.jpg"></p>'


def body(inner: str, **kwargs):
    sel = Selector(text=f'<html><body><figure class="lead"><img src="/anh/0.jpg"><figcaption>Ảnh đầu bài'
                        f'</figcaption></figure><div class="c">{inner}</div></body></html>')
    return read_body(sel.css("div.c")[0], BASE, **kwargs)


@pytest.mark.parametrize("inner, caption", [
    (IMG + '<p style="text-align:center"><em>Chú thích nghiêng.</em></p>', "Chú thích nghiêng."),
    (IMG + "<p>Ảnh: Minh Anh</p>", "Ảnh: Minh Anh"),
    (IMG + '<p class="image-caption">Chú thích theo lớp.</p>', "Chú thích theo lớp."),
    ('<figure><img data-src="/anh/1.jpg" src="data:x"><figcaption><p>Trong figcaption.</p>'
     "</figcaption></figure>", "Trong figcaption."),
    ('<table class="picture"><tr><td><img src="/anh/1.jpg"></td></tr><tr><td>Trong bảng ảnh.</td></tr>'
     "</table>", "Trong bảng ảnh."),
    (IMG + "<p>Một đoạn văn bình thường sau ảnh, không phải chú thích.</p>", None),
])
def test_captions(inner, caption):
    b = body(inner + "<p>Đoạn cuối của bài.</p>")
    assert [i.src for i in b.images] == ["https://bao.vn/anh/1.jpg"]
    assert b.images[0].caption == caption
    assert (caption is None) == ("Một đoạn văn bình thường sau ảnh, không phải chú thích." in b.paragraphs)


@pytest.mark.parametrize("last, byline", [
    ('<p style="text-align: right;"><strong>Thu Hà</strong></p>', "Thu Hà"),
    ('<p align="right">Nhóm phóng viên</p>', "Nhóm phóng viên"),
    ("<p><b>Minh Khôi</b></p>", "Minh Khôi"),
    ("<p>Một câu văn thường kết thúc bài báo ở đây.</p>", None),
    ('<p style="text-align:right"><strong>' + "Một đoạn rất dài " * 8 + "</strong></p>", None),
])
def test_trailing_byline(last, byline):
    b = body("<p>Đoạn một của bài.</p>" + last)
    assert b.byline == byline
    assert (byline in b.paragraphs) is False if byline else len(b.paragraphs) == 2


def test_lead_first_exclude_and_before():
    sel = Selector(text='<html><body><figure class="lead"><img src="/anh/0.jpg"><figcaption>Ảnh đầu bài'
                        '</figcaption></figure><div class="c"><p>Sapo của bài.</p><div class="notebox"><p>Hộp'
                        ' thông tin</p></div><p>Thân bài.</p></div></body></html>')
    b = read_body(sel.css("div.c")[0], BASE, exclude=("div.notebox",), lead_first=True,
                  before=tuple(sel.css("figure.lead")))
    assert b.lead == "Sapo của bài."
    assert b.paragraphs == ["Thân bài."]
    assert [(i.src, i.caption) for i in b.images] == [("https://bao.vn/anh/0.jpg", "Ảnh đầu bài")]


def test_excluding_a_box_keeps_the_first_paragraph():
    # Regression: excluded elements were kept as id()s of freed proxies, and a recycled id
    # silently dropped the body's first paragraph.
    paragraphs = "".join(f"<p>Đoạn số {n} của bài.</p>" for n in range(1, 9))
    b = body(paragraphs + '<div class="embed"><div>VIDEO: tiêu đề</div></div>', exclude=("div.embed",))
    assert b.paragraphs == [f"Đoạn số {n} của bài." for n in range(1, 9)]


def test_declared_caption_selector():
    b = body(IMG + '<div class="note-photo">Lớp riêng của trang</div><p>Tiếp.</p>',
             caption=("div.note-photo",))
    assert b.images[0].caption == "Lớp riêng của trang"


def test_a_container_may_be_the_lxml_element_itself():
    sel = Selector(text='<html><body><figure class="lead"><img src="/anh/0.jpg"></figure><div class="c">'
                        f'{IMG}<p>Ảnh: Minh Anh</p><p>Đoạn văn.</p><div class="ad">Quảng cáo</div></div></body></html>')
    kwargs = {"exclude": ("div.ad",), "before": tuple(sel.css("figure.lead"))}
    as_selector = read_body(sel.css("div.c")[0], BASE, **kwargs)
    kwargs["before"] = tuple(s.root for s in kwargs["before"])
    assert read_body(sel.css("div.c")[0].root, BASE, **kwargs) == as_selector
    assert as_selector.paragraphs == ["Đoạn văn."] and len(as_selector.images) == 2
