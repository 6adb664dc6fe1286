"""The generic reader's header fields (title, date, byline, views), each from independent signals.

Every field is collected as `Signal`s from three kinds of evidence, each with a confidence:

- metadata: JSON-LD (HTML entities unescaped), `article:*` / OpenGraph `<meta>`, `itemprop`, `<time datetime>`;
- visible text near the headline: the article header (after the headline, before the body);
- structure: signatures at the end of the body (bold or right-aligned names of old CMSs).

`pick` takes the most confident signal; the rules for disagreement are the confidences below:

- a visible headline beats a metadata title that names another one (metadata titles are written for SEO),
  and a hidden element (display:none, `hidden`, aria-hidden, class hidden) is never a signal;
- a visible minute-precise date in the article header beats metadata that disagrees with it (CMSs
  mislabel time zones) and beats a date-only metadata value (midnight); metadata that agrees to the
  minute is taken (it keeps the seconds); a date in a widget, ticker, popup or related list is no
  signal, nor is a time without a date;
- a JSON-LD person beats a visible byline that names someone else, but the visible form of the same
  names wins (it keeps the page's separators: "NHẬT XUÂN - NGHI VŨ"); an organisation, an outlet
  ("Theo VnExpress" is a source, not a byline), an empty name or initials lose to any visible byline.

Pure functions over a parsed page (`generic.Page`); dates go through `archiver.dates.parse_date`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree

from archiver.dates import parse_date, split_date_views
from archiver.metadata import PUBLISHED_META
from archiver.selectors import element_text
from archiver.text import is_outlet, parse_byline

if TYPE_CHECKING:
    from archiver.generic import Page


@dataclass(frozen=True)
class Signal:
    value: str  # the text as the page shows it (what `published_raw`, `byline_raw`... store)
    source: str  # "jsonld", "meta", "itemprop", "time", "visible", "signature", "fallback"
    confidence: float  # 0..1; only the order matters
    precision: str | None = None  # dates: "second", "minute", "day"...
    when: datetime | None = None  # dates: the parsed instant


def pick(signals: list[Signal]) -> Signal | None:
    """The most confident signal; on a tie, the first collected."""
    best = None
    for s in signals:
        if best is None or s.confidence > best.confidence:
            best = s
    return best


# --- visibility and page regions ----------------------------------------------------------------------

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_HIDDEN_CLASS = re.compile(r"(?:^|\s)(?:hidden|d-none|hide|sr-only|visually-hidden|invisible)(?:\s|$)", re.I)
# Boxes whose dates and names belong to other articles or to the page: tickers, popups, lists, widgets.
_WIDGET = re.compile(
    r"ticker|marquee|popup|modal|recommend|suggest|relate|widget|sidebar|most-?read|xemnhieu"
    r"|tinkhac|tin-?khac|other|same|trending|hot-?news|breaking|footer|menu|comment|navbar"
    r"|(?:^|[-_\s])(?:nav|list|item|aside)(?:$|[-_\s])",
    re.I,
)
_WIDGET_TAGS = ("aside", "nav", "footer", "marquee", "dialog")


def hidden(el) -> bool:
    """Not shown to a reader: `hidden`, aria-hidden, display:none or a hiding class, on it or an ancestor."""
    for node in (el, *el.iterancestors()):
        if node.get("hidden") is not None or node.get("aria-hidden") == "true":
            return True
        style, cls = node.get("style"), node.get("class")
        if (style and _HIDDEN_STYLE.search(style)) or (cls and _HIDDEN_CLASS.search(cls)):
            return True
    return False


def in_widget(el, stop=None, depth: int = 8) -> bool:
    """Inside a ticker, popup, related list, sidebar... (up to `stop`, the article's region, or `depth` levels)."""
    for i, node in enumerate((el, *el.iterancestors())):
        if node is stop or i > depth or node.tag in ("body", "html"):
            return False
        if node.tag in _WIDGET_TAGS or (node.tag == "li" and node.find(".//a[@href]") is not None):
            return True  # a list item with a link: an entry of a list of articles
        marks = f"{node.get('class', '')} {node.get('id', '')}"
        if len(marks) > 1 and _WIDGET.search(marks):
            return True
    return False


def _within(el, ancestor) -> bool:
    return ancestor is not None and (el is ancestor or any(a is ancestor for a in el.iterancestors()))


# --- title --------------------------------------------------------------------------------------------


def title_signals(page: Page) -> list[Signal]:
    from archiver.generic import same_title, strip_site_suffix

    titles = [t for t in page._meta_titles() if t[1]]
    out: list[Signal] = []
    anchor = page.headline
    shown = element_text(anchor) if anchor is not None else None
    for source, value in titles:
        if shown and same_title(shown, value):
            out.append(Signal(shown, source, 0.95))  # the visible form of the headline metadata names
            break
    if titles:
        out.append(Signal(strip_site_suffix(titles[0][1]), titles[0][0], 0.7))
    if shown and anchor.tag == "h1":
        # A visible headline that metadata does not name: metadata titles are rewritten for search engines.
        headline_like = (
            len(shown.split()) >= 4
            and not in_widget(anchor)
            and " ".join(shown.casefold().split()) not in page.meta.outlet_names
        )
        out.append(Signal(shown, "visible" if titles else "fallback", 0.8 if headline_like else 0.3))
    doc_title = page.sel.xpath("//title/text()").get()
    if doc_title and doc_title.strip():
        out.append(Signal(strip_site_suffix(doc_title), "fallback", 0.1))
    return out


# --- published ----------------------------------------------------------------------------------------

# A day, month and year (two- or four-digit), or "ngày 24 tháng 10 năm 2019": text that may be a date line.
DATE_TEXT = re.compile(
    r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)|\d{4}-\d{2}-\d{2}|\btháng\s*\d{1,2}\b", re.I
)
# The date and time inside a longer line ("Nguyên Minh - 07/03/2026 08:47 | Chia sẻ").
_DATE_SPAN = re.compile(
    r"(?:\d{1,2}:\d{2}(?:\s*(?:sa|ch|am|pm|sáng|chiều|tối))?[\s,]*(?:ngày\s*)?)?"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    r"(?:[\s,|-]*(?:lúc\s*)?\d{1,2}[:h]\d{2}(?:\s*(?:sa|ch|am|pm|sáng|chiều|tối)(?!\w))?)?",
    re.I,
)
_MINUTE = ("second", "minute")
_FOLLOWING = etree.XPath("following::text()[normalize-space()][position() <= 120]")
_PRECEDING = etree.XPath("preceding::text()[normalize-space()][position() <= 30]")


