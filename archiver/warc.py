"""Keeping every page: raw HTTP exchanges in WARC files (ISO 28500), written and read with warcio.

Writing: `WarcCapture`, a downloader middleware, writes every response the crawl downloads (articles,
listings, feeds, redirects and errors alike) as a request, a response and a metadata record into rotating,
gzip-per-record files `archiver-c<crawl>-<UTC time>-<serial>.warc.gz` in `WARC_DIR`. A file being
written is named `....warc.gz.open` and is renamed when it is full or the crawl ends, so tools that pick up
`*.warc.gz` (pywb's `wb-manager add`, Common Crawl-style indexers) never see a half-written file; a crawl
killed outright leaves a `.open` file that the next writer in that directory repairs and renames
(`recover`). Every record is its own gzip member, so a reader can seek straight to a record's offset: the
archive keeps, per article, the file, offset and record id of the response it was extracted from
(`provenance`), which `archiver reextract` reads back.

Reading: `iter_records` walks any WARC or ARC file (gzipped or not) and stops, reporting it, at a
truncated or corrupt last record instead of failing.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import BufferWARCWriter

from archiver import __version__

log = logging.getLogger(__name__)

WARC_MAX_SIZE = 1024**3  # bytes per file before the next one is started (the usual 1 GB of web archives)
SUFFIX = ".warc.gz"
OPEN_SUFFIX = SUFFIX + ".open"
# Twisted has already undone the chunking, so the header would lie about the stored body: kept under
# another name, as Common Crawl does.
_RENAMED_HEADERS = {"transfer-encoding": "X-Crawler-Transfer-Encoding"}
GZIP_LEVEL = 6  # warcio uses 9: a third slower for 1-2% smaller files


@dataclass
class WarcLocation:
    """Where a response record is: its file (a name in the WARC directory, or a path), offset, record id.

    A record written by a background writer has its id and date at once, its file and offset once the
    writer thread has written it: `resolved()` waits for them (the archive's writer thread calls it).
    """

    file: str | None
    offset: int | None
    record_id: str
    date: str  # WARC-Date, ISO 8601 UTC
    pending: Future | None = field(default=None, repr=False, compare=False)

    def resolved(self, timeout: float = 300) -> WarcLocation | None:
        """This location with its file and offset, or None when the record could not be written."""
        if self.pending is not None:
            try:
                self.file, self.offset = self.pending.result(timeout)
            except Exception:  # noqa: BLE001 - logged by the writer; the article is stored without provenance
                return None
            self.pending = None
        return self


def warc_dir_for(db_path: str | Path, configured: str | Path | None = None) -> Path:
    """WARC_DIR, or `warc/` next to the archive (data/archive.db -> data/warc)."""
    return Path(configured) if configured else Path(db_path).resolve().parent / "warc"


def resolve(location_file: str, warc_dir: str | Path) -> Path:
    """The path of a provenance `warc_file`: absolute as is (an imported WARC), else in `warc_dir`; a
    file still named `.open` (its crawl was killed and nobody repaired it yet) is read under that name."""
    path = Path(location_file)
    if not path.is_absolute():
        path = Path(warc_dir) / path
    if not path.exists() and Path(str(path) + ".open").exists():
        return Path(str(path) + ".open")
    return path


# -- writing -------------------------------------------------------------------------------------------


def _gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


class WarcWriter:
    """Rotating WARC files in one directory; one writer per crawl (other crawls use other files).

    Records are built by warcio (headers, digests), compressed one gzip member each and appended; the
    offset of each member is the file's size before it. With `background=True` this happens on a thread
    of its own, in order (zlib and hashlib release the GIL, so it runs beside the crawl on another core),
    and at most `max_pending` exchanges wait for it: a writer that falls behind slows the caller down
    rather than filling memory.
    """

    def __init__(
        self,
        directory: str | Path,
        *,
        name: str,
        max_size: int = WARC_MAX_SIZE,
        info: dict[str, str] | None = None,
        background: bool = False,
        max_pending: int = 256,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = re.sub(r"[^\w.-]+", "_", name)
        self.max_size = max_size
        self.info = info or {}
        self.serial = 0
        self.records = 0
        self.bytes = 0
        self._file = None
        self._path: Path | None = None
        self._size = 0
        self._builder = BufferWARCWriter(gzip=False)
        self.errors = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc") if background else None
        self._slots = threading.BoundedSemaphore(max_pending)
        # Files a killed crawl left: repaired first (on the writer's thread when there is one: scanning a
        # large file must not hold up the crawl's first responses).
        if self._pool is None:
            recover(self.directory)
        else:
            self._pool.submit(recover, self.directory)

    @property
    def path(self) -> Path | None:
        """The file being written (`.open`), if any."""
        return self._path

    def write_exchange(
        self,
        url: str,
        *,
        request: tuple[str, list[tuple[str, str]], bytes],
        response: tuple[int, str, list[tuple[str, str]], bytes],
        date: datetime,
        metadata: dict[str, str],
        ip: str | None = None,
    ) -> WarcLocation:
        """Request, response and metadata records of one fetch; the response record's location."""
        warc_date = date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        record_id = StatusAndHeadersParser.make_warc_id()
        args = (url, request, response, warc_date, record_id, metadata, ip)
        if self._pool is None:
            return WarcLocation(*self._write(*args), record_id, warc_date)
        self._slots.acquire()
        future = self._pool.submit(self._write, *args)
        future.add_done_callback(lambda _: self._slots.release())
        return WarcLocation(None, None, record_id, warc_date, pending=future)

    def _write(self, url: str, *exchange) -> tuple[str, int]:
        """`_write_exchange`, on the writer thread: an error is counted and logged there, with the URL."""
        try:
            return self._write_exchange(url, *exchange)
        except OSError as error:  # a full disk costs the raw copy, not the crawl
            self.errors += 1
            log.error("cannot write the WARC record of %s to %s: %s", url, self.directory, error)
            raise

    def _write_exchange(
        self,
        url: str,
        request: tuple,
        response: tuple,
        warc_date: str,
        record_id: str,
        metadata: dict[str, str],
        ip: str | None,
    ) -> tuple[str, int]:
        status, protocol, headers, body = response
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        http = StatusAndHeaders(f"{status} {reason}".strip(), _storable(headers, len(body)), protocol=protocol)
        warc_headers = {"WARC-Date": warc_date, "WARC-Record-ID": record_id}
        if ip:
            warc_headers["WARC-IP-Address"] = ip
        record = self._builder.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=warc_headers
        )
        method, req_headers, req_body = request
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_http = StatusAndHeaders(f"{method} {target} HTTP/1.1", [("Host", parts.netloc), *req_headers])
        req = self._builder.create_warc_record(
            url,
            "request",
            payload=BytesIO(req_body),
            length=len(req_body),
            http_headers=req_http,
            warc_headers_dict={"WARC-Date": warc_date, "WARC-Concurrent-To": record_id},
        )
        fields = "".join(f"{k}: {v}\r\n" for k, v in metadata.items()).encode("utf-8")
        meta = self._builder.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict={"WARC-Date": warc_date, "WARC-Concurrent-To": record_id},
        )
        members = [_gzip_member(self._serialize(r)) for r in (record, req, meta)]
        self._ensure_file(sum(map(len, members)))
        offset = self._size
        self._append(b"".join(members))
        self.records += 3
        return self._path.name.removesuffix(".open"), offset

    def _serialize(self, record: ArcWarcRecord) -> bytes:
        self._builder.out = BytesIO()
        self._builder.write_record(record)
        return self._builder.get_contents()

    def _ensure_file(self, incoming: int) -> None:
        if self._file is not None and self._size + incoming > self.max_size and self._size > 0:
            self._finish_file()
        if self._file is None:
            self._open_file()

    def _open_file(self) -> None:
        self.serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        final = self.directory / f"archiver-{self.name}-{stamp}-{self.serial:05d}{SUFFIX}"
        self._path = final.with_name(final.name + ".open")
        self._file = open(self._path, "ab")  # noqa: SIM115 - kept open across writes, closed in _finish_file
        fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # `recover` leaves a locked file alone
        self._size = self._file.tell()
        info = {"software": f"vn-news-archiver/{__version__} (warcio)", "format": "WARC File Format 1.0", **self.info}
        warcinfo = self._builder.create_warcinfo_record(final.name, info)
        self._append(_gzip_member(self._serialize(warcinfo)))
        self.records += 1

    def _append(self, data: bytes) -> None:
        # One write per exchange: a kill leaves at most the last exchange cut short.
        self._file.write(data)
        self._file.flush()
        self._size += len(data)
        self.bytes += len(data)

    def _finish_file(self) -> None:
        if self._file is None:
            return
        self._file.close()
        os.replace(self._path, self._path.with_name(self._path.name.removesuffix(".open")))
        self._file = self._path = None
        self._size = 0

    def close(self) -> None:
        """Write what is queued, then finish the file (renamed from `.open`)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._finish_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _storable(headers: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    """Response headers as stored: Content-Length is the stored body's, Transfer-Encoding renamed."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower == "content-length":
            continue
        out.append((_RENAMED_HEADERS.get(lower, name), value))
    out.append(("Content-Length", str(body_length)))
    return out


