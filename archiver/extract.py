"""Extraction: one HTML page -> a `RawArticle` (strings as the page shows them).

The spider and `archiver extract` both call `extract`, so a saved page extracts
exactly as it did during the crawl. Site knowledge lives in profiles (data); the
generic reader (`generic`) fills whatever a profile does not give, and pages of
sites without a profile.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from parsel import Selector

from archiver import generic
from archiver.body import read_body
from archiver.dates import VN_TZ
from archiver.items import RawArticle, RawRelated
from archiver.profile import Profile, RelatedSpec, profile_for
from archiver.selectors import first, select

log = logging.getLogger(__name__)

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "zarsrc", "gidzl")


def extract(page: str | bytes | Selector, url: str, *, fetched_at: datetime | None = None,
            profile: Profile | None = None, generic_only: bool = False) -> RawArticle:
    """Extract one page; `page` is its HTML or an already parsed Selector (the spider's).

    Without `profile` the URL's domain, then the page's markup, picks one; `generic_only`
    skips profiles altogether (to measure the fallback). Fields the profile does not give
    come from `generic`; `raw.sources` says, per field, which path gave it.
    """
    if isinstance(page, bytes):
        page = page.decode("utf-8", errors="replace")
    sel = page if isinstance(page, Selector) else Selector(text=page, base_url=url)
    if generic_only:
        profile = None
    else:
        profile = profile or profile_for(url, sel)
    page_url = canonical_url(sel, url)
    raw = RawArticle(
        url=page_url,
        site=site_of(page_url),
        fetched_at=(fetched_at or datetime.now(ZoneInfo(VN_TZ))).isoformat(),
        profile=profile.name if profile else None,
    )
    if profile:
        _apply_profile(raw, sel, profile, url)
    generic.fill(raw, sel, url)
    raw.related = _dedupe(raw.related, raw.url)
    return raw


def _apply_profile(raw: RawArticle, sel: Selector, profile: Profile, url: str) -> None:
    for name, attr in (("title", "title"), ("published", "published_raw"), ("views", "views_raw"),
                       ("byline", "byline_raw"), ("lead", "lead")):
        value = _safely(raw, name, lambda name=name: first(sel, profile.rules(name)))
        if value:
            setattr(raw, attr, value)
            raw.sources[attr] = "profile"
    containers = _safely(raw, "body",
                         lambda: [m for expr in profile.body.container for m in select(sel, expr)])
    if containers:  # None after an error, [] when the page has no such element
        spec = profile.body
        before = tuple(m for expr in spec.before for m in select(sel, expr))
        body = _safely(raw, "body", lambda: read_body(containers[0], url, exclude=spec.exclude,
                                                       caption=spec.caption, before=before,
                                                       lead_first=spec.lead == "first_paragraph"))
        if body:
            raw.paragraphs, raw.images = body.paragraphs, body.images
            for attr, value in (("lead", body.lead), ("byline_raw", body.byline)):
                if value and not getattr(raw, attr):
                    setattr(raw, attr, value)
                    raw.sources[attr] = "profile:body"
            raw.sources.update(paragraphs="profile", images="profile")
    related = _safely(raw, "related",
                      lambda: [r for spec in profile.related for r in _related(sel, spec, url)])
    if related:
        raw.related = related
        raw.sources["related"] = "profile"


def _safely(raw: RawArticle, field: str, fn):
    """A broken selector or odd markup costs one field of one page, never the crawl."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any failure here is reported, not raised
        log.warning("extraction error on %s, field %s: %s", raw.url, field, e)
        raw.sources[f"{field}.error"] = str(e)  # kept apart: the fallback may still fill the field
        return None


def _related(sel: Selector, spec: RelatedSpec, base_url: str) -> list[RawRelated]:
    out = []
    for item in select(sel, spec.item):
        href = first(item, spec.url)
        title = first(item, spec.title) if spec.title else None
        if not href or not title:
            continue
        date = first(item, spec.date) if spec.date else None
        out.append(RawRelated(title=title, url=urljoin(base_url, href.strip()), date_raw=date))
    return out


def _dedupe(related: list[RawRelated], own_url: str) -> list[RawRelated]:
    seen = {own_url}
    out = []
    for r in related:
        key = strip_url(r.url)
        if key not in seen:
            seen.add(key)
            r.url = key
            out.append(r)
    return out


def canonical_url(sel: Selector, url: str) -> str:
    """`link rel=canonical` when it is a URL of the same site, else the fetched URL; without tracking."""
    href = sel.css("link[rel=canonical]::attr(href)").get()
    if href:
        candidate = urljoin(url, href.strip())
        if site_of(candidate) == site_of(url):
            return strip_url(candidate)
    return strip_url(url)


def strip_url(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith(TRACKING_PARAMS))
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path or "/", query, ""))


def site_of(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")
