"""Site profiles: one TOML file per site (or shared CMS) in archiver/profiles/.

A profile is data: domains, start URLs, URL patterns of article and listing
pages, and per field an ordered list of selector rules (see `selectors`). Adding
a site means writing a profile, not editing the spider or the pipelines.
Profiles are validated on load; an error names the file and the key.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from cssselect import SelectorError
from lxml.etree import XPathError
from parsel import Selector

from archiver.incremental import policy_from
from archiver.items import RELATED_KINDS
from archiver.selectors import POST, Rule, first_match, is_xpath

PROFILE_DIR = Path(__file__).parent / "profiles"
FIELDS = ("title", "published", "views", "byline", "lead", "author_meta")
TOP_KEYS = {"refresh", "name", "title", "verified", "domains", "start_urls", "feeds", "sitemaps", "cms", "detect",
            "urls", "fields", "body", "related", "notes"}
BODY_KEYS = {"container", "lead", "exclude", "caption", "before"}
RELATED_KEYS = {"item", "title", "url", "date", "kind"}


class ProfileError(ValueError):
    """A profile file is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class RelatedSpec:
    item: str  # selector of one entry
    title: tuple[Rule, ...] = ()  # relative to the item; empty: the item's own text
    url: tuple[Rule, ...] = (Rule("@href"),)
    date: tuple[Rule, ...] = ()
    kind: str | None = None  # inline / related / same_section; None: from where the list is and its heading


@dataclass(frozen=True)
class BodySpec:
    container: tuple[str, ...] = ()
    lead: str | None = None  # "first_paragraph", or None (lead from fields.lead)
    exclude: tuple[str, ...] = ()
    caption: tuple[str, ...] = ()  # extra selectors of caption blocks inside the body
    before: tuple[str, ...] = ()  # blocks outside the container read first (a lead figure)


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    path: Path
    verified: bool = False
    domains: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()  # section / home pages
    feeds: tuple[str, ...] = ()  # RSS feeds (their <link>s are articles)
    sitemaps: tuple[str, ...] = ()  # XML sitemaps (their <loc>s are articles or further sitemaps)
    cms: str = ""  # the shared CMS, when several sites use the same markup
    # Selector sets, one per layout generation: the page is of this site's markup when every selector of
    # one set matches. Written as a list of selectors (one generation) or a list of such lists.
    detect: tuple[tuple[str, ...], ...] = ()
    article_urls: tuple[re.Pattern, ...] = ()
    listing_urls: tuple[re.Pattern, ...] = ()
    fields: dict[str, tuple[Rule, ...]] = field(default_factory=dict)
    body: BodySpec = BodySpec()
    related: tuple[RelatedSpec, ...] = ()
    notes: str = ""
    refresh: tuple[tuple[float, float], ...] = ()  # [age_days, every_days] steps; () = settings' default

    def rules(self, name: str) -> tuple[Rule, ...]:
        return self.fields.get(name, ())

    def owns(self, url: str) -> bool:
        return self.owns_host(_host(url))

    def owns_host(self, host: str) -> bool:
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def looks_like(self, sel: Selector, declared_host: str | None = None) -> bool:
        """The page has this site's markup (every selector of one `detect` set), and does not say it is a page
        of another site: `declared_host`, the host of its canonical URL / og:url, is none of this profile's
        domains and not a local test server (a replica). Markup is shared by CMSs and themes; identity is not.
        """
        if declared_host and not (self.owns_host(declared_host) or anonymous_host(declared_host)):
            return False
        return any(all(first_match(sel, css) is not None for css in group) for group in self.detect)

    def is_article(self, url: str) -> bool:
        return _matches(self.article_urls, url)

    def is_listing(self, url: str) -> bool:
        return _matches(self.listing_urls, url)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})  # replicas and test servers: no site's own host
RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local"})  # RFC 2606 / 6761 names


