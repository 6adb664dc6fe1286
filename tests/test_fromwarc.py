"""Articles from WARC records: a demo crawl keeps every article, reextract after a profile edit, import-warc
of a WARC laid out as Common Crawl lays it out."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver import profile as profiles
from archiver.cli import cli
from archiver.fromwarc import import_warc, looks_vietnamese, reextract
from archiver.items import Article
from archiver.replica import ReplicaSite
from archiver.warc import iter_records, read_record, resolve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """`archiver demo` of 30 articles, as a user runs it: the archive and its WARC files."""
    folder = tmp_path_factory.mktemp("demo")
    cmd = [
        sys.executable,
        "-m",
        "archiver.cli",
        "demo",
        "--articles",
        "30",
        "--db",
        str(folder / "a.db"),
        "--port",
        "0",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder


def _copy(demo: Path, tmp_path: Path) -> Path:
    shutil.copytree(demo, tmp_path / "copy")
    return tmp_path / "copy" / "a.db"


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_the_demo_leaves_warcs_holding_every_article(demo: Path) -> None:
    db, warcs = demo / "a.db", demo / "warc"
    assert all(f.name.endswith(".warc.gz") for f in warcs.iterdir())  # finished: none left .open
    rows = _rows(
        db,
        "SELECT a.url, p.warc_file, p.warc_offset, p.warc_record_id FROM articles AS a "
        "LEFT JOIN provenance AS p ON p.article_id = a.id",
    )
    assert len(rows) == 29  # the replica's 30 articles less the one planted without a title
    for url, name, offset, record_id in rows:
        assert name is not None, f"{url} has no WARC record"
        record = read_record(resolve(name, warcs), offset)
        assert record.rec_headers.get_header("WARC-Record-ID") == record_id
        assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert b"<h1" in record.body
    crawl_id = _rows(db, "SELECT max(id) FROM crawls")[0][0]
    kinds, listings = set(), 0
    for path in warcs.iterdir():
        for _, record in iter_records(path):
            kinds.add(record.rec_type)
            body = record.content_stream().read()
            if record.rec_type == "metadata":
                assert f"crawl-id: {crawl_id}".encode() in body
            if record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI").endswith("page=1"):
                listings += 1
    assert kinds == {"warcinfo", "request", "response", "metadata"} and listings >= 1  # listings are kept too


def test_stats_shows_the_warc_sizes(demo: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--db", str(demo / "a.db"), "--json"])
    warc = json.loads(result.output)["warc"]
    assert warc["files"] >= 1 and warc["articles"] == 29
    assert warc["bytes"] == sum(f.stat().st_size for f in (demo / "warc").iterdir())
    text = CliRunner().invoke(cli, ["stats", "--db", str(demo / "a.db")]).output
    assert "WARC: " in text and "KiB per article" in text


def test_reextract_without_changes_changes_nothing(demo: Path, tmp_path: Path) -> None:
    db = _copy(demo, tmp_path)
    before = _rows(db, "SELECT url, content_hash, last_seen FROM articles ORDER BY url")
    report = reextract(db)
    assert (report.pages, report.stored, report.changed, report.skipped) == (29, 29, 0, {})
    assert _rows(db, "SELECT url, content_hash, last_seen FROM articles ORDER BY url") == before
    assert _rows(db, "SELECT count(*) FROM revisions") == [(0,)]


@pytest.fixture
def edited_profiles(tmp_path: Path, monkeypatch):
    """The profiles folder with dukcqtw.toml edited: its body's first paragraph is no longer the lead."""
    folder = tmp_path / "profiles"
    shutil.copytree(profiles.PROFILE_DIR, folder)
    path = folder / "dukcqtw.toml"
    text = path.read_text(encoding="utf-8")
    assert 'lead = "first_paragraph"' in text
    path.write_text(text.replace('lead = "first_paragraph"', ""), encoding="utf-8")
    monkeypatch.setattr(profiles, "PROFILE_DIR", folder)
    profiles.all_profiles.cache_clear()
    yield folder
    profiles.all_profiles.cache_clear()


