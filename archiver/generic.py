"""The generic reader: fills every field a profile did not give, on any news page.

Metadata is trusted in this order: JSON-LD (NewsArticle/Article, also inside
`@graph`), OpenGraph / `article:*` meta, `itemprop`, `<time datetime>`, then the
visible text. Two exceptions, both because the reader's view is what we archive:
a title is taken from the page's `h1` when metadata names the same headline
(metadata often adds " - Site name"), and a metadata date that disagrees with a
visible minute-precise date loses to it (CMSs mislabel time zones). Author
metadata that is an organisation, a URL, empty or initials loses to a visible byline.

The body is chosen by trafilatura (not by hand-written boilerplate rules), run
on the article's region only, then mapped back onto the page's own blocks so
that paragraphs and image captions keep the structure `body` gives profiled sites.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from functools import cached_property

from lxml import etree
from parsel import Selector

from archiver import header
from archiver.body import INLINE, Block, assemble, is_caption, iter_blocks
from archiver.items import RawArticle
from archiver.metadata import PageMeta
from archiver.related import ArticleLinks, BodyRegion, ascii_fold, find_lists
from archiver.selectors import element_text
from archiver.text import source_note

LEAD_CLASS = re.compile(r"(^|[\s_-])(sapo|summary|lead|description|desc|chapeau|excerpt|intro|tomtat|teaser)"
                        r"($|[\s_-])", re.I)
NOT_LEAD = ("meta", "img", "a", "li", "ul", "section", "article")
NOT_TEXT = ("a", "li", "nav", "aside", "footer", "header", "form", "button", "figcaption")
# Boxes trafilatura keeps but an article's running text does not include: CMS fact/promo
# boxes, in-body related cards, ad slots. Given to trafilatura as its own pruning option.
PRUNE = [
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' notebox ')]",
    "//*[contains(@class, 'related') or contains(@class, 'relate-')][not(self::a)]",
    "//table[contains(concat(' ', normalize-space(@class), ' '), ' article ')]",
    "//*[@type='RelatedOneNews' or @type='RelatedNewsBox' or @type='RelatedNews']",
    "//*[contains(@class, 'banner') or starts-with(@id, 'ads') or contains(@class, 'adsbygoogle')]",
]


# Class or id of page furniture, never an article's body.
# (Not "sidebar" nor "left": some sites name the article's own column so.)
FURNITURE = re.compile(r"footer|copyright|menu|navbar|banner|masthead|comment|widget|keyword"
                       r"|(^|[-_\s])(nav|tags?)($|[-_\s])", re.I)
LOOSE_BODY = 300  # characters of <p> text below which text loose in <div>s is looked at too
# Elements with a long text node of their own (text between <br>s, a bare <div> of text).
_LOOSE_TEXT = etree.XPath("descendant::*[self::div or self::td or self::span or self::font or self::b "
                          "or self::strong or self::center][text()[string-length(normalize-space()) > 30]]")


# Where a page without an h1 puts its headline (first 300 in document order).
_HEADLINE_LIKE = etree.XPath("(//h2 | //h3 | //*[contains(@class, 'title')][not(self::a or self::title or self::meta"
                             " or self::img or self::link)])[position() <= 300]")


def _credit(scores: dict, parent, n: float) -> None:
    """A block's text counts fully for its parent and half for the grandparent."""
    if parent is None or n <= 0:
        return
    scores[parent] = scores.get(parent, 0) + n
    grand = parent.getparent()
    if grand is not None and grand.tag not in ("body", "html"):
        scores[grand] = scores.get(grand, 0) + n / 2


def _best(scores: dict):
    """The highest-scoring element that is not page furniture (or inside it)."""
    for el in sorted(scores, key=scores.get, reverse=True)[:8]:
        if not _furniture(el):
            return el
    return None


def _furniture(el) -> bool:
    for node in (el, *el.iterancestors()):
        if node.tag in ("footer", "nav", "aside", "header"):
            return True
        marks = f"{node.get('class', '')} {node.get('id', '')}"
        if marks.strip() and FURNITURE.search(marks):
            return True
    return False


def _whole(best, scores: dict):
    """A body split into blocks of the same tag and class (around an ad slot, a related box): their parent."""
    parent = best.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return best
    twins = [c for c in parent if c is not best and c.tag == best.tag and c.get("class") == best.get("class")
             and scores.get(c, 0) >= 40]
    return parent if twins else best


