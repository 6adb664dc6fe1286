"""The generic reader: fills what a profile did not give, from page metadata.

Order of trust for metadata: JSON-LD, then OpenGraph / `article:*` meta, then
`<time datetime>`, then visible text. (Issue 5 deepens this: itemprop, author
sanity checks, trafilatura for bodies of unprofiled sites, related headings.)
"""

from __future__ import annotations

import json

from parsel import Selector

from archiver.items import RawArticle
from archiver.selectors import element_text

META = {
    "title": ["meta[property='og:title']::attr(content)", "h1", "title"],
    "published_raw": [
        "meta[property='article:published_time']::attr(content)",
        "meta[itemprop='datePublished']::attr(content)",
        "time[datetime]::attr(datetime)",
    ],
}


def fill(raw: RawArticle, sel: Selector, url: str) -> None:
    ld = json_ld(sel)
    if not raw.title:
        _set(raw, "title", ld.get("headline"), "jsonld") or _first_meta(raw, sel, "title")
    if not raw.published_raw:
        _set(raw, "published_raw", ld.get("datePublished"), "jsonld") or _first_meta(raw, sel, "published_raw")


def _set(raw: RawArticle, attr: str, value, source: str) -> bool:
    if isinstance(value, str) and value.strip():
        setattr(raw, attr, value.strip())
        raw.sources[attr] = source
        return True
    return False


def _first_meta(raw: RawArticle, sel: Selector, attr: str) -> bool:
    for expr in META[attr]:
        for m in sel.css(expr):
            value = m.root if isinstance(m.root, str) else element_text(m.root)
            if _set(raw, attr, value, "meta" if "meta" in expr or "[" in expr else "fallback"):
                return True
    return False


def json_ld(sel: Selector) -> dict:
    """The page's NewsArticle/Article JSON-LD object (also inside `@graph`), or {}."""
    for script in sel.css("script[type='application/ld+json']::text").getall():
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for obj in _objects(data):
            kind = obj.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(k in ("NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting") for k in kinds):
                return obj
    return {}


def _objects(data):
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph", []))
