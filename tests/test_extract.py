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
    # Báo Tin tức's ASP.NET page, as on the saved page the profile was verified on: the byline
    # "<strong>name</strong><i> (TTXVN)</i>", related links under the sapo and a card after the byline.
    "baotintuc_like": dict(
        url="https://baotintuc.vn/xa-hoi/ha-noi-mo-them-bai-do-xe-ngam-20250820093000111.htm",
        profile="baotintuc",
        title="Hà Nội mở thêm bãi đỗ xe ngầm",
        published="2025-08-20T09:30",
        byline="Minh Anh",
        lead="Bãi đỗ xe ngầm dưới công viên Thống Nhất nhận khoảng 600 ô tô, giảm áp lực đỗ xe cho các phố lân cận.",
        paragraphs=2,
        captions=["Lối vào bãi đỗ xe dưới công viên. Ảnh: Văn Điệp/TTXVN"],
        related=["https://baotintuc.vn/xa-hoi/thu-phi-do-xe-theo-gio-20250815080000222.htm",
                 "https://baotintuc.vn/xa-hoi/ha-noi-quy-hoach-bai-do-xe-20250801070000333.htm",
                 "https://baotintuc.vn/xa-hoi/tim-cho-do-xe-bang-ung-dung-20250818100000444.htm"],
    ),
    # Tuổi Trẻ's 2026 detail page, as on the saved page the profile was verified on: a <p> sapo,
    # a highlighted content box, in-body related boxes, hidden read-more buttons, "Tin liên quan".
    "tuoitre_like": dict(
        url="https://tuoitre.vn/thanh-pho-mo-them-lan-xe-dap-doc-kenh-100251003064000123.htm",
        profile="tuoitre",
        title="Thành phố mở thêm làn xe đạp dọc kênh",
        published="2025-10-03T06:40",
        byline="HOÀI NAM",
        lead="Làn xe đạp mới dài ba cây số, tách khỏi lòng đường bằng dải phân cách màu xanh.",
        paragraphs=3,
        captions=["Người dân thử làn xe đạp mới sáng 3-10 - Ảnh: HOÀI NAM"],
        related=["https://tuoitre.vn/xe-dap-cong-cong-them-tram-100251001090000111.htm",
                 "https://tuoitre.vn/cam-o-to-do-tren-lan-xe-dap-100250920080000222.htm",
                 "https://tuoitre.vn/duong-di-bo-ven-song-100250915070000333.htm"],
    ),
    # Thanh Niên's detail page, as on the saved page the profile was verified on: the title in a
    # span inside the h1, the author's e-mail after the name, a div sapo, entity-encoded text, a
    # photo credit outside the figcaption and a video box with its own caption.
    "thanhnien_like": dict(
        url="https://thanhnien.vn/mua-lon-lam-sat-lo-duong-len-deo-185250812170500123.htm",
        profile="thanhnien",
        title="Mưa lớn làm sạt lở đường lên đèo",
        published="2025-08-12T17:05",
        byline="Quốc Bảo",
        lead="Một đoạn đường dài 200 m bị đất đá vùi lấp sau trận mưa kéo dài từ đêm qua.",
        paragraphs=3,
        captions=["Đất đá tràn xuống mặt đường"],
        related=["https://thanhnien.vn/canh-bao-mua-lon-o-vung-nui-185250811090000111.htm"],
    ),
    # VietNamNet, as on the saved page the profile was verified on: the date in the breadcrumb row,
    # the author box under the headline, in-body related cards and "tin liên quan" under the body.
    "vietnamnet_like": dict(
        url="https://vietnamnet.vn/khoi-cong-cau-vuot-nut-giao-phia-tay-2400001.html",
        profile="vietnamnet",
        title="Khởi công cầu vượt nút giao phía tây",
        published="2025-06-14T08:20",
        byline="Minh Châu",
        lead="Cây cầu vượt dài 800 m sẽ giải tỏa ùn tắc ở cửa ngõ phía tây sau hai năm thi công.",
        paragraphs=2,
        captions=["Phối cảnh cầu vượt nút giao phía tây. Ảnh: Ban quản lý dự án"],
        related=["https://vietnamnet.vn/phan-luong-nut-giao-phia-tay-2399001.html",
                 "https://vietnamnet.vn/duyet-du-an-cau-vuot-2390001.html",
                 "https://vietnamnet.vn/un-tac-cua-ngo-phia-tay-2380001.html"],
    ),
    # A VietnamPlus video article, as on the saved page the profile was verified on: the body
    # repeats the sapo, no author (meta author and og:site_name are the outlet), an agency credit,
    # and the related videos in the sidebar (not the zone's recommendation list).
    "vietnamplus_like": dict(
        url="https://www.vietnamplus.vn/doi-cuu-ho-dua-ba-ngu-dan-vao-bo-an-toan-post1000201.vnp",
        profile="vietnamplus",
        title="Đội cứu hộ đưa ba ngư dân vào bờ an toàn",
        published="2025-07-05T06:45",
        byline=None,
        lead="Ba ngư dân gặp nạn trên biển được đưa vào bờ sau sáu giờ tìm kiếm trong sóng lớn.",
        paragraphs=3,  # the repeated sapo is the body's first paragraph
        captions=[],
        related=["https://www.vietnamplus.vn/tim-kiem-ngu-dan-mat-tich-post1000101.vnp",
                 "https://www.vietnamplus.vn/canh-bao-song-lon-post1000001.vnp"],
    ),
    # A Tiền Phong photo story, as on the saved page the profile was verified on: no text in the
    # body, galleries of two figures with one figcaption after them, in-body related cards.
    "tienphong_like": dict(
        url="https://tienphong.vn/mua-lua-chin-tren-ruong-bac-thang-post1800001.tpo",
        profile="tienphong",
        title="Mùa lúa chín trên ruộng bậc thang",
        published="2025-09-20T16:10",
        byline="Hà Linh",
        lead="Những thửa ruộng bậc thang chuyển sang màu vàng, thu hút du khách lên vùng cao ngắm cảnh.",
        paragraphs=0,
        captions=["Ruộng bậc thang nhìn từ đỉnh đồi lúc sáng sớm.",
                  "Người dân gặt lúa, du khách chụp ảnh bên bờ ruộng."],
        related=["https://tienphong.vn/dia-diem-ngam-lua-chin-post1790001.tpo",
                 "https://tienphong.vn/le-hoi-mua-vang-post1780001.tpo"],
    ),
    # CafeF, as on the saved page the profile was verified on: "Theo ..." author line, p.sapo, a
    # hidden stock-quote box and an empty "TIN MỚI" box at the top of the body, "CÙNG CHUYÊN MỤC".
    "cafef_like": dict(
        url="https://cafef.vn/gia-ca-phe-lap-dinh-moi-trong-tuan-188250805094000123.chn",
        profile="cafef",
        title="Giá cà phê lập đỉnh mới trong tuần",
        published="2025-08-05T09:40",
        byline="Ngọc Hà",
        lead="Giá cà phê trong nước tăng thêm 3.000 đồng mỗi kg, mức cao nhất từ đầu năm.",
        paragraphs=2,
        captions=["Nông dân phơi cà phê sau thu hoạch."],
        related=["https://cafef.vn/gia-tieu-di-ngang-188250805080000111.chn",
                 "https://cafef.vn/xuat-khau-gao-tang-188250805070000222.chn"],
    ),
    # Người Lao Động, as on the saved page the profile was verified on: a bare <p> author, an
    # "(NLĐO)- " sapo, a Word-pasted content box with empty paragraphs, both related lists.
    "nld_like": dict(
        url="https://nld.com.vn/cho-dem-moi-mo-o-quan-trung-tam-196251120193000123.htm",
        profile="nld",
        title="Chợ đêm mới mở ở quận trung tâm",
        published="2025-11-20T19:30",
        byline="Thu Trang",
        lead="Chợ đêm có 120 gian hàng ăn uống và đồ thủ công, mở cửa đến nửa đêm.",
        paragraphs=3,
        captions=["Khách tham quan chợ đêm trong tối khai trương"],
        related=["https://nld.com.vn/pho-di-bo-mo-rong-196251118100000111.htm",
                 "https://nld.com.vn/am-thuc-duong-pho-196251110080000222.htm"],
    ),
    # Báo Chính phủ, as on the saved page the profile was verified on: no byline, the date and
    # time split by an icon, an in-body section heading, a caption-less figure, "Tham khảo thêm".
    "baochinhphu_like": dict(
        url="https://baochinhphu.vn/quy-dinh-moi-ve-xe-dap-dien-tu-thang-12-102251201081500123.htm",
        profile="baochinhphu",
        title="Quy định mới về xe đạp điện từ tháng 12",
        published="2025-12-01T08:15",
        byline=None,
        lead="Người đi xe đạp điện phải đội mũ bảo hiểm và không chở quá một người.",
        paragraphs=4,
        captions=[],
        related=["https://baochinhphu.vn/chinh-sach-moi-thang-11-102251101060000111.htm"],
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
    ("dantri_2026_like", "lead"): "(Dân trí) - " + CASES["dantri_2026_like"]["lead"],
    ("vnexpress_like", "published"): "2025-03-02T08:15",
    ("thanhnien_like", "paragraphs"): 4,  # the video caption is read as text
    ("nld_like", "lead"): "(NLĐO)- " + CASES["nld_like"]["lead"],
    ("baochinhphu_like", "lead"): "(Chinhphu.vn) - " + CASES["baochinhphu_like"]["lead"],
    ("baochinhphu_like", "paragraphs"): 3,  # the section heading is not kept
    ("baotintuc_like", "related"): [],
    # the in-body card's teaser is taken for a caption
    ("vietnamnet_like", "captions"): ["Phối cảnh cầu vượt nút giao phía tây. Ảnh: Ban quản lý dự án",
                                      "Tóm tắt của một bài khác, không phải đoạn văn của bài này."],
    ("vietnamplus_like", "paragraphs"): 2,  # the sapo's repeat in the body is dropped
    ("vietnamplus_like", "related"): [],
    ("tienphong_like", "lead"): "TPO - " + CASES["tienphong_like"]["lead"],
    ("tienphong_like", "captions"): [],
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
        "related": list(dict.fromkeys(r.url for r in article.related)),  # kinds: tests/test_related.py
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
    ("tuoitre_like", "lead", "profile"),
    ("tuoitre_like", "related", "profile"),
    ("thanhnien_like", "title", "profile"),
    ("thanhnien_like", "byline_raw", "profile"),
    ("thanhnien_like", "paragraphs", "profile"),
    ("nld_like", "byline_raw", "profile"),
    ("nld_like", "lead", "profile"),
    ("baochinhphu_like", "published_raw", "profile"),
    ("baochinhphu_like", "related", "profile"),
    ("baotintuc_like", "byline_raw", "profile"),
    ("baotintuc_like", "related", "profile"),
    ("vietnamnet_like", "published_raw", "profile"),
    ("vietnamnet_like", "byline_raw", "profile"),
    ("vietnamnet_like", "related", "profile"),
    ("vietnamplus_like", "paragraphs", "profile"),
    ("vietnamplus_like", "related", "profile"),
    ("tienphong_like", "images", "profile"),  # a photo story: the fallback does not replace it
    ("tienphong_like", "paragraphs", "profile"),
    ("tienphong_like", "related", "profile"),
    ("cafef_like", "byline_raw", "profile"),
    ("cafef_like", "lead", "profile"),
    ("cafef_like", "paragraphs", "profile"),
    ("cafef_like", "related", "profile"),
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


@pytest.mark.parametrize("html", [
    "<html><head><title>T</title></head><body><p>Hà Nội</p></body></html>",
    "  \n<p>leading and trailing space</p>\u3000\n",
    "<p>a\x00b</p>\x00 \n",  # NULs: dropped after the text is stripped, as parsel does
    "",
    "<?xml version='1.0'?><html><body><p>x</p></body></html>",  # HTML, as Scrapy's HtmlResponse has it
])
def test_parse_html_builds_the_tree_scrapy_builds(html):
    from lxml import etree
    from parsel import Selector

    from archiver.extract import parse_html

    ours = parse_html(html, "https://bao.vn/a.html").root.getroottree()
    theirs = Selector(text=html, type="html", base_url="https://bao.vn/a.html").root.getroottree()
    assert etree.tostring(ours) == etree.tostring(theirs)
    assert ours.docinfo.URL == theirs.docinfo.URL


@pytest.mark.parametrize("html, expected", [
    ('<html><head><link rel="canonical" href="/a.html"></head><body>'
     '<link rel="canonical" href="/b.html"></body></html>', "https://bao.vn/a.html"),
    ('<html><head><link rel="canonical"><link rel="canonical" href="/c.html"></head></html>', "https://bao.vn/c.html"),
    ('<html><head></head><body><link rel="canonical" href="/b.html"></body></html>', "https://bao.vn/b.html"),
    ("<html><body><p>none</p></body></html>", "https://bao.vn/x.html"),
])
def test_canonical_url_is_the_first_canonical_link_of_the_page(html, expected):
    from parsel import Selector

    assert canonical_url(Selector(text=html), "https://bao.vn/x.html") == expected


# -- fail-safe fields: a profile value that fails its sanity check gives way to the generic reader ----------

VNE_URL = "https://vnexpress.net/ho-tay-mo-them-duong-di-bo-ven-ho-4870001.html"
LD_ORG = '"author":{"@type":"Organization","name":"VnExpress"}'
LD_PERSON = '"author":{"@type":"Person","name":"Thu Hằng"}'


@pytest.mark.parametrize(("edits", "attr", "reason", "want"), [
    # the byline selector of an older layout finds the outlet's name; JSON-LD names the author
    ([(LD_ORG, LD_PERSON), ('<span id="article-end">', '<p class="author_mail"><strong>VnExpress</strong></p>'
                                                        '<span id="article-end">')],
     "byline_raw", "outlet name", "Thu Hằng"),
    # the date selector finds a date ten years ahead: the metadata's date is taken
    ([("Chủ nhật, 2/3/2025, 08:15", "2/3/2035, 08:15")], "published_raw", "in the future",
     "2025-03-02T08:15:40+07:00"),
    # the headline selector finds the site's name (a logo h1): og:title is the headline
    ([('<h1 class="title-detail">Hồ Tây mở thêm đường đi bộ ven hồ </h1>', '<h1 class="title-detail">VnExpress</h1>')],
     "title", "the site's name", "Hồ Tây mở thêm đường đi bộ ven hồ"),
])
def test_refused_profile_value_is_taken_from_the_generic_reader(edits, attr: str, reason: str, want: str):
    html = (FIXTURES / "vnexpress_like.html").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in html
        html = html.replace(old, new)
    raw = extract(html, VNE_URL, fetched_at=FETCHED)
    assert raw.profile == "vnexpress"
    assert getattr(raw, attr) == want
    assert raw.sources[attr].startswith("generic:") and f"(profile value refused: {reason})" in raw.sources[attr]
    article = normalize_article(raw)
    assert any(p.startswith(attr.removesuffix("_raw").replace("published", "published_at") + ": profile value "
                            f"refused ({reason})") for p in article.problems), article.problems


def test_refused_value_the_generic_reader_repeats_is_dropped():
    """The visible byline the generic reader finds is the same outlet name: no byline beats a wrong one."""
    html = (FIXTURES / "vnexpress_like.html").read_text(encoding="utf-8").replace(
        '<span id="article-end">', '<p class="author_mail"><strong>VnExpress</strong></p><span id="article-end">')
    raw = extract(html, VNE_URL, fetched_at=FETCHED)
    assert raw.byline_raw != "VnExpress"
    assert "profile value refused: outlet name" in raw.sources["byline_raw"]


def test_sane_profile_values_are_kept():
    raw = extract((FIXTURES / "vnexpress_like.html").read_text(encoding="utf-8"), VNE_URL, fetched_at=FETCHED)
    assert raw.problems == []
    assert {raw.sources[a] for a in ("title", "published_raw")} == {"profile"}


NAV_PARAGRAPH = "<p>" + "Hà Nội mở thêm ba tuyến buýt điện nối các khu đô thị phía tây với trung tâm. " * 3 + "</p>"
NAV_PAGE = f"""<html><head><link rel="canonical" href="https://dantri.com.vn/xa-hoi/ha-noi-them-buyt-20251105071500456.htm">
</head><body><main><div class="breadcrumb"><a href="/thoi-su.htm">Thời sự</a>
<a href="/thoi-su/chinh-tri.htm">Chính trị</a></div>
<article><h1 data-slot="title">Hà Nội thêm ba tuyến buýt điện</h1>
<ul class="sub-menu"><li><a href="/thoi-su/chinh-tri.htm">Chính trị</a></li>
<li><a href="/thoi-su/xa-hoi.htm">Xã hội</a></li></ul>
<div data-slot="content">{NAV_PARAGRAPH}{NAV_PARAGRAPH}</div>
<div class="article-related"><h3>Tin liên quan</h3><ul>
<li><a href="/xa-hoi/mua-ret-ve-som-tren-toan-mien-bac-20251104080000111.htm">Mưa rét về sớm trên toàn miền Bắc</a>
</li></ul></div>
</article><div class="section-nav"><h3>Thời sự</h3><ul><li><a href="/thoi-su/chinh-tri.htm">Chính trị</a></li>
<li><a href="/thoi-su/ban-doc.htm">Bạn đọc</a></li></ul></div></main></body></html>"""


@pytest.mark.parametrize("related", ["profile's", "none"])
def test_related_lists_a_profile_misses_come_from_the_article_never_the_navigation(related: str):
    """A dantri page whose related box the profile's selectors miss: the generic reader's article-attached
    list is taken; the section navigation (/thoi-su/chinh-tri.htm) never is."""
    profile = get_profile("dantri")
    if related == "none":
        profile = replace(profile, related=())
    raw = extract(NAV_PAGE, "https://dantri.com.vn/xa-hoi/ha-noi-them-buyt-20251105071500456.htm", profile=profile)
    assert [r.url for r in raw.related] == [
        "https://dantri.com.vn/xa-hoi/mua-ret-ve-som-tren-toan-mien-bac-20251104080000111.htm"]
    assert raw.sources["related"] == "headings"
