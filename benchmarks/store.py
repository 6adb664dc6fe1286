"""Archive benchmark: ingest synthetic articles, then time full-text search.

    python benchmarks/store.py                      # 100,000 articles
    python benchmarks/store.py --million            # then continue to 1,000,000 in the same file
    python benchmarks/store.py --articles 20000 --no-background   # the synchronous writer
    python benchmarks/store.py --paced 200          # how long add() blocks a crawl's reactor, both writers
    python benchmarks/store.py --search-only --db FILE

Each article has about 10 paragraphs (30-60 Zipf-distributed Vietnamese syllables each), 2 images
and 5 related links. Printed per checkpoint: ingest rate (articles/s, timing only Archive.add/close,
not the generation of the synthetic articles), file size, process RSS now and peak (memory must stay
flat as the archive grows), the longest and 99th-percentile time one add() call blocked the caller
(what Scrapy's reactor would feel), and search latency (median and p95 of 100 queries of two words
drawn from article text, through archiver.queries.search, i.e. with ranking and snippets).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.items import Article, Image, Related  # noqa: E402
from archiver.queries import search  # noqa: E402
from archiver.store import Archive  # noqa: E402

ONSETS = "b c ch d đ g gi h k kh l m n ng nh p ph qu r s t th tr v x".split() + [""]
RHYMES = (
    "a ai am an ang anh ao au ay e em en eng i im in inh o oi om on ong u ui um un ung ư ưa ươi ương "
    "ơ ơi ôi ông iên iêt ăn ăng âm ân âu ây ê êm ên êu uy uyên oa oai oan oang"
).split()
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
SITES = ["vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Distinct syllables: onset + rhyme + tone mark on the rhyme's first vowel, NFC."""
    words: dict[str, None] = {}
    while len(words) < size:
        rhyme = rng.choice(RHYMES)
        word = rng.choice(ONSETS) + rhyme[0] + rng.choice(TONES) + rhyme[1:]
        words[unicodedata.normalize("NFC", word)] = None
    return list(words)


@dataclass
class Corpus:
    """A fixed pool of paragraphs and titles; articles pick from it, so generation stays cheap."""

    paragraphs: list[str]
    titles: list[str]

    @classmethod
    def build(cls, seed: int = 1, pool: int = 30_000) -> Corpus:
        rng = random.Random(seed)
        vocab = vocabulary(rng)
        weights = [1 / (rank + 1) for rank in range(len(vocab))]  # Zipf: few very common words
        cum = list(_accumulate(weights))

        def sentence(lo: int, hi: int) -> str:
            words = rng.choices(vocab, cum_weights=cum, k=rng.randint(lo, hi))
            return " ".join(words).capitalize() + "."

        return cls([sentence(30, 60) for _ in range(pool)], [sentence(6, 14) for _ in range(pool)])

    def article(self, n: int, rng: random.Random) -> Article:
        site = SITES[n % len(SITES)]
        day = 1 + n % 28
        return Article(
            url=f"https://{site}.vn/bai-{n}.html",
            site=site,
            title=self.titles[rng.randrange(len(self.titles))],
            published_at=f"2024-{1 + n % 12:02d}-{day:02d}T08:{n % 60:02d}:00+07:00",
            published_raw=f"{day}/{1 + n % 12}/2024 08:{n % 60:02d}",
            views=rng.randrange(100_000),
            byline=f"Phóng viên {n % 500}",
            lead=self.paragraphs[rng.randrange(len(self.paragraphs))][:200],
            paragraphs=rng.sample(self.paragraphs, rng.randint(8, 12)),
            images=[Image(f"https://i.{site}.vn/{n}/{k}.jpg", f"Ảnh {k} bài {n}") for k in range(2)],
            related=[
                Related(
                    self.titles[(n + k) % len(self.titles)],
                    f"https://{site}.vn/bai-{max(0, n - k - 1)}.html",
                    f"{k + 1} giờ trước",
                    f"2024-05-01T0{k}:00:00+07:00",
                    "hour",
                )
                for k in range(5)
            ],  # fmt: skip
            published_precision="minute",
            fetched_at=f"2024-12-01T00:00:{n % 60:02d}+07:00",
            sources={"title": "profile", "published_at": "jsonld"},
        )


def _accumulate(values: list[float]):
    total = 0.0
    for value in values:
        total += value
        yield total


