"""Related lists: the other articles a page attaches to this one, each link with its kind and label.

Kinds (`items.RELATED_KINDS`):

- `inline`: links inside the body or the sapo (a link in the text, a ">>" line, an in-body box or
  card) and an un-headed card right after the body;
- `related`: a list under one of the stock headings of an article's own list outside the body
  ("Tin liên quan", "Bài liên quan", "Đọc thêm", "Xem thêm");
- `same_section`: "Tin cùng chuyên mục", "Cùng chuyên mục", "Các bài viết khác", "Tin khác".

The label is the list's heading as the page shows it. Site-wide widgets ("Có thể bạn quan tâm",
"Đọc nhiều", "Tin mới nhất") have other headings and are left out; tag, topic and section links
fail the article-URL test (`ArticleLinks`), so navigation never gets in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from lxml import etree

from archiver.items import RawRelated
from archiver.selectors import element_text

RELATED = ("tin lien quan", "bai lien quan", "bai viet lien quan", "tin bai lien quan", "tin tuc lien quan",
           "doc them", "xem them", "tham khao them", "cung chu de", "tin cung chu de", "bai cung chu de")
SAME_SECTION = ("cac bai viet khac", "bai viet khac", "cac tin khac", "tin khac", "cac bai khac", "tin tuc khac",
                "cac tin bai khac", "tin bai khac")
HEADINGS = {**dict.fromkeys(RELATED, "related"), **dict.fromkeys(SAME_SECTION, "same_section")}
# Site-wide lists whose headings may contain one of ours ("Đọc nhiều cùng chuyên mục").
NOT_OURS = ("doc nhieu", "moi nhat", "xem nhieu", "tieu diem", "quan tam", "noi bat", "tin nong")
# Every heading has one of these words (NFC, as pages are): a cheap test before folding the text.
_WORDS = re.compile("quan|QUAN|Quan|thêm|THÊM|Thêm|khác|KHÁC|Khác|mục|MỤC|Mục|chủ đề|CHỦ ĐỀ|Chủ đề|Chủ Đề")
NOT_HEADING = {"script", "style", "title", "option", "noscript", "template", "textarea", "button"}
MAX_UP = 4  # levels above the heading to look for the box
MAX_LINKS = 40  # more links than this: we climbed into the page layout, not a box
MAX_SIBLINGS = 8  # blocks after a heading to look through for its links
# Boxes a CMS classes as related ("related-news", "tinlienquan"). Each contains() costs libxml2 a string
# per element of the page: two, not one per spelling.
_RELATE_BOX = etree.XPath("descendant::*[contains(@class, 'elat') or contains(@class, 'ienquan')]")
_RELATE_WORD = re.compile(r"relate(d|s)?([-_\s]|$)|relation|lien.?quan")  # not "position-relative"


# Path segments of pages that are not articles: tags, topics, authors, search.
NOT_ARTICLE = {"tag", "tags", "tu-khoa", "tukhoa", "keyword", "keywords", "chu-de", "chude", "topic", "topics",
               "tac-gia", "author", "authors", "tim-kiem", "search", "timeline", "tieu-diem", "event", "events",
               "su-kien"}
_ID = re.compile(r"\d{5,}")
_TAG_SLUG = re.compile(r"(^|[-_])(tags?|tu-?khoa|chu-?de|event)[-_]?\d*$")  # "/cau-vuot-tag1.html"
SLUG_WORDS = 6  # a headline has more words than a section's name ("/khung-phap-ly-chung-khoan.htm")
_ID_QUERY = re.compile(r"(^|&)(id|newsid|news_id|articleid|article_id|tinid|nid|aid|itemid)=\d+", re.I)
# Second-level labels under which a Vietnamese site registers its name (bao.com.vn).
_SLD = {"com", "net", "org", "gov", "edu", "ac", "info", "biz", "int", "health", "name", "pro"}


def ascii_fold(text: str) -> str:
    """Lower case without diacritics ("Tin liên quan" -> "tin lien quan"), fast: runs in C."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return text.encode("ascii", "ignore").decode("ascii")


