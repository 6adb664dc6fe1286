"""Vietnamese date parsing (minimal version; see issue 3 for the full one)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

VN_TZ = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class ParsedDate:
    raw: str
    value: datetime | None = None  # timezone-aware
    precision: str | None = None  # minute, hour, day, week, month, year
    relative: bool = False
    path: str = "none"  # which code path answered
    reason: str | None = None  # why value is None

    @property
    def iso(self) -> str | None:
        return self.value.isoformat() if self.value else None


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\D+(\d{1,2}):(\d{2}))?")
_REL = re.compile(r"(\d+)\s*(phút|giờ|ngày|tuần|tháng|năm)\s*trước")


def parse_date(text: str | None, *, fetched_at: datetime | None = None, tz: str = VN_TZ) -> ParsedDate:
    raw = text or ""
    zone = ZoneInfo(tz)
    now = (fetched_at or datetime.now(zone)).astimezone(zone)
    if m := _DMY.search(raw):
        d, mo, y, h, mi = m.groups()
        try:
            value = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), tzinfo=zone)
        except ValueError as e:
            return ParsedDate(raw, reason=str(e))
        return ParsedDate(raw, value, "minute" if h else "day", path="fast")
    if m := _REL.search(raw):
        n, unit = int(m.group(1)), m.group(2)
        days = {"phút": 0, "giờ": 0, "ngày": 1, "tuần": 7, "tháng": 30, "năm": 365}[unit]
        delta = timedelta(days=n * days, minutes=n if unit == "phút" else 0, hours=n if unit == "giờ" else 0)
        precision = {"phút": "minute", "giờ": "hour", "ngày": "day", "tuần": "week", "tháng": "month", "năm": "year"}[unit]
        value = (now - delta).replace(second=0, microsecond=0)
        if precision != "minute":
            value = value.replace(minute=0)
        if precision not in ("minute", "hour"):
            value = value.replace(hour=0)
        return ParsedDate(raw, value, precision, relative=True, path="relative")
    return ParsedDate(raw, reason="no date found")
