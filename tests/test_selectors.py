"""Selector rules as data: CSS/XPath detection, named post-processors, first/last/join."""

from __future__ import annotations

import pytest
from parsel import Selector

from archiver.selectors import POST, Rule, element_text, first, is_xpath

PAGE = Selector(text="""<html><body>
<div class="meta"><span class="date">12/03/2025 | 1.234</span></div>
<div class="authors"><a class="name">Lan Anh</a><a class="name">Đức Minh</a><a class="name">Lan Anh</a></div>
<p class="sapo">TPO - Sáng nay, mưa lớn.</p>
<p class="mix">Giá <a>xăng</a>, dầu<br>giảm <script>var x;</script>nhẹ</p>
</body></html>""")


@pytest.mark.parametrize("expr, xpath", [
    ("h1.title", False),
    ("meta[property='og:title']::attr(content)", False),
    ("//h1", True),
    ("./p", True),
    ("@href", True),
    ("a/@href", True),
    ("(//time)[1]", True),
    ("div.x > p", False),
])
def test_is_xpath(expr, xpath):
    assert is_xpath(expr) is xpath


@pytest.mark.parametrize("name, text, expected", [
    ("strip_parens", "(2 giờ trước)", "2 giờ trước"),
    ("date_part", "12/03/2025 | 1.234", "12/03/2025"),
    ("views_part", "12/03/2025 | 1.234", "1.234"),
    ("views_part", "12/03/2025", ""),
    ("after_colon", "Lượt xem: 1.234", "1.234"),
    ("strip_theo", "Theo Minh Anh", "Minh Anh"),
    ("strip_theo", "Bài và ảnh: Thu Hà", "Thu Hà"),
    ("strip_theo", "Theodore Nguyễn", "Theodore Nguyễn"),
    ("before_bullet", "Đỗ Trung • 07:12 ngày 24/03/2024", "Đỗ Trung"),
    ("after_bullet", "Đỗ Trung • 07:12 ngày 24/03/2024", "07:12 ngày 24/03/2024"),
    ("strip_source_tag", "(Dân trí) - Vụ vải năm nay được mùa.", "Vụ vải năm nay được mùa."),
    ("strip_source_tag", "TPO - Sáng nay, mưa lớn.", "Sáng nay, mưa lớn."),
    ("strip_source_tag", "Hà Nội có mưa - nhiệt độ giảm.", "Hà Nội có mưa - nhiệt độ giảm."),
])
def test_post_processors(name, text, expected):
    assert POST[name](text) == expected


@pytest.mark.parametrize("rule, expected", [
    (Rule("span.date", ("date_part",)), "12/03/2025"),
    (Rule("span.date", ("views_part",)), "1.234"),
    (Rule("a.name"), "Lan Anh"),
    (Rule("a.name", last=True), "Lan Anh"),
    (Rule("a.name", join=" - "), "Lan Anh - Đức Minh"),  # joined once each, in order
    (Rule("p.sapo", ("strip_source_tag",)), "Sáng nay, mưa lớn."),
    (Rule("//div[@class='authors']/a[2]"), "Đức Minh"),
    (Rule("h2.missing"), None),
])
def test_rule_apply(rule, expected):
    assert rule.apply(PAGE) == expected


def test_first_rule_that_gives_text_wins():
    assert first(PAGE, (Rule("h1"), Rule("p.sapo"), Rule("span.date"))) == "TPO - Sáng nay, mưa lớn."


def test_element_text_joins_inline_nodes_without_spaces_and_skips_scripts():
    assert element_text(PAGE.css("p.mix")[0].root) == "Giá xăng, dầu giảm nhẹ"