def recover(directory: str | Path) -> list[str]:
    """Repair the `.open` files a killed crawl left: cut a truncated last record off and rename the file
    to `.warc.gz`. A file another crawl is still writing (it holds a lock on it) is left alone."""
    repaired = []
    for path in sorted(Path(directory).glob("*" + OPEN_SUFFIX)):
        with open(path, "r+b") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            scan = scan_file(path)
            if scan.truncated_at is not None:
                log.warning("%s: truncated record at offset %d cut off (%s)", path, scan.truncated_at, scan.error)
                fh.truncate(scan.truncated_at)
            os.replace(path, path.with_name(path.name.removesuffix(".open")))
        repaired.append(path.name)
    return repaired


# -- reading -------------------------------------------------------------------------------------------


@dataclass
class Scan:
    records: int = 0
    truncated_at: int | None = None  # offset of the record that could not be read, if any
    error: str | None = None


def iter_records(
    path: str | Path | BinaryIO, scan: Scan | None = None, *, offset: int = 0, limit: int | None = None
) -> Iterator[tuple[int, ArcWarcRecord]]:
    """(offset, record) for every record of a WARC or ARC file from `offset`, at most `limit` of them.

    Reading stops at a truncated or corrupt record (a crawl killed mid-write, a cut download): it is
    logged and noted in `scan`, never raised. A record's content must be read before the next is asked for.
    """
    scan = scan if scan is not None else Scan()
    with _opened(path) as fh:
        fh.seek(offset)
        records = ArchiveIterator(fh, arc2warc=True)
        position = offset  # where the current record starts: where the last one ended
        try:
            for record in records:
                if not record.rec_type:  # warcio made a record of a cut header: no type, no id
                    raise EOFError("a record header cut short")
                yield position, record
                # warcio knows a record's extent only once it has read it to its end.
                start, length = records.get_record_offset(), records.get_record_length()
                if getattr(record.raw_stream, "limit", 0) > 0:  # the file ended inside the record
                    raise EOFError(f"{record.raw_stream.limit} bytes missing of {record.length}")
                scan.records += 1
                position = offset + start + length
                if limit is not None and scan.records >= limit:
                    return
            size = os.fstat(fh.fileno()).st_size
            if position < size:  # bytes left that warcio could not make a record of: a cut header
                raise EOFError(f"{size - position} bytes at the end are no complete record")
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError) as error:
            _truncated(getattr(path, "name", path), scan, position, error)


