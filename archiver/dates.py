"""Vietnamese date normalization: the date text of a news page -> timezone-aware datetime and precision.

Pure functions, no Scrapy dependency. Two paths answer:

- the fast path: precompiled patterns (archiver.daterules) for the shapes Vietnamese sites use. It never
  touches dateparser and costs a few microseconds;
- the fallback: dateparser (languages=["vi"], day-first), only for texts holding words the fast grammar
  does not know. It is imported lazily (importing it is slow) and its answer must be backed by the digits
  of the text, because dateparser silently answers wrong dates ("Thứ năm 24/10/2019" -> 2019-10-04).

Conventions:
- day-first always: "03/04/2019" is 3 April;
- a time without an offset is Vietnamese local time; a time with an offset keeps its instant but is
  expressed in the target zone (Asia/Ho_Chi_Minh, +07:00), so ISO strings in the archive sort as text;
- ``value`` is truncated to the start of its precision (second, minute, hour, day, week, month, year).
  "second" is used only when the text shows seconds (ISO meta tags) and the value then keeps them;
- nothing raises: garbage, impossible dates and dates more than a day after ``fetched_at`` give
  ``value=None`` with a ``reason``.
"""

from __future__ import annotations

import calendar
import html
import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from archiver import daterules as R  # noqa: N812 (R for rules, read like a namespace)

VN_TZ = "Asia/Ho_Chi_Minh"
PRECISIONS = ("second", "minute", "hour", "day", "week", "month", "year")
FUTURE_TOLERANCE = timedelta(days=1)  # clocks and "tomorrow's paper" published the evening before
MIN_YEAR, MAX_YEAR = 1900, 2100

log = logging.getLogger("archiver.dates")

# Spaces that are not ASCII become spaces, invisible characters vanish, and the Icelandic eth (a common
# look-alike typed for "Đ") becomes the Vietnamese letter.
_CHARS = {0xA0: " ", 0x202F: " ", 0x2009: " ", 0x3000: " ", 0xD0: "Đ", 0xF0: "đ"}
_CHARS.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f")))

_AM = frozenset(("am", "a.m", "a.m.", "sa", "sáng"))
_PM = frozenset(("pm", "p.m", "p.m.", "ch", "chiều", "tối"))


@dataclass(frozen=True)
class ParsedDate:
    raw: str
    value: datetime | None = None  # timezone-aware, truncated to the start of ``precision``
    precision: str | None = None  # second, minute, hour, day, week, month, year
    relative: bool = False  # the answer depends on fetched_at ("2 giờ trước", "hôm qua", "24/10")
    path: str = "none"  # fast:iso, fast:dmy, fast:ymd, fast:vi, fast:en, fast:my, fast:y, fast:dm,
    #                     relative, dateparser, none
    reason: str | None = None  # why value is None

    @property
    def iso(self) -> str | None:
        return self.value.isoformat() if self.value else None

    def record(self) -> dict:
        """The stable JSON shape printed by `archiver dates`."""
        return {
            "raw": self.raw,
            "iso": self.iso,
            "precision": self.precision,
            "relative": self.relative,
            "path": self.path,
        }


class _RejectError(Exception):
    """A definite no: the text has a date shape but the date is impossible. Never leaves this module."""


_ZONES: dict[str, ZoneInfo] = {}


def _zone(tz: str) -> ZoneInfo:
    _ZONES[tz] = ZoneInfo(tz)  # raises for an unknown name: that is a programming error, not bad data
    return _ZONES[tz]


def parse_date(text: str | None, *, fetched_at: datetime | None = None, tz: str = VN_TZ) -> ParsedDate:
    """Parse one date text as shown on a Vietnamese news page. Never raises; see the module docstring.

    ``fetched_at`` (None means now; naive means local time in ``tz``) resolves relative dates and bounds
    the future.
    """
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    zone = _ZONES.get(tz) or _zone(tz)
    if fetched_at is None:
        now = datetime.now(zone)
    else:
        now = fetched_at.astimezone(zone) if fetched_at.tzinfo else fetched_at.replace(tzinfo=zone)
    try:
        parsed = _parse(raw, now, zone)
    except _RejectError as e:
        return ParsedDate(raw, reason=str(e))
    except Exception as e:  # a date must never break a crawl; the reason says what happened
        log.warning("parse_date(%r) failed: %r", raw, e)
        return ParsedDate(raw, reason=f"error: {e!r}")
    if parsed.value is not None and parsed.value > now + FUTURE_TOLERANCE:
        return ParsedDate(raw, reason="in the future")
    return parsed


