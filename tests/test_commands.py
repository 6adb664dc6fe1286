"""`scrapy crawl news` (archiver/commands/crawl.py) refuses bad spider arguments in one line, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-a", "site=khong-co"], "no profile named 'khong-co'; known profiles: "),
        (["-a", "start_url=not a url"], "bad start URL 'not a url'"),
        ([], "give -a site=PROFILE (see `archiver sites`) or -a start_url=URL"),
        (["-a", "site=dukcqtw", "-a", "since=yesterday"], "since='yesterday': give a date as YYYY-MM-DD"),
        (["-a", "site=dukcqtw", "-a", "max_pages=0"], "max_pages='0': give a whole number of 1 or more"),
    ],
)
def test_bad_spider_arguments_are_one_line(args: list[str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-s", "LOG_LEVEL=WARNING", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: news: {message}"), proc.stderr[-2000:]