def test_after_a_profile_edit_reextract_changes_the_archive_to_match(
    demo: Path, tmp_path: Path, edited_profiles: Path
) -> None:
    db = _copy(demo, tmp_path)
    old = dict(_rows(db, "SELECT url, lead FROM articles"))
    crawls = _rows(db, "SELECT count(*), (SELECT count(*) FROM fetch_errors) FROM crawls")
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db), "--site", "dukcqtw", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["pages"] == 29 and report["changed"] == 29 and report["pages_per_second"] > 0
    replica = ReplicaSite(30, 0)
    for url, lead, paragraphs in _rows(db, "SELECT url, lead, paragraph_count FROM articles"):
        i = int(url.rsplit("-", 1)[1].removesuffix(".aspx"))
        assert lead != old[url]  # the edited profile no longer reads the first paragraph as the lead
        assert paragraphs == len(replica.expected(i, "")["paragraphs"]) + 1  # it is a body paragraph now
    revisions = _rows(
        db,
        "SELECT r.warc_record_id = p.warc_record_id, r.lead FROM revisions AS r "
        "JOIN provenance AS p USING (article_id)",
    )
    assert len(revisions) == 29 and all(same for same, _ in revisions)  # the old version, and where it came from
    assert {lead for _, lead in revisions} == set(old.values())
    assert _rows(db, "SELECT count(*), (SELECT count(*) FROM fetch_errors) FROM crawls") == crawls  # no crawl


def test_a_crawl_with_no_warc_keeps_none(tmp_path: Path, site_url: str) -> None:
    db = tmp_path / "a.db"
    cmd = [
        sys.executable,
        "-m",
        "archiver.cli",
        "crawl",
        "dukcqtw",
        "--start-url",
        site_url + "/",
        "--db",
        str(db),
        "--no-warc",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _rows(db, "SELECT count(*) FROM articles")[0][0] > 20
    assert not (tmp_path / "warc").exists() and _rows(db, "SELECT count(*) FROM provenance") == [(0,)]


# -- a WARC made by another tool ---------------------------------------------------------------------------

CAPTURED = datetime(2025, 6, 1, 3, 30, tzinfo=UTC)  # WARC-Date of the captures: 10:30 in Vietnam
SITE_CLOCK = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)  # the replica wrote its ages ("2 giờ trước") at 10:00
ENGLISH = (
    "<html lang='en'><head><title>Story</title></head><body><h1>Bridge opens to traffic</h1>"
    "<p>The new bridge across the river opened on Monday after three years of work.</p>"
    "<p>Officials said the crossing would cut travel times for thousands of commuters.</p></body></html>"
)


def _capture(
    writer: WARCWriter,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    ctype: str = "text/html",
    gzipped: bool = False,
) -> None:
    """request, response, metadata, as Common Crawl writes them (WARC/1.0, payload type, fetch time)."""
    date = CAPTURED.strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = [("Content-Type", ctype), ("Server", "nginx")]
    if gzipped:
        body = gzip.compress(body)
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    response = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),
        http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-IP-Address": "203.0.113.7",
            "WARC-Identified-Payload-Type": ctype.split(";")[0],
        },
    )
    host = url.split("/")[2]
    request = writer.create_warc_record(
        url,
        "request",
        payload=BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            f"GET /{url.split('/', 3)[3]} HTTP/1.1",
            [("Host", host), ("User-Agent", "CCBot/2.0 (https://commoncrawl.org/faq/)")],
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    writer.write_request_response_pair(request, response)
    fields = b"fetchTimeMs: 187\r\n"
    writer.write_record(
        writer.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
    )


@pytest.fixture
def common_crawl_warc(tmp_path: Path) -> tuple[Path, ReplicaSite]:
    site = ReplicaSite(articles=6, seed=3, clock=SITE_CLOCK)
    base = "https://dangbokhoicoquantw.vn"
    path = tmp_path / "CC-MAIN-20250601030000-20250601060000-00001.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                path.name,
                {
                    "isPartOf": "CC-MAIN-2025-23",
                    "operator": "Common Crawl Admin",
                    "software": "Apache Nutch 1.20",
                    "format": "WARC File Format 1.0",
                },
            )
        )
        for i in range(1, 7):
            _capture(
                writer,
                base + site.path(i),
                site.render_article(i).encode(),
                gzipped=i % 2 == 0,
                ctype="text/html; charset=UTF-8",
            )
        _capture(writer, base + "/xay-dung-dang.aspx?page=1", site.render_listing("xay-dung-dang", 1).encode())
        _capture(writer, base + "/bai-cu-99.aspx", b"<html><body>404</body></html>", status="404 Not Found")
        _capture(writer, base + "/anh.jpg", b"\xff\xd8\xff\xe0" + bytes(500), ctype="image/jpeg")
        _capture(writer, "https://news.example.com/2025/06/bridge-opens-123456.html", ENGLISH.encode())
    return path, site


