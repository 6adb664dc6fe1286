"""A deterministic replica of the seed site (Đảng ủy Khối các cơ quan Trung ương).

Every page is a pure function of (seed, size, clock): nothing is stored, so a test
can ask for 20 articles and a benchmark for 100,000. The replica also knows what
each article page should extract to (`expected`), which is the ground truth the
crawl tests compare the archive with.

Markup follows the ASP.NET news module described in DEVELOPERS.md: `h1.title`,
`div.tool > div.date + div.view`, body `div.contentview`, and a `div.titleo`
heading "Các bài viết khác" over boxed `a.o` items and a bulleted list.

Realistic variation, each on a fixed residue of the article id so that even a
20-article site shows all of it: no views, no images, no byline, captions
without "Ảnh:", NFD text, "Ð" (U+00D0) for "Đ", a sibling link that 404s, and
one page with broken markup (no title) that the crawl must log and skip.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from html import escape
from zoneinfo import ZoneInfo

from archiver.text import fold

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SITE_NAME = "Đảng ủy Khối các cơ quan Trung ương"
PER_PAGE = 10  # articles per listing page
BOXED = 4  # boxed sibling entries ("a.o"), then bulleted ones
BULLETED = 6

CATEGORIES = [
    ("tin-tuc-su-kien", "Tin tức - Sự kiện"),
    ("xay-dung-dang", "Xây dựng Đảng"),
    ("hoat-dong-co-so", "Hoạt động cơ sở"),
    ("van-ban-chi-dao", "Văn bản chỉ đạo"),
]

# Our own sentences, assembled at random: subject + action + object + circumstance.
_EVENTS = [
    "Hội nghị sơ kết công tác xây dựng Đảng",
    "Hội nghị giao ban trực tuyến toàn ngành tổ chức",
    "Lễ trao Huy hiệu Đảng cho đảng viên lão thành",
    "Hội thảo khoa học về đổi mới phương thức lãnh đạo",
    "Hội nghị Ban Thường vụ Đảng ủy Khối phiên thường kỳ",
    "Lớp bồi dưỡng nghiệp vụ công tác kiểm tra, giám sát",
    "Chương trình gặp mặt đầu xuân",
    "Đại hội chi bộ điểm nhiệm kỳ mới",
    "Hội nghị tổng kết công tác dân vận",
    "Cuộc thi tìm hiểu lịch sử Đảng bộ Khối",
]
_SUBJECTS = [
    "Đảng ủy Khối các cơ quan Trung ương",
    "Ban Thường vụ Đảng ủy Khối",
    "Ủy ban Kiểm tra Đảng ủy Khối",
    "Ban Tổ chức Đảng ủy Khối",
    "các đảng ủy trực thuộc",
    "Đoàn Thanh niên Khối",
    "Công đoàn Viên chức Việt Nam",
]
_ACTIONS = [
    "đã tổ chức",
    "tiếp tục triển khai",
    "quán triệt và thực hiện",
    "chỉ đạo sơ kết",
    "ban hành hướng dẫn về",
    "đánh giá kết quả",
]
_OBJECTS = [
    "công tác bảo vệ chính trị nội bộ",
    "việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "công tác phát triển đảng viên trong đoàn viên thanh niên",
    "chương trình chuyển đổi số trong các cơ quan đảng",
    "quy chế làm việc của cấp ủy nhiệm kỳ 2020 - 2025",
    "công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "việc nâng cao chất lượng sinh hoạt chi bộ",
    "phong trào thi đua yêu nước trong cán bộ, công chức",
]
_CIRCUMSTANCES = [
    "tại Hà Nội",
    "theo hình thức trực tiếp kết hợp trực tuyến",
    "với sự tham dự của đại diện lãnh đạo các ban, đơn vị",
    "trong bối cảnh nhiệm vụ chính trị ngày càng nặng nề",
    "nhằm chuẩn bị cho đại hội đảng bộ các cấp",
    "góp phần xây dựng Đảng bộ trong sạch, vững mạnh",
]
_COMMENTS = [
    "Các đại biểu đã thảo luận, chỉ rõ những tồn tại, hạn chế và nguyên nhân",
    "Báo cáo nêu rõ nhiều kết quả quan trọng đạt được trong năm qua",
    "Hội nghị thống nhất cao với các giải pháp được đề xuất",
    "Nhiều ý kiến tham luận tập trung vào khó khăn, vướng mắc ở cơ sở",
    "Đồng chí Bí thư Đảng ủy Khối biểu dương tinh thần trách nhiệm của các đơn vị",
    "Các cấp ủy cần chủ động nắm tình hình tư tưởng của cán bộ, đảng viên",
]
_PEOPLE = ["Minh Phương", "Hồ Hương", "Thu Hà", "Đức Anh", "Lan Chi", "Quang Đạo", "Ngọc Diệp", "Trần Đông"]
_PHOTO = [
    "Đồng chí Bí thư Đảng ủy Khối phát biểu tại Hội nghị",
    "Toàn cảnh Hội nghị",
    "Đại biểu phát biểu tham luận",
    "Các đại biểu dự Hội nghị",
    "Lãnh đạo Đảng ủy Khối trao Huy hiệu Đảng",
    "Quang cảnh buổi làm việc",
]


def relative_label(age: timedelta) -> tuple[str, str, int]:
    """How the site writes an age: ("10 ngày trước", "day", 10)."""
    days = age.days
    if days >= 365:
        return f"{days // 365} năm trước", "year", days // 365
    if days >= 30:
        return f"{days // 30} tháng trước", "month", days // 30
    if days >= 1:
        return f"{days} ngày trước", "day", days
    hours = max(1, age.seconds // 3600)
    return f"{hours} giờ trước", "hour", hours


@dataclass(frozen=True)
class Variation:
    """Which realistic quirks an article page has: fixed residues of its id."""

    no_views: bool
    no_images: bool
    no_byline: bool
    bare_captions: bool  # captions without "Ảnh:"
    nfd: bool  # text in decomposed Unicode
    eth: bool  # "Ð" (U+00D0) written for "Đ"
    dead_sibling: bool  # one sibling link answers 404
    broken: bool  # truncated markup without a title

    @classmethod
    def of(cls, i: int, broken_id: int) -> Variation:
        return cls(
            no_views=i % 7 == 3,
            no_images=i % 5 == 2,
            no_byline=i % 6 == 4,
            bare_captions=i % 3 == 1,
            nfd=i % 8 == 5,
            eth=i % 9 == 6,
            dead_sibling=i % 10 == 7,
            broken=i == broken_id,
        )


@dataclass(frozen=True)
class ReplicaArticle:
    id: int
    category: str
    title: str
    published: datetime
    views: int | None
    lead: str
    paragraphs: tuple[str, ...]
    images: tuple[tuple[str, str, int], ...]  # (src path, caption, index of paragraph it follows)
    byline: str | None
    variation: Variation


class ReplicaSite:
    """The replica: `articles` article pages plus listings, from `seed`, against `clock`."""

    def __init__(self, articles: int = 20, seed: int = 0, clock: datetime | None = None, layout: int = 1):
        if articles < 1:
            raise ValueError("the replica needs at least one article")
        self.size = articles
        self.seed = seed
        # The site's "now": relative dates on pages are written against it. Truncated to
        # the minute so that pages do not change during a crawl.
        self.clock = (clock or datetime.now(TZ)).astimezone(TZ).replace(second=0, microsecond=0)
        self.broken_id = min(13, articles)
        # Layout 2 is a redesign, as sites do without notice: the date-and-views line and the byline move
        # into new markup the profile does not know. The monitor must notice (tests/test_monitor.py).
        self.layout = layout
        # Publication times go back from the clock, one article every ~9 hours, so a
        # small site has siblings "giờ/ngày trước" and a large one "tháng/năm trước".
        self.interval = timedelta(hours=9, minutes=17)

    def grown(self, articles: int) -> ReplicaSite:
        """The same site later, with `articles` articles: the old ones keep their ids, URLs and text, the
        new ones were published since, one interval apart (the clock moves on by as many intervals)."""
        later = self.clock + self.interval * (articles - self.size)
        return ReplicaSite(articles, self.seed, clock=later, layout=self.layout)

    # --- the model -----------------------------------------------------------------

    def category_of(self, i: int) -> str:
        return CATEGORIES[i % len(CATEGORIES)][0]

    def path(self, i: int) -> str:
        if i > self.size:  # a sibling that was deleted: the link stays, the page 404s
            return f"/{self.category_of(i)}/bai-da-go-{i}.aspx"
        return f"/{self.category_of(i)}/{self.slug(i)}-{i}.aspx"

    def slug(self, i: int) -> str:
        words = [w for w in fold(self._title(i)).replace(",", " ").split() if w.isalnum()]
        return "-".join(words[:12])

    def published(self, i: int) -> datetime:
        return (self.clock - self.interval * (self.size - i + 1)).replace(second=0)

    def _rng(self, i: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + i)

    def _title(self, i: int) -> str:
        rng = self._rng(i)
        event = rng.choice(_EVENTS)
        subject = rng.choice(_SUBJECTS)
        return f"{event} của {subject} năm {2018 + i % 8}"

    def article(self, i: int) -> ReplicaArticle:
        rng = self._rng(i)
        rng.random()  # the title used the first draws
        var = Variation.of(i, self.broken_id)
        paragraphs = tuple(self._sentence(rng) for _ in range(rng.randint(3, 7)))
        images: list[tuple[str, str, int]] = []
        if not var.no_images:
            for k in range(rng.randint(1, 3)):
                caption = rng.choice(_PHOTO)
                images.append((f"/Uploads/images/{i}/anh-{k + 1}.jpg", caption, min(k * 2, len(paragraphs) - 1)))
        return ReplicaArticle(
            id=i,
            category=self.category_of(i),
            title=self._title(i),
            published=self.published(i),
            views=None if var.no_views else rng.randint(40, 40_000),
            lead=self._sentence(rng) + " " + self._sentence(rng),
            paragraphs=paragraphs,
            images=tuple(images),
            byline=None if var.no_byline else rng.choice(_PEOPLE),
            variation=var,
        )

    @staticmethod
    def _sentence(rng: random.Random) -> str:
        first = f"{rng.choice(_SUBJECTS)} {rng.choice(_ACTIONS)} {rng.choice(_OBJECTS)} {rng.choice(_CIRCUMSTANCES)}."
        first = first[0].upper() + first[1:]
        return f"{first} {rng.choice(_COMMENTS)}; {rng.choice(_OBJECTS)} được chú trọng."

    def siblings(self, i: int) -> list[int]:
        """The "Các bài viết khác" list: the newest articles of the category, not i itself."""
        n = len(CATEGORIES)
        newest = self.size - (self.size - i) % n
        ids = [j for j in range(newest, 0, -n) if j != i][: BOXED + BULLETED]
        if Variation.of(i, self.broken_id).dead_sibling and ids:
            ids[-1] = self.size + i  # beyond the site: 404
        return ids

    def sibling_date(self, j: int) -> tuple[str, bool]:
        """(text, relative): most siblings show an age, every fifth an absolute date."""
        published = self.published(j) if j <= self.size else self.clock - timedelta(days=400)
        if j % 5 == 0:
            return published.strftime("%d/%m/%Y"), False
        return relative_label(self.clock - published)[0], True

    def listing_ids(self, category: str, page: int) -> list[int]:
        ids = self.category_ids(category)
        return ids[(page - 1) * PER_PAGE : page * PER_PAGE]

    def category_ids(self, category: str) -> range:
        k = [c for c, _ in CATEGORIES].index(category)
        n = len(CATEGORIES)
        newest = self.size - ((self.size - k) % n)
        return range(newest, 0, -n)

    def pages_in(self, category: str) -> int:
        return max(1, -(-len(self.category_ids(category)) // PER_PAGE))

    def planted_faults(self) -> dict[str, int]:
        """How many pages carry each deliberate fault or quirk: `archiver demo` explains them after its
        summary, so that a newcomer knows the errors and the drop it reports are the replica's."""
        ids = range(1, self.size + 1)
        variations = [Variation.of(i, self.broken_id) for i in ids]
        dead = {j for i in ids if i != self.broken_id for j in self.siblings(i) if j > self.size}
        counts = {"dead_links": len(dead), "broken": sum(v.broken for v in variations)}
        for quirk in ("no_views", "no_images", "no_byline", "nfd", "eth"):
            counts[quirk] = sum(getattr(v, quirk) for v in variations if not v.broken)
        return counts

    # --- ground truth ----------------------------------------------------------------

    def expected(self, i: int, base_url: str) -> dict | None:
        """What `archiver extract` should give for article i (None: the page must be dropped).

        Related dates are not here: they depend on when the page was fetched; see
        `expected_related_dates`.
        """
        a = self.article(i)
        if a.variation.broken:
            return None
        return {
            "url": base_url + self.path(i),
            "title": a.title,
            "published_at": a.published.replace(hour=0, minute=0).isoformat(),
            "published_raw": a.published.strftime("%d/%m/%Y"),
            "views": a.views,
            "byline": a.byline,
            "lead": a.lead,
            "paragraphs": list(a.paragraphs),
            "images": [{"src": base_url + src, "caption": self._caption(a, cap)} for src, cap, _ in a.images],
            "related": [
                {"title": self._title(j) if j <= self.size else self._dead_title(j),
                 "url": base_url + self.path(j), "date_raw": self.sibling_date(j)[0]}
                for j in self.siblings(i)
            ],
        }

    def expected_related_dates(self, i: int, fetched_at: datetime) -> list[tuple[str, str]]:
        """(date ISO, precision) of each sibling as a reader fetching at `fetched_at` would resolve it."""
        out = []
        for j in self.siblings(i):
            text, relative = self.sibling_date(j)
            if not relative:
                d = datetime.strptime(text, "%d/%m/%Y").replace(tzinfo=TZ)
                out.append((d.isoformat(), "day"))
                continue
            n, unit = int(text.split()[0]), text.split()[1]
            now = fetched_at.astimezone(TZ)
            if unit == "giờ":
                out.append(((now - timedelta(hours=n)).replace(minute=0, second=0, microsecond=0).isoformat(), "hour"))
            elif unit == "ngày":
                out.append((_midnight(now - timedelta(days=n)).isoformat(), "day"))
            elif unit == "tháng":
                out.append((_midnight(_months_back(now, n)).replace(day=1).isoformat(), "month"))
            else:
                out.append((_midnight(now.replace(year=now.year - n, month=1, day=1)).isoformat(), "year"))
        return out

    @staticmethod
    def _dead_title(j: int) -> str:
        return f"Bài viết số {j} đã được gỡ"

    @staticmethod
    def _caption(a: ReplicaArticle, caption: str) -> str:
        return caption if a.variation.bare_captions else f"Ảnh: {caption}"

    # --- rendering -------------------------------------------------------------------

    def _text(self, a: ReplicaArticle, s: str) -> str:
        """Apply the page's encoding quirks, then escape for HTML."""
        if a.variation.eth:
            s = s.replace("Đ", "\u00d0")
        if a.variation.nfd:
            s = unicodedata.normalize("NFD", s)
        return escape(s)

    def render_article(self, i: int) -> str:
        a = self.article(i)
        t = lambda s: self._text(a, s)  # noqa: E731 - a local shorthand keeps the template readable
        body: list[str] = [f'<p style="text-align: justify;">{t(a.lead)}</p>']
        images = {k: [] for k in range(len(a.paragraphs))}
        for src, cap, after in a.images:
            images[after].append((src, cap))
        for k, p in enumerate(a.paragraphs):
            for src, cap in images[k]:
                body.append(f'<p style="text-align: center;"><img alt="" src="{src}" style="width: 600px;" /></p>')
                body.append(f'<p style="text-align: center;"><em>{t(self._caption(a, cap))}</em></p>')
            body.append(f'<p style="text-align: justify;">{t(p)}</p>')
        if a.byline and self.layout == 1:
            body.append(f'<p style="text-align: right;"><strong>{t(a.byline)}</strong></p>')
        body.append("<p>&nbsp;</p>")
        views = f"{a.views:,}".replace(",", ".") if a.views is not None else None  # Vietnamese thousands
        if self.layout == 1:
            tool = f'<div class="date">{a.published.strftime("%d/%m/%Y")}</div>'
            tool += f'<div class="view">{views}</div>' if views else ""
        else:
            tool = f'<span class="ngay">{a.published.strftime("%d/%m/%Y")}</span>'
            tool += f'<span class="luot">{views}</span>' if views else ""
            tool += f'<span class="ft">{t(a.byline)}</span>' if a.byline else ""
        title = f'<h1 class="title">{t(a.title)}</h1>'
        if a.variation.broken:  # a CMS hiccup: the header is lost and the page stops mid-body
            return (
                '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8" /></head><body>'
                '<div class="main"><div class="newsdetail"><div class="contentview">' + body[0][:120]
            )
        main = (
            f'<div class="newsdetail">{title}<div class="{"tool" if self.layout == 1 else "thongtin"}">{tool}</div>'
            f'<div class="contentview">{"".join(body)}</div></div>{self._others(i)}'
        )
        return self._page(a.title, main, canonical=self.path(i))

    def _others(self, i: int) -> str:
        boxed, bulleted = [], []
        for n, j in enumerate(self.siblings(i)):
            title = escape(self._title(j) if j <= self.size else self._dead_title(j))
            date = escape(self.sibling_date(j)[0])
            href = self.path(j)
            if n < BOXED:
                boxed.append(
                    f'<a class="o" href="{href}"><img src="/Uploads/thumbs/{j}.jpg" alt="{title}" />'
                    f"<p>{title}</p><span>{date}</span></a>"
                )
            else:
                bulleted.append(f'<li>• <a href="{href}">{title}</a> <span>({date})</span></li>')
        return (
            '<div class="othernews"><div class="titleo">Các bài viết khác</div>'
            f'<div class="boxo">{"".join(boxed)}</div><ul class="listo">{"".join(bulleted)}</ul></div>'
        )

    def render_listing(self, category: str, page: int) -> str | None:
        if category not in dict(CATEGORIES) or not 1 <= page <= self.pages_in(category):
            return None
        items = []
        for j in self.listing_ids(category, page):
            items.append(
                f'<div class="item"><a class="tit" href="{self.path(j)}">{escape(self._title(j))}</a>'
                f'<span class="date">{self.published(j).strftime("%d/%m/%Y")}</span></div>'
            )
        pager = []
        if page > 1:
            pager.append(f'<a href="/{category}.aspx?page={page - 1}">« Trang trước</a>')
        if page < self.pages_in(category):
            pager.append(f'<a class="next" href="/{category}.aspx?page={page + 1}">Trang sau »</a>')
        name = dict(CATEGORIES)[category]
        main = f'<div class="listnews"><h2 class="cat">{escape(name)}</h2>{"".join(items)}' \
               f'<div class="pager">{"".join(pager)}</div></div>'
        return self._page(name, main, canonical=f"/{category}.aspx?page={page}")

    def render_home(self) -> str:
        latest = "".join(
            f'<li><a href="{self.path(j)}">{escape(self._title(j))}</a></li>'
            for j in range(self.size, max(0, self.size - PER_PAGE), -1)
        )
        return self._page(SITE_NAME, f'<div class="home"><h2>Tin mới</h2><ul>{latest}</ul></div>', canonical="/")

    def _page(self, title: str, main: str, canonical: str | None = None) -> str:
        menu = "".join(f'<li><a href="/{c}.aspx?page=1">{escape(n)}</a></li>' for c, n in CATEGORIES)
        link = f'<link rel="canonical" href="{canonical}" />' if canonical else ""
        return (
            '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8" />'
            f"<title>{escape(title)} - {SITE_NAME}</title>{link}</head><body>"
            f'<div id="header"><a href="/">{SITE_NAME}</a><ul class="menu">{menu}</ul></div>'
            f'<div class="main">{main}</div><div id="footer">Bản quyền thuộc về {SITE_NAME}</div>'
            "</body></html>"
        )

    @cached_property
    def robots(self) -> str:
        return "User-agent: *\nDisallow: /admin/\n"


def _midnight(d: datetime) -> datetime:
    return d.replace(hour=0, minute=0, second=0, microsecond=0)


def _months_back(d: datetime, n: int) -> datetime:
    month = d.month - n
    year = d.year + (month - 1) // 12
    return d.replace(year=year, month=(month - 1) % 12 + 1, day=1)