def _date_signal(text: str, source: str, confidence: float) -> Signal | None:
    parsed = parse_date(text)
    if parsed.value is None:
        return None
    precision = parsed.precision
    if precision in _MINUTE and source != "visible" and parsed.value.time() == datetime.min.time():
        precision = "day"  # midnight in metadata: a date-only value written as a time
    if precision not in _MINUTE:
        confidence = confidence / 2 if source != "visible" else confidence * 2 / 3
    return Signal(text, source, confidence, precision, parsed.value)


def meta_date_signals(page: Page) -> list[Signal]:
    meta = page.meta
    found = meta.first_meta(*PUBLISHED_META)
    ld = meta.ld.get("datePublished")
    candidates = [
        ("jsonld", html.unescape(ld.strip()) if isinstance(ld, str) else "", 0.8),
        ("meta", found[1] if found else "", 0.79),
        ("itemprop", _text(meta.itemprop("datePublished")), 0.78),
    ]
    out = []
    for source, text, confidence in candidates:
        if text:
            out.append(_date_signal(text, source, confidence) or Signal(text, source, 0.05))
    for el in page.sel.root.iter("time"):
        if (text := (el.get("datetime") or "").strip()) and not hidden(el) and not in_widget(el, page.scope):
            near = page.headline is not None and _within(el, page.scope)
            out.append(_date_signal(text, "time", 0.77 if near else 0.6) or Signal(text, "time", 0.04))
            break
    return out


def visible_date_signals(page: Page) -> list[Signal]:
    """Date lines near the headline: after it first (the article header), then before it."""
    anchor = page.headline
    if anchor is None:
        return []
    body, out = page.container, []
    entered = False  # the walk has reached the body
    # lxml gives both axes in document order: the nearest text before the headline is the last one.
    for axis, nodes in (("after", _FOLLOWING(anchor)), ("before", reversed(_PRECEDING(anchor)))):
        for node in nodes:
            parent = node.getparent()
            if parent is None:
                continue
            inside = axis == "after" and _within(parent, body)
            entered = entered or inside
            if not DATE_TEXT.search(node) or in_widget(parent, page.scope) or hidden(parent):
                continue
            if inside:
                region, confidence = "body", 0.3  # a date in the running text is the story's, not the page's
            elif axis == "after":
                region, confidence = ("after body", 0.55) if entered else ("header", 0.9)
            else:
                region, confidence = "before", 0.85
            signal = _visible_date(node, parent, confidence)
            if signal is not None:
                out.append(signal)
                if region in ("header", "before") and signal.precision in _MINUTE:
                    return out
        if out:
            return out
    return out


def _visible_date(node, parent, confidence: float) -> Signal | None:
    """A date line's text that parses: the element's whole text, its own text, or the date inside it."""
    whole = element_text(parent)
    tried = [whole] if len(whole) <= 80 else []
    tried.append(" ".join(str(node).split()))
    spans = [m.group(0) for text in tried if len(text) <= 80 and (m := _DATE_SPAN.search(text))]
    tried += [span for span in spans if span not in tried]
    for text in tried:
        if len(text) <= 80 and (s := _date_signal(text, "visible", confidence)) is not None:
            return s
    return None