def heading_kind(text: str) -> str | None:
    """The kind of list a heading names ("Tin liên quan" -> "related"), None if it is no list of ours.
    "Xem thêm..." and a lower-case "xem thêm" are links that unfold more text, not headings."""
    text = text.strip()
    if text.endswith(("...", "…")):
        return None
    folded = re.sub(r"[\W_]+", " ", ascii_fold(text)).strip()
    if kind := HEADINGS.get(folded):
        if folded.endswith("them") and not next((c for c in text if c.isalpha()), "").isupper():
            return None
        return kind
    if "cung chuyen muc" in folded and len(folded) <= 60 and not any(n in folded for n in NOT_OURS):
        return "same_section"
    return None


def label_of(text: str) -> str:
    """The heading as shown, without the punctuation around it ("Xem thêm:" -> "Xem thêm")."""
    return re.sub(r"^[\s:»>›|•-]+|[\s:»>›|•-]+$", "", " ".join(text.split()))


# --- which links are articles of the site -------------------------------------------


def site_key(host: str) -> str:
    """The registrable domain: "m.vnexpress.net" -> "vnexpress.net", "www.bao.com.vn" -> "bao.com.vn"."""
    labels = host.lower().removeprefix("www.").split(".")
    keep = 3 if len(labels) >= 3 and labels[-1] == "vn" and labels[-2] in _SLD else 2
    return ".".join(labels[-keep:])


def looks_like_article(parts: SplitResult) -> bool:
    """A generic article-URL test: an id in the path or query, or a slug of SLUG_WORDS words or more.
    Sections ("/thoi-su/chinh-tri.htm"), tags, topics and authors are not articles."""
    segments = [s for s in parts.path.lower().split("/") if s]
    if not segments or NOT_ARTICLE.intersection(segments[:-1]):
        return False
    if parts.query and _ID_QUERY.search(parts.query):
        return True
    last = segments[-1].rsplit(".", 1)[0]
    if _TAG_SLUG.search(last):
        return False
    return bool(_ID.search(parts.path)) or last.count("-") >= SLUG_WORDS - 1


class ArticleLinks:
    """Which hrefs of a page are articles of its site, as absolute URLs (cached per href).

    With a profile's article patterns, an article is what they match, unless the page itself
    matches none of them (a page of an older layout generation): then the generic test decides.
    """

    def __init__(self, base_url: str, patterns: tuple[re.Pattern, ...] = ()):
        self.base = base_url
        base = urlsplit(base_url)
        self.host = base.hostname or ""
        self.origin = f"{base.scheme}://{base.netloc}"
        self.site = site_key(self.host)
        self.patterns = patterns if patterns and _matches(patterns, base) else ()
        self._seen: dict[str, str | None] = {}

    def url(self, href: str | None) -> str | None:
        if not href:
            return None
        if href not in self._seen:
            self._seen[href] = self._article(href.strip())
        return self._seen[href]

    def _article(self, href: str) -> str | None:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return None
        try:
            if href.startswith(("http://", "https://")):  # most links: no need to resolve them
                url = href
            elif href.startswith("/") and not href.startswith("//"):
                url = self.origin + href
            else:
                url = urljoin(self.base, href)
            parts = urlsplit(url)
            host = parts.hostname or ""
        except ValueError:
            return None
        if parts.scheme not in ("http", "https") or (host != self.host and site_key(host) != self.site):
            return None
        url = strip_url(url)  # a campaign-tagged link names the same article, and patterns see the clean URL
        parts = urlsplit(url)
        ok = _matches(self.patterns, parts) if self.patterns else looks_like_article(parts)
        return url if ok else None


# Query parameters that only say where a reader came from (prefixes): dropped from every link before it
# is requested, so an article shared with ten campaign tags is fetched once and stored under one URL.
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "dclid", "msclkid", "zarsrc", "gidzl", "igshid", "_ga", "mc_cid",
                   "mc_eid", "_hsenc", "_hsmi")


def strip_url(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith(TRACKING_PARAMS))
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", query, ""))


def _matches(patterns: tuple[re.Pattern, ...], parts: SplitResult) -> bool:
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(p.search(target) for p in patterns)


# --- the lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyRegion:
    """A body container and the elements in it that are not the article's text (a profile's
    `exclude`: ad slots, boxes its related lists read)."""

    root: object
    excluded: frozenset = frozenset()

    def holds(self, el) -> bool:
        return _inside(el, self.root)


