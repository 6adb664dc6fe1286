"""The generic body reader on old and odd layouts nobody wrote a profile for.

Each page in tests/fixtures/layouts/ is our own short article in the markup of one failure
class seen on real pages (text between <br>s, bare <div>s, a body split around an ad slot, a
mobile and a desktop copy of the article, old caption patterns); the expected values are
what a reader of the page sees.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from archiver.extract import extract
from archiver.normalize import normalize_article

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
FETCHED = datetime.fromisoformat("2026-01-01T00:00:00+07:00")

CASES = {
    # Text straight in the container, between <br>s, an image block with an italic caption after
    # a <br>; a footer of long <p>s that must not be taken for the body.
    "br_text": dict(
        url="https://baocu.example.vn/van-hoa/lang-nghe-gom-ven-song-don-khach-tro-lai-10234.html",
        lead=None,
        paragraphs=[
            "Sau nhiều năm vắng bóng, làng gốm ven sông lại nhộn nhịp với những chuyến thuyền chở khách tham quan "
            "từ sáng sớm.",
            "Các lò nung cũ được sửa lại, nghệ nhân lớn tuổi truyền nghề cho lớp thợ trẻ ngay trong sân nhà mình.",
            "Ông Tư, người có bốn mươi năm làm gốm, cho biết mỗi tháng làng bán được vài nghìn sản phẩm cho khách "
            "phương xa.",
            "Chính quyền xã dự định mở thêm bến thuyền và một phòng trưng bày để khách hiểu hơn về lịch sử làng nghề.",
        ],
        captions=["Nghệ nhân nặn bình gốm bên lò nung"],
        byline="Minh Tâm",
    ),
    # Paragraphs as bare <div>s (one wrapped in a <span>), a coloured caption in a centred <div>;
    # the footer's <p>s are longer than any one of them.
    "bare_divs": dict(
        url="https://baomiennui.example.vn/xa-hoi/cho-phien-vung-cao-mo-cua-sau-lu-20160920.html",
        lead=None,
        paragraphs=[
            "Phiên chợ đầu tiên sau trận lũ tuần trước đã họp lại từ tờ mờ sáng, người dân các bản mang nông sản "
            "xuống bán.",
            "Nhiều gian hàng dựng tạm bằng bạt, nhưng không khí mua bán vẫn đông vui như những phiên chợ trước.",
            "Bà Lò Thị Mai, người bán rau rừng, nói rằng lũ cuốn mất một phần vườn nhưng gia đình vẫn còn đủ hàng "
            "để bán.",
            "Ban quản lý chợ cho biết sẽ sửa lại lối đi trước mùa lễ hội cuối năm để du khách thuận tiện hơn.",
        ],
        captions=["Người dân mua bán tại chợ phiên sáng 20/9"],
        byline=None,
    ),
    # The body in two blocks of the same class around an ad slot: read whole.
    "split_by_ad": dict(
        url="https://nongnghiep.example.vn/nong-dan-thu-giong-lua-chiu-man-moi-post44556.html",
        lead=None,
        paragraphs=[
            "Vụ đông xuân này, hợp tác xã ven biển gieo thử mười héc-ta giống lúa chịu mặn do viện nghiên cứu "
            "chuyển giao.",
            "Sau ba tháng, ruộng thử cho năng suất gần bằng giống cũ dù độ mặn của nước tưới cao hơn hẳn mọi năm.",
            "Cán bộ khuyến nông hướng dẫn bà con cách tháo nước và bón phân để cây lúa không bị sốc khi nước mặn "
            "dâng.",
            "Nếu kết quả ổn định thêm một vụ nữa, hợp tác xã sẽ mở rộng diện tích gieo trồng ra toàn bộ cánh đồng.",
        ],
        captions=[],
        byline="Quang Huy",
    ),
    # The same article twice, for phones and for desktops: read once, its sapo apart.
    "mobile_desktop": dict(
        url="https://baoxa.example.vn/giao-duc/thu-vien-xa-mo-cua-buoi-toi-cho-hoc-sinh-998877.html",
        lead="Thư viện xã kéo dài giờ mở cửa đến chín giờ tối để học sinh có chỗ ôn bài và đọc sách sau giờ học.",
        paragraphs=[
            "Mỗi tối có khoảng bốn mươi em đến đọc sách, nhiều em đi cùng cha mẹ sau bữa cơm gia đình.",
            "Cán bộ văn hóa xã cho biết thư viện vừa nhận thêm hai trăm đầu sách do các nhà hảo tâm quyên góp.",
        ],
        captions=[],
        byline=None,
    ),
    # Old caption patterns: td.Image, <em> after a <br> in an image table, a coloured <p>, an italic
    # line after a <br>, a centred <div> of a <span>; an italic link to another article after an
    # image is a related link, not its caption.
    "caption_tables": dict(
        url="https://tinthanhpho.example.vn/van-hoa/duong-hoa-xuan-khai-mac-o-trung-tam-thanh-pho-20140125.html",
        lead=None,
        paragraphs=[
            "Tối qua, đường hoa xuân dài gần một cây số chính thức mở cửa đón khách tham quan đến hết mùng sáu Tết.",
            "Năm nay ban tổ chức dùng hơn trăm nghìn chậu hoa, nhiều loại được chuyển từ các làng hoa phía bắc vào.",
            "Lực lượng bảo vệ được bố trí dọc hai bên đường để giữ trật tự và nhắc du khách không giẫm lên thảm cỏ.",
            "Nhiều gia đình đưa trẻ nhỏ đến xem hoa từ sớm để tránh cảnh đông đúc vào giờ cao điểm buổi tối.",
            "Ban tổ chức khuyến cáo du khách gửi xe ở các bãi giữ xe tạm để không gây ùn tắc quanh khu trung tâm.",
            "Đường hoa mở cửa miễn phí từ tám giờ sáng đến mười giờ đêm trong suốt những ngày Tết.",
            "Sau Tết, phần lớn chậu hoa sẽ được đưa về trồng lại ở các công viên của thành phố.",
        ],
        captions=["Khách tham quan chụp ảnh ở cổng chính của đường hoa", "Tiểu cảnh con ngựa làm bằng hoa cúc vàng",
                  "Đèn lồng giăng dọc lối đi buổi tối", "Người dân chen nhau vào xem khu trưng bày lan",
                  "Một góc đường hoa nhìn từ trên cao"],
        byline=None,
        related=["https://tinthanhpho.example.vn/van-hoa/nam-ngoai-duong-hoa-don-hon-mot-trieu-luot-khach-20130215.html"],
    ),
}


# The same article twice in blocks of the same class (read as one body split in two): each paragraph once.
CASES["twin_copies"] = CASES["mobile_desktop"]
VARIANTS = {"twin_copies": ("mobile_desktop", {"article-mobile visible-xs": "article-content",
                                                "article-desktop hidden-xs": "article-content"})}


def read(name: str):
    case = CASES[name]
    page, changes = VARIANTS.get(name, (name, {}))
    html = (LAYOUTS / f"{page}.html").read_text(encoding="utf-8")
    for old, new in changes.items():
        html = html.replace(old, new)
    return normalize_article(extract(html, case["url"], fetched_at=FETCHED, generic_only=True))


@pytest.mark.parametrize("name", CASES)
def test_body(name):
    a = read(name)
    assert a.profile is None
    assert (a.lead, a.paragraphs) == (CASES[name]["lead"], CASES[name]["paragraphs"])


@pytest.mark.parametrize("name", CASES)
def test_captions(name):
    assert [i.caption for i in read(name).images if i.caption] == CASES[name]["captions"]


@pytest.mark.parametrize("name", CASES)
def test_byline_and_related(name):
    a = read(name)
    assert a.byline == CASES[name]["byline"]
    assert [r.url for r in a.related] == CASES[name].get("related", [])


def test_a_thin_profile_body_gives_way_to_the_pages_own_body():
    # The Dân trí profile's container matches a one-line box of this (made-up) older layout; the
    # article's text stands in another block.
    html = ("<html><body><h1 class='title-page'>Cầu mới qua sông được thông xe</h1>"
            "<div class='singular-content'><p>Mời bạn đọc xem video.</p></div>"
            "<div class='detail-old'>" + "".join(
                f"<p>Đoạn {n}: cây cầu mới nối hai bờ sông, rút ngắn đường đi của người dân hai xã ven sông.</p>"
                for n in range(1, 5)) + "</div></body></html>")
    raw = extract(html, "https://dantri.com.vn/xa-hoi/cau-moi-qua-song-123456.htm", fetched_at=FETCHED)
    assert raw.profile == "dantri"
    assert [p[:6] for p in raw.paragraphs] == ["Đoạn 1", "Đoạn 2", "Đoạn 3", "Đoạn 4"]
    assert raw.sources["paragraphs"] == "trafilatura"
    assert raw.sources["paragraphs.profile"] == "too short (22 characters)"
    assert raw.problems == ["paragraphs: profile body refused (too short (22 characters)); the generic body is kept"]
