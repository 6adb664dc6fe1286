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
