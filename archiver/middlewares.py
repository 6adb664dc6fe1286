"""Downloader middlewares for hostile servers, where Scrapy has no setting for it.

In the order a response meets them (see DOWNLOADER_MIDDLEWARES in settings.py):
- `Redirects`: a redirect back into its own chain or off the site is refused and recorded, instead of
  being dropped by the duplicate filter or the off-site filter at DEBUG level;
- `Decompression`: Scrapy's HttpCompressionMiddleware, but a corrupt or truncated gzip body is an error
  (Scrapy keeps whatever part decoded), retried like a failed download, then recorded;
- `RetryAfter`: a 429 or 503 with `Retry-After` is retried after the delay the server asked for
  (at most RETRY_AFTER_MAX seconds), not at once;
- `Charset`: a page whose header declares a single-byte charset but whose bytes are UTF-8 is read as
  UTF-8 (the usual misconfigured server), instead of being stored as mojibake;
- `Nesting`: a page nested so deep that the HTML parser gave up (libxml2 stops at 2,048 levels and
  drops the rest) is refused and recorded, instead of being stored without its body.
Refusals raise `archiver.failures.Refused`, which the spider's errback records in `fetch_errors`.
"""

from __future__ import annotations

import codecs
import logging
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from w3lib.encoding import http_content_type_encoding
from w3lib.url import safe_url_string

from archiver.extract import strip_url
from archiver.failures import Refused

log = logging.getLogger(__name__)

REDIRECTS = {301, 302, 303, 307, 308}


class Redirects:
    """Refuses redirect loops and off-site redirects before RedirectMiddleware follows them."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Redirects:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECTS or not location or request.meta.get("dont_redirect"):
            return response
        if response.status in request.meta.get("handle_httpstatus_list", ()):
            return response
        target = urljoin(request.url, safe_url_string(location))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if strip_url(target) in {strip_url(u) for u in chain}:
            raise Refused("redirect_loop", "redirect loop: " + " -> ".join([*chain, target]), response.status)
        allowed = getattr(self.crawler.spider, "allowed_domains", None)
        if allowed and not is_on_site(target, allowed):
            raise Refused("offsite_redirect", f"redirected off the site to {target}", response.status)
        return response


def is_on_site(url: str, domains: list[str]) -> bool:
    """The URL's host is one of `domains` or a subdomain of one (ports aside, unlike Scrapy's helper)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


class Decompression(HttpCompressionMiddleware):
    """HttpCompressionMiddleware with corrupt bodies retried, then refused with their reason."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Decompression:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        return middleware

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        encoding = b",".join(response.headers.getlist(b"Content-Encoding")).decode("latin-1")
        try:
            return super().process_response(request, response)
        except Refused:
            raise
        except IgnoreRequest as error:  # the decompressed body exceeded DOWNLOAD_MAXSIZE
            raise Refused("too_big", str(error), response.status) from error
        except Exception as error:  # noqa: BLE001 - zlib, gzip, brotli and zstd each raise their own
            reason = f"{encoding} body could not be decoded: {type(error).__name__}: {error}"
            retry = get_retry_request(request, spider=self.crawler.spider, reason="bad_content_encoding")
            if retry is None:
                raise Refused("bad_content_encoding", reason, response.status) from error
            return retry

    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding in (b"gzip", b"x-gzip"):
            return gunzip_strict(body, max_size)
        return HttpCompressionMiddleware._decode(body, encoding, max_size)


def gunzip_strict(data: bytes, max_size: int = 0) -> bytes:
    """Every gzip member of `data`, checked to its end and CRC: a truncated or corrupt body raises."""
    out: list[bytes] = []
    size = 0
    while data:
        member = zlib.decompressobj(wbits=31)
        while data:
            chunk = member.decompress(data, 1 << 20)
            data = member.unconsumed_tail
            size += len(chunk)
            if max_size and size > max_size:
                raise IgnoreRequest(f"body larger than DOWNLOAD_MAXSIZE ({max_size} B) once decompressed")
            out.append(chunk)
            if member.eof:
                break
        if not member.eof:
            raise EOFError("the gzip stream ends before its end marker (truncated)")
        data = member.unused_data
    return b"".join(out)


class RetryAfter:
    """Honours `Retry-After` on 429 and 503: the retry waits as long as the server asked, up to a cap."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("RETRY_AFTER_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfter:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return response
        delay = retry_after(response.headers.get(b"Retry-After"))
        retries = request.meta.get("max_retry_times", self.crawler.settings.getint("RETRY_TIMES"))
        if delay is None or request.meta.get("retry_times", 0) >= retries:
            return response  # RetryMiddleware retries it at once, or gives up and the errback records it
        retry = get_retry_request(request, spider=self.crawler.spider, reason=f"http_{response.status}_retry_after")
        wait = min(delay, self.cap)
        self.crawler.stats.inc_value("archiver/retry_after_seconds", round(wait, 3))
        log.info("%s answered %d: retrying in %.1f s as its Retry-After asks", request.url, response.status, wait)
        await _sleep(wait)
        return retry


def retry_after(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or invalid."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor  # the reactor Scrapy installed
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds))


class Charset:
    """Reads as UTF-8 a page the server labels with a single-byte charset while its bytes are UTF-8."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Charset:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if not isinstance(response, TextResponse):
            return response
        declared = http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode("latin-1"))
        if not declared or not is_mislabelled_utf8(declared, response.body):
            return response
        self.crawler.stats.inc_value("archiver/charset_corrected")
        host = request.url.split("/")[2]
        if host not in self.warned:  # once per site: a misconfigured server mislabels every page
            self.warned.add(host)
            log.warning("%s: the server labels pages %s but they are UTF-8; reading them as UTF-8 (first: %s)",
                        host, declared, request.url)
        return response.replace(encoding="utf-8")


def is_mislabelled_utf8(declared: str, body: bytes) -> bool:
    """A single-byte charset declared, and bytes that are valid UTF-8 with multi-byte characters in them:
    text in a real single-byte charset (windows-1258, latin-1) practically never is."""
    if codecs.lookup(declared).name == "utf-8" or body.isascii():
        return False
    try:
        codecs.lookup(declared).decode(b"\xff")  # single-byte charsets map every byte; CJK ones do not
        body.decode("utf-8")
    except (UnicodeDecodeError, LookupError):
        return False
    return True


class Nesting:
    """Refuses a page the parser could not read to its end because of its depth."""

    def __init__(self, crawler: Crawler):
        self.limit = crawler.settings.getint("NESTING_LIMIT", 1000)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Nesting:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if isinstance(response, HtmlResponse) and (depth := last_depth(response)) >= self.limit:
            raise Refused("too_deep", f"nested {depth}+ levels deep: the HTML parser stops there and drops "
                                      f"the rest of the page", response.status)
        return response


def last_depth(response: HtmlResponse) -> int:
    """Depth of the page's last element. The parser stops at its depth limit with every element still
    open along the last-child chain, so a deep chain means a page cut short; walking it costs its depth.
    The parsed tree is the response's own (`response.selector`), which the spider reuses."""
    element, depth = response.selector.root, 0
    while len(element):
        element, depth = element[-1], depth + 1
    return depth
