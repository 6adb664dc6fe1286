"""Pure text normalization for Vietnamese pages (no Scrapy dependency)."""

from __future__ import annotations

import html
import re
import unicodedata

_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def clean_text(text: str | None) -> str | None:
    """NFC, entities unescaped, zero-width removed, whitespace collapsed; None if empty."""
    if text is None:
        return None
    text = html.unescape(text).translate(_ZERO_WIDTH)
    text = unicodedata.normalize("NFC", text).replace("\u00d0", "\u0110")
    text = _SPACE.sub(" ", text).strip()
    return text or None


def clean_byline(text: str | None) -> str | None:
    text = clean_text(text)
    if not text:
        return None
    text = re.sub(r"^(Theo|Bài và ảnh|Bài, ảnh|Bài)\s*:?\s*", "", text, flags=re.I)
    text = re.sub(r"\s*\((tổng hợp|TH)\)$", "", text, flags=re.I)
    return text.strip() or None


def fold(text: str | None) -> str:
    """Lower-case, diacritics removed, "đ" -> "d": what a search typed without accents matches."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("\u00f0", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))