def _link_text(el) -> int:
    return sum(len(a.text_content().strip()) for a in el.iter("a"))


def _block_of(el):
    for anc in el.iterancestors():
        if anc.tag in ("div", "td", "p", "li", "section", "article"):
            return anc if anc.tag in ("div", "td") else None
    return None


def _loose_len(el) -> int:
    """Characters of text standing in `el` (its own text nodes and inline children), not in blocks."""
    n = len((el.text or "").strip())
    for child in el:
        if isinstance(child.tag, str) and child.tag in INLINE:
            n += len(child.text_content().strip())
        n += len((child.tail or "").strip())
    return n


@dataclass
class Page:
    """One parsed page and the landmarks the generic reader derives from it, each computed once."""

    sel: Selector
    url: str
    title: str | None = None  # the headline when a profile already found it

    @cached_property
    def meta(self) -> PageMeta:
        return PageMeta(self.sel)

    @cached_property
    def h1s(self) -> list:
        """The page's visible headlines (a `display:none` or aria-hidden h1 is no reader's headline)."""
        return [h for h in self.sel.root.iter("h1") if len(element_text(h)) > 5 and not header.hidden(h)]

    @cached_property
    def h1(self):
        """The headline element: the h1 that metadata agrees with, else the first long one."""
        if self.title:  # known already: no need to read metadata for it
            for h in self.h1s:
                if same_title(element_text(h), self.title):
                    return h
        titles = [t for t in self._meta_titles() if t[1]]
        for h in self.h1s:
            if any(same_title(element_text(h), t) for _, t in titles):
                return h
        return self.h1s[0] if self.h1s else None

    @cached_property
    def headline(self):
        """The anchor of the article header (dates, bylines, views): the h1 metadata names, else the h2 or
        `.title` element it names (pages without an h1 headline), else the first h1. Only the header fields
        read it: the body's region keeps to the h1, so that a listing's section heading is no article."""
        h1 = self.h1
        # The headline a profile found names it (no metadata to read, the costly part on a profiled page).
        titles = [("profile", self.title)] if self.title else [t for t in self._meta_titles() if t[1]]
        if h1 is not None and any(same_title(element_text(h1), t) for _, t in titles):
            return h1
        named = self._headline_without_h1(titles)
        return named if named is not None else h1

    def _headline_without_h1(self, titles: list[tuple[str, str]]):
        """The headline outside an h1 (an h2, a `div.title-detail`): the visible element that metadata (or,
        without an h1, the document title) names, as the anchor of the article header."""
        doc_title = self.sel.root.findtext(".//title") if not self.h1s else None
        names = [t for _, t in titles] + ([doc_title] if doc_title and doc_title.strip() else [])
        if not names:
            return None
        for el in _HEADLINE_LIKE(self.sel.root):
            text = element_text(el)
            if (len(text) > 10 and any(same_title(text, n) for n in names) and not header.hidden(el)
                    and not header.in_widget(el)):
                return el
        return None

    def _meta_titles(self) -> list[tuple[str, str]]:
        m = self.meta
        og = m.first_meta("og:title", "twitter:title")
        return [("jsonld", html.unescape(_str(m.ld.get("headline")))), ("meta", og[1] if og else ""),
                ("itemprop", _str(m.itemprop("headline")))]

    @cached_property
    def container(self):
        """The element holding most paragraph text: the body as the page's own markup has it.

        A paragraph counts fully for its parent and half for its grandparent, so a body
        split into several sibling blocks is found as their common parent; link text does
        not count (a keyword list is links). Page furniture (footer, menus, sidebars,
        comments) is never the body. When the <p>s give no body, text standing in <div>s
        and table cells, between <br>s, is counted too (old CMSs write whole bodies so).
        """
        root = self.sel.root
        scores: dict = {}
        for p in root.iter("p"):
            n = len(p.text_content().strip())
            if n < 40 or _inside(p, NOT_TEXT, 3):
                continue
            _credit(scores, p.getparent(), n - _link_text(p))
        best = _best(scores)
        if best is None or scores[best] < LOOSE_BODY:
            for el in _LOOSE_TEXT(root):
                if not _inside(el, NOT_TEXT, 3):
                    block = el if el.tag in ("div", "td") else _block_of(el)
                    if block is not None:
                        _credit(scores, block, _loose_len(el))
            best = _best(scores)
        return _whole(best, scores) if best is not None else None

    @cached_property
    def scope(self):
        """The article's region: the smallest element holding both the headline and the body."""
        body = self.container
        if body is None:
            return None
        if self.h1 is not None:
            ancestors = set(self.h1.iterancestors())
            for el in body.iterancestors():
                if el in ancestors:
                    if el.tag not in ("body", "html"):
                        return el
                    break
        return body.getparent() if body.getparent() is not None else body

    @cached_property
    def lead_el(self):
        return lead_element(self)

    def following_h1(self, xpath: str, limit: int = 400, keep=None, anchor=None):
        """Elements after the headline (document order, first `limit`) inside the scope, for which
        `keep` (a cheap test, run first) holds. XPath axes run in C; numbering every element
        of the scope in Python would not. `anchor` is the headline element when not the h1.
        """
        anchor = self.h1 if anchor is None else anchor
        if anchor is None or self.scope is None:
            root = self.scope if self.scope is not None else self.sel.root
            found = root.xpath(f"descendant::*[position() <= {limit}]{xpath}")
        else:
            found = anchor.xpath(f"following::*[position() <= {limit}]{xpath}")
        for el in found:
            if (keep is None or keep(el)) and (self.scope is None or _inside_el(el, self.scope)):
                yield el


