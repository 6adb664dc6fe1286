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


@pytest.fixture
def read_only_archive(tmp_path):
    """An archive on a read-only filesystem (a tmpfs remounted read-only when we are root, where file
    modes do not stop writes; a read-only directory and file otherwise)."""
    from archiver.store import Archive

    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = False
    if os.geteuid() == 0:
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
                          capture_output=True).returncode != 0:
            pytest.skip("root without permission to mount a tmpfs")
        mounted = True
    db = folder / "a.db"
    Archive(db).close()
    try:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            db.chmod(0o444)
            folder.chmod(0o555)
        yield db
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


@pytest.fixture
def tiny_filesystem(tmp_path):
    """A 2 MiB tmpfs: a disk that fills up (root only; the test can grow it with `mount -o remount,size=`)."""
    folder = tmp_path / "tiny"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("making a small filesystem needs root and permission to mount a tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
