"""Selector rules as data: CSS/XPath detection, named post-processors, first/last/join."""

from __future__ import annotations

import pytest
from parsel import Selector

from archiver.selectors import (
    POST,
    Rule,
    compiled,
    compiled_first,
    element_text,
    first,
    first_match,
    first_text,
    is_xpath,
    select,
)

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


# A page where the first element of a selector is nested in another, and the first match of
# `div.box > p` sits in the inner box: a search that stopped at the outer box would miss it.
NESTED = Selector(text="""<html><body>
<div class="box" id="outer">
  <div class="box" id="inner"><p class="x"></p><p class="x">inner</p></div>
  <p class="x">outer</p>
  <a href="/one" class="t">One</a>
</div>
<div class="box"><p class="x">late</p><a class="t" href="/two">Two</a></div>
<p class="x"> </p><!-- a comment --><br>
<div class="a-b">hyphen</div><div class="ab">ab</div><div class=" b  a ">spaced</div><div>none</div>
</body></html>""")

SELECTORS = ["p.x", "div.box p.x", "div.box > p.x", "div p", "body > div p.x", "div.box a::attr(href)",
             "div.box p::text", "div.a", "div.b", "div.ab", "div.a-b", "p.x, a.t", "p + a", "p ~ a", "#inner p",
             "div:not(.box) ", "p:first-child", "p.x:nth-of-type(2)", "div.box *", "h1", "//p[@class='x']",
             "div.box::text", "div::attr(class)", "a::attr(href)"]


@pytest.mark.parametrize("expr", SELECTORS)
def test_first_match_and_first_text_agree_with_every_match(expr):
    everything = NESTED.xpath(expr) if is_xpath(expr) else NESTED.css(expr)
    roots = [s.root for s in everything]
    assert first_match(NESTED, expr) == (roots[0] if roots else None)
    texts = [t.strip() for t in (s.root if isinstance(s.root, str) else element_text(s.root) for s in everything)]
    assert first_text(NESTED, expr) == next((t for t in texts if t), "")


@pytest.mark.parametrize("expr", SELECTORS)
def test_css_translation_matches_parsel(expr):
    ours = select(NESTED, expr)
    assert ours == [s.root for s in (NESTED.xpath(expr) if is_xpath(expr) else NESTED.css(expr))]


@pytest.mark.parametrize("css, rewritten", [
    ("div.box p", True),
    ("div.box", True),
    ("div.box > p", False),  # p children of a later, inner box may come first
    ("p + a", False),
    ("p.x, a.t", False),
    ("p:nth-child(2) a", True),
    ("a.t::attr(href)", True),  # an element's attribute comes before anything inside it
    ("div.box::text", False),  # the inner box's text may come before the outer box's own
])
def test_only_selectors_whose_first_matches_are_safe_to_find_early_are_rewritten(css, rewritten):
    assert (compiled_first(css) is not compiled(css)) is rewritten


def test_element_text_of_leaves():
    comment = NESTED.root.xpath("//comment()")[0]
    assert element_text(comment) == ""
    assert element_text(NESTED.root.xpath("//br")[0]) == ""
    assert element_text(NESTED.root.xpath("//div[@class='a-b']")[0]) == "hyphen"