def published_signals(page: Page) -> list[Signal]:
    return meta_date_signals(page) + visible_date_signals(page)


def pick_date(signals: list[Signal]) -> Signal | None:
    """The most confident date; metadata that agrees with the chosen visible date to the minute is taken
    instead (it is exact where the page rounds), and so is a minute-precise one on a visible date-only day."""
    best = pick(signals)
    if best is None or best.source != "visible" or best.when is None:
        return best
    for s in signals:
        if s.source == "visible" or s.when is None or s.precision not in _MINUTE:
            continue
        here = s.when.astimezone(best.when.tzinfo)
        if best.precision in _MINUTE and here.replace(second=0, microsecond=0) == best.when:
            return s
        if best.precision == "day" and here.date() == best.when.date():
            return s
    return best


# --- byline -------------------------------------------------------------------------------------------

BYLINE_XPATHS = (  # predicates on elements after the headline, most specific first
    "[@itemprop='author'][not(self::meta)]",
    "[self::a][@rel='author']",
    "[self::a][contains(@href, '/tac-gia/') or contains(@href, '/author/')]",
    "[contains(@class, 'author') or contains(@class, 'byline') or contains(@class, 'tac-gia')"
    " or contains(@class, 'tacgia') or contains(@class, 'ReferenceSourceTG') or contains(@class, 'Author')]",
)
_LABEL = re.compile(r"^(tác giả|bài|bài và ảnh|bài, ảnh|by|author)\s*:\s*", re.I)
_NAME_SEPARATORS = frozenset(("-", "–", "&", "và", ",", "/"))
_SEPARATED = re.compile(r"\s[-–&/]\s|,|\svà\s|\(")
_NOT_NAMES = frozenset(
    (
        "ảnh",
        "video",
        "clip",
        "nguồn",
        "theo",
        "tin",
        "bài",
        "xem",
        "thêm",
        "tags",
        "từ",
        "khóa",
        "chia",
        "sẻ",
        "bình",
        "luận",
        "liên",
        "quan",
        "tin liên quan",
    )
)
_SIGNATURE_BLOCKS = etree.XPath(
    "(descendant::p | descendant::div | descendant::strong | descendant::b)[position() > last() - 8]"
)
_AFTER_BODY = etree.XPath("following::*[self::p or self::div or self::strong or self::b][position() <= 15]")


def clean_visible_byline(text: str) -> str | None:
    """An author element's text without its label and the date or counts glued after it; None if it is no
    name (a date, a count, a "Theo VnExpress" source note)."""
    text = _LABEL.sub("", text.strip())
    text = re.split(r"\s*[|•·]\s*|\s+-\s+(?=\d)", text)[0].strip()
    if not 2 <= len(text) <= 60 or DATE_TEXT.search(text) or sum(c.isdigit() for c in text) > 2:
        return None
    if parse_byline(text).name is None:  # "Theo VnExpress", "(Reuters)": a source, not an author
        return None
    return text


def visible_bylines(page: Page) -> list[str]:
    """Every author element's cleaned text, in the order of BYLINE_XPATHS then of the page."""
    out: list[str] = []
    for xpath in BYLINE_XPATHS:
        for el in page.following_h1(xpath, limit=2000, anchor=page.headline):
            if (name := clean_visible_byline(element_text(el))) and name not in out and not hidden(el):
                out.append(name)
    return out


def name_shaped(text: str) -> bool:
    """A signature: one to six capitalised words or initials ("K. Miên", "H.V.", "XUÂN LONG",
    "NHẬT XUÂN - NGHI VŨ"), no digits, no sentence."""
    if not 2 <= len(text) <= 40 or any(c.isdigit() for c in text) or text[-1] in ":;?!,":
        return False
    words = [w for w in text.replace(".", ". ").split() if w.lower() not in _NAME_SEPARATORS]
    if not 1 <= len(words) <= 6 or any(w.lower().strip(".") in _NOT_NAMES for w in words):
        return False
    return all(w[0].isupper() and (w.isalpha() or w.rstrip(".").isalpha()) for w in words)


def _set_apart(el) -> bool:
    """Bold, or right-aligned, and the whole text of its block: how old CMSs sign a story."""
    style = (el.get("style") or "").replace(" ", "").lower()
    if "text-align:right" in style or (el.get("align") or "").lower() == "right":
        return True
    if el.tag in ("strong", "b"):
        block = el.getparent()
        while block is not None and block.tag in ("em", "i", "span", "font", "strong", "b"):
            block = block.getparent()
        return block is not None and element_text(block) == element_text(el)
    if el.tag == "p" and len(el) == 1 and el[0].tag in ("strong", "b") and not (el.text or "").strip():
        return True
    return False