def fill(raw: RawArticle, sel: Selector, url: str, *, links: ArticleLinks | None = None,
         body: BodyRegion | None = None) -> None:
    """Fill the fields `raw` still lacks; record each filled field's path in `raw.sources`.
    `links` says which links are the site's articles, `body` is the profile's body region."""
    page = Page(sel, url, raw.title)
    if not raw.title:
        _set(raw, "title", *title(page))
    if not raw.paragraphs and not _photo_story(raw):
        _body(raw, page)
    elif raw.sources.get("paragraphs") == "profile" and not _photo_story(raw):
        _thin_profile_body(raw, page)
    if not raw.lead:
        _set(raw, "lead", *lead(page, raw.paragraphs))
    if not raw.published_raw:
        _set(raw, "published_raw", *published(page))
    if not raw.byline_raw:
        _set(raw, "byline_raw", *byline(page))
    if raw.sources.get("paragraphs") in ("trafilatura", "fallback"):
        _drop_byline_paragraph(raw, page)
    if not raw.views_raw:
        _set(raw, "views_raw", *views(page, raw.published_raw))
    _related(raw, page, links or ArticleLinks(url), body)


def _related(raw: RawArticle, page: Page, links: ArticleLinks, body: BodyRegion | None) -> None:
    """The profile's lists and its body's own links; when the profile gave no section list (the list
    profiles miss most: few declare it for every layout generation), the page's headed lists of the
    kinds it lacks; without a profile's lists, every list of the page."""
    if raw.related:
        have = {r.kind for r in raw.related}
        if "same_section" in have:  # nothing to look for beyond the body's links
            extra = find_lists(body.root, links, region=body) if body is not None else []
        else:
            extra = [r for r in find_lists(_around(body, page), links, region=body)
                     if r.kind == "inline" or r.kind not in have]
        known = {(r.url, r.kind) for r in raw.related}
        extra = [r for r in extra if (r.url, r.kind) not in known]
        if any(r.kind != "inline" for r in extra):
            raw.sources["related"] = "profile+headings"
        raw.related += extra
        return
    if body is None and page.container is not None:
        body = BodyRegion(page.container)
    found = find_lists(page.sel.root, links, region=body, lead=page.lead_el, scope=page.scope)
    if found:
        raw.related = found
        raw.sources["related"] = "headings" if any(r.label for r in found) else "body links"


def _around(body: BodyRegion | None, page: Page, levels: int = 4):
    """The article's column: a few levels above the profile's body, where its lists stand (the
    page's sidebars and footer are not looked through)."""
    if body is None:
        return page.sel.root
    el = body.root
    for _ in range(levels):
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        el = parent
    return el


THIN_BODY = 200  # characters: a profile body this short is checked against the page's own body


