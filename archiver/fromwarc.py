"""Articles from stored WARC records: `archiver reextract` and `archiver import-warc`.

Both run the crawl's own extraction and normalization (`archiver.extract.extract`, `normalize_article`)
on a response record, with the record's WARC-Date as the fetch time (relative dates such as "2 giờ trước"
resolve against it), and store through the same `Archive` writer: an article whose text changed keeps its
previous version in `revisions`, and its provenance points at the record it was read from. No network.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_datetime

from archiver.dates import VN_TZ
from archiver.extract import decode_page, extract, is_article_page, parse_html, site_of
from archiver.items import Article
from archiver.normalize import normalize_article
from archiver.pipelines import REQUIRED
from archiver.profile import Profile
from archiver.store import Archive, read_connection
from archiver.warc import Scan, WarcLocation, iter_records, resolve, warc_dir_for

log = logging.getLogger(__name__)

# Letters only Vietnamese writes among the languages the web mixes in (Latin with these marks): in a
# Vietnamese text about one letter in four or five is one of them, in French or English almost none.
_VIETNAMESE = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


@dataclass
class Report:
    """What a reextract or an import did; `pages_per_second` is the figure the commands print."""

    pages: int = 0  # response records read and extracted
    stored: int = 0  # articles written to the archive
    new: int = 0
    changed: int = 0  # text changed: the previous version is in revisions
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> records not stored
    truncated: list[str] = field(default_factory=list)  # "file: offset (error)" of cut records
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def to_dict(self) -> dict:
        return {
            "pages": self.pages,
            "stored": self.stored,
            "new": self.new,
            "changed": self.changed,
            "skipped": self.skipped,
            "truncated": self.truncated,
            "seconds": round(self.seconds, 3),
            "pages_per_second": round(self.pages_per_second, 1),
        }


def fetched_at(record: ArcWarcRecord) -> datetime:
    """The record's WARC-Date, in Vietnam's time zone as crawl times are (the instant is the same)."""
    return iso_date_to_datetime(record.rec_headers.get_header("WARC-Date")).astimezone(ZoneInfo(VN_TZ))


def is_html_response(record: ArcWarcRecord) -> bool:
    """A 200 HTTP response with an HTML body (what the spider would read as an article page)."""
    if record.rec_type != "response" or not record.http_headers:
        return False
    if record.http_headers.get_statuscode() != "200":
        return False
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    return "html" in ctype


def read_article(
    record: ArcWarcRecord, location: WarcLocation, *, profile: Profile | None = None, check_article: bool = False
) -> Article | None:
    """The article of one HTML response record, as the crawl would have stored it; None when
    `check_article` and the page is no article (a listing, a section front)."""
    url = record.rec_headers.get_header("WARC-Target-URI")
    body = record.content_stream().read()  # undoes chunking and Content-Encoding
    text = decode_page(body, url, record.http_headers.get_header("Content-Type"))
    sel = parse_html(text, url)
    raw = extract(sel, url, fetched_at=fetched_at(record), profile=profile)
    if check_article and not is_article_page(raw, sel):
        return None
    raw.etag = record.http_headers.get_header("ETag")
    raw.last_modified = record.http_headers.get_header("Last-Modified")
    raw.warc = location
    return normalize_article(raw)


def _missing(article: Article) -> str | None:
    if missing := [f for f in REQUIRED if not getattr(article, f)]:
        return "no " + " and no ".join(missing)
    return None


def looks_vietnamese(article: Article) -> bool:
    """Vietnamese text: enough of its letters are letters only Vietnamese uses."""
    text = " ".join(filter(None, [article.title, article.lead, *article.paragraphs[:5]])).lower()
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c in _VIETNAMESE for c in letters) / len(letters) >= 0.08


# -- reextract -----------------------------------------------------------------------------------------


@dataclass
class _Stored:
    url: str
    warc_file: str
    warc_offset: int
    warc_record_id: str
    warc_date: str


def _stored(db: str | Path, site: str | None, since: str | None) -> list[_Stored]:
    """The archive's articles with a WARC record, in file and offset order (one pass through each file)."""
    where, params = ["1"], []
    if site:
        where.append("a.site = ?")
        params.append(site)
    if since:
        where.append("a.published_at >= ?")
        params.append(since)
    conn = read_connection(db)
    try:
        rows = conn.execute(
            "SELECT a.url, p.warc_file, p.warc_offset, p.warc_record_id, p.warc_date FROM articles AS a "
            f"JOIN provenance AS p ON p.article_id = a.id WHERE {' AND '.join(where)} "
            "ORDER BY p.warc_file, p.warc_offset",
            params,
        ).fetchall()
    finally:
        conn.close()
    return [_Stored(*row) for row in rows]


