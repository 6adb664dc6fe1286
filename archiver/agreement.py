"""Agreement between a profile and the generic reader, per field: a drifting profile shows here first.

When a profile reads a page, the generic reader reads it too (every `AGREEMENT_EVERY`-th profiled page of a
site: the generic reader runs trafilatura and costs several profiled pages) and each field is compared after
normalisation: equal text (case, accents and punctuation folded), the same minute, the same count, or a
token-F1 of at least `F1_AGREE` for the body, the captions and the related URLs. Each comparison is one of

- `agree` / `disagree`: both read the field;
- `profile_missing`: the profile's selectors found nothing (the generic reader filled the article) or its
  value was refused by a sanity check, while the generic reader has it: the profile has drifted;
- `generic_missing`: only the profile has it (the generic reader misses it: no drift);

a field neither finds is not counted. A field's agreement is agree / (agree + disagree + profile_missing):
`generic_missing` is the generic reader's gap, not the profile's drift, and does not lower it.

The crawl counts them in its stats (`archiver/agreement/SITE/FIELD/
OUTCOME`), the archive keeps them per crawl in `crawls.agreement` (`{site: {field: {outcome: n}}}`), and a
field whose agreement falls below `AGREEMENT_WARN` is logged at the end of the crawl.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from parsel import Selector

from archiver.checks import fold
from archiver.items import Article, RawArticle

FIELDS = ("title", "published", "byline", "views", "body", "captions", "related")
OUTCOMES = ("agree", "disagree", "profile_missing", "generic_missing")
F1_AGREE = 0.8  # token-F1 from which two bodies (captions, related URL sets) are the same text
EVERY = 25  # default: compare every 25th profiled page of a site (the first one included)
WARN_BELOW = 0.8  # default: a field agreeing on fewer of its pages is logged
MIN_COUNTED = 5  # pages counted before a low agreement is worth a warning
STATS_PREFIX = "archiver/agreement/"
# The RawArticle source key of each field: the field is the profile's when its source starts with "profile".
SOURCE_KEY = {"title": "title", "published": "published_raw", "byline": "byline_raw", "views": "views_raw",
              "body": "paragraphs", "captions": "images", "related": "related"}


def _tokens(texts: list[str]) -> Counter:
    return Counter(re.findall(r"\w+", unicodedata.normalize("NFC", " ".join(texts)).lower()))


def token_f1(a: Counter, b: Counter) -> float:
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def values(article: Article) -> dict[str, object]:
    """Each field's comparable value (None or empty when the article lacks it)."""
    return {
        "title": fold(article.title or "") or None,
        "published": (article.published_at or "")[:16] or None,
        "byline": fold(article.byline or "") or None,
        "views": article.views,
        "body": _tokens(([article.lead] if article.lead else []) + article.paragraphs),
        "captions": _tokens([i.caption for i in article.images if i.caption]),
        "related": Counter({r.url for r in article.related}),
    }


def _same(name: str, a, b) -> bool:
    if isinstance(a, Counter):
        return token_f1(a, b) >= F1_AGREE
    return a == b


def compare(profiled: Article, generic: Article) -> dict[str, str]:
    """field -> outcome; the profiled article's fields that did not come from the profile count as missing."""
    mine, theirs = values(profiled), values(generic)
    out = {}
    for name in FIELDS:
        source = profiled.sources.get(SOURCE_KEY[name], "")
        a = mine[name] if source.startswith("profile") else None
        b = theirs[name]
        has_a, has_b = a is not None and a != Counter(), b is not None and b != Counter()
        if has_a and has_b:
            out[name] = "agree" if _same(name, a, b) else "disagree"
        elif has_b:
            out[name] = "profile_missing"
        elif has_a:
            out[name] = "generic_missing"
    return out


def read_generic(page: Selector | str, url: str, fetched_at: datetime) -> Article:
    """The generic reader's article of the page (the same parsed tree: the generic reader does not change it)."""
    from archiver.extract import extract
    from archiver.normalize import normalize_article

    return normalize_article(extract(page, url, fetched_at=fetched_at, generic_only=True))


def check(page: Selector | str, raw: RawArticle, profiled: Article | None = None) -> dict[str, str]:
    """Compare a profile's reading `raw` of `page` with the generic reader's; {} when no profile read it."""
    from archiver.normalize import normalize_article

    if not raw.profile:
        return {}
    profiled = profiled or normalize_article(raw)
    return compare(profiled, read_generic(page, raw.url, datetime.fromisoformat(raw.fetched_at)))


@dataclass
class Sampler:
    """Every `every`-th profiled page of each site, the first one included (0: never)."""

    every: int = EVERY
    seen: Counter = field(default_factory=Counter)

    def due(self, site: str) -> bool:
        if self.every <= 0:
            return False
        self.seen[site] += 1
        return (self.seen[site] - 1) % self.every == 0


def stat_keys(site: str, outcomes: dict[str, str]) -> list[str]:
    return [f"{STATS_PREFIX}{site}/{name}/{outcome}" for name, outcome in outcomes.items()]


def from_stats(stats: dict) -> dict[str, dict[str, dict[str, int]]]:
    """{site: {field: {outcome: n}}} from a crawl's stats (fields and outcomes in their fixed order)."""
    found: dict[str, dict[str, dict[str, int]]] = {}
    for key, n in stats.items():
        if not key.startswith(STATS_PREFIX):
            continue
        parts = key[len(STATS_PREFIX):].split("/")
        if len(parts) < 3 or parts[-2] not in FIELDS or parts[-1] not in OUTCOMES:
            continue
        site = "/".join(parts[:-2])
        found.setdefault(site, {}).setdefault(parts[-2], {})[parts[-1]] = int(n)
    return {site: {f: {o: fields[f].get(o, 0) for o in OUTCOMES} for f in FIELDS if f in fields}
            for site, fields in sorted(found.items())}


def rate(counts: dict[str, int]) -> float | None:
    """agree / (agree + disagree + profile_missing); None when only the profile read the field."""
    total = sum(n for o, n in counts.items() if o != "generic_missing")
    return counts.get("agree", 0) / total if total else None


def low_fields(agreement: dict, threshold: float = WARN_BELOW, min_counted: int = MIN_COUNTED) -> list[str]:
    """"site field: 40% agree (4 of 10; profile missing 6)" for each field below the threshold."""
    out = []
    for site, fields in agreement.items():
        for name, counts in fields.items():
            share = rate(counts)
            counted = sum(n for o, n in counts.items() if o != "generic_missing")
            if share is not None and counted >= min_counted and share < threshold:
                out.append(f"{site} {name}: {share:.0%} agree ({describe(counts)})")
    return out


def describe(counts: dict[str, int]) -> str:
    total = sum(n for o, n in counts.items() if o != "generic_missing")
    rest = ", ".join(f"{o.replace('_', ' ')} {n}" for o, n in counts.items() if n and o != "agree")
    return f"{counts.get('agree', 0)} of {total}" + (f"; {rest}" if rest else "")


def summary_lines(agreement: dict) -> list[str]:
    """One line per site: each field's agreement share, for the crawl summary and `archiver stats`."""
    lines = []
    for site, fields in agreement.items():
        cells = []
        for name in FIELDS:
            if name not in fields:
                continue
            share = rate(fields[name])
            cells.append(f"{name} {share:.0%}" if share is not None else f"{name} (profile only)")
        n = max((sum(c.values()) for c in fields.values()), default=0)
        lines.append(f"  {site} ({n} pages compared): {', '.join(cells) or 'nothing compared'}")
    return lines
