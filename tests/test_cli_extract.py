"""`archiver extract` on saved replica pages prints exactly what the crawl would store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ARCHIVER = str(Path(sys.executable).parent / "archiver")
BASE = "http://127.0.0.1:8765"
KEYS = ["url", "site", "title", "published_at", "published_raw", "views", "byline", "lead", "paragraphs",
        "images", "related"]


def run_extract(page: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([ARCHIVER, "extract", str(page), "--url", url, *extra],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)


@pytest.mark.parametrize("i", [1, 2, 5, 6, 7, 11, 12])  # plain, no images, NFD, Ð, dead sibling, ...
def test_extract_saved_page_gives_the_expected_json(tmp_path, replica, i):
    page = tmp_path / "page.html"
    page.write_text(replica.render_article(i), encoding="utf-8")
    proc = run_extract(page, BASE + replica.path(i), "--fetched-at", replica.clock.isoformat())
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    truth = replica.expected(i, BASE)
    assert list(got)[: len(KEYS)] == KEYS  # the stable interface, in order
    assert got["site"] == "dukcqtw"  # the profile that read it (the replica's host is 127.0.0.1)
    for key in KEYS:
        if key not in ("site", "related"):
            assert got[key] == truth[key], key
    dates = replica.expected_related_dates(i, replica.clock)
    want = [{**r, "date": d} for r, (d, _) in zip(truth["related"], dates, strict=True)]
    assert [{k: r[k] for k in ("title", "url", "date_raw", "date")} for r in got["related"]] == want


def test_output_is_utf8_not_ascii_escaped(tmp_path, replica):
    page = tmp_path / "page.html"
    page.write_text(replica.render_article(1), encoding="utf-8")
    out = run_extract(page, BASE + replica.path(1)).stdout
    assert "Đảng" in out and "\\u" not in out


def test_extract_with_an_unknown_profile_names_it(tmp_path, replica):
    page = tmp_path / "page.html"
    page.write_text(replica.render_article(1), encoding="utf-8")
    proc = run_extract(page, BASE + replica.path(1), "--site", "khong-co")
    assert proc.returncode != 0 and "khong-co" in proc.stderr


# -- decoding as a crawl decodes, and bad input (in process: CliRunner) -----------------------------------

TONES = "\u0300\u0301\u0303\u0309\u0323"  # windows-1258 writes Vietnamese tones as combining marks


def cp1258(text: str) -> bytes:
    """Vietnamese text as windows-1258 bytes: letters with their vowel marks, then the tone mark."""
    import unicodedata

    out = bytearray()
    for ch in text:
        marks = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in marks if c not in TONES))
        out += (base + "".join(c for c in marks if c in TONES)).encode("cp1258")
    return bytes(out)


TITLE = "Đảng ủy Khối họp phiên thường kỳ"
BODY = "Hội nghị diễn ra tại Hà Nội, các đại biểu thảo luận về kinh tế và đời sống."
PAGE = "<html><head>{meta}<title>{title}</title></head><body><h1>{title}</h1><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("data", "content_type", "title", "body"),
    [
        (cp1258(PAGE.format(meta='<meta charset="windows-1258">', title=TITLE, body=BODY)), None, TITLE, BODY),
        (cp1258(PAGE.format(meta="", title=TITLE, body=BODY)), "text/html; charset=windows-1258", TITLE, BODY),
        (PAGE.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
                     title="Café “naïve” — ok", body="Crème brûlée à la carte, " * 3).encode("cp1252"),
         None, "Café “naïve” — ok", ("Crème brûlée à la carte, " * 3).strip()),
        (b"\xef\xbb\xbf" + PAGE.format(meta="", title=TITLE, body=BODY).encode(), None, TITLE, BODY),  # BOM
    ],
)
def test_extract_decodes_like_a_crawl(tmp_path, data: bytes, content_type: str | None, title: str, body: str):
    from click.testing import CliRunner

    from archiver.cli import cli

    page = tmp_path / "page.html"
    page.write_bytes(data)
    extra = ["--content-type", content_type] if content_type else []
    result = CliRunner().invoke(cli, ["extract", str(page), "--url", "https://example.vn/a.html", *extra])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["title"] == title and got["paragraphs"][-1] == body and got["site"] == "example.vn"


@pytest.mark.parametrize(
    ("data", "args", "code", "message"),
    [
        (b"", [], 1, "no article found in"),
        (bytes(range(256)) * 8, [], 1, "no article found in"),  # binary
        (b"<html><body></body></html>", [], 1, "no article found in"),
        (b"<h1>x</h1>", ["--url", "not a url"], 2, "not an http(s) URL: 'not a url'"),
        (b"<h1>x</h1>", ["--url", "ftp://example.vn/a"], 2, "not an http(s) URL"),
        (b"<h1>x</h1>", ["--fetched-at", "hôm qua"], 2, "--fetched-at"),
    ],
)
def test_extract_bad_input_is_one_line(tmp_path, data: bytes, args: list[str], code: int, message: str):
    from click.testing import CliRunner

    from archiver.cli import cli

    page = tmp_path / "page.html"
    page.write_bytes(data)
    url = [] if "--url" in args else ["--url", "https://example.vn/a.html"]
    result = CliRunner().invoke(cli, ["extract", str(page), *url, *args])
    assert result.exit_code == code and message in result.output and "Traceback" not in result.output


def test_extract_generic_forces_the_generic_reader(tmp_path, replica):
    """The same replica page: read by its profile without --generic, by the generic reader with it;
    the JSON keys are the same."""
    page = tmp_path / "page.html"
    page.write_text(replica.render_article(1), encoding="utf-8")
    profiled = json.loads(run_extract(page, BASE + replica.path(1)).stdout)
    proc = run_extract(page, BASE + replica.path(1), "--generic")
    assert proc.returncode == 0, proc.stderr
    generic = json.loads(proc.stdout)
    assert list(generic) == list(profiled)
    assert profiled["profile"] == "dukcqtw" and generic["profile"] is None
    assert generic["site"] == "127.0.0.1"
    assert "profile" not in generic["sources"].values()
    assert generic["title"] == profiled["title"]


def test_extract_generic_and_site_exclude_each_other(tmp_path, replica):
    page = tmp_path / "page.html"
    page.write_text(replica.render_article(1), encoding="utf-8")
    proc = run_extract(page, BASE + replica.path(1), "--generic", "--site", "dukcqtw")
    assert proc.returncode == 2 and "--generic" in proc.stderr
