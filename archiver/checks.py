"""Sanity checks of the values a profile reads: a value that fails one is refused, and the generic
reader gives that field instead (extract.py applies them; the result says why in `sources` and `problems`).

Each check is a pure function of the raw value and a `Context` (the site's own names, the fetch time),
returning the reason for refusing it or None. They catch what a selector of another layout generation
reads: the outlet's name where the byline stood, a date where the headline stood, a sentence of the body
taken for the author, a date in the future.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from archiver.dates import parse_date
from archiver.text import fold as search_fold
from archiver.views import views_with_reason

TITLE_LENGTH = (8, 300)  # characters: a headline is neither a word nor a paragraph
BYLINE_LENGTH = 80  # characters; and at most BYLINE_WORDS words: longer is a sentence of the body
BYLINE_WORDS = 12
OLDEST_YEAR = 1995  # no Vietnamese news site published online before
FUTURE_SLACK = timedelta(hours=1)  # clocks and time zones a CMS mislabels
DOMAIN = re.compile(r"^[\w.-]+\.(vn|com|net|org)$", re.I)
DATE_WORDS = re.compile(r"thứ\s+\w+|chủ nhật|ngày|tháng|năm|giờ|phút|gmt|sáng|chiều|tối|am|pm|utc", re.I)
OUTLET_PREFIXES = ("baodientu", "bao", "tapchi")


@dataclass(frozen=True)
class Context:
    fetched_at: datetime
    outlet_names: frozenset[str] = field(default_factory=frozenset)  # folded with `fold`


_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """The search fold (case and accents off, "đ" -> "d") without spaces and punctuation:
    "Báo Dân trí" -> "baodantri"."""
    return _NOT_WORD.sub("", search_fold(text))


@lru_cache(maxsize=1024)  # a site's names are the same on every page
def outlet_names(*names: str) -> frozenset[str]:
    """The folded forms of a site's names, with and without "báo" / "tạp chí" and a domain's suffix."""
    out = set()
    for name in names:
        if not name or not name.strip():
            continue
        key = fold(name)
        out.add(key)
        out.add(_unprefixed(key))
        out.add(fold(re.sub(r"\.(com\.vn|vn|com|net)$", "", name.strip().lower())))
    return frozenset(k for k in out if k)


def _unprefixed(key: str) -> str:
    """ "baodantri" -> "dantri": the outlet's name without "Báo", "Báo điện tử", "Tạp chí"."""
    for prefix in OUTLET_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            return key[len(prefix):]
    return key


def is_outlet(text: str, ctx: Context) -> bool:
    key = fold(text)
    return bool(key) and (key in ctx.outlet_names or _unprefixed(key) in ctx.outlet_names)


def is_date_text(text: str) -> bool:
    """Digits, separators and date words only ("Thứ năm, 12/03/2025 08:00 (GMT+7)")."""
    if len(text) > 60 or not any(c.isdigit() for c in text):  # a headline is longer, or has no digits
        return False
    return sum(c.isalpha() for c in DATE_WORDS.sub("", text)) < 3


def check_title(value: str, ctx: Context) -> str | None:
    text = value.strip()
    if not text:
        return "empty"
    if is_outlet(text, ctx):
        return "the site's name"
    if is_date_text(text):
        return "a date"
    low, high = TITLE_LENGTH
    if not low <= len(text) <= high:
        return f"{len(text)} characters"
    return None


def check_published(value: str, ctx: Context) -> str | None:
    parsed = parse_date(value, fetched_at=ctx.fetched_at)
    if parsed.value is None:
        if parsed.reason == "in the future":
            return parsed.reason
        return f"does not parse ({parsed.reason})" if parsed.reason else "does not parse"
    when = parsed.value
    if when.tzinfo is None or ctx.fetched_at.tzinfo is None:
        when, now = when.replace(tzinfo=None), ctx.fetched_at.replace(tzinfo=None)
    else:
        now = ctx.fetched_at
    if when > now + FUTURE_SLACK:
        return "in the future"
    if when.year < OLDEST_YEAR:
        return f"before {OLDEST_YEAR}"
    return None


def check_byline(value: str, ctx: Context) -> str | None:
    text = value.strip()
    if is_outlet(text, ctx) or DOMAIN.match(text):
        return "outlet name"
    if len(text) > BYLINE_LENGTH or len(text.split()) > BYLINE_WORDS:
        return "a sentence, not a name"
    return None


def check_views(value: str, ctx: Context) -> str | None:
    count, reason = views_with_reason(value)
    if count is None:
        return f"not a count ({reason})" if reason else "not a count"
    if count < 0:
        return "negative"
    return None


# RawArticle attribute -> its check; the body's check (too short next to the generic body) and the
# related lists' (a profile list that finds nothing) live with the generic reader, which has both sides.
CHECKS: dict[str, Callable[[str, Context], str | None]] = {
    "title": check_title,
    "published_raw": check_published,
    "byline_raw": check_byline,
    "views_raw": check_views,
}


def refusal(attr: str, value: str | None, ctx: Context) -> str | None:
    """Why the value of RawArticle attribute `attr` is refused, or None (also for fields without a check)."""
    check = CHECKS.get(attr)
    if check is None or not value:
        return None
    try:
        return check(value, ctx)
    except Exception:  # noqa: BLE001 - a check must never cost the field: keep the value
        return None
