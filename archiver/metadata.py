"""Page metadata, read once: JSON-LD, `<meta>` (OpenGraph, `article:*`, Dublin Core), `itemprop`.

`PageMeta` only collects; `generic` decides which candidate wins. Kept apart so
that a profiled page that needs no metadata never pays for reading it.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from parsel import Selector

from archiver.selectors import element_text

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle",
                 "OpinionNewsArticle", "ReviewNewsArticle", "LiveBlogPosting", "WebPage"}
ORG_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "WebSite"}
PUBLISHED_META = ("article:published_time", "og:published_time", "published_time", "datepublished",
                  "pubdate", "publishdate", "dc.date.issued", "dc.date", "date", "article:published")
AUTHOR_META = ("author", "article:author", "dc.creator", "byl")
OUTLET_META = ("og:site_name", "source", "application-name", "dc.publisher")
# Initials such as "TP", "T.H", "N.A.": real bylines, but a visible name is better when there is one.
INITIALS = re.compile(r"^(?:[A-ZĐ]\.?\s*){1,4}$")
ORG_WORDS = re.compile(r"\b(báo|tạp chí|đài|truyền hình|thông tấn|online|điện tử|news|\.vn|\.com|tòa soạn|"
                       r"ban biên tập|cổng thông tin)\b", re.I)


@dataclass
class Author:
    name: str
    kind: str  # "person", "org", "url", "unknown"

    @property
    def initials(self) -> bool:
        return bool(INITIALS.match(self.name.strip()))

    @property
    def good(self) -> bool:
        """A person's name a reader would recognise: not an organisation, a URL, empty or initials."""
        return self.kind in ("person", "unknown") and bool(self.name.strip()) and not self.initials


@dataclass
class PageMeta:
    sel: Selector
    _meta: dict[str, list[str]] = field(default_factory=dict, init=False)

    @cached_property
    def ld(self) -> dict:
        return json_ld(self.sel)

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` and `itemprop` values keyed by lower-case property/name/itemprop."""
        out: dict[str, list[str]] = {}
        for m in self.sel.xpath("//meta[@content]"):
            key = (m.attrib.get("property") or m.attrib.get("name") or m.attrib.get("itemprop") or "").lower()
            if key:
                out.setdefault(key, []).append(m.attrib["content"].strip())
        return out

    def first_meta(self, *keys: str) -> tuple[str, str] | None:
        """(key, value) of the first non-empty meta among `keys`, in the order given."""
        for key in keys:
            for value in self.meta.get(key, []):
                if value:
                    return key, value
        return None

    @cached_property
    def itemprops(self) -> dict[str, list]:
        """Elements (not `<meta>`) by their `itemprop`, from one pass."""
        out: dict[str, list] = {}
        for el in self.sel.root.xpath("//*[@itemprop][not(self::meta)]"):
            out.setdefault(el.get("itemprop"), []).append(el)
        return out

    def itemprop(self, name: str) -> str | None:
        """An `itemprop` outside `<meta>`: its datetime/content attribute, else its text."""
        for el in self.itemprops.get(name, []):
            value = el.get("datetime") or el.get("content") or element_text(el)
            if value and value.strip():
                return value.strip()
        return None

    def ld_authors(self) -> list[Author]:
        return [self._outlet(a) for a in _authors(self.ld.get("author"))]

    def meta_authors(self) -> list[Author]:
        found = self.first_meta(*AUTHOR_META)
        return [self._outlet(_classify(found[1], None))] if found else []

    @cached_property
    def outlet_names(self) -> set[str]:
        """The site's own names (og:site_name, meta source, JSON-LD publisher), case-folded."""
        names = [v for key in OUTLET_META for v in self.meta.get(key, [])]
        publisher = self.ld.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
        return {_fold(n) for n in names if n.strip()}

    def _outlet(self, author: Author) -> Author:
        """An author named like the site itself ("Vietnam+ (VietnamPlus)") is the outlet, not a byline."""
        if author.kind in ("person", "unknown") and author.name and _fold(author.name) in self.outlet_names:
            return Author(author.name, "org")
        return author


def json_ld(sel: Selector) -> dict:
    """The page's article JSON-LD object (also inside `@graph` or a list), or {}.

    News types win over a bare WebPage, which some CMSs use for articles too.
    """
    best: dict = {}
    for script in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(script, strict=False)  # CMSs leave raw newlines inside strings
        except ValueError:
            continue
        for obj in _objects(data):
            kinds = obj.get("@type")
            kinds = set(kinds) if isinstance(kinds, list) else {kinds}
            if kinds & (ARTICLE_TYPES - {"WebPage"}) and obj.get("headline"):
                return obj
            if "WebPage" in kinds and obj.get("headline") and not best:
                best = obj
    return best


def _objects(data):
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph", []))


def _authors(value) -> list[Author]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            kind = item.get("@type")
            kind = kind[0] if isinstance(kind, list) and kind else kind
            name = item.get("name")
            if isinstance(name, str):
                out.append(_classify(name, kind))
        elif isinstance(item, str):
            out.append(_classify(item, None))
    return out


def _classify(name: str, kind) -> Author:
    # JSON-LD text is sometimes entity-escaped ("&#x110;&#x1ED7; Trung" is "Đỗ Trung").
    name = html.unescape(name).strip()
    if re.match(r"^(https?:)?//|^www\.", name):
        return Author(name, "url")
    if kind in ORG_TYPES or ORG_WORDS.search(name):
        return Author(name, "org")
    return Author(name, "person" if kind == "Person" else "unknown")


def _fold(name: str) -> str:
    return " ".join(html.unescape(name).casefold().split())


def is_iso(value: str) -> bool:
    """An ISO 8601 date-time, which is unambiguous (unlike "3/24/2024 7:12:35 AM")."""
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()))
