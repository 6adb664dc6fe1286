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
from scrapy.http import HtmlResponse, Response

from archiver.dates import VN_TZ
from archiver.extract import extract, site_of
from archiver.profile import Profile, get_profile, profile_for

# Without a profile: an article URL ends in a long slug or a numeric id (most Vietnamese CMSs).
GENERIC_ARTICLE = re.compile(r"(-|/)(post|p|n)?\d{5,}(\.html?|\.aspx|\.htm|\.ldo|\.vnp|\.vov)?$|\.html?$|\.aspx$")
SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|mp4|mp3|zip|docx?|xlsx?|css|js)$", re.I)


class NewsSpider(scrapy.Spider):
    name = "news"
    extract_items = True  # the bare benchmark spider turns this off

    def __init__(self, site: str | None = None, start_url: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.profile: Profile | None = get_profile(site) if site else None
        urls = [u.strip() for u in (start_url or "").split(",") if u.strip()]
        self.start_urls = urls or list(self.profile.start_urls if self.profile else [])
        if not self.start_urls:
            raise ValueError("give -a site=PROFILE (see `archiver sites`) or -a start_url=URL")
        hosts = {site_of(u) for u in self.start_urls}
        self.allowed_domains = sorted(hosts | set(self.profile.domains if self.profile else ()))
        self.site_name = self.profile.name if self.profile else ",".join(sorted(hosts))

    async def start(self):
        # Filtered like any other request: the home page links to itself, and must not be fetched twice.
        for url in self.start_urls:
            yield scrapy.Request(url, dont_filter=False)

    def parse(self, response: Response):
        if not isinstance(response, HtmlResponse):
            return
        profile = self.profile or profile_for(response.url, response.selector)
        if self.extract_items and self._is_article(response.url, profile):
            yield extract(response.selector, response.url, fetched_at=datetime.now(ZoneInfo(VN_TZ)), profile=profile)
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            if self._should_follow(url, profile):
                yield response.follow(url, self.parse)

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
