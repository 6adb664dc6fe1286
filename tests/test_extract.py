"""`extract` on fixture pages that imitate each layout: with the site's profile, and with the fallback alone.

The fixtures in tests/fixtures/ are our own short pages in the markup of each CMS; the
expected values are what a reader of those pages sees.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from archiver.extract import canonical_url, extract, site_of, strip_url
from archiver.normalize import normalize_article
from archiver.profile import RelatedSpec, get_profile

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED = datetime.fromisoformat("2026-01-01T00:00:00+07:00")

CASES = {
    "vnexpress_like": dict(
        url="https://vnexpress.net/ho-tay-mo-them-duong-di-bo-ven-ho-4870001.html",
        profile="vnexpress",
        title="Hồ Tây mở thêm đường đi bộ ven hồ",
        published="2025-03-02T08:15",
        byline="Thu Hằng",
        lead="Quận Tây Hồ khánh thành đoạn đường đi bộ dài hai km quanh hồ, có ghế nghỉ và đèn chiếu sáng.",
        paragraphs=2,
        captions=["Người dân đi dạo trên đoạn đường mới sáng 2/3. Ảnh: Minh Khôi"],
        related=[],
    ),
    "article_cms_like": dict(
        url="https://nhandan.vn/khanh-thanh-cau-moi-qua-song-hong-post880001.html",
        profile="nhandan",
        title="Khánh thành cầu mới qua sông Hồng",
        published="2025-04-10T09:05",
        byline="HN",
        lead="Sáng 10/4, thành phố khánh thành cây cầu thứ bảy bắc qua sông Hồng, "
             "rút ngắn đường sang bờ bắc.",
        paragraphs=2,
        captions=["Cây cầu mới nhìn từ trên cao. (Ảnh: THÀNH ĐẠT)"],
        related=["https://nhandan.vn/thong-xe-cau-tam-post870001.html",
                 "https://nhandan.vn/ke-hoach-xay-cau-post860001.html"],
    ),
    "detail_cms_like": dict(
        url="https://tuoitre.vn/mo-ban-ve-tau-tet-som-mot-thang-100250915073000123.htm",
        profile="tuoitre",
        title="Mở bán vé tàu Tết sớm một tháng",
        published="2025-09-15T07:30",
        byline="LAN ANH - ĐỨC MINH",
        lead="Ngành đường sắt mở bán vé tàu dịp Tết từ giữa tháng 9, sớm hơn mọi năm một tháng.",
        paragraphs=2,
        captions=["Hành khách xếp hàng mua vé ở ga Sài Gòn - Ảnh: LAN ANH"],
        related=["https://tuoitre.vn/gia-ve-tau-tet-tang-nhe-100250914100000111.htm",
                 "https://tuoitre.vn/them-doan-tau-dem-100250901080000222.htm"],
    ),
    "dantri_like": dict(
        url="https://dantri.com.vn/kinh-doanh/nong-dan-trung-mua-vai-thieu-20250612083000123.htm",
        profile="dantri",
        title="Nông dân trúng mùa vải thiều",
        published="2025-06-12T08:30",
        byline="Ngọc Hà",
        lead="Vụ vải năm nay được mùa, giá bán tại vườn cao hơn năm ngoái khoảng 20%.",
        paragraphs=2,
        captions=["Vải thiều chín đỏ trên cành (Ảnh: Ngọc Hà)."],
        related=["https://dantri.com.vn/kinh-doanh/gia-vai-tang-20250610090000111.htm"],
    ),
    # The 2026 redesign (data-slot markup), as on the saved page the profile was verified on.
    "dantri_2026_like": dict(
        url="https://dantri.com.vn/xa-hoi/ha-noi-them-ba-tuyen-buyt-dien-20251105071500456.htm",
        profile="dantri",
        title="Hà Nội thêm ba tuyến buýt điện",
        published="2025-11-05T07:15",
        byline="Minh Châu",
        lead="Từ đầu tháng 11, ba tuyến buýt điện mới nối trung tâm với các khu đô thị phía tây.",
        paragraphs=3,
        captions=["Xe buýt điện đón khách ở điểm đầu tuyến (Ảnh: Minh Châu)."],
        related=[],
    ),
    "unprofiled_site": dict(
        url="https://baotinhnha.vn/van-hoa/le-hoi-hoa-ban-khai-mac-12346.html",
        profile=None,
        title="Lễ hội hoa ban khai mạc ở Điện Biên",
        published="2025-03-08T20:00",
        byline="Hoàng Sơn",
        lead="Lễ hội hoa ban năm nay kéo dài ba ngày với nhiều hoạt động văn hóa của đồng bào các dân tộc.",
        paragraphs=3,
        captions=["Các nghệ nhân biểu diễn múa xòe trong đêm khai mạc."],
        related=["https://baotinhnha.vn/van-hoa/chuan-bi-le-hoi-hoa-ban-12345.html",
                 "https://baotinhnha.vn/van-hoa/mua-hoa-ban-no-tren-nui-12344.html"],
    ),
}

# What the generic reader alone gets differently on the same pages (it has no site knowledge).
GENERIC_DIFFERS = {
    ("dantri_like", "lead"): "(Dân trí) - " + CASES["dantri_like"]["lead"],
    ("detail_cms_like", "byline"): "LAN ANH",
    ("detail_cms_like", "related"): ["https://tuoitre.vn/gia-ve-tau-tet-tang-nhe-100250914100000111.htm"],
    ("dantri_like", "related"): [],
    ("dantri_2026_like", "lead"): "(Dân trí) - " + CASES["dantri_2026_like"]["lead"],
    ("vnexpress_like", "published"): "2025-03-02T08:15",
}


def run(name: str, generic_only: bool = False):
    case = CASES[name]
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    raw = extract(html, case["url"], fetched_at=FETCHED, generic_only=generic_only)
    return raw, normalize_article(raw)


def observed(article) -> dict:
    return {
        "title": article.title,
        "published": (article.published_at or "")[:16],
        "byline": article.byline,
        "lead": article.lead,
        "paragraphs": len(article.paragraphs),
        "captions": [i.caption for i in article.images if i.caption],
        "related": [r.url for r in article.related],
    }


@pytest.mark.parametrize("name", CASES)
def test_profile_path(name):
    case = CASES[name]
    raw, article = run(name)
    assert raw.profile == case["profile"] and article.profile == case["profile"]
    got = observed(article)
    for key, value in got.items():
        assert value == case[key], key


@pytest.mark.parametrize("name", CASES)
def test_generic_path(name):
    case = CASES[name]
    raw, article = run(name, generic_only=True)
    assert raw.profile is None
    got = observed(article)
    for key, value in got.items():
        assert value == GENERIC_DIFFERS.get((name, key), case[key]), key


@pytest.mark.parametrize("name, field, source", [
    ("vnexpress_like", "title", "profile"),
    ("vnexpress_like", "byline_raw", "profile:body"),  # the right-aligned bold last paragraph
    ("vnexpress_like", "paragraphs", "profile"),
    ("article_cms_like", "related", "profile"),
    ("unprofiled_site", "title", "jsonld"),
    ("unprofiled_site", "published_raw", "jsonld"),
    ("unprofiled_site", "paragraphs", "trafilatura"),
    ("unprofiled_site", "lead", "visible"),
    ("unprofiled_site", "byline_raw", "fallback:body"),  # the JSON-LD author is an organisation
    ("unprofiled_site", "related", "headings"),
])
def test_every_field_records_its_path(name, field, source):
    raw, article = run(name)
    assert raw.sources[field] == source
    assert article.sources[field] == source


def test_a_profile_field_that_finds_nothing_falls_back():
    # The vnexpress profile has no views rule and the page shows none: nothing is invented.
    raw, _ = run("vnexpress_like")
    assert raw.views_raw is None and "views_raw" not in raw.sources
    # Its related list is a JavaScript component: empty, and not filled from sidebars.
    assert raw.related == []


def test_a_broken_selector_costs_one_field_not_the_page():
    profile = get_profile("dantri")
    broken = replace(profile, related=(RelatedSpec(item="//["),),
                     body=replace(profile.body, container=("//[",)))
    html = (FIXTURES / "dantri_like.html").read_text(encoding="utf-8")
    raw = extract(html, CASES["dantri_like"]["url"], fetched_at=FETCHED, profile=broken)
    assert raw.title == "Nông dân trúng mùa vải thiều"
    assert "related.error" in raw.sources and "body.error" in raw.sources
    assert raw.sources["paragraphs"] == "trafilatura"  # the fallback read the body instead
    assert len(raw.paragraphs) == 2


@pytest.mark.parametrize("url, expected", [
    ("https://www.nhandan.vn/a-post1.html?utm_source=fb&id=3#top", "https://www.nhandan.vn/a-post1.html?id=3"),
    ("https://x.vn/a?fbclid=1&gidzl=2", "https://x.vn/a"),
    ("HTTPS://X.VN", "https://x.vn/"),
])
def test_strip_url(url, expected):
    assert strip_url(url) == expected


def test_canonical_url_of_another_site_is_ignored():
    from parsel import Selector

    sel = Selector(text='<link rel="canonical" href="https://other.vn/x.html">')
    assert canonical_url(sel, "https://www.bao.vn/y.html") == "https://www.bao.vn/y.html"
    assert site_of("https://www.bao.vn/y.html") == "bao.vn"
