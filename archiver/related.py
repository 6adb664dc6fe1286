"""Generic related lists: the links under a "Tin liên quan"-style heading.

Vietnamese news CMSs title an article's own list with a handful of stock
headings. The box is the nearest ancestor of the heading that holds links;
its links (one per URL, the one with the longest text naming it) are the list.
Site-wide lists ("Tin mới nhất", "Đọc nhiều") have other headings and are left out.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from archiver.items import RawRelated
from archiver.selectors import element_text

HEADINGS = ("tin lien quan", "bai lien quan", "cac bai viet khac", "cac tin khac", "tin cung chuyen muc",
            "cung chuyen muc", "xem them", "doc them", "bai viet lien quan", "tin khac",
            "co the ban quan tam", "bai cung chuyen muc", "tin bai lien quan", "tin tuc lien quan")
# Headings that look like ours but name site-wide lists.
NOT_OURS = ("doc nhieu", "moi nhat", "xem nhieu", "tieu diem")
# A cheap filter before folding: every heading has one of these words (NFC, as pages are).
_WORDS = re.compile("quan|QUAN|Quan|thêm|THÊM|Thêm|khác|KHÁC|Khác|mục|MỤC|Mục")
SKIP_TAGS = {"a", "script", "style", "title", "option", "noscript", "template"}
MAX_UP = 4  # levels above the heading to look for the box
MAX_LINKS = 40  # more links than this: we climbed into the page layout, not a box


def find_related(sel: Selector, base_url: str) -> list[RawRelated]:
    out: list[RawRelated] = []
    seen_boxes: set = set()  # the elements themselves, kept alive (ids of freed proxies get reused)
    for parent in _heading_parents(sel.root):
        box = _box(parent, base_url)
        if box is None or box in seen_boxes:
            continue
        seen_boxes.add(box)
        out.extend(_links(box.iter("a"), base_url))
    return out


_ALL_TEXT = etree.XPath("//body//text()", smart_strings=False)


def _heading_parents(root):
    """Elements holding a heading's text. Plain strings are scanned first (cheap); the parents
    of the few that are headings are then looked up by their exact text."""
    hits = {t for t in _ALL_TEXT(root)
            if len(t) < 60 and _WORDS.search(t) and "'" not in t and _heading_key(t)}
    if not hits:
        return
    test = " or ".join(f". = '{t}'" for t in hits)
    for el in root.xpath(f"//body//*[text()[{test}]]"):
        if el.tag not in SKIP_TAGS:
            yield el


def find_embedded(container, base_url: str) -> list[RawRelated]:
    """Related cards inside the body: article links holding a heading, or inside a "relate" box."""
    cards = []
    for a in container.iter("a"):
        if not _is_article_link(a, base_url):
            continue
        boxed = any("relate" in (el.get("class") or "") for el in _ancestors_until(a, container))
        if boxed or next(a.iter("h2", "h3", "h4"), None) is not None:
            cards.append(a)
    return _links(cards, base_url)


def _ancestors_until(el, stop):
    for anc in el.iterancestors():
        if anc is stop:
            return
        yield anc


def ascii_fold(text: str) -> str:
    """Lower case without diacritics ("Tin liên quan" -> "tin lien quan"), fast: runs in C."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return text.encode("ascii", "ignore").decode("ascii")


def _heading_key(text: str) -> str | None:
    folded = re.sub(r"[\s:»>›.|-]+", " ", ascii_fold(text)).strip()
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


def _links(anchors, base_url: str) -> list[RawRelated]:
    """One entry per URL, in order, titled by the longest text any of its links has."""
    best: dict[str, str] = {}
    order: list[str] = []
    for a in anchors:
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
