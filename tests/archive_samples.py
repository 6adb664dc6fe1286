"""Sample articles shared by the archive tests (store, queries, export, CLI, Datasette)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from archiver.items import Article, Image, Related
from archiver.store import Archive

DANG = Article(
    url="https://vnexpress.net/dang-uy-khoi-hop-1.html",
    site="vnexpress",
    title="Đảng ủy Khối họp phiên thường kỳ",
    published_at="2024-05-01T08:30:00+07:00",
    published_raw="Thứ tư, 1/5/2024, 08:30 (GMT+7)",
    views=1200,
    byline="Minh Anh",
    lead="Hội nghị Đảng ủy Khối diễn ra tại Hà Nội.",
    paragraphs=["Đoàn công tác đến từ Đà Nẵng.", "Các đại biểu thảo luận về kinh tế."],
    images=[Image("https://i.vnecdn.net/a.jpg", "Toàn cảnh hội nghị"), Image("https://i.vnecdn.net/b.jpg")],
    related=[
        Related(
            "Bài liên quan",
            "https://vnexpress.net/bai-lien-quan-2.html",
            "2 giờ trước",
            "2024-05-02T06:00:00+07:00",
            "hour",
            kind="related",
            label="Tin liên quan",
        ),
    ],
    published_precision="minute",
    byline_raw="Theo Minh Anh",
    fetched_at="2024-05-02T08:00:00+07:00",
    profile="vnexpress",
    sources={"title": "profile", "published_at": "jsonld", "views": "fallback"},
)

WEATHER = Article(
    url="https://tuoitre.vn/thoi-tiet-3.htm",
    site="tuoitre",
    title="Thời tiết miền Bắc chuyển lạnh",
    published_at="2024-06-10T07:00:00+07:00",
    published_raw="10/06/2024 07:00",
    views=None,
    byline=None,
    lead=None,
    paragraphs=["Không khí lạnh tràn về."],
    images=[],
    related=[Related("Dự báo", "https://vnexpress.net/bai-lien-quan-2.html")],
    fetched_at="2024-06-10T09:00:00+07:00",
)


def article(n: int, **changes) -> Article:
    """A distinct article number n (URL, title and text differ)."""
    base = replace(
        DANG,
        url=f"https://vnexpress.net/bai-{n}.html",
        title=f"Bài số {n} về kinh tế",
        lead=f"Tóm tắt bài {n}.",
        paragraphs=[f"Đoạn {i} của bài {n}." for i in range(3)],
        images=list(DANG.images),
        related=list(DANG.related),
    )
    return replace(base, **changes)


def make_archive(path: Path, *articles: Article, extra: int = 0) -> Path:
    """A real archive file holding DANG, WEATHER, the given articles and `extra` numbered ones."""
    with Archive(path) as archive:
        for item in (DANG, WEATHER, *articles, *(article(n) for n in range(extra))):
            archive.add(item)
    return path