def split_date_views(text: str | None) -> tuple[str | None, str | None]:
    """Split a seed line such as "24/10/2019 | 927" into (date text, views text); either may be None."""
    if not text:
        return None, None
    if "|" not in text:
        return (None, text.strip()) if R.VIEWS_PART.fullmatch(text) else (text.strip() or None, None)
    parts = [p.strip() for p in text.split("|")]
    views = [p for p in parts if R.VIEWS_PART.fullmatch(p)]
    if len(views) != 1 or len(parts) == 1:  # no count, or two numbers and no way to tell which
        return text.strip() or None, None
    rest = " | ".join(p for p in parts if p and p is not views[0])
    return rest or None, views[0]


def parse_fetched_at(value: str | None, tz: str = VN_TZ) -> datetime | None:
    """ISO 8601 fetch time for the CLI; naive means local time in ``tz``. Raises ValueError."""
    if not value:
        return None
    when = datetime.fromisoformat(value.strip())
    return when if when.tzinfo else when.replace(tzinfo=_zone(tz))


def date_records(lines: Iterable[str], *, fetched_at: datetime | None = None) -> Iterator[dict]:
    """One `archiver dates` record per input line, in order (blank lines included, to keep alignment)."""
    for line in lines:
        yield parse_date(line.rstrip("\r\n"), fetched_at=fetched_at).record()


# --- the pipeline ------------------------------------------------------------------------------------


def _parse(raw: str, now: datetime, zone: ZoneInfo) -> ParsedDate:
    # The hot shapes first: each is a single regex on the raw text.
    if m := R.ISO.fullmatch(raw):
        return _from_iso(raw, m, zone)
    if m := R.HOT.fullmatch(raw):
        return _from_hot(raw, m, zone)
    if m := R.HOT_AGO.fullmatch(raw):
        return _ago(raw, {R.UNITS[m[2].lower()]: int(m[1])}, now)
    if not raw or raw.isspace():
        return ParsedDate(raw, reason="empty")
    # The general path: normalize, take out offset, weekday and labels, then relative words or the grammar.
    text = _normalize(raw)
    offset, text = _take_offset(text)
    weekday, text = _take_weekday(text)
    text = _unlabel(text)
    if not text:
        return ParsedDate(raw, reason="no date found")
    if R.RELATIVE_HINT.search(text) and (found := _relative(raw, text, now)):
        return found
    core = " ".join(R.NOISE.sub(" ", text).split()) if R.HAS_LETTER.search(text) else text
    found = _grammar(raw, core, now, zone, offset, weekday)
    if isinstance(found, ParsedDate):
        return found
    return _fallback(raw, text, now, zone, offset, weekday, why=found)


def _normalize(raw: str) -> str:
    """Lower-case NFC text with entities decoded and odd spaces made plain; the seed's view count dropped."""
    text = raw
    if "|" in text:
        text = split_date_views(text)[0] or ""
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        if R.ODD_CHARS.search(text):
            text = text.translate(_CHARS)
    return text.lower()


def _unlabel(text: str) -> str:
    """Separators to spaces, labels ("Cập nhật lúc", "Ngày đăng:") removed, whitespace collapsed."""
    for sep in R.SEPARATORS:
        if sep in text:
            text = text.replace(sep, " ")
    if R.LABEL_HINT.search(text):
        text = R.LABELS.sub(" ", text)
    return " ".join(text.split()).rstrip(".:")


def _take_offset(text: str) -> tuple[timezone | None, str]:
    if "gmt" not in text and "utc" not in text and "giờ" not in text:
        return None, text
    m = R.OFFSET.search(text)
    if not m:
        return None, text
    if m["vn"]:
        offset = timedelta(hours=7)
    else:
        offset = timedelta(hours=int(m["oh"] or 0), minutes=int(m["om"] or 0))
        offset = -offset if m["sign"] == "-" else offset
    if abs(offset) > timedelta(hours=14):
        raise _RejectError(f"impossible UTC offset: {m.group().strip()}")
    return timezone(offset), text[: m.start()] + " " + text[m.end() :]