def _thin_profile_body(raw: RawArticle, page: Page) -> None:
    """A profile's body that is a sliver of the page's text (its container matched a box of another
    layout generation) gives way to the generic body when that has at least three times the text."""
    size = sum(len(p) for p in raw.paragraphs)
    if size >= THIN_BODY:
        return
    scratch = RawArticle(url=raw.url, site=raw.site, fetched_at=raw.fetched_at, lead=raw.lead)
    _body(scratch, page)
    if sum(len(p) for p in scratch.paragraphs) >= max(3 * size, THIN_BODY):
        raw.paragraphs, raw.images = scratch.paragraphs, scratch.images
        raw.sources.update({k: scratch.sources[k] for k in ("paragraphs", "images")})
        raw.sources["paragraphs.profile"] = f"too short ({size} characters)"


def _photo_story(raw: RawArticle) -> bool:
    """The profile's body held captioned images and no text: a photo story, not a missed body."""
    return raw.sources.get("images") == "profile" and any(i.caption for i in raw.images)


def _drop_byline_paragraph(raw: RawArticle, page: Page) -> None:
    """An author block, a signature ("H.V.") or a source note ("(Vietnamnet/Reuters)", "Theo VnExpress")
    at the end of the body is not a paragraph of the story."""
    ends = {_squash(x) for x in (raw.byline_raw, header.signature(page)) if x}
    for _ in range(2):  # a signature, then a source note above it (or the reverse)
        if raw.paragraphs and (_squash(raw.paragraphs[-1]) in ends or source_note(raw.paragraphs[-1])):
            raw.paragraphs.pop()


def _set(raw: RawArticle, attr: str, value: str | None, source: str | None) -> None:
    if value and value.strip():
        setattr(raw, attr, value.strip())
        raw.sources[attr] = source or "fallback"


def _str(value) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- header fields: signals collected and picked by archiver.header --------------------------------------


def _chosen(signal: header.Signal | None) -> tuple[str | None, str | None]:
    return (signal.value, signal.source) if signal is not None else (None, None)


def title(page: Page) -> tuple[str | None, str | None]:
    return _chosen(header.pick(header.title_signals(page)))


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", ascii_fold(text))


def same_title(visible: str, meta: str) -> bool:
    """Same headline, allowing metadata a site-name suffix or a cut."""
    a, b = _squash(visible), _squash(meta)
    if not a or not b:
        return False
    return a == b or (len(a) >= 15 and b.startswith(a)) or (len(b) >= 15 and a.startswith(b))


SITE_WORDS = re.compile(r"\b(báo|tin|tạp chí|online|news|điện tử|express|plus|\w+\.(vn|com|net))\b", re.I)


def strip_site_suffix(text: str) -> str:
    """"Headline - Site name" -> "Headline"; a dash inside a headline ("Hà Nội - Hải Phòng ...") stays."""
    text = text.strip()
    m = re.search(r"\s+[-|–—]\s+([^-|–—]{2,40})$", text)
    if m and (SITE_WORDS.search(m.group(1)) or m.start() >= 2 * len(m.group(1))):
        return text[: m.start()]
    return text


def published(page: Page) -> tuple[str | None, str | None]:
    return _chosen(header.pick_date(header.published_signals(page)))


def visible_date(page: Page) -> str | None:
    """The date line nearest the headline, as shown."""
    signals = header.visible_date_signals(page)
    return signals[0].value if signals else None


def byline(page: Page) -> tuple[str | None, str | None]:
    return _chosen(header.pick(header.byline_signals(page)))


def visible_byline(page: Page) -> str | None:
    shown = header.visible_bylines(page)
    return shown[0] if shown else None


def views(page: Page, date_line: str | None = None) -> tuple[str | None, str | None]:
    """A "1.234 lượt xem" text soon after the headline (not one of a sidebar's counts)."""
    return _chosen(header.pick(header.views_signals(page, date_line)))


# --- lead and body ----------------------------------------------------------------------------


def lead(page: Page, paragraphs: list[str]) -> tuple[str | None, str | None]:
    el = page.lead_el
    if el is not None:
        return element_text(el), "visible"
    found = page.meta.first_meta("og:description", "description")
    if found and paragraphs and _squash(found[1]) == _squash(paragraphs[0]):
        return paragraphs.pop(0), "meta"
    return None, None


def _lead_marked(el) -> bool:
    return bool(LEAD_CLASS.search(" ".join(el.get(a) or "" for a in ("class", "data-slot", "data-role"))))