@contextmanager
def _opened(path: str | Path | BinaryIO) -> Iterator[BinaryIO]:
    """A path opened for reading (and closed after), or an open file as it is (left open)."""
    if hasattr(path, "read"):
        yield path
        return
    with open(path, "rb") as fh:
        yield fh


def _truncated(path, scan: Scan, position: int, error: Exception) -> None:
    scan.truncated_at = position
    scan.error = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    log.warning("%s: record at offset %d is truncated or corrupt, skipped (%s)", path, position, scan.error)


def scan_file(path: str | Path) -> Scan:
    """Count the readable records of a file and find where a truncated tail starts."""
    scan = Scan()
    for _offset, _record in iter_records(path, scan):
        pass  # iter_records reads each record to its end to find the next
    return scan


def read_record(path: str | Path, offset: int) -> ArcWarcRecord:
    """The record at `offset` (a provenance location), with its content read into memory."""
    for _offset, record in iter_records(path, offset=offset, limit=1):
        record.body = record.content_stream().read()
        return record
    raise ValueError(f"{path}: no readable record at offset {offset}")


def warc_files(directory: str | Path) -> list[Path]:
    """The WARC files of a directory, finished and still open."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.endswith((SUFFIX, OPEN_SUFFIX, ".warc")))


def sizes(directory: str | Path) -> dict[str, int | str]:
    """What `archiver stats` shows about the WARC directory."""
    files = warc_files(directory)
    return {
        "dir": str(directory),
        "files": len(files),
        "open_files": sum(1 for p in files if p.name.endswith(OPEN_SUFFIX)),
        "bytes": sum(p.stat().st_size for p in files),
    }


# -- capture during a crawl ----------------------------------------------------------------------------


class WarcCapture:
    """Downloader middleware: every downloaded response, as received, into the crawl's WARC files.

    Placed next to the downloader (priority 950), so it sees each response before redirects, retries
    and decompression are handled: the body as the server sent it (gzip and all; WARC readers decode
    it), every redirect hop and every error page. The response record's location goes into
    `request.meta["warc"]`, where the spider picks it up as the article's provenance.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.directory = warc_dir_for(settings.get("ARCHIVE_DB") or "data/archive.db", settings.get("WARC_DIR"))
        self.max_size = settings.getint("WARC_MAX_SIZE", WARC_MAX_SIZE)
        self.writer: WarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("WARC_ENABLED", True):
            raise NotConfigured
        capture = cls(crawler)
        crawler.signals.connect(capture.close, signal=signals.spider_closed)
        return capture

    def _writer(self) -> WarcWriter:
        if self.writer is None:
            # The store pipeline opened the crawl record before the first request: name files after it.
            crawl_id = getattr(self.crawler, "archiver_crawl_id", None)
            spider = self.crawler.spider
            info = {
                "crawl-id": str(crawl_id),
                "site": str(getattr(spider, "site_name", "")),
                "http-header-user-agent": self.crawler.settings.get("USER_AGENT", ""),
                "robots": "obey" if self.crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            }
            name = f"c{crawl_id}" if crawl_id is not None else f"p{os.getpid()}"
            self.writer = WarcWriter(self.directory, name=name, max_size=self.max_size, info=info, background=True)
        return self.writer

    def process_response(self, request, response, spider=None):
        try:
            location = self._writer().write_exchange(
                response.url,
                request=(request.method, _headers(request.headers), request.body or b""),
                response=(response.status, response.protocol or "HTTP/1.1", _headers(response.headers), response.body),
                date=datetime.now(UTC),
                metadata=_metadata(self.crawler, request),
                ip=str(response.ip_address) if response.ip_address else None,
            )
        except OSError as error:  # a full disk costs the raw copy, not the crawl
            self.crawler.stats.inc_value("archiver/warc_errors")
            log.error("cannot write the WARC record of %s: %s", response.url, error)
            return response
        request.meta["warc"] = location
        self.crawler.stats.inc_value("archiver/warc_records")
        return response

    def close(self, spider=None, reason: str = "finished") -> None:
        if self.writer is not None:
            self.writer.close()
            self.crawler.stats.set_value("archiver/warc_bytes", self.writer.bytes)
            if self.writer.errors:
                self.crawler.stats.inc_value("archiver/warc_errors", self.writer.errors)


def _headers(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, values in headers.items() for value in values]


def _metadata(crawler, request) -> dict[str, str]:
    fields = {"crawl-id": str(getattr(crawler, "archiver_crawl_id", None))}
    if referer := request.headers.get(b"Referer"):
        fields["via"] = referer.decode("latin-1")
    if request.meta.get("redirect_urls"):
        fields["redirected-from"] = request.meta["redirect_urls"][0]
    return fields
