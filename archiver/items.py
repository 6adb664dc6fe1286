"""Typed items that flow from the spider through the pipelines to storage.

The spider yields a `RawArticle`: strings exactly as the page showed them.
The normalize pipeline turns it into an `Article`: NFC text, resolved dates,
integer views. `archiver extract` runs the same two steps, so what it prints is
what the crawl stores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

# Not part of the `archiver extract` JSON: where the page's raw response is kept (archiver.warc.WarcLocation).
_INTERNAL = ("warc",)


@dataclass
class Image:
    src: str
    caption: str | None = None


# Kinds of related links: inside the body or sapo; an article's own "Tin liên quan"-style list;
# a list of the same section's articles ("Tin cùng chuyên mục", "Các bài viết khác").
RELATED_KINDS = ("inline", "related", "same_section")


@dataclass
class RawRelated:
    title: str
    url: str
    date_raw: str | None = None
    kind: str | None = None  # one of RELATED_KINDS
    label: str | None = None  # the list's heading as shown ("Tin liên quan"); None for a bare link


@dataclass
class RawArticle:
    """What extraction found on one page, before normalization."""

    url: str
    site: str
    fetched_at: str  # ISO 8601 with offset: relative dates are resolved against it
    title: str | None = None
    published_raw: str | None = None
    views_raw: str | None = None
    byline_raw: str | None = None
    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    related: list[RawRelated] = field(default_factory=list)
    profile: str | None = None
    # field name -> which extraction path gave it ("profile", "jsonld", "meta", "fallback", ...)
    sources: dict[str, str] = field(default_factory=dict)
    # HTTP validators of the response, for conditional requests when the article is refreshed
    etag: str | None = None
    last_modified: str | None = None
    warc: Any = None  # archiver.warc.WarcLocation of the response the page was read from
    # "field: reason" notes from extraction (a profile value refused by a sanity check)
    problems: list[str] = field(default_factory=list)


@dataclass
class Related:
    title: str
    url: str
    date_raw: str | None = None
    date: str | None = None  # ISO 8601 with offset, truncated to `precision`
    precision: str | None = None
    kind: str | None = None
    label: str | None = None


@dataclass
class Article:
    """A normalized article: the unit the archive stores.

    The first keys are the stable `archiver extract` JSON interface.
    """

    url: str
    site: str
    title: str | None
    published_at: str | None
    published_raw: str | None
    views: int | None
    byline: str | None
    lead: str | None
    paragraphs: list[str]
    images: list[Image]
    related: list[Related]
    published_precision: str | None = None
    byline_raw: str | None = None
    fetched_at: str | None = None
    profile: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "field: reason" notes from normalization
    etag: str | None = None
    last_modified: str | None = None
    warc: Any = None  # archiver.warc.WarcLocation: the archive's provenance of this version

    def to_dict(self) -> dict[str, Any]:
        # Left out before asdict copies it: a location still being written holds a Future.
        data = asdict(replace(self, **dict.fromkeys(_INTERNAL)))
        for name in _INTERNAL:
            data.pop(name, None)
        return data


@dataclass
class NotModified:
    """A refreshed article answered 304: it is unchanged, only seen again."""

    url: str
    fetched_at: str