def anonymous_host(host: str) -> bool:
    """An IP address or a reserved test name (replica.test): a test server's host, which names no site."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return host in LOCAL_HOSTS or host.rsplit(".", 1)[-1] in RESERVED_TLDS
_DECLARED = ("link[rel=canonical]::attr(href)", "meta[property='og:url']::attr(content)")


def declared_host(sel: Selector, url: str) -> str | None:
    """The host the page says it belongs to: its canonical URL's, else its og:url's (resolved against `url`)."""
    for expr in _DECLARED:
        href = first_match(sel, expr)
        if href and href.strip():
            host = _host(urljoin(url, href.strip()))
            if host:
                return host
    return None


def _matches(patterns: tuple[re.Pattern, ...], url: str) -> bool:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return any(p.search(target) for p in patterns)


# --- loading and validation ---------------------------------------------------------


CMS_DIR = PROFILE_DIR / "cms"
CMS_KEYS = {"title", "detect", "fields", "body", "related", "notes"}


def load_profile(path: Path) -> Profile:
    data = _read(path)
    if "cms" in data:
        data = _with_cms(data, path)
    return _build(data, path)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"{path.name}: not valid TOML: {e}") from None
    except OSError as e:
        raise ProfileError(f"{path.name}: cannot read: {e}") from None


def _with_cms(data: dict, path: Path) -> dict:
    """Selectors shared by the sites of one CMS (profiles/cms/NAME.toml), under the site's own.

    The site's `fields` keys and `body` keys replace the CMS's one by one; its `detect`
    and `related`, when given, replace the CMS's wholesale.
    """
    name = data["cms"]
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_-]+", name):
        raise ProfileError(f"{path.name}: `cms` must be the name of a file in profiles/cms/, got {name!r}")
    base_path = CMS_DIR / f"{name}.toml"
    if not base_path.exists():
        known = ", ".join(sorted(p.stem for p in CMS_DIR.glob("*.toml")))
        raise ProfileError(f"{path.name}: cms: no profiles/cms/{name}.toml; known: {known}")
    base = _read(base_path)
    _no_unknown(base, CMS_KEYS, f"cms/{base_path.name}")
    merged = {k: v for k, v in base.items() if k not in ("title", "notes")}
    merged.update({k: v for k, v in data.items() if k not in ("fields", "body")})
    for table in ("fields", "body"):
        merged[table] = {**base.get(table, {}), **data.get(table, {})}
    return merged


def _build(data: dict, path: Path) -> Profile:
    where = path.name
    _no_unknown(data, TOP_KEYS, where)
    for key in ("name", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ProfileError(f"{where}: `{key}` is required and must be a non-empty string")
    urls = data.get("urls", {})
    _no_unknown(urls, {"article", "listing"}, f"{where}: urls")
    fields = data.get("fields", {})
    _no_unknown(fields, set(FIELDS), f"{where}: fields")
    body = data.get("body", {})
    _no_unknown(body, BODY_KEYS, f"{where}: body")
    if body.get("lead") not in (None, "first_paragraph"):
        raise ProfileError(f"{where}: body.lead must be \"first_paragraph\" or absent")
    return Profile(
        name=data["name"],
        title=data["title"],
        path=path,
        verified=bool(data.get("verified", False)),
        domains=tuple(_strings(data, "domains", where)),
        start_urls=tuple(_strings(data, "start_urls", where)),
        feeds=tuple(_strings(data, "feeds", where)),
        sitemaps=tuple(_strings(data, "sitemaps", where)),
        cms=_string(data, "cms", where),
        detect=_detect(data.get("detect", []), where),
        article_urls=_patterns(urls, "article", where),
        listing_urls=_patterns(urls, "listing", where),
        fields={k: _rules(v, f"{where}: fields.{k}") for k, v in fields.items()},
        body=BodySpec(
            container=_selectors(body, "container", where),
            lead=body.get("lead"),
            exclude=_selectors(body, "exclude", where),
            caption=_selectors(body, "caption", where),
            before=_selectors(body, "before", where),
        ),
        related=tuple(_related(r, f"{where}: related[{n}]") for n, r in enumerate(data.get("related", []))),
        notes=_string(data, "notes", where),
        refresh=_refresh(data.get("refresh"), where),
    )


def _detect(value, where: str) -> tuple[tuple[str, ...], ...]:
    """`detect`: a selector, a list of selectors (one set), or a list of such lists (one set per generation)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ProfileError(f"{where}: `detect` must be a list of selectors or a list of lists of selectors")
    if not value:
        return ()
    groups = value if value and all(isinstance(v, list) for v in value) else [value]
    out = []
    for n, group in enumerate(groups):
        if not group or not all(isinstance(v, str) for v in group):
            raise ProfileError(f"{where}: detect[{n}]: a set of selectors (strings), not empty; "
                               "several sets are a list of lists")
        out.append(tuple(_selector(v, f"{where}: detect") for v in group))
    return tuple(out)


