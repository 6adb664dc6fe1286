"""Shared fixtures: the replica site served over real HTTP on 127.0.0.1, and crawl runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.replica import ReplicaSite
from archiver.server import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


@pytest.fixture(scope="session")
def replica() -> ReplicaSite:
    return ReplicaSite(articles=30, seed=7)


@pytest.fixture(scope="session")
def site_url(replica):
    with serve_in_thread(replica) as url:
        yield url


def run_scrapy(db: Path, *args: str) -> subprocess.CompletedProcess:
    """`scrapy crawl news ...` from the project folder, as a user runs it; fails the test if it fails."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-s", f"ARCHIVE_DB={db}", *FAST, *args]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="session")
def scrapy_crawl():
    return run_scrapy
