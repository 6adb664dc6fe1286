"""Extraction off the reactor: parsing a page is CPU work that would slow fetching down.

With EXTRACT_PROCESSES = N > 0 the spider hands each article page (bytes) to a
pool of N worker processes and awaits the RawArticle, so the reactor keeps
fetching on its own core; with 0 it extracts inline (simplest, fine for polite
crawls of real sites, which wait on the network far more than on the CPU).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from archiver.extract import extract
from archiver.items import RawArticle
from archiver.profile import get_profile


def extract_page(body: bytes, url: str, fetched_at: str, profile: str | None) -> RawArticle:
    """Runs in a worker: the same `extract` as inline, from picklable arguments."""
    return extract(body, url, fetched_at=datetime.fromisoformat(fetched_at),
                   profile=get_profile(profile) if profile else None)


class ExtractPool:
    def __init__(self, processes: int):
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    async def extract(self, body: bytes, url: str, fetched_at: datetime, profile: str | None) -> RawArticle:
        if self.processes <= 0:
            return extract_page(body, url, fetched_at.isoformat(), profile)
        if self._pool is None:
            # spawn, not fork: forking a process that runs a Twisted reactor and threads is unsafe.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.processes, mp_context=context)
        future = self._pool.submit(extract_page, body, url, fetched_at.isoformat(), profile)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