def _string(table: dict, key: str, where: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ProfileError(f"{where}: `{key}` must be a string")
    return value


def _selectors(body: dict, key: str, where: str) -> tuple[str, ...]:
    return tuple(_selector(s, f"{where}: body.{key}") for s in _strings(body, key, where))


def _refresh(value, where: str) -> tuple[tuple[float, float], ...]:
    if value is None:
        return ()
    try:
        return policy_from(value)
    except (TypeError, ValueError) as e:
        raise ProfileError(f"{where}: refresh: {e}") from None


def _no_unknown(table: dict, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise ProfileError(f"{where}: must be a table")
    if unknown := sorted(set(table) - allowed):
        allowed_keys = ", ".join(sorted(allowed))
        raise ProfileError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {allowed_keys}")


def _strings(table: dict, key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}: `{key}` must be a string or a list of strings")
    return value


def _patterns(urls: dict, key: str, where: str) -> tuple[re.Pattern, ...]:
    out = []
    for p in _strings(urls, key, where):
        try:
            out.append(re.compile(p))
        except re.error as e:
            raise ProfileError(f"{where}: urls.{key}: bad regular expression {p!r}: {e}") from None
    return tuple(out)


def _selector(expr: str, where: str) -> str:
    try:
        probe = Selector(text="<html></html>")
        probe.xpath(expr) if is_xpath(expr) else probe.css(expr)
    except (SelectorError, XPathError, ValueError) as e:
        raise ProfileError(f"{where}: bad selector {expr!r}: {e}") from None
    return expr


def _rules(value, where: str) -> tuple[Rule, ...]:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise ProfileError(f"{where}: must be a selector, a {{select, post}} table, or a list of them")
    rules = []
    for item in value:
        if isinstance(item, str):
            rules.append(Rule(_selector(item, where)))
            continue
        if not isinstance(item, dict) or "select" not in item:
            raise ProfileError(f"{where}: each rule is a selector string or a table with `select`")
        _no_unknown(item, {"select", "post", "last", "join"}, where)
        post = tuple(item.get("post", []))
        if bad := [p for p in post if p not in POST]:
            raise ProfileError(f"{where}: unknown post-processor(s) {bad}; known: {', '.join(sorted(POST))}")
        join = item.get("join")
        if join is not None and not isinstance(join, str):
            raise ProfileError(f"{where}: `join` must be a string (the separator)")
        rules.append(Rule(_selector(item["select"], where), post, bool(item.get("last", False)), join))
    return tuple(rules)


def _related(table: dict, where: str) -> RelatedSpec:
    _no_unknown(table, RELATED_KEYS, where)
    if not isinstance(table.get("item"), str):
        raise ProfileError(f"{where}: `item` (the selector of one entry) is required")
    if table.get("kind") not in (None, *RELATED_KINDS):
        raise ProfileError(f"{where}: `kind` must be one of {', '.join(RELATED_KINDS)}, got {table['kind']!r}")
    return RelatedSpec(
        item=_selector(table["item"], where),
        title=_rules(table.get("title", []), f"{where}.title"),
        url=_rules(table.get("url", ["@href"]), f"{where}.url"),
        date=_rules(table.get("date", []), f"{where}.date"),
        kind=table.get("kind"),
    )


@cache
def all_profiles() -> tuple[Profile, ...]:
    return tuple(load_profile(p) for p in sorted(PROFILE_DIR.glob("*.toml")))


def get_profile(name: str) -> Profile:
    for p in all_profiles():
        if p.name == name:
            return p
    known = ", ".join(p.name for p in all_profiles())
    raise ProfileError(f"no profile named {name!r}; known profiles: {known}")


def profile_for(url: str, sel: Selector | None = None) -> Profile | None:
    """The profile that owns the URL's domain; else the one owning the host the page declares (canonical,
    og:url: a saved copy, a mirror); else the one whose markup the page has, unless the page declares another
    site or the markup is several profiles' (a shared CMS): then none, and the generic reader reads it."""
    host = _host(url)  # once, not once per profile
    for p in all_profiles():
        if p.owns_host(host):
            return p
    if sel is None:
        return None
    declared = declared_host(sel, url)
    if declared and declared != host:
        for p in all_profiles():
            if p.owns_host(declared):
                return p
    found = None
    for p in all_profiles():
        if p.detect and p.looks_like(sel, declared):
            if found is not None:
                return None  # several profiles' markup: a shared CMS, not one site
            found = p
    return found


def describe(p: Profile) -> dict:
    """What a profile covers, for `archiver sites`: its fields, body, related lists and entry points."""
    covers = [name for name in FIELDS if p.rules(name)]
    if p.body.lead == "first_paragraph" and "lead" not in covers:
        covers.append("lead")
    if p.body.container:
        covers += ["paragraphs", "images"]
        if "byline" not in covers:  # the body reader takes the trailing right-aligned / bold name
            covers.insert(covers.index("paragraphs"), "byline (body)")
    if p.related:
        covers.append("related")
    return {
        "name": p.name,
        "title": p.title,
        "verified": p.verified,
        "cms": p.cms or None,
        "domains": list(p.domains),
        "covers": covers,
        "start_urls": len(p.start_urls),
        "feeds": len(p.feeds),
        "sitemaps": len(p.sitemaps),
        "article_urls": [r.pattern for r in p.article_urls],
        "file": p.path.name,
    }
