"""Extraction accuracy on labelled pages, ours next to trafilatura's and newspaper4k's.

    python benchmarks/accuracy.py PAGES_DIR [--manifest MANIFEST.tsv] [--generic] [--pages NAME,...] [--show NAME]

PAGES_DIR holds NAME.html + NAME.json pairs (the label format of ../shared/pages/README.md).
With `--manifest` (benchmarks/corpus/manifest.tsv) the pages are the manifest's rows, a label
missing from PAGES_DIR is read from the manifest's `truth/` folder, and the tables are printed
for all pages, for the pages no profile was written from (`fitted` = no), and for the test split.
Ours is `archiver extract`'s code (extract + normalize); `--generic` turns site profiles off
to measure the fallback alone. Trafilatura runs with default settings (`bare_extraction`,
metadata on); newspaper4k (the `bench` extra) parses the saved HTML (`download(input_html=...)`,
no network, Vietnamese stop words); without it its column reads "n/a". Printed per field (all pages)
and per site, each cell "ours / trafilatura / newspaper4k":

- exact-match rate: title, published (to the minute), byline, views;
- token-F1: body (lead + paragraphs), captions, related URLs (F1 over the URL sets).

Labels list the lead as the first paragraph, so our body is lead + paragraphs.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from archiver.extract import extract
from archiver.normalize import normalize_article

EXACT = ("title", "published", "byline", "views")
F1 = ("body", "captions", "related")
FIELDS = EXACT + F1
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def norm(text: str | None) -> str | None:
    if text is None:
        return None
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip() or None


def tokens(text: str) -> Counter:
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", text).lower()))


def f1(got: Counter, want: Counter) -> float:
    if not got and not want:
        return 1.0
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def set_f1(got: set, want: set) -> float:
    return f1(Counter(got), Counter(want))


def minute(value: str | None) -> str | None:
    """A date as 'YYYY-MM-DDTHH:MM' in Vietnam time, or 'YYYY-MM-DD' when only a day is known."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=VN)
    return dt.astimezone(VN).strftime("%Y-%m-%dT%H:%M")


def same_date(got: str | None, want: str | None) -> bool:
    w = minute(want)
    g = minute(got)
    if w is None or g is None:
        return w == g
    return g[: len(w)] == w and (len(w) == 10 or len(g) > 10)


def score(got: dict, want: dict) -> dict[str, float]:
    return {
        "title": float(norm(got["title"]) == norm(want["title"])),
        "published": float(same_date(got["published"], want["published_at"])),
        "byline": float(norm(got["byline"]) == norm(want["byline"])),
        "views": float(got["views"] == want["views"]),
        "body": f1(tokens(" ".join(got["paragraphs"])), tokens(" ".join(want["paragraphs"]))),
        "captions": f1(tokens(" ".join(got["captions"])), tokens(" ".join(want["captions"]))),
        "related": set_f1({norm(u) for u in got["related"]}, {norm(r["url"]) for r in want["related"]}),
    }


def ours(html: str, url: str, generic: bool) -> dict:
    a = normalize_article(extract(html, url, fetched_at=datetime.now(VN), generic_only=generic))
    return {
        "title": a.title,
        "published": a.published_at,
        "byline": a.byline,
        "views": a.views,
        "paragraphs": ([a.lead] if a.lead else []) + a.paragraphs,
        "captions": [i.caption for i in a.images if i.caption],
        "related": [r.url for r in a.related],
    }


def trafilatura(html: str, url: str) -> dict:
    from trafilatura import bare_extraction

    doc = bare_extraction(html, url=url, with_metadata=True)
    return {
        "title": doc.title if doc else None,
        "published": doc.date if doc else None,
        "byline": doc.author if doc else None,
        "views": None,  # trafilatura has no view counts, captions or related lists
        "paragraphs": (doc.text or "").split("\n") if doc else [],
        "captions": [],
        "related": [],
    }


_NEWSPAPER: list = []  # the imported module, or None when the bench extra is not installed


def _newspaper():
    """newspaper4k's module, imported once and quietly: without nltk it only warns that its NLP
    features (keywords, summaries) are off, which the fields measured here do not use."""
    if not _NEWSPAPER:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                import newspaper
            except ImportError:
                newspaper = None
        _NEWSPAPER.append(newspaper)
    return _NEWSPAPER[0]


def newspaper4k(html: str, url: str) -> dict | None:
    """newspaper4k on the saved HTML (no download); None when it is not installed."""
    newspaper = _newspaper()
    if newspaper is None:
        return None
    article = newspaper.Article(url, language="vi", fetch_images=False)
    article.download(input_html=html)
    article.parse()
    date = article.publish_date
    return {
        "title": article.title or None,
        "published": date.isoformat() if date else None,
        "byline": ", ".join(article.authors) or None,
        "views": None,  # newspaper4k has no view counts, captions or related lists
        "paragraphs": [p for p in (article.text or "").split("\n") if p.strip()],
        "captions": [],
        "related": [],
    }


@dataclass(frozen=True)
class Labelled:
    name: str
    html: str
    want: dict
    fitted: bool = False  # a profile was written from this page (manifest column `fitted`)
    split: str = ""  # dev / test (manifest column `split`)


def load(pages: Path, only: set[str] | None, manifest: Path | None = None) -> list[Labelled]:
    if manifest is not None:
        return _from_manifest(pages, only, manifest)
    out = []
    for label in sorted(pages.glob("*.json")):
        html = label.with_suffix(".html")
        if html.exists() and (not only or label.stem in only):
            out.append(Labelled(label.stem, html.read_text(encoding="utf-8", errors="replace"),
                                json.loads(label.read_text(encoding="utf-8"))))
    return out