def find_lists(root, links: ArticleLinks, *, region: BodyRegion | None = None, lead=None,
               scope=None) -> list[RawRelated]:
    """Every related list under `root` (the page, or only the body), in reading order: links in the
    sapo (`lead`) and the body (`region`), headed boxes, and with the article's region (`scope`)
    known, un-headed related cards."""
    body, skip = (region.root, region.excluded) if region is not None else (None, frozenset())
    taken: set = set()  # anchors already in a list (the elements: kept alive, so never recycled)
    inside, outside = [], []
    for label, kind, anchors, in_body in _headed_boxes(root, links, body):
        fresh = [a for a in anchors if a not in taken]
        taken.update(fresh)
        (inside if in_body else outside).append((label, "inline" if in_body else kind, fresh))
    out: list[RawRelated] = []
    if lead is not None:
        out += _entries(list(lead.iter("a")), links, "inline", None)
    if body is not None:
        boxed = {a: label for label, _, anchors in inside for a in anchors}
        anchors = [a for a in body.iter("a") if a in boxed or (a not in taken and not _under(a, skip, body))]
        for label, group in _runs(anchors, boxed):
            out += _entries(group, links, "inline", label)
        taken.update(anchors)
    for label, kind, anchors in outside:
        out += _entries(anchors, links, kind, label)
    return out + (_cards(root, scope, body, links, taken) if scope is not None else [])


def _runs(anchors: list, boxed: dict):
    """Consecutive anchors with the same label (None: not in a headed box)."""
    group: list = []
    label = None
    for a in anchors:
        here = boxed.get(a)
        if group and here != label:
            yield label, group
            group = []
        label = here
        group.append(a)
    if group:
        yield label, group


def _headed_boxes(root, links: ArticleLinks, body):
    """(label, kind, anchors, inside the body) for every list under a stock heading."""
    seen: set = set()
    for text, el in _heading_texts(root):
        kind = heading_kind(text)
        if kind is None:
            continue
        own = _link_of(el)
        if own is not None:  # a heading that links to a page of its own, or a "Xem thêm" button
            el = own.getparent()
            if el is None or not _heading_like(el):
                continue
            href = (own.get("href") or "").strip()
            if href[:1] not in ("", "#") and not href.startswith("javascript") and not links.url(href):
                kind = "same_section"  # it links to a section's page: the list is that section's
        if el is None or el.tag in NOT_HEADING or el is body or _under_tag(el, ("nav", "header")):
            continue
        anchors, box = _box(el, own, links, body)
        if anchors and box not in seen:
            seen.add(box)
            yield label_of(text), kind, anchors, _inside(box, body)


def _heading_texts(root):
    """(text, the element holding it) of every short text with a heading's word. One pass in Python
    over the elements: each XPath contains() on text would cost as much as the whole pass."""
    search = _WORDS.search
    for el in root.iter():
        text = el.text
        if text and len(text) < 70 and isinstance(el.tag, str) and search(text):
            yield text, el
        text = el.tail
        if text and len(text) < 70 and search(text) and (parent := el.getparent()) is not None:
            yield text, parent


def _box(heading, own, links: ArticleLinks, body):
    """The links a heading stands over, and the block holding the heading at the level they were
    found. A heading names what follows it: the links in it ("Xem thêm: <a>"), else those of the
    blocks after it at the nearest of MAX_UP levels that has any, up to the next titled block
    (another box's heading: an empty box filled by script is not given its neighbour's links).
    In the body only link lines count: a paragraph of text ends the list."""
    anchors = [a for a in heading.iter("a") if a is not own and links.url(a.get("href"))]
    if anchors:
        return anchors, heading
    in_body = _inside(heading, body)
    child, el = heading, heading.getparent()
    for _ in range(MAX_UP):
        if el is None or el.tag in ("body", "html"):
            break
        anchors = _after(child, links, in_body)
        if anchors is None:
            break
        if anchors:
            return anchors, child
        if el is body:
            break
        child, el = el, el.getparent()
    return [], None


_FIRST_TEXT = etree.XPath("descendant::text()[normalize-space()][1]", smart_strings=True)
_HEADS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TITLE_CLASS = re.compile(r"title|head", re.I)


def _after(block, links: ArticleLinks, in_body: bool) -> list | None:
    """Article links in the siblings after `block`, up to a titled one; None: too many (the page layout)."""
    out: list = []
    for n, sib in enumerate(block.itersiblings()):
        if n >= MAX_SIBLINGS:
            break
        if not isinstance(sib.tag, str) or sib.tag in NOT_HEADING:
            continue
        if _titled(sib):
            break
        found = _article_anchors(sib, links)
        if found is None:
            return None
        if in_body and (not found or _plain_text(sib, found) > 20):
            break
        out += found
        if _too_many(out, links):
            return None
    return out


