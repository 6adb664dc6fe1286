"""RSS/Atom feeds and XML sitemaps of a profile: the article URLs they list (pure, no Scrapy).

Profiles give `feeds` and `sitemaps` beside their `start_urls`. The spider fetches
them like any page and calls `read_feed` on the body: `articles` are to be fetched
and extracted, `sitemaps` (the entries of a sitemap index) to be read the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)


@dataclass
class Feed:
    articles: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def read_feed(body: bytes | str) -> Feed:
    """Links of an RSS 2.0 / Atom feed, a sitemap (`<url><loc>`), or a sitemap index."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    root = etree.fromstring(body.strip() or b"<x/>", _PARSER)
    feed = Feed()
    if root is None:
        return feed
    for el in root.iter():
        name = etree.QName(el).localname if isinstance(el.tag, str) else ""
        parent = el.getparent()
        parent_name = etree.QName(parent).localname if parent is not None else ""
        if name == "loc" and el.text:
            (feed.sitemaps if parent_name == "sitemap" else feed.articles).append(el.text.strip())
        elif name == "link" and parent_name in ("item", "entry"):
            href = el.get("href") or (el.text or "")
            if href.strip() and el.get("rel", "alternate") == "alternate":
                feed.articles.append(href.strip())
    feed.articles = list(dict.fromkeys(feed.articles))
    feed.sitemaps = list(dict.fromkeys(feed.sitemaps))
    return feed


def is_feed_url(url: str) -> bool:
    """A URL that names a feed or a sitemap rather than an HTML page."""
    path = url.split("?", 1)[0].lower()
    return path.endswith((".rss", ".xml", ".atom", "/rss", "/feed"))
