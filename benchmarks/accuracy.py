"""Extraction accuracy on labelled pages, ours next to trafilatura's.

    python benchmarks/accuracy.py PAGES_DIR [--generic] [--pages NAME,...] [--show NAME]

PAGES_DIR holds NAME.html + NAME.json pairs (the label format of ../shared/pages/README.md).
Ours is `archiver extract`'s code (extract + normalize); `--generic` turns site profiles off
to measure the fallback alone. Trafilatura runs with default settings (`bare_extraction`,
metadata on). Printed per field (all pages) and per site:

- exact-match rate: title, published (to the minute), byline, views;
- token-F1: body (lead + paragraphs), captions, related URLs (F1 over the URL sets).

Labels list the lead as the first paragraph, so our body is lead + paragraphs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
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


def load(pages: Path, only: set[str] | None) -> list[tuple[str, str, dict]]:
    out = []
    for label in sorted(pages.glob("*.json")):
        html = label.with_suffix(".html")
        if html.exists() and (not only or label.stem in only):
            out.append((label.stem, html.read_text(encoding="utf-8", errors="replace"),
                        json.loads(label.read_text(encoding="utf-8"))))
    return out


def table(title: str, rows: dict[str, tuple[dict, dict, int]]) -> str:
    head = f"{title:<28}" + "".join(f"{f:>17}" for f in FIELDS)
    lines = [head, f"{'':<28}" + "".join(f"{'ours / traf':>17}" for _ in FIELDS)]
    for name, (o, t, n) in rows.items():
        cells = "".join(f"{_fmt(o[f], f)} / {_fmt(t[f], f)}".rjust(17) for f in FIELDS)
        lines.append(f"{(name + f' ({n})'):<28}{cells}")
    return "\n".join(lines)


def _fmt(value: float, field: str) -> str:
    return f"{value:6.1%}" if field in EXACT else f"{value:6.3f}"


def mean(scores: list[dict]) -> dict:
    return {f: sum(s[f] for s in scores) / len(scores) for f in FIELDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--generic", action="store_true", help="turn site profiles off")
    parser.add_argument("--pages", dest="only", help="comma-separated page names")
    parser.add_argument("--show", help="print our and the expected values for this page")
    args = parser.parse_args(argv)
    pages = load(args.pages, set(args.only.split(",")) if args.only else None)
    if not pages:
        print(f"no labelled pages in {args.pages}", file=sys.stderr)
        return 1
    per_site: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for name, html, want in pages:
        got = ours(html, want["url"], args.generic)
        ours_score, traf_score = score(got, want), score(trafilatura(html, want["url"]), want)
        per_site[want["site"]].append((ours_score, traf_score))
        if args.show == name:
            _show(got, want)
        misses = [f for f in FIELDS if ours_score[f] < (1.0 if f in EXACT else 0.98)]
        if misses:
            print(f"{name}: below target on {', '.join(misses)}", file=sys.stderr)
    everything = [s for scores in per_site.values() for s in scores]
    rows = {"all pages": (mean([o for o, _ in everything]), mean([t for _, t in everything]),
                          len(everything))}
    for site, scores in sorted(per_site.items()):
        rows[site] = (mean([o for o, _ in scores]), mean([t for _, t in scores]), len(scores))
    mode = "generic fallback only" if args.generic else "profiles + fallback"
    print(table(f"ours ({mode})", rows))
    return 0


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
