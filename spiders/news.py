"""The one spider for every site: `scrapy crawl news -a site=PROFILE` or `-a start_url=URL`.

Fetching only: which links to follow comes from the site profile's URL patterns
(or a generic guess without a profile); what a page says comes from
`archiver.extract`, the same code `archiver extract` runs on a saved page.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy.http import HtmlResponse, Response

from archiver import agreement
from archiver.dates import VN_TZ
from archiver.extract import extract, is_article_page, site_of, strip_url
from archiver.failures import record
from archiver.feeds import is_feed_url, read_feed
from archiver.incremental import is_due, last_crawl_complete, load_known, policy_from
from archiver.items import NotModified
from archiver.profile import Profile, get_profile, profile_for
from archiver.store import StorageError

# Without a profile: an article URL ends in a numeric id or a page suffix (most Vietnamese CMSs). Category
# pages often look the same, so this only says which links to fetch whatever the stop rule says; whether a
# page is an article (and is stored) is decided by the page itself (`is_article_page`).
GENERIC_ARTICLE = re.compile(
    r"(-|/)(post|p|n|a)?\d{5,}(\.html?|\.aspx|\.htm|\.ldo|\.vnp|\.vov|\.chn|\.tpo)?$|\.(html?|aspx|chn|tpo)$"
)
# Pagination of a listing: ?page=2, ?trang=3, /page/4/, /trang-5.htm (up to 4 digits: longer is an article id).
PAGINATION = re.compile(r"(^|&)(page|trang|p|pg|paged|pageindex)=\d{1,4}(&|$)", re.I)
PAGINATION_PATH = re.compile(r"/(page|trang)[-/]?\d{1,4}(\.\w+)?/?$", re.I)
SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|mp4|mp3|zip|docx?|xlsx?|css|js)$", re.I)


class NewsSpider(scrapy.Spider):
    name = "news"
    extract_items = True  # the bare benchmark spider turns this off

    def __init__(self, site: str | None = None, start_url: str | None = None, since: str | None = None,
                 refresh: str = "1", full: str = "0", max_pages: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.profile: Profile | None = get_profile(site) if site else None
        urls = [strip_url(check_start_url(u)) for u in (start_url or "").split(",") if u.strip()]
        if not urls and self.profile:
            urls = [*self.profile.start_urls, *self.profile.feeds, *self.profile.sitemaps]
        if not urls:
            raise ValueError("give -a site=PROFILE (see `archiver sites`) or -a start_url=URL")
        self.start_urls = urls
        hosts = {site_of(u) for u in urls}
        self.allowed_domains = sorted(hosts | set(self.profile.domains if self.profile else ()))
        self.site_name = self.profile.name if self.profile else ",".join(sorted(hosts))
        self.since = _day(since) if since else None
        self.refresh = _flag(refresh)
        self.walk_all = _flag(full)  # follow every listing page, not only while they show something new
        self.max_pages = _count("max_pages", max_pages) if max_pages else None
        self.asked: set[str] = set()  # URLs requested or fetched under their canonical URL in this run

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        # Articles are keyed by profile name when a profile read them, else by host (extract.site_key).
        try:
            spider.known = load_known(settings.get("ARCHIVE_DB"), [*spider.allowed_domains, spider.site_name])
            complete = last_crawl_complete(settings.get("ARCHIVE_DB"), spider.site_name)
        except sqlite3.Error as error:  # we cannot tell what is known, nor keep what we fetch
            raise StorageError(f"cannot read the archive {settings.get('ARCHIVE_DB')}: {error}") from error
        policy = settings.get("REFRESH_POLICY")  # from the command line it arrives as JSON text
        policy = json.loads(policy) if isinstance(policy, str) else policy
        spider.policy = spider.profile.refresh if spider.profile and spider.profile.refresh else policy_from(policy)
        # After a run that did not finish (killed, stopped, storage failure, --max-pages) the archive has
        # gaps deeper in the listings than the stop rule would look: walk them all until a run finishes.
        spider.walk_all = spider.walk_all or not spider.known or not complete
        spider.sampler = agreement.Sampler(settings.getint("AGREEMENT_EVERY", agreement.EVERY))
        return spider

    async def start(self):
        # Filtered like any other request: the home page links to itself, and must not be fetched twice.
        for url in self.start_urls:
            if request := self.request(url, dont_filter=False):
                yield request

    def parse(self, response: Response):
        if response.status == 304:  # a refreshed article that did not change
            yield NotModified(url=response.url, fetched_at=_now().isoformat())
            return
        self.crawler.stats.inc_value("archiver/pages_read")
        if is_feed_url(response.url) or not isinstance(response, HtmlResponse):
            yield from self.follow_feed(response)
            return
        profile = self.profile or profile_for(response.url, response.selector)
        url = strip_url(response.url)
        raw = None
        if response.meta.get("listed_as_article") or (profile and profile.article_urls):
            is_article = response.meta.get("listed_as_article") or self._is_article(url, profile)
        else:  # no URL patterns to trust: the page says whether it is an article
            raw = self._extract(response, profile)
            is_article = is_article_page(raw, response.selector)
        if is_article and self.extract_items:
            raw = raw or self._extract(response, profile)
            self.asked.add(raw.url)  # its canonical URL: links to it are not fetched again in this run
        yield from self.follow_links(response, profile, is_article)
        if is_article and self.extract_items:
            self._agreement(response, raw)
            yield raw

    def _agreement(self, response: Response, raw) -> None:
        """On a sampled page a profile read, compare its fields with the generic reader's (crawl stats)."""
        sampler = getattr(self, "sampler", None)
        if not raw.profile or sampler is None or not sampler.due(raw.site):
            return
        try:
            outcomes = agreement.check(response.selector, raw)
        except Exception as e:  # noqa: BLE001 - the comparison must never cost the article
            self.logger.warning("agreement check failed on %s: %s", raw.url, e)
            return
        for key in agreement.stat_keys(raw.site, outcomes):
            self.crawler.stats.inc_value(key)

    def _extract(self, response: Response, profile: Profile | None):
        # The fetch time is the WARC record's date when the response was kept: `archiver reextract` reads
        # the page again at exactly the time the crawl stored it.
        warc = response.meta.get("warc")
        when = datetime.fromisoformat(warc.date).astimezone(ZoneInfo(VN_TZ)) if warc else _now()
        raw = extract(response.selector, response.url, fetched_at=when, profile=profile)
        raw.etag = _header(response, b"ETag")
        raw.last_modified = _header(response, b"Last-Modified")
        raw.warc = warc  # archiver.warc.WarcCapture kept the response: its location is the provenance
        return raw

    def follow_links(self, response: Response, profile: Profile | None, is_article: bool):
        """Articles when new or due; listings always from a start page, deeper only while they show news."""
        listings, useful = [], False
        for href in response.css("a::attr(href)").getall():
            url = strip_url(response.urljoin(href.strip()))  # tracking parameters and fragment off
            if not self._should_follow(url, profile):
                continue
            if self._is_article(url, profile):
                if self._wanted(url):
                    useful = True  # even when already requested in this run: the page shows news
                    if request := self.article_request(url):
                        yield request
            else:
                listings.append(url)
        from_start = response.meta.get("depth", 0) == 0
        if self.walk_all or from_start or (useful and not is_article):
            for url in listings:
                if request := self.request(url):
                    yield request

    def _wanted(self, url: str) -> bool:
        """A new article, or a known one due for a refresh."""
        known = self.known.get(url)
        if known is None:
            return True
        too_old = self.since and known.published_at and known.published_at < self.since
        if not self.refresh or too_old or not is_due(known, _now(), self.policy):
            self.crawler.stats.inc_value("archiver/known_skipped")
            return False
        return True

    def article_request(self, url: str, listed: bool = False) -> scrapy.Request | None:
        """A request for a wanted article link (see `_wanted`), conditional when the archive has it."""
        known = self.known.get(url)  # the archive keys on URLs without tracking parameters
        meta = {"listed_as_article": True} if listed else {}
        if known is None:
            return self.request(url, meta=meta)
        self.crawler.stats.inc_value("archiver/refresh_requests")
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return self.request(url, headers=headers, meta={**meta, "handle_httpstatus_list": [304]})

    def request(self, url: str, **kwargs) -> scrapy.Request | None:
        """A request for a URL not yet asked for in this run, within the --max-pages budget, else None."""
        if url in self.asked:
            return None
        if self.max_pages is not None and len(self.asked) >= self.max_pages:
            self.crawler.stats.inc_value("archiver/max_pages_reached")
            return None
        self.asked.add(url)
        return scrapy.Request(url, self.parse, errback=self.failed, **kwargs)

    def failed(self, failure):
        """A page not fetched or not read, after retries: recorded with its reason (archiver.failures)."""
        record(self.crawler, failure)

    def follow_feed(self, response: Response):
        """RSS/Atom items and sitemap entries: every one is an article; an index lists more sitemaps."""
        feed = read_feed(response.body)
        requests = [self.request(strip_url(response.urljoin(url))) for url in feed.sitemaps]
        articles = [strip_url(response.urljoin(url)) for url in feed.articles]
        requests += [self.article_request(url, listed=True) for url in articles if self._wanted(url)]
        yield from filter(None, requests)

    def _is_article(self, url: str, profile: Profile | None) -> bool:
        """Does this link lead to an article? By the profile's patterns, else by a guess from the URL."""
        if profile and profile.article_urls:
            return profile.is_article(url)
        if url in self.known:
            return True
        parts = urlsplit(url)
        if PAGINATION.search(parts.query) or PAGINATION_PATH.search(parts.path):
            return False
        return bool(GENERIC_ARTICLE.search(parts.path))

    def _should_follow(self, url: str, profile: Profile | None) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or SKIP_EXT.search(parts.path):
            return False
        if profile and (profile.article_urls or profile.listing_urls):
            return profile.is_article(url) or profile.is_listing(url)
        return True  # generic: OffsiteMiddleware keeps us on the site


def check_start_url(url: str) -> str:
    """An absolute http(s) URL with a host, or ValueError naming it."""
    url = url.strip()
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError(f"bad start URL {url!r}: malformed port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"bad start URL {url!r}: give an absolute http:// or https:// URL")
    return url


def _now() -> datetime:
    return datetime.now(ZoneInfo(VN_TZ))


def _day(text: str) -> datetime:
    """"2026-11-01" is midnight in Vietnam; a full ISO time keeps its own offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"since={text!r}: give a date as YYYY-MM-DD or an ISO 8601 time") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(VN_TZ))


def _count(name: str, value: str | int) -> int:
    """A count from `-a NAME=...` (a string) or from `archiver crawl` (an int already)."""
    if not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r}: give a whole number of 1 or more")
    return int(value)


def _flag(value) -> bool:
    return str(value).lower() not in ("0", "false", "no", "off", "")


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
