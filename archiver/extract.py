"""Extraction: one HTML page -> a `RawArticle` (strings as the page shows them).

The spider and `archiver extract` both call `extract`, so a saved page extracts
exactly as it did during the crawl. Site knowledge lives in profiles (data); the
generic reader (`generic`) fills whatever a profile does not give, and pages of
sites without a profile.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.html import HTMLParser
from parsel import Selector
from parsel.selector import create_root_node

from archiver import generic
from archiver.body import read_body
from archiver.checks import Context, outlet_names, refusal
from archiver.dates import VN_TZ
from archiver.items import RawArticle, RawRelated
from archiver.profile import Profile, RelatedSpec, profile_for
from archiver.related import ArticleLinks, BodyRegion, label_near, strip_url
from archiver.selectors import first, first_match, root_of, select

log = logging.getLogger(__name__)

CANONICAL = "link[rel=canonical]::attr(href)"
# The site's names as the page gives them, looked for in <head> (compiled once: it runs on every profiled page).
_SITE_NAMES = etree.XPath("descendant::meta[@property='og:site_name' or @name='og:site_name' "
                          "or @name='application-name']/@content", smart_strings=False)


def extract(page: str | bytes | Selector, url: str, *, fetched_at: datetime | None = None,
            profile: Profile | None = None, generic_only: bool = False) -> RawArticle:
    """Extract one page; `page` is its HTML or an already parsed Selector (the spider's).

    Without `profile` the URL's domain, then the page's markup, picks one; `generic_only`
    skips profiles altogether (to measure the fallback). Fields the profile does not give
    come from `generic`; `raw.sources` says, per field, which path gave it.
    """
    if isinstance(page, bytes):
        page = decode_page(page, url)
    sel = page if isinstance(page, Selector) else parse_html(page, url)
    if generic_only:
        profile = None
    else:
        profile = profile or profile_for(url, sel)
    page_url = canonical_url(sel, url)
    raw = RawArticle(
        url=page_url,
        site=site_key(page_url, profile),
        fetched_at=(fetched_at or datetime.now(ZoneInfo(VN_TZ))).isoformat(),
        profile=profile.name if profile else None,
    )
    links = ArticleLinks(url, profile.article_urls if profile else ())
    body = _apply_profile(raw, sel, profile, url, links) if profile else None
    refused, ctx = _refuse(raw, sel, profile) if profile else ({}, None)
    generic.fill(raw, sel, url, links=links, body=body)
    if profile:
        _after_refusals(raw, refused, ctx)
    raw.related = _dedupe(raw.related, raw.url)
    return raw


# Where a refused field is named in `problems` (the archive's column names, as normalization names them).
PROBLEM_FIELD = {"title": "title", "published_raw": "published_at", "byline_raw": "byline", "views_raw": "views"}


def _refuse(raw: RawArticle, sel: Selector, profile: Profile) -> tuple[dict[str, tuple[str, str]], Context | None]:
    """Clear the profile's values that fail their sanity check (`checks`), so the generic reader fills
    those fields: attr -> (refused value, reason), and the checks' context (None if nothing was checked)."""
    ctx = None
    refused = {}
    for attr in PROBLEM_FIELD:
        value = getattr(raw, attr)
        if not value or not raw.sources.get(attr, "").startswith("profile"):
            continue
        ctx = ctx or _context(raw, sel, profile)
        if reason := refusal(attr, value, ctx):
            refused[attr] = (value, reason)
            setattr(raw, attr, None)
            del raw.sources[attr]
    return refused, ctx


def _context(raw: RawArticle, sel: Selector, profile: Profile) -> Context:
    """The site's own names (the profile's, its domains, the page's og:site_name) and the fetch time."""
    head = sel.root.find("head")
    shown = _SITE_NAMES(head if head is not None else sel.root)
    names = outlet_names(profile.title, profile.name, *profile.domains, *shown)
    return Context(fetched_at=datetime.fromisoformat(raw.fetched_at), outlet_names=names)


def _after_refusals(raw: RawArticle, refused: dict[str, tuple[str, str]], ctx: Context | None) -> None:
    """Say, per refused field, what took the profile's place; a generic value that fails the same check is
    no better and is dropped, but a refused headline with nothing in its place is kept (an article without
    a title is dropped). A thin profile body given way is said too."""
    for attr, (value, reason) in refused.items():
        note = f"profile value refused: {reason}"
        if getattr(raw, attr) and refusal(attr, getattr(raw, attr), ctx):
            setattr(raw, attr, None)
        if getattr(raw, attr):
            raw.sources[attr] = f"generic:{raw.sources.get(attr, 'fallback')} ({note})"
        elif attr == "title":
            raw.title = value
            raw.sources[attr] = f"profile ({note}; the generic reader found none)"
        else:
            raw.sources[attr] = f"none ({note}; the generic reader found none)"
        raw.problems.append(f"{PROBLEM_FIELD[attr]}: profile value refused ({reason}): {value[:80]!r}")
    if thin := raw.sources.get("paragraphs.profile"):
        raw.problems.append(f"paragraphs: profile body refused ({thin}); the generic body is kept")


def decode_page(body: bytes, url: str, content_type: str | None = None) -> str:
    """A saved page's text, decoded as a crawl decodes it: Scrapy's HtmlResponse, which reads the HTTP
    Content-Type charset if given, then a BOM, then <meta charset> / http-equiv, then guesses (w3lib)."""
    from scrapy.http import HtmlResponse

    headers = {"Content-Type": content_type} if content_type else None
    return HtmlResponse(url, body=body, headers=headers).text


def parse_html(html: str, url: str) -> Selector:
    """The page's tree as Scrapy's `response.selector` builds it: parsel's HTML parsing of the
    stripped text without NULs, in UTF-8.

    Handed over as bytes: parsel's text path looks for NULs in the str, a scan that costs
    ~3% of a profiled page's extraction; in bytes the same search is a memchr.
    """
    body = html.strip().encode("utf-8")
    if b"\x00" in body:  # the text path strips before it drops NULs: let it, for the same tree
        return Selector(text=html, type="html", base_url=url)
    return Selector(root=create_root_node("", HTMLParser, base_url=url, body=body), type="html")


def _apply_profile(raw: RawArticle, sel: Selector, profile: Profile, url: str,
                   links: ArticleLinks) -> BodyRegion | None:
    """Fill the fields the profile gives; the body region it read, for the body's own related links."""
    for name, attr in (("title", "title"), ("published", "published_raw"), ("views", "views_raw"),
                       ("byline", "byline_raw"), ("lead", "lead")):
        value = _safely(raw, name, lambda name=name: first(sel, profile.rules(name)))
        if value:
            setattr(raw, attr, value)
            raw.sources[attr] = "profile"
    container = _safely(raw, "body", lambda: _first_match(sel, profile.body.container))
    region = None
    if container is not None:  # None after an error too
        spec = profile.body
        before = tuple(m for expr in spec.before for m in select(sel, expr))
        excluded = frozenset(m for expr in spec.exclude for m in select(container, expr))
        region = BodyRegion(root_of(container), excluded)
        body = _safely(raw, "body", lambda: read_body(container, url, exclude=spec.exclude,
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
                      lambda: [r for spec in profile.related for r in _related(sel, spec, links, region)])
    if related:
        raw.related = related
        raw.sources["related"] = "profile"
    return region


def _first_match(sel: Selector, exprs: tuple[str, ...]) -> object:
    """The first element the first matching selector finds; later selectors are not run."""
    for expr in exprs:
        if (found := first_match(sel, expr)) is not None:
            return found
    return None


def _safely(raw: RawArticle, field: str, fn):
    """A broken selector or odd markup costs one field of one page, never the crawl."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any failure here is reported, not raised
        log.warning("extraction error on %s, field %s: %s", raw.url, field, e)
        raw.sources[f"{field}.error"] = str(e)  # kept apart: the fallback may still fill the field
        return None


def _related(sel: Selector, spec: RelatedSpec, links: ArticleLinks,
             region: BodyRegion | None) -> list[RawRelated]:
    """The spec's entries that link to articles of the site, with their kind and the list's label."""
    out = []
    labels: dict = {}  # the list's heading, looked up once per list (the items' parent)
    for item in select(sel, spec.item):
        href = first(item, spec.url)
        title = first(item, spec.title) if spec.title else None
        url = links.url(href)
        if not url or not title:
            continue
        date = first(item, spec.date) if spec.date else None
        parent = item.getparent()
        if parent not in labels:
            labels[parent] = label_near(item)
        label, heading = labels[parent] or (None, None)
        inline = region is not None and region.holds(item)
        kind = spec.kind or ("inline" if inline else heading or "related")
        out.append(RawRelated(title=title, url=url, date_raw=date, kind=kind, label=label))
    return out


def _dedupe(related: list[RawRelated], own_url: str) -> list[RawRelated]:
    """One entry per URL and kind (a link both in the text and in "Tin liên quan" is in both lists),
    never the page itself."""
    seen = set()
    own = strip_url(own_url)
    out = []
    for r in related:
        r.url = strip_url(r.url)
        if r.url != own and (r.url, r.kind) not in seen:
            seen.add((r.url, r.kind))
            out.append(r)
    return out


def canonical_url(sel: Selector, url: str) -> str:
    """`link rel=canonical` when it is a URL of the same site, else the fetched URL; without tracking."""
    href = _canonical_href(sel.root)
    if href:
        candidate = urljoin(url, href.strip())
        if site_of(candidate) == site_of(url):
            return strip_url(candidate)
    return strip_url(url)


def _canonical_href(root: etree._Element) -> str | None:
    """The first canonical link's href, in document order. Looked for in `head` first: when it
    is the html element's first element, a match there precedes any other, and a head is much
    smaller than the page the selector would otherwise walk.
    """
    head = root.find("head")
    if head is not None and head is next(root.iterchildren(etree.Element), None):
        if (href := first_match(head, CANONICAL)) is not None:
            return href
    return first_match(root, CANONICAL)


def site_key(url: str, profile: Profile | None) -> str:
    """The archive's `site`: the profile's name when a profile read the page (`--site tuoitre` matches
    every page it read, on any of its domains), else the host."""
    return profile.name if profile else site_of(url)


def is_article_page(raw: RawArticle, sel: Selector) -> bool:
    """An article has a headline and a body (text, or captioned photos). A listing or a section front has
    no headline of its own (its title is the document's <title>) and no body, only a list of links."""
    headline = raw.title and (raw.sources.get("title") != "fallback" or generic.Page(sel, raw.url).h1s)
    body = raw.paragraphs or raw.lead or any(image.caption for image in raw.images)
    return bool(headline and body)


def site_of(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")
