"""View-count parsing: "927", "1.234", "Lượt xem: 12.345" -> int."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+|\d+")


def parse_views(text: str | None) -> int | None:
    if not text:
        return None
    m = _NUMBER.search(text)
    if not m:
        return None
    return int(re.sub(r"\D", "", m.group()))