def _article_anchors(el, links: ArticleLinks) -> list | None:
    """The article links in `el`; None when it holds more links than a box would (the page's layout):
    counted as they come, so a subtree as large as the rest of the page is not walked through."""
    found = []
    for n, a in enumerate(el.iter("a")):
        if n > 3 * MAX_LINKS:
            return None
        if links.url(a.get("href")):
            found.append(a)
    return found


def _too_many(anchors: list, links: ArticleLinks) -> bool:
    """More than MAX_LINKS articles (a card links its picture and its title: one article)."""
    return len(anchors) > MAX_LINKS and len({links.url(a.get("href")) for a in anchors}) > MAX_LINKS


def _link_of(el):
    """The link the heading text is in (it or its parent), if any."""
    for node in (el, el.getparent() if el is not None else None):
        if node is not None and node.tag == "a":
            return node
    return None


def _heading_like(el) -> bool:
    return el.tag in _HEADS or bool(_TITLE_CLASS.search(el.get("class", "")))


def _titled(el) -> bool:
    """The block starts with a heading of its own: its first text is not a link and sits in an h1-h6
    or a title-classed element."""
    texts = _FIRST_TEXT(el)
    if not texts:
        return False
    parent = texts[0].getparent()
    if texts[0].is_tail:
        parent = parent.getparent()
    for node in (parent, *parent.iterancestors()) if parent is not None else ():
        if node.tag == "a":
            return False
        if _heading_like(node):
            return True
        if node is el:
            return False
    return False


def _plain_text(el, anchors: list) -> int:
    """Characters of `el`'s text outside its links."""
    return len(el.text_content().strip()) - sum(len(a.text_content().strip()) for a in anchors)


def _cards(root, scope, body, links: ArticleLinks, taken: set) -> list[RawRelated]:
    """Un-headed related boxes and cards outside the body (classed `related`): inline links
    when they stand in the article's region (a card right after the body), else a related list."""
    out: list[RawRelated] = []
    for box in _RELATE_BOX(root):
        if not _RELATE_WORD.search(box.get("class") or ""):
            continue
        anchors = [a for a in box.iter("a") if a not in taken]
        if not anchors or _too_many(anchors, links) or _inside(box, body) or _inside(body, box) \
                or _under_tag(box, ("nav", "header", "footer")):
            continue
        taken.update(anchors)
        out += _entries(anchors, links, "inline" if _inside(box, scope) else "related", None)
    return out


def _entries(anchors: list, links: ArticleLinks, kind: str, label: str | None) -> list[RawRelated]:
    """One entry per article URL, in order, titled by the longest text any of its links has."""
    best: dict[str, str] = {}
    for a in anchors:
        url = links.url(a.get("href"))
        if url is None:
            continue
        title = element_text(a) or (a.get("title") or "").strip()
        if len(title) > len(best.get(url, "")) or url not in best:
            best[url] = title
    return [RawRelated(title=t, url=u, kind=kind, label=label) for u, t in best.items() if t]


def label_near(item) -> tuple[str, str] | None:
    """(label, kind) of the stock heading shown with a list item: the item's own first text (a label
    on every item), or a short text just before the item or one of its first ancestors."""
    first = next((t for t in item.itertext() if t.strip()), "")
    if len(first) < 70 and (kind := heading_kind(first)):
        return label_of(first), kind
    node = item
    for _ in range(MAX_UP):
        for n, sib in enumerate(node.itersiblings(preceding=True)):
            if n >= 3:
                break
            if isinstance(sib.tag, str) and len(text := element_text(sib)) < 70 and (kind := heading_kind(text)):
                return label_of(text), kind
        node = node.getparent()
        if node is None or node.tag in ("body", "html"):
            return None
    return None


def _inside(el, ancestor) -> bool:
    if ancestor is None or el is None:
        return False
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _under(el, elements: frozenset, stop) -> bool:
    """el is inside one of `elements`, looking no higher than `stop`."""
    if not elements:
        return False
    for anc in el.iterancestors():
        if anc is stop:
            return False
        if anc in elements:
            return True
    return False


def _under_tag(el, tags: tuple[str, ...]) -> bool:
    return any(a.tag in tags for a in el.iterancestors())