def lead_element(page: Page):
    """The sapo: an element classed (or data-slot/data-role marked) like one, after the headline, inside the article."""
    for el in page.following_h1("[@class or @data-slot or @data-role]", limit=300, keep=_lead_marked):
        if el.tag in NOT_LEAD or next(el.iter("h1"), None) is not None:
            continue
        text = element_text(el)
        if 30 <= len(text) <= 1200:
            return el
    return None


def _body(raw: RawArticle, page: Page) -> None:
    container = page.container
    if container is None:
        return
    keep, graphics = _trafilatura(container)
    blocks = _lead_figures(page) + iter_blocks(container, set(), page.url)
    chosen = _choose(blocks, keep) if keep else blocks
    body = assemble(chosen)
    matched = sum(len(p) for p in body.paragraphs)
    if keep and matched < 0.5 * sum(len(k) for k in keep.values()):
        # The page's blocks do not line up with trafilatura's paragraphs: take its text as it is.
        body.paragraphs = list(keep.values())
    lead_el = page.lead_el
    raw.paragraphs = _once(body.paragraphs, element_text(lead_el) if lead_el is not None else "")
    images = {i.src: i for i in reversed(body.images) if i.caption or _src_key(i.src) in graphics}
    raw.images = list(reversed(images.values()))  # one per picture, its first caption
    raw.sources.update(paragraphs="trafilatura" if keep else "fallback", images="fallback")
    if body.byline and not raw.byline_raw:
        _set(raw, "byline_raw", body.byline, "fallback:body")


def _once(paragraphs: list[str], lead: str) -> list[str]:
    """Each paragraph once, and not the sapo again: a page may hold the article twice (a mobile and
    a desktop copy) or repeat its sapo at the top of the body."""
    seen = {_squash(lead)} if lead else set()
    out = []
    for p in paragraphs:
        key = _squash(p)
        if key in seen and len(key) >= 20:
            continue
        seen.add(key)
        out.append(p)
    return out


def _lead_figures(page: Page) -> list[Block]:
    """Figures between the headline (or sapo) and the body: the lead image and its caption."""
    container = page.container
    anchor = page.lead_el if page.lead_el is not None else page.h1
    if anchor is None:
        return []
    after_anchor = set(anchor.xpath("following::figure[position() <= 10]"))
    figures = [f for f in container.xpath("preceding::figure[position() <= 10]") if f in after_anchor]
    return [b for f in reversed(figures) for b in iter_blocks(f, set(), page.url, itself=True)]


def _choose(blocks: list[Block], keep: dict[str, str]) -> list[Block]:
    """Blocks trafilatura kept as text, images, and captions right after images."""
    out: list[Block] = []
    joined = "\x00".join(keep)  # a block may be a line of one of trafilatura's paragraphs (<br>s)
    for b in blocks:
        key = _squash(b.text) if b.kind == "text" else ""
        if b.kind == "image" or key in keep or (len(key) >= 20 and key in joined):
            out.append(b)
        elif out and out[-1].kind == "image" and out[-1].caption is None and is_caption(b, False):
            out.append(b)
    return out


def _trafilatura(scope) -> tuple[dict[str, str], set[str]]:
    """Trafilatura's main-text paragraphs (squashed text -> text) and image URLs, on a copy of `scope`."""
    from trafilatura import bare_extraction  # lazy: a profiled crawl never needs it

    doc = bare_extraction(copy.deepcopy(scope), fast=True, include_images=True, include_comments=False,
                          include_tables=True, prune_xpath=PRUNE)
    if doc is None or doc.body is None:
        return {}, set()
    keep: dict[str, str] = {}
    for el in doc.body.iter("p", "head", "item", "quote", "cell"):
        if el.tag == "cell" and el.find("p") is not None:
            continue
        text = re.sub(r"\s+", " ", "".join(el.itertext())).strip()
        if text:
            keep.setdefault(_squash(text), text)
    graphics = {_src_key(g.get("src")) for g in doc.body.iter("graphic") if g.get("src")}
    return keep, graphics


def _src_key(src: str) -> str:
    """An image URL without scheme and host: trafilatura and we may resolve it differently."""
    return src.split("://", 1)[-1].split("/", 1)[-1]


def _inside(el, tags: tuple[str, ...], depth: int) -> bool:
    for _ in range(depth):
        el = el.getparent()
        if el is None:
            return False
        if el.tag in tags:
            return True
    return False


def _inside_el(el, ancestor) -> bool:
    return ancestor is not None and (el is ancestor or any(a is ancestor for a in el.iterancestors()))