def rss_mib() -> float:
    """Resident memory now (Linux /proc), in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def file_size_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def search_latency(path: Path, corpus: Corpus, queries: int = 100, seed: int = 7) -> tuple[float, float, float]:
    """Median and p95 (ms) of two-word searches taken from article text, and the mean hits."""
    rng = random.Random(seed)
    timings, hits = [], []
    for _ in range(queries):
        words = rng.choice(corpus.paragraphs).rstrip(".").lower().split()
        start = rng.randrange(len(words) - 1)
        query = " ".join(words[start : start + 2])
        began = time.perf_counter()
        results = search(path, query, limit=20)
        timings.append((time.perf_counter() - began) * 1000)
        hits.append(len(results))
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * len(timings)) - 1], statistics.mean(hits)


def ingest(archive: Archive, corpus: Corpus, start: int, stop: int, stalls: list[float]) -> tuple[float, float]:
    """Add articles start..stop-1; returns the wall and CPU seconds spent in Archive.add and flush.

    Articles are generated 10,000 at a time before the clock starts (generation is not the archive's
    cost, and holding more would make the benchmark's own memory grow), then added and flushed: with a
    background writer the flush waits for the worker, so its work is counted too. CPU time (this process,
    all threads) is printed too because the machine is shared: wall time depends on the neighbours' load.
    """
    spent = cpu = 0.0
    for chunk_start in range(start, stop, 10_000):
        rng = random.Random(chunk_start)
        articles = [corpus.article(n, rng) for n in range(chunk_start, min(chunk_start + 10_000, stop))]
        began, began_cpu = time.perf_counter(), time.process_time()
        for article in articles:
            before = time.perf_counter()
            archive.add(article)
            stalls.append(time.perf_counter() - before)
        archive.flush()
        spent += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
    return spent, cpu


def report(label: str, path: Path, corpus: Corpus, n: int, seconds: tuple[float, float], stalls: list[float]) -> None:
    stalls.sort()
    median, p95, mean_hits = search_latency(path, corpus)
    wall, cpu = seconds
    print(
        f"{label}: {n:,} articles  ingest {n / wall:,.0f} articles/s ({wall:.1f} s in Archive; "
        f"{n / cpu:,.0f} articles per CPU-second)  "
        f"file {file_size_mib(path):,.0f} MiB  RSS {rss_mib():,.0f} MiB (peak {peak_rss_mib():,.0f} MiB)  "
        f"add() blocked max {stalls[-1] * 1000:.0f} ms, p99 {stalls[int(0.99 * len(stalls))] * 1000:.2f} ms  "
        f"search median {median:.1f} ms, p95 {p95:.1f} ms (mean {mean_hits:.1f} hits of 20)",
        flush=True,
    )


def paced(corpus: Corpus, rate: float, n: int, background: bool, batch_size: int) -> None:
    """What a crawl's reactor feels: add n articles at `rate` per second (items arrive spread out, as
    from a crawl) and report how long add() blocked, synchronous writer vs background writer."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "paced.db", batch_size=batch_size, background=background)
        rng = random.Random(0)
        articles = [corpus.article(i, rng) for i in range(n)]
        stalls, began = [], time.perf_counter()
        for i, article in enumerate(articles):
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            before = time.perf_counter()
            archive.add(article)
            stalls.append(time.perf_counter() - before)
        archive.close()
    stalls.sort()
    print(
        f"paced {rate:,.0f} articles/s, {'background' if background else 'synchronous'} writer, batch {batch_size}: "
        f"add() blocked max {stalls[-1] * 1000:.1f} ms, p99 {stalls[int(0.99 * n)] * 1000:.2f} ms, "
        f"total {sum(stalls):.2f} s of {n / rate:.0f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="first checkpoint (default 100,000)")
    parser.add_argument("--million", action="store_true", help="continue to 1,000,000 articles")
    parser.add_argument("--db", type=Path, help="archive file (default: a temporary directory)")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument(
        "--background",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write batches on a worker thread, as a crawl's Store pipeline does (default)",
    )
    parser.add_argument("--search-only", action="store_true", help="only time searches on an existing --db")
    parser.add_argument("--paced", type=float, metavar="RATE", help="only measure add() blocking at RATE/s")
    args = parser.parse_args(argv)
    if args.paced:
        corpus = Corpus.build()
        for background in (False, True):
            paced(corpus, args.paced, min(args.articles, int(args.paced * 20)), background, args.batch_size)
        return
    if args.search_only:
        median, p95, mean_hits = search_latency(args.db, Corpus.build())
        print(f"search median {median:.1f} ms, p95 {p95:.1f} ms (mean {mean_hits:.1f} hits of 20)")
        return

    began = time.perf_counter()
    corpus = Corpus.build()
    print(f"corpus built in {time.perf_counter() - began:.1f} s; RSS {rss_mib():,.0f} MiB", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        archive = Archive(path, batch_size=args.batch_size, background=args.background)
        stalls: list[float] = []
        seconds = ingest(archive, corpus, 0, args.articles, stalls)
        report("checkpoint", path, corpus, args.articles, seconds, stalls)
        if args.million and args.articles < 1_000_000:
            total_wall, total_cpu = seconds
            for start in range(args.articles, 1_000_000, 100_000):
                stop = min(start + 100_000, 1_000_000)
                stalls = []  # per step only: the benchmark's own memory must stay flat too
                wall, cpu = ingest(archive, corpus, start, stop, stalls)
                total_wall, total_cpu = total_wall + wall, total_cpu + cpu
                print(
                    f"  {stop:,}: {(stop - start) / wall:,.0f} articles/s ({(stop - start) / cpu:,.0f} per CPU-s), "
                    f"file {file_size_mib(path):,.0f} MiB, RSS {rss_mib():,.0f} MiB",
                    flush=True,
                )
            report("checkpoint", path, corpus, 1_000_000, (total_wall, total_cpu), stalls)
        archive.close()
    print(f"total wall time {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
