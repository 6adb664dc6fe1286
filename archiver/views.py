"""View counts as Vietnamese pages show them: "927", "1.234", "1,2K", "2,5 triệu", "Lượt xem: 12.345" -> int.

Vietnamese writes thousands with a dot and decimals with a comma; English-style pages use the reverse. A
view count is a whole number, so a separator followed by exactly three digits is always a thousands
separator, and a decimal is only accepted before a multiplier ("1,2K", "1.2K"). Anything else is None,
with the reason logged on the "archiver.views" logger: a wrong count is worse than none.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from decimal import Decimal, InvalidOperation

log = logging.getLogger("archiver.views")

_MULTIPLIERS: dict[str, int] = {
    "k": 1_000, "n": 1_000, "nghìn": 1_000, "ngàn": 1_000,
    "m": 1_000_000, "tr": 1_000_000, "triệu": 1_000_000,
    "b": 1_000_000_000, "tỷ": 1_000_000_000, "tỉ": 1_000_000_000,
}
_LABEL = r"(?:lượt\s*xem|lượt\s*đọc|lượt\s*view|số\s*lượt\s*xem|views?|lx|xem)"
_SHAPE = re.compile(
    rf"(?:{_LABEL}\s*:?\s*)?"
    r"(?P<number>\d{1,3}(?:(?P<sep>[.,\s])\d{3})(?:(?P=sep)\d{3})*|\d+(?:[.,]\d+)?)"
    r"\s*(?P<mult>k|n|nghìn|ngàn|m|tr|triệu|b|tỷ|tỉ)?\.?"
    rf"\s*(?:{_LABEL}|lượt)?"
)
# Eye icons, brackets and stray punctuation around the count carry nothing.
_EDGES = " \t\n\r\u00a0()[]{}|:•·👁️\ufe0f"


def parse_views(text: str | None) -> int | None:
    """The view count as an int, or None (the reason is logged on "archiver.views")."""
    value, reason = views_with_reason(text)
    if reason:
        log.log(logging.DEBUG if reason == "empty" else logging.INFO, "views %r: %s", text, reason)
    return value


def views_with_reason(text: str | None) -> tuple[int | None, str | None]:
    """(count, None) or (None, why): the same rules as parse_views, for callers who keep the reason."""
    if text is None or not str(text).strip(_EDGES):
        return None, "empty"
    text = unicodedata.normalize("NFC", str(text)).lower().strip(_EDGES)
    if "|" in text:  # a seed line "24/10/2019 | 927": the one part that is a count
        parts = [p.strip(_EDGES) for p in text.split("|")]
        counts = [p for p in parts if _SHAPE.fullmatch(p)]
        if len(counts) != 1:
            return None, "no single view count among the parts"
        text = counts[0]
    m = _SHAPE.fullmatch(" ".join(text.split()))
    if not m:
        return None, "not a view count"
    return _value(m)


def _value(m: re.Match) -> tuple[int | None, str | None]:
    number, sep, mult = m["number"], m["sep"], m["mult"]
    if sep:  # "1.234", "1,234", "1 234": thousands groups
        digits = number.replace(sep, "")
        if mult:
            return None, "thousands separators before a multiplier"
        return int(digits), None
    if mult is None:
        if "." in number or "," in number:
            return None, "a decimal is not a count"
        return int(number), None
    try:
        value = Decimal(number.replace(",", ".")) * _MULTIPLIERS[mult]
    except InvalidOperation:
        return None, "not a number"
    if value != value.to_integral_value():
        return None, "fraction of a view"
    return int(value), None
