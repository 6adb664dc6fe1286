"""Pages a crawl could not fetch or read: each one recorded with its URL and reason, never silently lost.

The spider's errback hands every failed request here (after Scrapy's retries): `record` names the
failure's kind (`http_500`, `timeout`, `redirect_loop`, `too_big`, ...), logs one WARNING line with the
URL, counts it in the stats, and keeps it for the crawl report, which writes one `fetch_errors` row each.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archiver.schema import now_iso
from archiver.store import NOT_ERRORS

log = logging.getLogger(__name__)


class Refused(IgnoreRequest):
    """A response our middlewares will not pass on (a redirect loop, a page too deep...), with its kind."""

    def __init__(self, kind: str, detail: str, status: int | None = None):
        super().__init__(detail)
        self.kind, self.detail, self.status = kind, detail, status


@dataclass
class FetchError:
    url: str  # the URL the crawl asked for (the first of a redirect chain)
    kind: str
    status: int | None
    detail: str
    at: str


# Exception class name -> kind, for the download failures Scrapy and Twisted raise.
_KINDS = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "ResponseDataLossError": "truncated",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ConnectionResetError": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "DownloadFailedError": "connection_lost",
    # Scrapy's download handlers cancel a download in flight only when it outgrows DOWNLOAD_MAXSIZE
    # (the message says so when the size was announced; a chunked body is cut with no message).
    "DownloadCancelledError": "too_big",
}
_IGNORED = {"Forbidden by robots.txt": "robots_txt", "max redirections reached": "too_many_redirects"}


def classify(failure: Failure) -> FetchError:
    """What went wrong with the request of `failure`, as a FetchError."""
    error = failure.value
    request = failure.request
    url = (request.meta.get("redirect_urls") or [request.url])[0]
    status, detail = None, str(error) or type(error).__name__
    if isinstance(error, Refused):
        kind, status = error.kind, error.status
    elif isinstance(error, HttpError):
        status = error.response.status
        kind, detail = f"http_{status}", f"HTTP {status} (after {request.meta.get('retry_times', 0)} retries)"
    elif isinstance(error, IgnoreRequest):
        kind = _IGNORED.get(str(error), "ignored")
    else:
        name = type(error).__name__
        kind = _KINDS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        detail = f"{name}: {detail}"
    if request.meta.get("redirect_urls"):
        detail += f" (redirected from {url} to {request.url})"
    return FetchError(url, kind, status, detail, now_iso())


def record(crawler: Crawler, failure: Failure) -> FetchError:
    """Log, count and keep one failed request for the crawl report."""
    error = classify(failure)
    crawler.stats.inc_value(f"archiver/fetch_errors/{error.kind}")
    level = logging.INFO if error.kind in NOT_ERRORS else logging.WARNING
    log.log(level, "not fetched: %s: %s: %s", error.url, error.kind, error.detail)
    fetch_errors(crawler).append(error)
    return error


def fetch_errors(crawler: Crawler) -> list[FetchError]:
    """The failures recorded so far in this crawl (StorePipeline writes them at the end)."""
    if not hasattr(crawler, "archiver_fetch_errors"):
        crawler.archiver_fetch_errors = []
    return crawler.archiver_fetch_errors


def as_rows(errors: list[FetchError]) -> list[dict]:
    """One dict per URL (the last failure of a URL wins), ready for the fetch_errors table."""
    return list({e.url: asdict(e) for e in errors}.values())