def _from_manifest(pages: Path, only: set[str] | None, manifest: Path) -> list[Labelled]:
    """The manifest's pages that are laid out in PAGES_DIR; labels from PAGES_DIR, else the manifest's truth/."""
    out = []
    with manifest.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            name = row["name"]
            html = pages / f"{name}.html"
            if only and name not in only:
                continue
            if not html.exists():
                print(f"{name}: not in {pages} (lay the corpus out with get.py)", file=sys.stderr)
                continue
            label = pages / f"{name}.json"
            if not label.exists():
                label = manifest.parent / "truth" / f"{name}.json"
            out.append(Labelled(name, html.read_text(encoding="utf-8", errors="replace"),
                                json.loads(label.read_text(encoding="utf-8")),
                                fitted=row.get("fitted", "").strip() == "yes", split=row.get("split", "").strip()))
    return out


TOOLS = ("ours", "traf", "np4k")
CELL = 22


def table(title: str, rows: dict[str, tuple[list[dict | None], int]]) -> str:
    head = f"{title:<34}" + "".join(f"{f:>{CELL}}" for f in FIELDS)
    lines = [head, f"{'':<34}" + "".join(f"{' / '.join(TOOLS):>{CELL}}" for _ in FIELDS)]
    for name, (means, n) in rows.items():
        cells = "".join(" / ".join(_fmt(m, f) for m in means).rjust(CELL) for f in FIELDS)
        lines.append(f"{(name + f' ({n})'):<34}{cells}")
    return "\n".join(lines)


def _fmt(scores: dict | None, field: str) -> str:
    if scores is None:
        return "n/a"
    value = scores[field]
    return f"{value:.0%}" if field in EXACT else f"{value:.2f}"


def mean(scores: list[dict]) -> dict:
    return {f: sum(s[f] for s in scores) / len(scores) for f in FIELDS}


def _means(scored: list[tuple[dict, ...]]) -> list[dict | None]:
    """Per tool, the mean of its scores (None for a tool that did not run)."""
    return [None if any(s[i] is None for s in scored) else mean([s[i] for s in scored]) for i in range(len(TOOLS))]


def worse_fields(scored: list[tuple[dict, ...]]) -> list[str]:
    """Fields (all pages) where trafilatura or newspaper4k scores above ours."""
    means = _means(scored)
    return [f for f in FIELDS if any(m is not None and m[f] > means[0][f] + 1e-9 for m in means[1:])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--manifest", type=Path, help="manifest.tsv: the pages, their `fitted` and `split` columns")
    parser.add_argument("--generic", action="store_true", help="turn site profiles off")
    parser.add_argument("--pages", dest="only", help="comma-separated page names")
    parser.add_argument("--show", help="print our and the expected values for this page")
    args = parser.parse_args(argv)
    pages = load(args.pages, set(args.only.split(",")) if args.only else None, args.manifest)
    if not pages:
        print(f"no labelled pages in {args.pages}", file=sys.stderr)
        return 1
    scored: list[tuple[Labelled, tuple[dict, ...]]] = []
    for page in pages:
        want, url = page.want, page.want["url"]
        got = ours(page.html, url, args.generic)
        theirs = newspaper4k(page.html, url)
        scores = (score(got, want), score(trafilatura(page.html, url), want),
                  score(theirs, want) if theirs is not None else None)
        scored.append((page, scores))
        if args.show == page.name:
            _show(got, want)
        misses = [f for f in FIELDS if scores[0][f] < (1.0 if f in EXACT else 0.98)]
        if misses:
            print(f"{page.name}: below target on {', '.join(misses)}", file=sys.stderr)
    mode = "generic reader only" if args.generic else "profiles + generic"
    subsets = [("all pages", scored)]
    if args.manifest is not None:
        subsets += [("without fitted pages", [s for s in scored if not s[0].fitted]),
                    ("test split only", [s for s in scored if s[0].split == "test"])]
    for n, (subset, chosen) in enumerate(subsets):
        if not chosen:
            continue
        print(("\n" if n else "") + table(f"ours ({mode}), {subset}", _rows(chosen)))
        if worse := worse_fields([s for _, s in chosen]):
            print(f"  fields where another extractor is better ({subset}): {', '.join(worse)}")
    return 0


def _rows(scored: list[tuple[Labelled, tuple[dict, ...]]]) -> dict[str, tuple[list[dict | None], int]]:
    per_site: dict[str, list[tuple[dict, ...]]] = defaultdict(list)
    for page, scores in scored:
        per_site[page.want["site"]].append(scores)
    rows = {"all": (_means([s for _, s in scored]), len(scored))}
    for site, scores in sorted(per_site.items()):
        rows[site] = (_means(scores), len(scores))
    return rows


def _show(got: dict, want: dict) -> None:
    for key in ("title", "published", "byline", "views"):
        want_key = "published_at" if key == "published" else key
        print(f"{key}: got {got[key]!r} want {want[want_key]!r}", file=sys.stderr)
    got_p, want_p = set(map(norm, got["paragraphs"])), set(map(norm, want["paragraphs"]))
    for p in sorted(got_p - want_p):
        print(f"  extra paragraph: {p[:120]}", file=sys.stderr)
    for p in sorted(want_p - got_p):
        print(f"  missing paragraph: {p[:120]}", file=sys.stderr)
    print(f"captions: got {got['captions']} want {want['captions']}", file=sys.stderr)
    got_r, want_r = set(got["related"]), {r["url"] for r in want["related"]}
    print(f"related: extra {sorted(got_r - want_r)} missing {sorted(want_r - got_r)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
