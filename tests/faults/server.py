"""A hostile replica: `archiver.replica` served over real HTTP on 127.0.0.1, with faults on chosen pages.

Every fault in `FAULTS` is injected on its own article pages (and the transient ones on some listing
pages too), so one crawl meets all of them and each article's fate is checked against the replica's
ground truth. A transient fault fails the first `times` requests of a page, then serves it; a
permanent one never serves it. The server keeps a log of every request (path -> times), so a test can
tell how often a page was fetched and how long a retry waited.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from archiver.replica import CATEGORIES, ReplicaSite
from archiver.server import _LISTING, ReplicaHandler, base_url, serving

SLOW_WITHIN = 0.6  # seconds, well inside TIMEOUT
TIMEOUT = 5.0  # the DOWNLOAD_TIMEOUT crawls of this server run with (a loaded 2-core machine needs it for 16 MB)
SLOW_BEYOND = TIMEOUT + 1.5
HUGE = 30 * 1024 * 1024  # above DOWNLOAD_MAXSIZE (16 MiB)
BIG = 5 * 1024 * 1024  # above DOWNLOAD_WARNSIZE (4 MiB), below the cap: stored
DEEP = 100_000  # levels of nesting
TRACKING = "utm_source={where}&utm_medium=social&utm_campaign=tin-moi"


@dataclass(frozen=True)
class Fault:
    name: str
    kind: str | None = None  # permanent: the fetch_errors kind it must be recorded with; None: transient
    times: int = 2  # transient: requests that fail before the page is served (0: served, with the quirk)
    promise: str = ""

    @property
    def permanent(self) -> bool:
        return self.kind is not None


FAULTS = [
    Fault("http_503", promise="retried until fetched"),
    Fault("http_500", "http_500", promise="retried, then recorded"),
    Fault("reset", promise="a reset connection is retried"),
    Fault("reset_always", "connection_lost", promise="recorded"),
    Fault("truncated", promise="a body cut short is retried"),
    Fault("truncated_always", "truncated", promise="recorded"),
    Fault("slow_within", times=0, promise="a slow page inside the timeout is simply fetched"),
    Fault("slow_beyond", times=1, promise="a timeout is retried"),
    Fault("slow_always", "timeout", promise="recorded"),
    Fault("retry_after_429", promise="429 waits for Retry-After, then fetched"),
    Fault("retry_after_503", times=1, promise="503 waits for Retry-After, then fetched"),
    Fault("retry_after_always", "http_429", promise="429 every time: retried after each delay, then recorded"),
    Fault("gzip_corrupt", promise="a corrupt gzip body is retried"),
    Fault("gzip_truncated", times=1, promise="a truncated gzip stream is an error, retried"),
    Fault("gzip_always", "bad_content_encoding", promise="retried, then recorded"),
    Fault("redirect_loop", "redirect_loop", promise="recorded at WARNING with the chain"),
    Fault("offsite_redirect", "offsite_redirect", promise="recorded at WARNING with the target"),
    Fault("charset_header", times=0, promise="header says latin-1, page is UTF-8: read as UTF-8"),
    Fault("windows_1258", times=0, promise="a real windows-1258 page is read right"),
    Fault("big", times=0, promise="5 MB: warned about, stored"),
    Fault("huge", "too_big", promise="30 MB: refused at DOWNLOAD_MAXSIZE, recorded"),
    Fault("huge_chunked", "too_big", promise="30 MB without Content-Length: refused, recorded"),
    Fault("deep", "too_deep", promise="100,000 levels: recorded, not stored empty"),
    Fault("tracking", times=0, promise="?utm_ links: each article fetched once, stored once"),
]
BY_NAME = {f.name: f for f in FAULTS}
# Transient faults also hit listing pages: the articles they list must still be found.
LISTING_FAULTS = ["http_503", "reset", "truncated", "slow_beyond", "retry_after_429", "gzip_corrupt"]


class FaultSite:
    """Which pages of `site` misbehave and how; every request logged."""

    def __init__(self, site: ReplicaSite, per_fault: int = 1, faults: list[Fault] = FAULTS):
        self.site = site
        self.faults = {f.name: f for f in faults}
        candidates = [i for i in range(site.size, 0, -1) if i != site.broken_id]
        if len(candidates) < len(faults) * per_fault:
            raise ValueError(f"{site.size} articles are too few for {per_fault} per fault")
        self.targets = {f.name: candidates[k :: len(faults)][:per_fault] for k, f in enumerate(faults)}
        self.fault_of = {site.path(i): name for name, ids in self.targets.items() for i in ids}
        self.listing_targets: dict[str, list[str]] = defaultdict(list)
        listings = ["/"] + [f"/{c}.aspx?page=2" for c, _ in CATEGORIES if site.pages_in(c) >= 2]
        names = [n for n in LISTING_FAULTS if n in self.faults]
        for k, path in enumerate(listings if names else ()):
            name = names[k % len(names)]
            self.fault_of[path] = name
            self.listing_targets[name].append(path)
        self.tracked = {site.path(i) for i in self.targets.get("tracking", ())}
        self.log: dict[str, list[float]] = defaultdict(list)  # request target (query included) -> times
        self.per_page: Counter[str] = Counter()  # page (listings with their query, articles without)
        self.lock = threading.Lock()

    def attempt(self, target: str) -> tuple[str, int]:
        """Log a request; return its page and how many requests for that page came before it."""
        page = page_of(target)
        with self.lock:
            self.log[target].append(time.monotonic())
            self.per_page[page] += 1
            return page, self.per_page[page] - 1


def page_of(target: str) -> str:
    """A listing page is its path and query; an article page its path, whatever parameters it carries."""
    url = urlsplit(target)
    return target if _LISTING.match(url.path) and url.query else url.path


class FaultHandler(ReplicaHandler):
    faults: FaultSite  # set on the subclass made by `serve_faults`

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        url = urlsplit(self.path)
        page, before = self.faults.attempt(self.path)
        name = self.faults.fault_of.get(page)
        fault = self.faults.faults.get(name) if name else None
        if fault is None or (not fault.permanent and before >= fault.times):
            self.serve(url, name)
            return
        getattr(self, "fault_" + name.removesuffix("_always"))(url)

    def serve(self, url, name: str | None) -> None:
        page = self.route(url)
        if page is None:
            self.reply(404, "<html><body><h1>404 - Không tìm thấy trang</h1></body></html>")
            return
        html = self.track(page[0])
        if name == "slow_within":
            time.sleep(SLOW_WITHIN)
        if name == "charset_header":
            return self.send_bytes(200, html.encode("utf-8"), "text/html; charset=iso-8859-1")
        if name == "windows_1258":
            html = html.replace('<meta charset="utf-8" />', '<meta charset="windows-1258" />')
            return self.send_bytes(200, to_cp1258(html), "text/html; charset=windows-1258")
        if name == "big":
            return self.send_bytes(200, padded(html, BIG))
        self.send_bytes(200, html.encode("utf-8"), gzipped=name is not None and name.startswith("gzip"))

    def track(self, html: str) -> str:
        """Links to the tracked articles carry tracking parameters, different on each kind of page."""
        where = "home" if self.path == "/" else "listing" if "page=" in self.path else "related"
        for path in self.faults.tracked:
            html = html.replace(f'href="{path}"', f'href="{path}?{TRACKING.format(where=where)}"')
        return html

    def send_bytes(self, status: int, data: bytes | list[bytes], ctype: str = "text/html; charset=utf-8", *,
                   gzipped: bool = False, length: bool = True, extra: dict | None = None) -> None:
        """Send `data` (or its parts, in order) with a Content-Length, or chunked without one."""
        parts = [gzip.compress(data, mtime=0) if gzipped else data] if isinstance(data, bytes) else data
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(sum(map(len, parts))))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for part in parts:
            if length:
                self.wfile.write(part)
                continue
            view = memoryview(part)
            for start in range(0, len(part), 1 << 20):
                self.wfile.write(b"%x\r\n" % len(view[start : start + (1 << 20)]))
                self.wfile.write(view[start : start + (1 << 20)])
                self.wfile.write(b"\r\n")
        if not length:
            self.wfile.write(b"0\r\n\r\n")

    # -- the faults, one method each ---------------------------------------------------------------

    def fault_http_503(self, url) -> None:
        self.send_bytes(503, b"<html><body>Service Unavailable</body></html>")

    def fault_http_500(self, url) -> None:
        self.send_bytes(500, b"<html><body>Runtime Error</body></html>")

    def fault_reset(self, url) -> None:
        """Close with a TCP reset before answering."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def fault_truncated(self, url) -> None:
        """Promise the whole page, send half of it, close."""
        data = self.route(url)[0].encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def fault_slow_beyond(self, url) -> None:
        time.sleep(SLOW_BEYOND)
        self.serve(url, None)

    fault_slow = fault_slow_beyond

    def fault_retry_after_429(self, url) -> None:
        self.send_bytes(429, b"<html><body>Too Many Requests</body></html>", extra={"Retry-After": "1"})

    fault_retry_after = fault_retry_after_429

    def fault_retry_after_503(self, url) -> None:
        self.send_bytes(503, b"<html><body>Maintenance</body></html>", extra={"Retry-After": "1"})

    def fault_gzip_corrupt(self, url) -> None:
        """A gzip body with bytes flipped in the middle of the compressed stream."""
        data = bytearray(gzip.compress(self.route(url)[0].encode("utf-8"), mtime=0))
        for k in range(len(data) // 2, len(data) // 2 + 16):
            data[k] ^= 0x5A
        self._send_encoded(bytes(data))

    fault_gzip = fault_gzip_corrupt

    def fault_gzip_truncated(self, url) -> None:
        """A gzip stream cut off before its end (the Content-Length matches what is sent)."""
        data = gzip.compress(self.route(url)[0].encode("utf-8"), mtime=0)
        self._send_encoded(data[: len(data) * 2 // 3])

    def _send_encoded(self, data: bytes) -> None:
        self.send_bytes(200, data, extra={"Content-Encoding": "gzip"})

    def fault_redirect_loop(self, url) -> None:
        target = url.path if url.query else url.path + "?from=loop"
        self.send_bytes(302, b"", extra={"Location": target})

    def fault_offsite_redirect(self, url) -> None:
        self.send_bytes(301, b"", extra={"Location": "http://offsite.invalid" + url.path})

    def fault_huge(self, url) -> None:
        self.send_bytes(200, padded(self.route(url)[0], HUGE))

    def fault_huge_chunked(self, url) -> None:
        self.send_bytes(200, padded(self.route(url)[0], HUGE), length=False)

    def fault_deep(self, url) -> None:
        html = self.route(url)[0]
        nested = "<div>" * DEEP + "<p>.</p>" + "</div>" * DEEP
        self.send_bytes(200, html.replace('<div class="contentview">', '<div class="contentview">' + nested,
                                          1).encode("utf-8"))

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError):  # the connection was reset on purpose, or the client gave up on the page
            pass

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):
            pass


def padded(html: str, size: int) -> list[bytes]:
    """The page in parts, with a comment before </body> that makes it `size` bytes: the article is unchanged."""
    head, tail = html.encode("utf-8").rsplit(b"</body>", 1)
    return [head, _comment(size - len(head) - len(tail) - 7), b"</body>" + tail]


@lru_cache(maxsize=4)  # one per page size: built once, sent many times
def _comment(size: int) -> bytes:
    return b"<!-- " + b"x" * max(0, size - 9) + b" -->"


def to_cp1258(text: str) -> bytes:
    """Text as a windows-1258 page has it: letters with a tone as base letter + combining tone mark,
    since the code page has only some precomposed letters (â, ê, ô, ơ, ư, ă, đ)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        if marks and (composed := unicodedata.normalize("NFC", base + marks[0])) != base + marks[0]:
            try:
                composed.encode("cp1258")
                base, marks = composed, marks[1:]
            except UnicodeEncodeError:
                pass
        out += (base + "".join(marks)).encode("cp1258", errors="xmlcharrefreplace")
    return bytes(out)


@contextmanager
def serve_faults(faults: FaultSite) -> Iterator[str]:
    """Serve the hostile replica from a thread of this process; yields the base URL."""
    handler = type("FaultHandler", (FaultHandler,), {"faults": faults})
    with serving(faults.site, handler=handler) as server:
        yield base_url(server)