def reextract(
    db: str | Path,
    *,
    warc_dir: str | Path | None = None,
    site: str | None = None,
    since: str | None = None,
    profile: Profile | None = None,
) -> Report:
    """Extract and normalize every stored article again from its WARC record and update the archive.

    `site` and `since` (published on or after, YYYY-MM-DD) choose the articles; `profile` forces one
    profile instead of picking it from the URL and markup, as `archiver extract --site` does.
    """
    directory = warc_dir_for(db, warc_dir)
    report = Report()
    started = time.perf_counter()
    files: dict[str, IO[bytes] | None] = {}
    with Archive(db, background=True) as archive:  # first: it migrates an older archive (provenance table)
        stored = _stored(db, site, since)
        try:
            for row in stored:
                record = _record_at(files, directory, row, report)
                if record is None:
                    continue
                location = WarcLocation(row.warc_file, row.warc_offset, row.warc_record_id, row.warc_date)
                _store(archive, report, read_article(record, location, profile=profile))
        finally:
            for fh in files.values():
                if fh is not None:
                    fh.close()
        archive.flush()
        _count(archive, report)
    report.seconds = time.perf_counter() - started
    return report


def _record_at(files: dict, directory: Path, row: _Stored, report: Report) -> ArcWarcRecord | None:
    """The response record a provenance row names, or None (reported) when it is gone or unreadable."""
    if row.warc_file not in files:
        path = resolve(row.warc_file, directory)
        try:
            files[row.warc_file] = open(path, "rb")  # noqa: SIM115 - closed by reextract, one per file
        except OSError as error:
            log.warning("%s: WARC file missing (%s); its articles are left as they are", path, error)
            files[row.warc_file] = None
    fh = files[row.warc_file]
    if fh is None:
        report.skip("warc file missing")
        return None
    scan = Scan()
    for _offset, record in iter_records(fh, scan, offset=row.warc_offset, limit=1):
        if record.rec_headers.get_header("WARC-Record-ID") != row.warc_record_id:
            break
        report.pages += 1
        return record
    report.skip("warc record unreadable" if scan.truncated_at is not None else "warc record not found")
    log.warning("%s: no record %s at offset %d", row.warc_file, row.warc_record_id, row.warc_offset)
    return None


def _store(archive: Archive, report: Report, article: Article | None) -> None:
    if article is None:
        report.skip("not an article")
        return
    if reason := _missing(article):
        log.warning("%s: %s on the page; not stored", article.url, reason)
        report.skip(reason)
        return
    archive.add(article)


def _count(archive: Archive, report: Report) -> None:
    totals = archive._totals  # noqa: SLF001 - the writer's own counts of what it wrote
    report.stored, report.new, report.changed = totals.written, totals.new, totals.changed


# -- import --------------------------------------------------------------------------------------------


def import_warc(
    db: str | Path, files: Iterable[str | Path], *, domains: Iterable[str] = (), profile: Profile | None = None
) -> Report:
    """Store the articles of WARC/ARC files made by any tool (Common Crawl, Heritrix, Webrecorder, ours).

    HTML responses of `domains` (a host or any of its subdomains) are read; without domains, every page
    the reader takes for an article (a headline and a body) in Vietnamese. Each article's provenance is the
    file's absolute path and the record's offset.
    """
    wanted = tuple(d.lower().removeprefix("www.") for d in domains)
    report = Report()
    started = time.perf_counter()
    with Archive(db, background=True) as archive:
        for path in files:
            for location, record in _responses(Path(path), report):
                host = site_of(record.rec_headers.get_header("WARC-Target-URI") or "")
                if wanted and not any(host == d or host.endswith("." + d) for d in wanted):
                    report.skip("other domain")
                    continue
                report.pages += 1
                article = read_article(record, location, profile=profile, check_article=True)
                if article is not None and not wanted and not looks_vietnamese(article):
                    report.skip("not Vietnamese")
                    continue
                _store(archive, report, article)
        archive.flush()
        _count(archive, report)
    report.seconds = time.perf_counter() - started
    return report


def _responses(path: Path, report: Report) -> Iterator[tuple[WarcLocation, ArcWarcRecord]]:
    scan = Scan()
    absolute = str(path.resolve())
    for offset, record in iter_records(path, scan):
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        if not url.startswith(("http://", "https://")) or not is_html_response(record):
            continue
        record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
        yield WarcLocation(absolute, offset, record_id, record.rec_headers.get_header("WARC-Date")), record
    if scan.truncated_at is not None:
        report.truncated.append(f"{path}: offset {scan.truncated_at} ({scan.error})")
