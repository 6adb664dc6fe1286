"""RawArticle -> Article: the whole-article step of normalization (pure, no Scrapy).

Field-level rules live in `text`, `dates` and `views`; this module only applies
them and records, per field, why a value could not be normalized.
"""

from __future__ import annotations

from datetime import datetime

from archiver.dates import parse_date
from archiver.items import Article, Image, RawArticle, Related
from archiver.text import clean_byline, clean_text
from archiver.views import parse_views


def normalize_article(raw: RawArticle) -> Article:
    fetched_at = datetime.fromisoformat(raw.fetched_at)
    problems: list[str] = list(raw.problems)  # extraction's notes first
    published = parse_date(raw.published_raw, fetched_at=fetched_at) if raw.published_raw else None
    if published and published.value is None:
        problems.append(f"published_at: {published.reason} ({raw.published_raw!r})")
    views = parse_views(raw.views_raw) if raw.views_raw else None
    if raw.views_raw and views is None:
        problems.append(f"views: not a count ({raw.views_raw!r})")
    return Article(
        url=raw.url,
        site=raw.site,
        title=clean_text(raw.title),
        published_at=published.iso if published else None,
        published_raw=clean_text(raw.published_raw),
        published_precision=published.precision if published and published.value else None,
        views=views,
        byline=clean_byline(raw.byline_raw),
        byline_raw=clean_text(raw.byline_raw),
        lead=clean_text(raw.lead),
        paragraphs=[p for p in map(clean_text, raw.paragraphs) if p],
        images=[Image(src=i.src, caption=clean_text(i.caption)) for i in raw.images if i.src],
        related=[_related(r, fetched_at) for r in raw.related],
        fetched_at=raw.fetched_at,
        profile=raw.profile,
        sources=dict(raw.sources),
        problems=problems,
        etag=raw.etag,
        last_modified=raw.last_modified,
        warc=raw.warc,
    )


def _related(r, fetched_at: datetime) -> Related:
    date_raw = clean_text(r.date_raw)
    parsed = parse_date(date_raw, fetched_at=fetched_at) if date_raw else None
    return Related(
        title=clean_text(r.title) or "",
        url=r.url,
        date_raw=date_raw,
        date=parsed.iso if parsed else None,
        precision=parsed.precision if parsed and parsed.value else None,
        kind=r.kind,
        label=clean_text(r.label),
    )