def _take_weekday(text: str) -> tuple[int | None, str]:
    m = R.WEEKDAY.search(text)
    if not m or (m.start() and text[m.start() - 1].isalnum()):
        return None, text
    key = m["vi"] or m["short"] or m["en"] or _weekday_key(m["cn"])
    return R.WEEKDAYS[key], text[: m.start()] + " " + text[m.end() :]


# --- relative dates ----------------------------------------------------------------------------------


def _relative(raw: str, text: str, now: datetime) -> ParsedDate | None:
    if m := R.RELATIVE.fullmatch(text):
        back: dict[str, int] = {}
        for number, unit in R.RELATIVE_PART.findall(m["parts"] or m["parts2"]):
            kind = R.UNITS[unit]
            back[kind] = back.get(kind, 0) + (int(number) if number.isdigit() else R.NUMBER_WORDS[number])
        return _ago(raw, back, now)
    if m := R.RELATIVE_LAST.fullmatch(text):
        unit = {"tuần": "week", "tháng": "month", "năm": "year"}.get(m["unit"], m["en"])
        return _ago(raw, {unit: 1}, now)
    if R.JUST_NOW.fullmatch(text):
        return ParsedDate(raw, _truncate(now, "minute"), "minute", True, "relative")
    return None


def _ago(raw: str, back: dict[str, int], now: datetime) -> ParsedDate:
    """Step back from ``now``; the precision is that of the finest unit named ("1 năm trước": year)."""
    when = now - timedelta(
        weeks=back.get("week", 0),
        days=back.get("day", 0),
        hours=back.get("hour", 0),
        minutes=back.get("minute", 0),
        seconds=back.get("second", 0),
    )
    if months := back.get("month", 0) + 12 * back.get("year", 0):
        when = _months_back(when, months)
    # "30 giây trước" is as precise as "vừa xong": a minute.
    precision = PRECISIONS[max(1, min(PRECISIONS.index(unit) for unit in back))]
    return ParsedDate(raw, _truncate(when, precision), precision, True, "relative")


def _months_back(when: datetime, months: int) -> datetime:
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def _truncate(when: datetime, precision: str) -> datetime:
    if precision == "second":
        return when.replace(microsecond=0)
    if precision == "minute":
        return when.replace(second=0, microsecond=0)
    if precision == "hour":
        return when.replace(minute=0, second=0, microsecond=0)
    if precision in ("day", "week"):
        return when.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision == "month":
        return when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


# --- absolute dates ----------------------------------------------------------------------------------


def _from_iso(raw: str, m, zone: ZoneInfo) -> ParsedDate:
    y, mo, d, h, mi, s, off = m.groups()
    if h is None:
        return _build(raw, "fast:iso", zone, (int(y), int(mo), int(d)), None, "day")
    clock = (int(h), int(mi), int(s or 0))
    tz = _iso_offset(off) if off else None
    return _build(raw, "fast:iso", zone, (int(y), int(mo), int(d)), clock, "second" if s else "minute", tz)


def _from_hot(raw: str, m, zone: ZoneInfo) -> ParsedDate:
    if m["h1"] and m["h2"]:
        raise _RejectError("two times of day")
    ymd = (int(m["y"]), int(m["m"]), int(m["d"]))
    if m["wd"]:
        _check_weekday(ymd, R.WEEKDAYS[_weekday_key(m["wd"].lower())])
    n = "1" if m["h1"] else "2"
    if m["h" + n] is None:
        return _build(raw, "fast:dmy", zone, ymd, None, "day")
    hour = _meridiem(int(m["h" + n]), m["a" + n] and m["a" + n].lower())
    clock = (hour, int(m["i" + n]), int(m["s" + n] or 0))
    return _build(raw, "fast:dmy", zone, ymd, clock, "second" if m["s" + n] else "minute")


