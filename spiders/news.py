"""The one spider for every site: `scrapy crawl news -a site=PROFILE` or `-a start_url=URL`.

Fetching only: which links to follow comes from the site profile's URL patterns
(or a generic guess without a profile); what a page says comes from
`archiver.extract`, the same code `archiver extract` runs on a saved page.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.http import HtmlResponse, Response

from archiver.dates import VN_TZ
from archiver.extract import site_of
from archiver.feeds import is_feed_url, read_feed
from archiver.profile import Profile, get_profile, profile_for
from archiver.workers import ExtractPool

# Without a profile: an article URL ends in a numeric id or a page suffix (most Vietnamese CMSs).
GENERIC_ARTICLE = re.compile(
    r"(-|/)(post|p|n|a)?\d{5,}(\.html?|\.aspx|\.htm|\.ldo|\.vnp|\.vov|\.chn|\.tpo)?$|\.(html?|aspx|chn|tpo)$"
)
SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|mp4|mp3|zip|docx?|xlsx?|css|js)$", re.I)


class NewsSpider(scrapy.Spider):
    name = "news"
    extract_items = True  # the bare benchmark spider turns this off

    def __init__(self, site: str | None = None, start_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.profile: Profile | None = get_profile(site) if site else None
        urls = [u.strip() for u in (start_url or "").split(",") if u.strip()]
        if not urls and self.profile:
            urls = [*self.profile.start_urls, *self.profile.feeds, *self.profile.sitemaps]
        if not urls:
            raise ValueError("give -a site=PROFILE (see `archiver sites`) or -a start_url=URL")
        self.start_urls = urls
        hosts = {site_of(u) for u in urls}
        self.allowed_domains = sorted(hosts | set(self.profile.domains if self.profile else ()))
        self.site_name = self.profile.name if self.profile else ",".join(sorted(hosts))

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.pool = ExtractPool(crawler.settings.getint("EXTRACT_PROCESSES", 0))
        crawler.signals.connect(spider.pool.close, signal=signals.spider_closed)
        return spider

    async def start(self):
        # Filtered like any other request: the home page links to itself, and must not be fetched twice.
        for url in self.start_urls:
            yield scrapy.Request(url, dont_filter=False)

    async def parse(self, response: Response):
        if is_feed_url(response.url) or not isinstance(response, HtmlResponse):
            for request in self.follow_feed(response):
                yield request
            return
        profile = self.profile or profile_for(response.url, response.selector)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if self._should_follow(url, profile):
                yield response.follow(url, self.parse)
        # Links first, so fetching goes on while the page is extracted (in a worker process if configured).
        if self.extract_items and (response.meta.get("listed_as_article") or self._is_article(response.url, profile)):
            fetched_at = datetime.now(ZoneInfo(VN_TZ))
            yield await self.pool.extract(response.body, response.url, fetched_at, profile.name if profile else None)

    def follow_feed(self, response: Response):
        """RSS/Atom items and sitemap entries: every one is an article; an index lists more sitemaps."""
        feed = read_feed(response.body)
        for url in feed.sitemaps:
            yield response.follow(url, self.parse)
        for url in feed.articles:
            yield response.follow(url, self.parse, meta={"listed_as_article": True})

    def _is_article(self, url: str, profile: Profile | None) -> bool:
        if profile and profile.article_urls:
            return profile.is_article(url)
        return bool(GENERIC_ARTICLE.search(urlsplit(url).path))

    def _should_follow(self, url: str, profile: Profile | None) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or SKIP_EXT.search(parts.path):
            return False
        if profile and (profile.article_urls or profile.listing_urls):
            return profile.is_article(url) or profile.is_listing(url)
        return True  # generic: OffsiteMiddleware keeps us on the site