def signature(page: Page) -> str | None:
    """The name signed at the end of the body, or right after it."""
    body = page.container
    if body is None:
        return None
    limit = page.scope.getparent() if page.scope is not None else None
    candidates = list(reversed(_SIGNATURE_BLOCKS(body)))
    candidates += [el for el in _AFTER_BODY(body) if limit is None or _within(el, limit)]
    for el in candidates:
        if not isinstance(el.tag, str) or not _set_apart(el):
            continue
        text = element_text(el)
        if name_shaped(text) and not hidden(el):
            return text
        if len(text) > 40 and el in candidates[:8]:
            break  # a long paragraph of the body: a signature is after it, not before
    return None


def _squash(text: str) -> str:
    from archiver.generic import _squash as squash

    return squash(text)


def byline_signals(page: Page) -> list[Signal]:
    meta = page.meta
    authors = [a for a in meta.ld_authors() if not is_outlet(a.name)]
    names = list(dict.fromkeys(a.name for a in authors if a.good))
    shown = visible_bylines(page)
    out: list[Signal] = []
    if names:
        out.append(Signal(", ".join(names), "jsonld", 0.8))
        together = {_squash(n) for n in names}
        # The same names as the page shows them; with more than one name, a form that separates them
        # ("NHẬT XUÂN - NGHI VŨ", not a carousel's "NHẬT XUÂN NGHI VŨ").
        same = [t for t in shown if _joins(_squash(t), together)]
        same.sort(key=lambda t: len(names) > 1 and not _SEPARATED.search(t))
        out += [Signal(t, "visible", 0.85) for t in same[:1]]
    if shown:
        out.append(Signal(shown[0], "visible", 0.7))
    if signed := signature(page):
        out.append(Signal(signed, "signature", 0.6))
    meta_authors = [a for a in meta.meta_authors() if not is_outlet(a.name)]
    out += [Signal(a.name, "meta", 0.5) for a in meta_authors[:1] if a.good]
    # Initials are still a byline when the page shows nothing better.
    for source, group, confidence in (("jsonld", authors, 0.3), ("meta", meta_authors, 0.25)):
        out += [Signal(a.name, source, confidence) for a in group[:1] if a.kind in ("person", "unknown") and a.name]
    return out


def _joins(shown: str, names: set[str]) -> bool:
    """`shown` (squashed) is exactly the names (squashed), in some order: "NHẬT XUÂN - NGHI VŨ" for
    ["NHẬT XUÂN", "NGHI VŨ"], "Tâm Hằng (TTXVN)" for the glued "Tâm HằngTTXVN"."""
    return bool(shown) and len(shown) == sum(map(len, names)) and all(n in shown for n in names)


# --- views --------------------------------------------------------------------------------------------

VIEWS_TEXT = re.compile(
    r"(?:\d[\d.,]*\s*lượt\s*(?:xem|đọc))|(?:lượt\s*(?:xem|đọc)\s*:?\s*\d[\d.,]*\d|"
    r"lượt\s*(?:xem|đọc)\s*:?\s*\d)",
    re.I,
)
_VIEWS_NEAR_H1 = etree.XPath("following::text()[position() <= 150][contains(., 'lượt') or contains(., 'Lượt')]")
# Elements classed like a view counter soon after the headline (no scope: computing it costs a body search).
_VIEW_COUNTERS = etree.XPath(
    "following::*[position() <= 200][contains(@class, 'view') or contains(@class, 'luot-xem')]"
)
_COUNT = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")


def views_signals(page: Page, date_line: str | None = None) -> list[Signal]:
    """ "1.234 lượt xem" / "Lượt xem: 1.234" soon after the headline (not a sidebar's count), the count after
    the date in "24/10/2019 | 927", or an element classed like a view counter holding only a number."""
    if page.headline is None:
        return []
    out: list[Signal] = []
    for node in _VIEWS_NEAR_H1(page.headline):
        parent = node.getparent()
        if (m := VIEWS_TEXT.search(node)) and parent is not None and not in_widget(parent):
            out.append(Signal(m.group(0), "visible", 0.8))
            break
    if date_line and "|" in date_line and (count := split_date_views(date_line)[1]):
        out.append(Signal(count, "visible", 0.7))
    if out:
        return out
    for el in _VIEW_COUNTERS(page.headline):
        text = element_text(el)
        if _COUNT.fullmatch(text) and not hidden(el) and not in_widget(el):
            out.append(Signal(text, "visible", 0.6))
            break
    return out


def _text(value) -> str:
    return html.unescape(value.strip()) if isinstance(value, str) else ""