def _weekday_key(text: str) -> str:
    """ "thứ năm" -> "năm", "chủ nhật" -> "chủnhật": the WEEKDAYS key."""
    text = "".join(text.split())
    return text[3:] if text.startswith("thứ") else text


def _iso_offset(off: str) -> timezone:
    if off in ("z", "Z"):
        return UTC
    digits = off[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    if delta > timedelta(hours=14):
        raise _RejectError(f"impossible UTC offset: {off}")
    return timezone(-delta if off[0] == "-" else delta)


def _grammar(raw, text, now, zone, offset, weekday) -> ParsedDate | str:
    """The fast path. Returns the answer, or why the text is outside the grammar."""
    m = R.DATE.search(text)
    if not m:
        return "time without a date" if R.TIME.fullmatch(text) else "no date found"
    kind = m.lastgroup
    rest = (text[: m.start()] + text[m.end() :]).strip()
    t = R.TIME.fullmatch(rest) if rest else None
    if rest and not t and not _ignorable(rest, kind, m):
        return "unrecognized text around the date"
    if kind == "rd":
        days = R.RELATIVE_DAYS[" ".join(m.group().split())]
        date = (now - timedelta(days=days)).date()
        clock, clock_precision, tz = _clock(t, None)
        ymd = (date.year, date.month, date.day)
        return _build(raw, "relative", zone, ymd, clock, clock_precision or "day", tz, relative=True)
    ymd, precision = _ymd(m, kind, now)
    if t and precision != "day":
        raise _RejectError(f"a time of day with a {precision}-only date")
    clock, clock_precision, tz = _clock(t, offset)
    path = f"fast:{kind.rstrip('2')}"
    parsed = _build(raw, path, zone, ymd, clock, clock_precision or precision, tz, relative=kind == "dm")
    if weekday is not None and parsed.value is not None and kind != "dm":
        _check_weekday(ymd, weekday)
    return parsed


def _ignorable(rest: str, kind: str, m) -> bool:
    """Words beside a full date with a four-digit year ("Hà Nội, 24/10/2019") cannot change which day it
    is. Shorter shapes ("2-1", "10/2019", "2026") inside words are too likely to be something else."""
    if kind not in ("dmy", "ymd", "vi", "en", "en2") or (kind == "dmy" and len(m["y2"]) != 4):
        return False
    return not R.HAS_DIGIT.search(rest)


def _ymd(m, kind: str, now: datetime) -> tuple[tuple[int, int, int], str]:
    """(year, month, day) and the date's own precision, from the DATE match."""
    if kind == "ymd":
        return (int(m["y1"]), int(m["m1"]), int(m["d1"])), "day"
    if kind == "dmy":
        return (_year(m["y2"], now), int(m["m2"]), int(m["d2"])), "day"
    if kind == "vi":
        return (int(m["y3"]), _month(m["m3"]), int(m["d3"])), "day"
    if kind == "en":
        return (int(m["y4"]), R.EN_MONTHS[m["n4"][:3]], int(m["d4"])), "day"
    if kind == "en2":
        return (int(m["y5"]), R.EN_MONTHS[m["n5"][:3]], int(m["d5"])), "day"
    if kind == "my":
        return (int(m["y6"] or m["y7"]), _month(m["m6"] or m["m7"]), 1), "month"
    if kind == "y":
        return (int(m["y8"]), 1, 1), "year"
    # "dm": no year shown; the latest such day not after the fetch (a listing shows this year's dates).
    month, day = _month(m["m9"] or m["m10"]), int(m["d9"])
    try:
        latest = now.date() + FUTURE_TOLERANCE
        year = now.year if datetime(now.year, month, day).date() <= latest else now.year - 1
    except ValueError:
        year = now.year  # impossible whatever the year (31/04); _build says why
    return (year, month, day), "day"


def _year(text: str, now: datetime) -> int:
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= now.year + 1 else year - 100


def _month(text: str) -> int:
    return int(text) if text.isdigit() else R.MONTH_WORDS[" ".join(text.split())]


def _clock(t, offset: timezone | None) -> tuple[tuple[int, int, int] | None, str | None, timezone | None]:
    """(hour, minute, second), its precision and its offset from a TIME match; all None without a time."""
    if t is None:
        return None, None, None
    hour, minute, second = int(t["H"]), t["M"] or t["M2"], t["S"]
    precision = "second" if second else "minute" if minute is not None else "hour"
    hour = _meridiem(hour, t["ap"])
    if t["off"]:
        offset = _iso_offset(t["off"])
    return (hour, int(minute or 0), int(second or 0)), precision, offset


def _meridiem(hour: int, marker: str | None) -> int:
    """24-hour clock from SA/CH (sáng/chiều), AM/PM and the Vietnamese parts of the day."""
    if not marker:
        return hour
    if marker in _AM:
        if hour > 12:
            raise _RejectError(f"impossible time: {hour} {marker}")
        return 0 if hour == 12 else hour
    if marker in _PM:
        return hour + 12 if hour < 12 else hour
    if marker == "trưa":  # noon: "11 giờ trưa" is 11:00, "1 giờ trưa" 13:00
        return hour + 12 if hour < 6 else hour
    # "đêm" (night): "11 giờ đêm" is 23:00, "2 giờ đêm" 02:00, "12 giờ đêm" midnight
    return 0 if hour == 12 else hour + 12 if 6 <= hour < 12 else hour


def _build(raw, path, zone, ymd, clock, precision, offset=None, relative=False) -> ParsedDate:
    year, month, day = ymd
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _RejectError(f"implausible year: {year}")
    if month > 12 and day <= 12:
        raise _RejectError(f"impossible date: month {month} (dates are read day-first)")
    try:
        if clock is None:
            value = datetime(year, month, day, tzinfo=zone)
        elif offset is None:
            value = datetime(year, month, day, *clock, tzinfo=zone)
        else:
            value = datetime(year, month, day, *clock, tzinfo=offset).astimezone(zone)
    except ValueError as e:
        raise _RejectError(f"impossible date: {e}") from None
    if precision == "hour":
        value = value.replace(minute=0, second=0)
    return ParsedDate(raw, value, precision, relative, path)


def _check_weekday(ymd: tuple[int, int, int], weekday: int) -> None:
    """A weekday that disagrees with the date means the date was misread (or mistyped): refuse both."""
    year, month, day = ymd
    if calendar.weekday(year, month, day) != weekday:
        raise _RejectError("weekday does not match the date")


# --- the dateparser fallback -------------------------------------------------------------------------

_PERIODS = {"time": "minute", "day": "day", "week": "week", "month": "month", "year": "year"}


@lru_cache(maxsize=4)
def _dateparser(tz: str):
    """One DateDataParser per zone: building one costs more than a parse. Imported lazily (slow import).

    No RELATIVE_BASE: the answer must show its year and day in the text (checked below), so the base
    never decides anything.
    """
    from dateparser.date import DateDataParser

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "TIMEZONE": tz,
        "TO_TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RETURN_TIME_AS_PERIOD": True,
    }
    return DateDataParser(languages=["vi"], settings=settings)


def _fallback(raw, text, now, zone, offset, weekday, *, why: str) -> ParsedDate:
    """dateparser for texts with date words the grammar missed. Numbers alone are the grammar's job."""
    if not (R.HAS_DIGIT.search(text) and R.DATE_WORDS.search(text)):
        return ParsedDate(raw, reason=why)
    data = _dateparser(zone.key).get_date_data(text)
    if data.date_obj is None:
        return ParsedDate(raw, reason=why)
    precision = _PERIODS.get(data.period or "day", "day")
    value = data.date_obj
    if offset is not None and precision == "minute":
        value = value.replace(tzinfo=offset)
    value = _truncate(value.astimezone(zone), precision)
    numbers = {int(n) for n in R.INTS.findall(text)}
    if value.year not in numbers and value.year % 100 not in numbers:
        return ParsedDate(raw, reason=f"{why}; dateparser's year is not in the text")
    if precision in ("minute", "day") and value.day not in numbers:
        return ParsedDate(raw, reason=f"{why}; dateparser's day is not in the text")
    if weekday is not None and precision in ("minute", "day"):
        _check_weekday((value.year, value.month, value.day), weekday)
    return ParsedDate(raw, value, precision, False, "dateparser")