def test_import_warc_reads_a_common_crawl_warc(tmp_path: Path, common_crawl_warc) -> None:
    path, site = common_crawl_warc
    db = tmp_path / "imported.db"
    result = CliRunner().invoke(cli, ["import-warc", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    # the listing and the page planted without a header are no articles
    assert "not Vietnamese 1" in result.output and "not an article 2" in result.output
    rows = _rows(
        db,
        "SELECT a.id, a.url, a.title, a.published_at, a.first_seen, p.warc_file, p.warc_offset "
        "FROM articles AS a JOIN provenance AS p ON p.article_id = a.id ORDER BY a.url",
    )
    expected = {
        f"https://dangbokhoicoquantw.vn{site.path(i)}": i for i in range(1, 7) if site.expected(i, "") is not None
    }
    assert [row[1] for row in rows] == sorted(expected)  # the listing, the 404, the image, English: not stored
    for article_id, url, title, published_at, first_seen, warc_file, offset in rows:
        i = expected[url]
        truth = site.expected(i, "https://dangbokhoicoquantw.vn")
        assert (title, published_at) == (truth["title"], truth["published_at"])
        assert datetime.fromisoformat(first_seen) == CAPTURED  # the fetch time is the WARC-Date
        assert read_record(warc_file, offset).rec_headers.get_header("WARC-Target-URI") == url
        dates = _rows(
            db, f"SELECT date, precision FROM related_links WHERE article_id = {article_id} ORDER BY position"
        )
        assert dates == site.expected_related_dates(i, CAPTURED)  # "2 giờ trước" resolved against WARC-Date


@pytest.mark.parametrize(
    ("domains", "stored"),
    [
        (["example.com"], ["https://news.example.com/2025/06/bridge-opens-123456.html"]),  # subdomains count
        (["dangbokhoicoquantw.vn", "other.vn"], 5),
        (["nowhere.vn"], []),
    ],
)
def test_import_warc_with_domains(tmp_path: Path, common_crawl_warc, domains: list[str], stored) -> None:
    path, _ = common_crawl_warc
    db = tmp_path / "d.db"
    from archiver.store import Archive

    Archive(db).close()
    report = import_warc(db, [path], domains=domains)
    urls = [url for (url,) in _rows(db, "SELECT url FROM articles ORDER BY url")]
    assert urls == stored if isinstance(stored, list) else len(urls) == stored
    assert report.stored == len(urls) and report.skipped.get("other domain", 0) == 8 - report.pages


def test_import_warc_skips_a_truncated_last_record(tmp_path: Path, common_crawl_warc) -> None:
    path, _ = common_crawl_warc
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    offsets = [offset for offset, _ in iter_records(path)]
    cut.write_bytes(data[: offsets[-2] + 200])  # the English page's response, cut inside its record
    db = tmp_path / "cut.db"
    report = import_warc(db, [cut])
    assert report.stored == 5 and len(report.truncated) == 1 and "cut.warc.gz" in report.truncated[0]


@pytest.mark.parametrize(
    ("title", "vietnamese"),
    [
        ("Đảng ủy Khối tổ chức hội nghị tổng kết công tác năm", True),
        ("Hoi nghi tong ket", False),  # no marks: not told apart from other languages
        ("Bridge opens to traffic after three years", False),
        ("Le pont est ouvert à la circulation après trois années", False),
    ],
)
def test_looks_vietnamese(title: str, vietnamese: bool) -> None:
    article = Article(
        url="https://x.vn/a",
        site="x.vn",
        title=title,
        published_at=None,
        published_raw=None,
        views=None,
        byline=None,
        lead=None,
        paragraphs=[],
        images=[],
        related=[],
    )
    assert looks_vietnamese(article) is vietnamese


def test_reextract_reports_a_missing_warc_file(demo: Path, tmp_path: Path) -> None:
    db = _copy(demo, tmp_path)
    for f in (db.parent / "warc").iterdir():
        f.unlink()
    report = reextract(db)
    assert report.pages == 0 and report.skipped == {"warc file missing": 29}
    assert _rows(db, "SELECT count(*) FROM articles") == [(29,)]  # nothing lost


def test_captures_are_dated(common_crawl_warc) -> None:
    path, _ = common_crawl_warc
    dates = {rec.rec_headers.get_header("WARC-Date") for _, rec in iter_records(path) if rec.rec_type != "warcinfo"}
    assert dates == {CAPTURED.strftime("%Y-%m-%dT%H:%M:%SZ")} and CAPTURED - SITE_CLOCK == timedelta(minutes=30)


def test_reextract_of_a_missing_archive_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reextract", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no archive at" in result.output
    assert not (tmp_path / "none.db").exists()


def test_import_into_a_read_only_archive_exits_5(read_only_archive: Path, common_crawl_warc) -> None:
    path, _ = common_crawl_warc
    result = CliRunner().invoke(cli, ["import-warc", str(path), "--db", str(read_only_archive)])
    assert result.exit_code == 5 and str(read_only_archive) in result.output
    assert "Traceback" not in result.output
