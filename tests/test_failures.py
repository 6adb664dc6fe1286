"""Failed requests are named by kind and kept with the URL the crawl asked for."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from archiver.failures import Refused, as_rows, classify, fetch_errors, record

URL = "http://127.0.0.1:8765/tin-tuc/bai-1.aspx"


def failure_of(error: Exception, **meta) -> Failure:
    failure = Failure(error)
    failure.request = Request(URL, meta=meta)
    return failure


@pytest.mark.parametrize(("error", "kind", "status"), [
    (HttpError(Response(URL, status=500), "Ignoring non-200 response"), "http_500", 500),
    (HttpError(Response(URL, status=404), "Ignoring non-200 response"), "http_404", 404),
    (Refused("too_deep", "nested 2047+ levels deep"), "too_deep", None),
    (IgnoreRequest("Forbidden by robots.txt"), "robots_txt", None),
    (IgnoreRequest("max redirections reached"), "too_many_redirects", None),
    (IgnoreRequest("something else"), "ignored", None),
    (DownloadTimeoutError("Getting it took longer than 2.0 seconds."), "timeout", None),
    (DownloadCancelledError(), "too_big", None),
    (ResponseDataLossError(), "truncated", None),
    (ConnectionRefusedError(), "connection_refused", None),
    (CannotResolveHostError("no such host"), "dns", None),
    (ValueError("odd"), "value_error", None),
])
def test_failures_are_named_by_kind(error, kind, status):
    found = classify(failure_of(error))
    assert (found.url, found.kind, found.status) == (URL, kind, status)
    assert found.detail and found.at


def test_a_redirected_request_is_recorded_under_the_url_the_crawl_asked_for():
    failure = failure_of(Refused("offsite_redirect", "redirected off the site to http://x.invalid/", 301))
    failure.request = failure.request.replace(url="http://x.invalid/", meta={"redirect_urls": [URL]})
    found = classify(failure)
    assert (found.url, found.kind, found.status) == (URL, "offsite_redirect", 301)
    assert f"redirected from {URL} to http://x.invalid/" in found.detail


def test_record_logs_counts_and_keeps_one_row_per_url(caplog):
    crawler = get_crawler()
    with caplog.at_level(logging.WARNING, logger="archiver.failures"):
        record(crawler, failure_of(DownloadTimeoutError("slow")))
        record(crawler, failure_of(HttpError(Response(URL, status=503), "x")))
    assert f"not fetched: {URL}: timeout" in caplog.text
    assert crawler.stats.get_value("archiver/fetch_errors/timeout") == 1
    assert [e.kind for e in fetch_errors(crawler)] == ["timeout", "http_503"]
    assert [r["kind"] for r in as_rows(fetch_errors(crawler))] == ["http_503"]  # the last failure of a URL
