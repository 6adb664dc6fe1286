"""Generic related lists: the links under a "Tin liên quan"-style heading.

Vietnamese news CMSs title an article's own list with a handful of stock
headings. The box is the nearest ancestor of the heading that holds links;
its links (one per URL, the one with the longest text naming it) are the list.
Site-wide lists ("Tin mới nhất", "Đọc nhiều") have other headings and are left out.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from archiver.items import RawRelated
from archiver.selectors import element_text
from archiver.text import fold

HEADINGS = ("tin lien quan", "bai lien quan", "cac bai viet khac", "cac tin khac", "tin cung chuyen muc",
            "cung chuyen muc", "xem them", "doc them", "bai viet lien quan", "tin khac", "co the ban quan tam",
            "bai cung chuyen muc", "tin bai lien quan", "tin tuc lien quan")
# Headings that look like ours but name site-wide lists.
NOT_OURS = ("doc nhieu", "moi nhat", "xem nhieu", "tieu diem")
MAX_UP = 4  # levels above the heading to look for the box
MAX_LINKS = 40  # more links than this: we climbed into the page layout, not a box


def find_related(sel: Selector, base_url: str) -> list[RawRelated]:
    # Text nodes are cheap to scan; an element per heading found is only built on a hit.
    out: list[RawRelated] = []
    seen_boxes: set[int] = set()
    for node in sel.root.xpath("//body//text()[string-length(normalize-space()) > 5 "
                          "and string-length(normalize-space()) < 40]"):
        if not _heading_key(node):
            continue
        parent = node.getparent()
        if parent is None or parent.tag in ("a", "script", "style", "title", "option"):
            continue
        box = _box(parent, base_url)
        if box is None or id(box) in seen_boxes:
            continue
        seen_boxes.add(id(box))
        out.extend(_links(box, base_url))
    return out


def _heading_key(text: str) -> str | None:
    folded = re.sub(r"[\s:»>›.|-]+", " ", fold(text)).strip()
    if any(n in folded for n in NOT_OURS):
        return None
    return folded if folded in HEADINGS else None


def _box(heading, base_url: str):
    el = heading
    for _ in range(MAX_UP):
        el = el.getparent()
        if el is None or el.tag in ("body", "html"):
            return None
        links = [a for a in el.iter("a") if _is_article_link(a, base_url)]
        if len(links) > MAX_LINKS:
            return None
        if links:
            return el
    return None


def _is_article_link(a, base_url: str) -> bool:
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return False
    url = urljoin(base_url, href)
    parts = urlsplit(url)
    # Articles have a path with a slug or an id; "/", "/the-thao/" are sections.
    return _host(base_url) == _host(url) and len(parts.path.strip("/")) > 20


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _links(box, base_url: str) -> list[RawRelated]:
    best: dict[str, str] = {}
    order: list[str] = []
    for a in box.iter("a"):
        if not _is_article_link(a, base_url):
            continue
        url = urljoin(base_url, a.get("href").strip())
        title = element_text(a) or (a.get("title") or "").strip()
        if url not in best:
            order.append(url)
            best[url] = title
        elif len(title) > len(best[url]):
            best[url] = title
    return [RawRelated(title=best[u], url=u) for u in order if best[u]]
