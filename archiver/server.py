"""A real HTTP server for the replica site, on 127.0.0.1.

Used by `archiver demo-site`, `archiver demo`, the tests and the benchmarks. It
speaks HTTP/1.1 with keep-alive (as Scrapy does) and supports conditional
requests (ETag / Last-Modified), so incremental crawls can be tested for real.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from archiver.replica import ReplicaSite

_ARTICLE = re.compile(r"^/([a-z-]+)/[a-z0-9-]*?-(\d+)\.aspx$")
_LISTING = re.compile(r"^/([a-z-]+)\.aspx$")


class ReplicaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real site
    server_version = "ReplicaIIS/1.0"
    site: ReplicaSite  # set on the subclass made by `make_server`

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        page = self.route(urlsplit(self.path))
        if page is None:
            self.reply(404, "<html><body><h1>404 - Không tìm thấy trang</h1></body></html>")
            return
        body, modified = page
        self.reply(200, body, modified)

    def route(self, url) -> tuple[str, datetime | None] | None:
        site = self.site
        if url.path == "/":
            return site.render_home(), None
        if url.path == "/robots.txt":
            return site.robots, None
        if m := _ARTICLE.match(url.path):
            i = int(m.group(2))
            if 1 <= i <= site.size and url.path == site.path(i):
                return site.render_article(i), site.published(i)
            return None
        if m := _LISTING.match(url.path):
            page = parse_qs(url.query).get("page", ["1"])[0]
            body = site.render_listing(m.group(1), int(page)) if page.isdigit() else None
            return (body, None) if body else None
        return None

    def reply(self, status: int, body: str, modified: datetime | None = None) -> None:
        data = body.encode("utf-8")
        etag = '"' + hashlib.blake2b(data, digest_size=8).hexdigest() + '"'
        if status == 200 and self._not_modified(etag, modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        ctype = "text/plain" if self.path == "/robots.txt" else "text/html"
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 200:
            self.send_header("ETag", etag)
            if modified:
                self.send_header("Last-Modified", format_datetime(modified.astimezone(), usegmt=False))
        self.end_headers()
        self.wfile.write(data)

    def _not_modified(self, etag: str, modified: datetime | None) -> bool:
        if match := self.headers.get("If-None-Match"):
            return etag in match
        since = self.headers.get("If-Modified-Since")
        if since and modified:
            try:
                return modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet: crawls make many requests
        pass


def make_server(site: ReplicaSite, port: int = 0, host: str = "127.0.0.1",
                handler: type[ReplicaHandler] = ReplicaHandler) -> ThreadingHTTPServer:
    handler = type("Handler", (handler,), {"site": site})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


@contextmanager
def serve_in_thread(site: ReplicaSite, port: int = 0) -> Iterator[str]:
    """Serve `site` from a thread of this process; yields the base URL."""
    with serving(site, port) as server:
        yield base_url(server)


@contextmanager
def serving(site: ReplicaSite, port: int = 0, handler: type[ReplicaHandler] = ReplicaHandler
            ) -> Iterator[ThreadingHTTPServer]:
    """Serve `site` from a thread of this process; yields the server (see `replace_site`)."""
    server = make_server(site, port, handler=handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def replace_site(server: ThreadingHTTPServer, site: ReplicaSite) -> None:
    """Serve `site` from now on at the same address: the site grew (`ReplicaSite.grown`) or changed."""
    server.RequestHandlerClass.site = site


def _serve_forever(articles: int, seed: int, clock: str | None, port: int, ready) -> None:
    site = ReplicaSite(articles, seed, datetime.fromisoformat(clock) if clock else None)
    server = make_server(site, port)
    ready.send(base_url(server))
    server.serve_forever()


@contextmanager
def serve_in_process(articles: int, seed: int = 0, port: int = 0, clock: datetime | None = None) -> Iterator[str]:
    """Serve the replica from a child process, so it does not share a core with the crawl."""
    parent, child = multiprocessing.Pipe()
    args = (articles, seed, clock.isoformat() if clock else None, port, child)
    proc = multiprocessing.get_context("spawn").Process(target=_serve_forever, args=args, daemon=True)
    proc.start()
    try:
        if not parent.poll(30):
            raise RuntimeError("the replica site did not start within 30 s")
        yield parent.recv()
    finally:
        proc.terminate()
        proc.join(5)
