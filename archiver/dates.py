"""Vietnamese date normalization: the date text of a news page -> timezone-aware datetime and precision.

Pure functions, no Scrapy dependency. Three stages answer, in order (``ParsedDate.path`` names the one):

- one regex each for the commonest shapes (ISO 8601, "dd/mm/yyyy HH:MM" with weekday, label and offset,
  "ngày .. tháng .. năm", "hôm qua 08:16", "2 giờ trước"), the plainest of them ("24/10/2019 08:30",
  "Thứ năm, 24/10/2019") first with a smaller regex on the raw text: a few microseconds;
- the general grammar (archiver.daterules): the text is cleaned, its offset, weekday and labels taken
  out, and what is left must be one date token and at most one time. Same answers as the first stage
  where both apply (the tests check every case through both); neither ever touches dateparser;
- dateparser (languages=["vi"], day-first), only for texts with date words the grammar does not know. It
  is imported lazily (importing it is slow) and its answer must show its year and day in the text,
  because dateparser answers wrong dates silently ("Thứ năm 24/10/2019" -> 2019-10-04).

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

# The numbers a date shows, for `_num(text) or int(text)`: int() of a short string costs twice a dict lookup
# (it first rewrites Unicode digits to ASCII). Anything else (other years, Unicode digits) falls to int().
_NUMS = {f"{i:0{width}d}": i for width in (1, 2) for i in range(10**width)}
_NUMS.update({str(year): year for year in range(MIN_YEAR, MAX_YEAR + 1)})
_num = _NUMS.get

_FIXED: dict[int, timezone] = {}
_ISO_OFFSETS: dict[str, timezone] = {}
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
            "reason": self.reason,  # why iso is null ("no date found", "in the future", ...); else null
        }


class _Fields:
    """A plain object: it takes a ParsedDate's fields, then ParsedDate's class (see _answer)."""


def _answer(raw: str, value: datetime, precision: str, relative: bool, path: str) -> ParsedDate:
    """A ParsedDate built without the frozen dataclass __init__, whose six object.__setattr__ calls cost
    as much as a whole fast-path parse: the fields are set on a plain object (plain attribute stores, the
    cheapest), which then takes ParsedDate's class (the same instance layout). Fields left at their default
    (relative=False, reason=None) are not stored: attribute lookup finds the default on the class. Same
    class, same fields, same equality."""
    parsed = _Fields()
    parsed.raw = raw
    parsed.value = value
    parsed.precision = precision
    parsed.path = path
    if relative:
        parsed.relative = True
    parsed.__class__ = ParsedDate
    return parsed


def _no(raw: str, reason: str) -> ParsedDate:
    """A ParsedDate without a value, built like _answer's."""
    parsed = _Fields()
    parsed.raw = raw
    parsed.reason = reason
    parsed.__class__ = ParsedDate
    return parsed


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
    raw = text if text.__class__ is str else _as_text(text)
    zone = _ZONES.get(tz) or _zone(tz)
    if fetched_at is None:
        fetched_at = datetime.now(zone)
    elif fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=zone)
    try:
        # The fast path, here rather than in _parse (one call less for most texts): one regex each for the
        # commonest shapes, on the raw text, the commonest first (HOT_DMY's texts have a slash, ISO's and
        # HOT_AGO's none, so the order changes no answer). HOT_DMY's texts end with a digit (as \d), a ")" or
        # an AM/PM (SA/CH) marker. Characters are tested by index (raw[-1], raw[4]): a slice costs more.
        if "/" in raw and (raw[-1].isdecimal() or raw[-1] in ")AHMm") and (m := R.HOT_DMY.fullmatch(raw)) and (
            found := _from_hot(raw, m, zone, fetched_at)
        ):
            return found
        if len(raw) > 4 and raw[4] == "-" and (m := R.ISO.fullmatch(raw)):
            return _from_iso(raw, m, zone, fetched_at)
        if "trước" in raw and (m := R.HOT_AGO.fullmatch(raw)):
            number, unit = m.groups()
            return _back(raw, R.UNITS[unit.lower()], _num(number) or int(number), fetched_at.astimezone(zone))
        return _parse(raw, fetched_at, zone)
    except _RejectError as e:
        return _no(raw, str(e))
    except Exception as e:  # a date must never break a crawl; the reason says what happened
        log.warning("parse_date(%r) failed: %r", raw, e)
        return ParsedDate(raw, reason=f"error: {e!r}")


def _as_text(text) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8", "replace")
    return str(text)


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


def _parse(raw: str, fetched: datetime, zone: ZoneInfo) -> ParsedDate:
    """Everything after parse_date's fast path (HOT_DMY, ISO, HOT_AGO). ``fetched`` is timezone-aware; relative
    answers read it in ``zone`` (as ``now``, converted only where needed: the conversion costs as much as a
    regex).

    Values read from the text are checked against the future where they are built (_build, _fallback);
    values counted back from the fetch time (_back, _ago) cannot be after it."""
    if raw.isdecimal() and len(raw) != 4:  # a bare number (a view count): only a year has no separator
        return _no(raw, "no date found")
    if not raw or raw.isspace():
        return _no(raw, "empty")
    text = raw.lower() if raw.isascii() else unicodedata.normalize("NFC", raw).lower()
    # MONO's date has a "/", "-" or "." between its numbers, or "th" ("tháng", "thg"): a text without any of
    # them is not tried (failing costs MONO about as much as a whole parse on the fast path).
    if ("/" in text or "th" in text or "-" in text or "." in text) and (m := R.MONO.fullmatch(text)):
        return _from_mono(raw, m, zone, fetched)
    # No text is both (a relative one ends with "trước"/"ago" or starts with "cách đây"), so MONO goes first.
    if ("trước" in text or "ago" in text or "cách" in text) and (m := R.RELATIVE_LABELED.fullmatch(text)):
        return _from_parts(raw, m["parts"] or m["parts2"], fetched.astimezone(zone))
    if (phrase := R.PHRASES.get(text.strip())) is not None:
        return _back(raw, *phrase, fetched.astimezone(zone))
    if "hôm" in text and (m := R.MONO_DAY.fullmatch(text)):
        return _from_day(raw, m, zone, fetched)
    if not (raw[-1].isdecimal() or R.HAS_DIGIT.search(text)) and not R.DIGITLESS_HINT.search(text):  # as \d
        return _no(raw, "no date found")
    # The general path: clean up (and try the one regex again), take out offset, weekday and labels, then
    # relative words or the date grammar.
    cleaned = _clean(text)
    if cleaned != text and (m := R.MONO.fullmatch(cleaned)):
        return _from_mono(raw, m, zone, fetched, fetched.astimezone(zone))
    if cleaned.isascii() and cleaned.upper() == cleaned:
        # No letters ("24/10", "08:30", "123"): the word steps below (offset, weekday, labels, relative and
        # noise words) could find nothing, and each costs a regex.
        offset = weekday = None
        text = core = _unlabel(cleaned, labels=False)
    else:
        offset, text = _take_offset(cleaned)
        weekday, text = _take_weekday(text)
        text = _unlabel(text)
        if R.RELATIVE_HINT.search(text) and (found := _relative(raw, text, fetched.astimezone(zone))):
            return found
        core, noise = R.NOISE.subn(" ", text)
        if noise or text[-1:] == " ":  # _unlabel collapsed the whitespace, but its rstrip may leave a space
            core = " ".join(core.split())
    if not text:
        return _no(raw, "no date found")
    found = _grammar(raw, core, fetched, zone, offset, weekday)
    if isinstance(found, ParsedDate):
        return found
    return _fallback(raw, text, fetched, zone, offset, weekday, why=found)


def _clean(text: str) -> str:
    """Entities decoded, odd spaces made plain, invisible characters dropped, the seed's view count cut off.
    (The one-regex fast path does without: it sees only text that needs none of this.)"""
    if "|" in text:
        text = split_date_views(text)[0] or ""
    if "&" in text:
        text = unicodedata.normalize("NFC", html.unescape(text)).lower()
    # All of _CHARS but "ð" are unprintable: isprintable() is a plain loop in C, cheaper than the regex.
    if not text.isascii() and (not text.isprintable() or "ð" in text) and R.ODD_CHARS.search(text):
        text = text.translate(_CHARS).lower()
    return text


def _unlabel(text: str, labels: bool = True) -> str:
    """Separators to spaces, labels ("Cập nhật lúc", "Ngày đăng:") removed, whitespace collapsed."""
    for sep in R.SEPARATORS:
        if sep in text:
            text = text.replace(sep, " ")
    # A one-character test first: it is cheap, and most texts have no dash.
    if "-" in text or "–" in text or "—" in text:
        for sep in R.DASHES:
            if sep in text:
                text = text.replace(sep, " ")
    if labels and R.LABEL_HINT.search(text):
        text = R.LABELS.sub(" ", text)
    return " ".join(text.split()).rstrip(".:")


def _take_offset(text: str) -> tuple[timezone | None, str]:
    if "gmt" not in text and "utc" not in text and "giờ" not in text:
        return None, text
    m = R.OFFSET.search(text)
    if not m:
        return None, text
    return _word_offset(m["sign"], m["oh"], m["om"], m["vn"]), text[: m.start()] + " " + text[m.end() :]


def _word_offset(sign: str | None, hours: str | None, minutes: str | None, vn: str | None) -> timezone:
    """The offset of "GMT+7", "UTC-05:00", "GMT" (zero) or "giờ Việt Nam" (+7). GMT+7 is seven hours
    ahead of UTC, whatever POSIX TZ strings say."""
    if vn:
        return _fixed(420)
    total = (_num(hours) or int(hours)) * 60 if hours else 0
    if minutes:
        total += _num(minutes) or int(minutes)
    return _fixed(-total if sign == "-" else total)


def _fixed(minutes: int) -> timezone:
    """Cached fixed-offset zones: building a timezone costs more than a fast-path parse."""
    if (zone := _FIXED.get(minutes)) is None:
        if abs(minutes) > 14 * 60:
            raise _RejectError("impossible UTC offset")
        zone = _FIXED[minutes] = timezone(timedelta(minutes=minutes))
    return zone


def _take_weekday(text: str) -> tuple[int | None, str]:
    m = R.WEEKDAY.search(text)
    if not m or (m.start() and text[m.start() - 1].isalnum()):
        return None, text
    vi, short = m.group("vi", "short")
    word = m.group()
    key = vi or short or (_weekday_key(word) if word[0] == "c" else word[:3])  # "chủ nhật"/"cn", or English
    return R.WEEKDAYS[key], text[: m.start()] + " " + text[m.end() :]


# --- relative dates ----------------------------------------------------------------------------------


def _relative(raw: str, text: str, now: datetime) -> ParsedDate | None:
    if m := R.RELATIVE.fullmatch(text):
        return _from_parts(raw, m["parts"] or m["parts2"], now)
    if m := R.RELATIVE_LAST.fullmatch(text):
        unit = {"tuần": "week", "tháng": "month", "năm": "year"}.get(m["unit"], m["en"])
        return _ago(raw, {unit: 1}, now)
    if R.JUST_NOW.fullmatch(text):
        return _answer(raw, _truncate(now, "minute"), "minute", True, "relative")
    return None


def _from_parts(raw: str, parts: str, now: datetime) -> ParsedDate:
    """ "1 giờ 30 phút" -> one step back of 1 hour and 30 minutes."""
    pairs = R.RELATIVE_PART.findall(parts)
    if len(pairs) == 1:
        number, unit = pairs[0]
        n = (_num(number) or int(number)) if number.isdigit() else R.NUMBER_WORDS[number]
        return _back(raw, R.UNITS[unit], n, now)
    back: dict[str, int] = {}
    for number, unit in pairs:
        kind = R.UNITS[unit]
        back[kind] = back.get(kind, 0) + (int(number) if number.isdigit() else R.NUMBER_WORDS[number])
    return _ago(raw, back, now)


def _ago(raw: str, back: dict[str, int], now: datetime) -> ParsedDate:
    """Step back from ``now``; the precision is that of the finest unit named ("1 giờ 30 phút": minute)."""
    if len(back) == 1:
        ((unit, n),) = back.items()
        return _back(raw, unit, n, now)
    elapsed = timedelta(
        weeks=back.get("week", 0),
        days=back.get("day", 0),
        hours=back.get("hour", 0),
        minutes=back.get("minute", 0),
        seconds=back.get("second", 0),
    )
    when = _elapsed_back(now, elapsed)
    if months := back.get("month", 0) + 12 * back.get("year", 0):
        when = _months_back(when, months)
    # "30 giây trước" is as precise as "vừa xong": a minute.
    precision = PRECISIONS[max(1, min(PRECISIONS.index(unit) for unit in back))]
    return _answer(raw, _truncate(when, precision), precision, True, "relative")


_SECONDS = {"second": 1, "minute": 60, "hour": 3600}


def _back(raw: str, unit: str, n: int, now: datetime) -> ParsedDate:
    """One unit back ("2 giờ trước", "hôm qua", "năm ngoái"), built directly at its precision.
    Elapsed time is counted in UTC (right across daylight-saving changes), days on the local calendar."""
    zone = now.tzinfo
    if unit in _SECONDS:
        elapsed = timedelta(0, n * _SECONDS[unit])  # by position: keyword arguments double the cost
        w = _elapsed_back(now, elapsed)
        precision = "hour" if unit == "hour" else "minute"
        value = datetime(w.year, w.month, w.day, w.hour, 0 if unit == "hour" else w.minute, 0, 0, zone)
        if w.fold:  # the second of a repeated local hour (clocks set back): keep which one
            value = value.replace(fold=1)
        return _answer(raw, value, precision, True, "relative")
    if unit == "day" or unit == "week":
        d = now.date() - timedelta(n * 7 if unit == "week" else n)
        return _answer(raw, datetime(d.year, d.month, d.day, 0, 0, 0, 0, zone), unit, True, "relative")
    if unit == "month":
        year, month = divmod(now.year * 12 + now.month - 1 - n, 12)
        return _answer(raw, datetime(year, month + 1, 1, 0, 0, 0, 0, zone), "month", True, "relative")
    return _answer(raw, datetime(now.year - n, 1, 1, 0, 0, 0, 0, zone), "year", True, "relative")


def _elapsed_back(now: datetime, elapsed: timedelta) -> datetime:
    """``now`` minus ``elapsed`` of real time. Wall-clock arithmetic (cheap) is right unless a daylight-saving
    change lies in between or the result is a local time that is skipped or repeated (the fold test):
    then the time is counted in UTC."""
    when = now - elapsed
    offset = when.utcoffset()
    if offset != now.utcoffset() or when.replace(fold=1).utcoffset() != offset:
        return (now.astimezone(UTC) - elapsed).astimezone(now.tzinfo)
    return when


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


def _from_iso(raw: str, m, zone: ZoneInfo, fetched: datetime) -> ParsedDate:
    y, mo, d, h, mi, s, off = m.groups()
    ymd = (_num(y) or int(y), _num(mo) or int(mo), _num(d) or int(d))
    if h is None:
        return _build(raw, "fast:iso", zone, fetched, ymd, None, "day")
    clock = (_num(h) or int(h), _num(mi) or int(mi), (_num(s) or int(s)) if s else 0)
    tz = _iso_offset(off) if off else None
    return _build(raw, "fast:iso", zone, fetched, ymd, clock, "second" if s else "minute", tz)


# MONO's groups in pattern order, unpacked from one m.groups() tuple (a dict per match costs more).
_MONO_ORDER = (
    "wd", "h1", "i1", "s1", "j1", "a1", "y1", "p1", "m1", "d1", "d2", "p2", "m2", "y2", "d3", "m3", "y3",
    "h2", "i2", "s2", "j2", "a2", "off", "sign", "oh", "om", "vn",
)
_DAY_ORDER = ("h1", "i1", "s1", "j1", "a1", "rd", "h2", "i2", "s2", "j2", "a2")
_TIME_ORDER = ("H", "M", "S", "M2", "ap", "off")
for _pattern, _order in ((R.MONO, _MONO_ORDER), (R.MONO_DAY, _DAY_ORDER), (R.TIME, _TIME_ORDER)):
    if tuple(sorted(_pattern.groupindex, key=_pattern.groupindex.get)) != _order:
        raise ImportError("archiver.daterules groups changed: update _MONO_ORDER / _DAY_ORDER / _TIME_ORDER")


def _from_mono(raw: str, m, zone: ZoneInfo, fetched: datetime, years: datetime | None = None) -> ParsedDate:
    """The answer from a MONO match. ``years`` places a two-digit year (``fetched`` if None)."""
    (wd, h1, i1, s1, j1, a1, y1, _p1, m1, d1, d2, _p2, m2, y2, d3, m3, y3,
     h2, i2, s2, j2, a2, off, sign, oh, om, vn) = m.groups()
    if h1 and h2:
        raise _RejectError("two times of day")
    if not (h1 or h2):
        clock, precision = None, "day"
    else:  # _clock_of, inlined on this path
        hour, minute, second, marker = (h1, i1 or j1, s1, a1) if h1 else (h2, i2 or j2, s2, a2)
        hour = _num(hour) or int(hour)
        clock = (
            _meridiem(hour, marker) if marker else hour,
            (_num(minute) or int(minute)) if minute else 0,
            (_num(second) or int(second)) if second else 0,
        )
        precision = "second" if second else "minute" if minute else "hour"
    if d2:
        year = (_num(y2) or int(y2)) if len(y2) == 4 else _year(y2, years or fetched)
        ymd, path = (year, _num(m2) or int(m2), _num(d2) or int(d2)), "fast:dmy"
    elif y1:
        ymd, path = (_num(y1) or int(y1), _num(m1) or int(m1), _num(d1) or int(d1)), "fast:ymd"
    else:
        ymd, path = (_num(y3) or int(y3), _month(m3), _num(d3) or int(d3)), "fast:vi"
    weekday = None
    if wd and (weekday := R.WEEKDAY_SPELLINGS.get(wd)) is None:  # odd spacing: "thứnăm", "chủ  nhật"
        weekday = R.WEEKDAYS[_weekday_key(wd)]
    # An offset after a bare date says nothing about the day.
    offset = _word_offset(sign, oh, om, vn) if clock and off else None
    return _build(raw, path, zone, fetched, ymd, clock, precision, offset, False, weekday)


def _from_hot(raw: str, m, zone: ZoneInfo, fetched: datetime) -> ParsedDate | None:
    """The answer from a HOT_DMY match: what _from_mono (or, without a year, _grammar) gives for the same
    text, with less to unpack. None: leave the text to them."""
    wd, h1, i1, s1, a1, d, mo, y, h2, i2, s2, a2, off, sign, oh, om = m.groups()
    if h1 and h2:
        if y is None:  # _grammar says so in its own words ("unrecognized text around the date")
            return None
        raise _RejectError("two times of day")
    # Without a year, _grammar's reading: it takes the offset out first, so an impossible one is the reason.
    dm_offset = _word_offset(sign, oh, om, None) if y is None and off else None
    if not (h1 or h2):
        clock, precision = None, "day"
    else:
        hour, minute, second, marker = (h1, i1, s1, a1) if h1 else (h2, i2, s2, a2)
        hour = _num(hour) or int(hour)
        clock = (
            _meridiem(hour, marker.lower()) if marker else hour,
            _num(minute) or int(minute),
            (_num(second) or int(second)) if second else 0,
        )
        precision = "second" if second else "minute"
    if y is None:  # the year is chosen by us, so the weekday cannot confirm it
        ymd = _latest_day(_num(mo) or int(mo), _num(d) or int(d), fetched.astimezone(zone))
        return _build(raw, "fast:dm", zone, fetched, ymd, clock, precision, dm_offset if clock else None, True)
    # An offset after a bare date says nothing about the day (nor is it checked: MONO's reading).
    offset = _word_offset(sign, oh, om, None) if clock and off else None
    weekday = None
    if wd and (weekday := R.WEEKDAY_SPELLINGS.get(wd := wd.lower())) is None:  # odd spacing: "thứnăm"
        weekday = R.WEEKDAYS[_weekday_key(wd)]
    ymd = (_num(y) or int(y), _num(mo) or int(mo), _num(d) or int(d))
    return _build(raw, "fast:dmy", zone, fetched, ymd, clock, precision, offset, False, weekday)


def _from_day(raw: str, m, zone: ZoneInfo, fetched: datetime) -> ParsedDate:
    """The answer from a MONO_DAY match: "hôm qua", "hôm qua lúc 08:16", "08:16 hôm qua"."""
    h1, i1, s1, j1, a1, rd, h2, i2, s2, j2, a2 = m.groups()
    if h1:
        if h2:
            raise _RejectError("two times of day")
        clock, precision = _clock_of(h1, i1 or j1, s1, a1)
    elif h2:
        clock, precision = _clock_of(h2, i2 or j2, s2, a2)
    else:
        clock, precision = None, "day"
    date = (fetched.astimezone(zone) - timedelta(R.RELATIVE_DAYS[R.day_key(rd)])).date()
    return _build(raw, "relative", zone, fetched, (date.year, date.month, date.day), clock, precision, None, True)


def _clock_of(hour: str, minute: str | None, second: str | None, marker: str | None) -> tuple:
    """((hour, minute, second), precision) from the digits of a time and its AM/PM (SA/CH) marker."""
    number = _num(hour) or int(hour)
    clock = (
        _meridiem(number, marker) if marker else number,
        (_num(minute) or int(minute)) if minute else 0,
        (_num(second) or int(second)) if second else 0,
    )
    return clock, "second" if second else "minute" if minute else "hour"


def _weekday_key(text: str) -> str:
    """ "thứ năm" -> "năm", "t5" -> "5", "chủ nhật" -> "chủnhật": the WEEKDAYS key."""
    text = "".join(text.split())
    if text.startswith("thứ"):
        return text[3:]
    return text[1:] if len(text) == 2 and text[0] == "t" else text


def _iso_offset(off: str) -> timezone:
    if (zone := _ISO_OFFSETS.get(off)) is None:  # few distinct spellings: remember them
        if off in ("z", "Z"):
            return UTC
        digits = off[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
        zone = _ISO_OFFSETS[off] = _fixed(-minutes if off[0] == "-" else minutes)
    return zone


def _grammar(raw, text, fetched, zone, offset, weekday) -> ParsedDate | str:
    """The fast path. Returns the answer, or why the text is outside the grammar."""
    m = R.DATE.search(text)
    if not m:
        if R.TIME.fullmatch(text):
            raise _RejectError("time without a date")
        return "no date found"
    kind = m.lastgroup
    start, end = m.span()
    rest = (text[:start] + text[end:]).strip()
    # A time alone starts with its digits (or the "t" of "t08:30"): words first go straight to _words_beside.
    t = R.TIME.fullmatch(rest) if rest and (rest[0] == "t" or rest[0].isdecimal()) else None
    if rest and not t:
        t = _words_beside(rest, kind, m)
        if t is False and kind in _FULL_DATES:  # a whole date with other numbers around: ambiguous
            raise _RejectError("other numbers around the date")
        if t is False:
            return "unrecognized text around the date"
    if kind == "rd":
        days = R.RELATIVE_DAYS[R.day_key(m.group())]
        date = (fetched.astimezone(zone) - timedelta(days)).date()
        clock, clock_precision, tz = _clock(t, None)
        ymd = (date.year, date.month, date.day)
        return _build(raw, "relative", zone, fetched, ymd, clock, clock_precision or "day", tz, relative=True)
    ymd, precision = _ymd(m, kind, fetched, zone)
    if t and precision != "day":
        raise _RejectError(f"a time of day with a {precision}-only date")
    clock, clock_precision, tz = _clock(t, offset)
    path = _PATHS[kind]
    if kind == "dm":  # the year was chosen by us, so the weekday cannot confirm it
        weekday = None
    return _build(raw, path, zone, fetched, ymd, clock, clock_precision or precision, tz, kind == "dm", weekday)


_FULL_DATES = frozenset(("dmy", "ymd", "vi", "en", "en2"))
_PATHS = {kind: f"fast:{kind.rstrip('2')}" for kind in ("ymd", "dmy", "vi", "en", "en2", "my", "y", "dm")}


def _words_beside(rest: str, kind: str, m):
    """Words beside a full date with a four-digit year ("Hà Nội, 24/10/2019", "Đỗ Trung • 07:12 ngày
    24/03/2024") cannot change which day it is: accept them, with at most one time of day among them.
    Returns that time's match, None (no time) or False (refuse). Shorter shapes ("2/1", "10/2019",
    "2026") amid words are too likely to be something else, and other numbers make the text ambiguous."""
    if kind not in _FULL_DATES or (kind == "dmy" and len(m["y2"]) != 4):
        return False
    if not (digit := R.HAS_DIGIT.search(rest)):  # no number, so no time either
        return None
    # A time starts at its first digit or at the "t" before it: the search starts there rather than trying
    # every position of the words before (the lookbehind still sees them).
    t = R.TIME.search(rest, max(digit.start() - 1, 0))
    return t if t and R.NO_DIGITS.fullmatch(rest[: t.start()] + " " + rest[t.end() :]) else False


def _ymd(m, kind: str, fetched: datetime, zone: ZoneInfo) -> tuple[tuple[int, int, int], str]:
    """(year, month, day) and the date's own precision, from the DATE match."""
    if kind == "dmy":
        day, month, year = m.group("d2", "m2", "y2")  # one call: each m[name] is a method call too
        year = (_num(year) or int(year)) if len(year) == 4 else _year(year, fetched.astimezone(zone))
        return (year, _num(month) or int(month), _num(day) or int(day)), "day"
    if kind == "ymd":
        year, month, day = m.group("y1", "m1", "d1")
        return (_num(year) or int(year), _num(month) or int(month), _num(day) or int(day)), "day"
    if kind == "vi":
        year, month, day = m.group("y3", "m3", "d3")
        return (_num(year) or int(year), _month(month), _num(day) or int(day)), "day"
    if kind == "en" or kind == "en2":
        year, month, day = m.group("y4", "n4", "d4") if kind == "en" else m.group("y5", "n5", "d5")
        return (_num(year) or int(year), R.EN_MONTHS[month[:3]], _num(day) or int(day)), "day"
    if kind == "my":
        if m["n11"]:
            year, month = m.group("y11", "n11")
            return (_num(year) or int(year), R.EN_MONTHS[month[:3]], 1), "month"
        year = m["y6"] or m["y7"]
        return (_num(year) or int(year), _month(m["m6"] or m["m7"]), 1), "month"
    if kind == "y":
        year = m["y8"]
        return (_num(year) or int(year), 1, 1), "year"
    day = m["d9"]
    return _latest_day(_month(m["m9"] or m["m10"]), _num(day) or int(day), fetched.astimezone(zone)), "day"


def _latest_day(month: int, day: int, now: datetime) -> tuple[int, int, int]:
    """A day and month without a year ("24/10"): the latest such day not after the fetch (a listing shows
    this year's dates)."""
    try:
        latest = now.date() + FUTURE_TOLERANCE
        year = now.year if datetime(now.year, month, day).date() <= latest else now.year - 1
    except ValueError:
        year = now.year  # impossible whatever the year (31/04); _build says why
    return year, month, day


def _year(text: str, now: datetime) -> int:
    if len(text) == 4:
        return _num(text) or int(text)
    year = 2000 + (_num(text) or int(text))
    return year if year <= now.year + 1 else year - 100


def _month(text: str) -> int:
    return (_num(text) or int(text)) if text.isdigit() else R.MONTH_WORDS[" ".join(text.split())]


def _clock(t, offset: timezone | None) -> tuple[tuple[int, int, int] | None, str | None, timezone | None]:
    """(hour, minute, second), its precision and its offset from a TIME match; all None without a time."""
    if t is None:
        return None, None, None
    hour, minute, second, minute2, marker, off = t.groups()  # in pattern order (one call, no name lookups)
    minute = minute or minute2
    precision = "second" if second else "minute" if minute is not None else "hour"
    hour = _meridiem(_num(hour) or int(hour), marker)
    minute = (_num(minute) or int(minute)) if minute else 0
    second = (_num(second) or int(second)) if second else 0
    if off:
        offset = _iso_offset(off)
    return (hour, minute, second), precision, offset


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


_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _build(raw, path, zone, fetched, ymd, clock, precision, offset=None, relative=False, weekday=None) -> ParsedDate:
    """The answer for a date, time and offset read from the text, or a no saying why they are impossible or
    after ``fetched`` (more than FUTURE_TOLERANCE)."""
    year, month, day = ymd
    # The constructor checks the date and the time (cheaper than checking them first: a raise costs about
    # as much as those checks, and most dates are possible); the year range is ours. tzinfo by position:
    # parsing a keyword argument costs as much as the rest of the constructor.
    tz = zone if offset is None else offset
    try:
        if clock is None:
            value = datetime(year, month, day, 0, 0, 0, 0, tz)
        else:
            value = datetime(year, month, day, clock[0], clock[1], clock[2], 0, tz)
    except ValueError:
        return _no(raw, _impossible(year, month, day, clock, path))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _no(raw, _impossible(year, month, day, clock, path))
    if weekday is not None and value.weekday() != weekday:
        # A weekday that disagrees with the date means the date was misread (or mistyped): refuse both.
        return _no(raw, "weekday does not match the date")
    if offset is not None:
        value = value.astimezone(zone)
        if precision == "hour":  # without an offset the minutes and seconds of an "hour" clock are 0 already
            value = value.replace(minute=0, second=0)
    # A date from before last year, or two days before the fetch date, cannot be in the future whatever the two
    # offsets (each under a day): cheap tests that spare most answers the aware comparison, which calls
    # utcoffset() on both sides.
    if year >= fetched.year - 1 and value.toordinal() > fetched.toordinal() - 2 and value > fetched + FUTURE_TOLERANCE:
        return _no(raw, "in the future")
    return _answer(raw, value, precision, relative, path)


def _impossible(year: int, month: int, day: int, clock: tuple | None, path: str) -> str:
    """Why _build refused."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"implausible year: {year}"
    if not 1 <= month <= 12:
        first = " (dates are read day-first)" if day <= 12 and path in ("fast:dmy", "fast:dm") else ""
        return f"impossible date: month {month}{first}"
    if not 1 <= day <= _MONTH_DAYS[month] or (month == 2 and day == 29 and not calendar.isleap(year)):
        return f"impossible date: day {day} of month {month} in {year}"
    if clock is not None and (clock[0] > 23 or clock[1] > 59 or clock[2] > 59):
        return "impossible time: {:02d}:{:02d}:{:02d}".format(*clock)
    return "impossible date"


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


def _fallback(raw, text, fetched, zone, offset, weekday, *, why: str) -> ParsedDate:
    """dateparser for texts with date words the grammar missed. Numbers alone are the grammar's job, and
    so are texts where it found a whole date (it either answered or saw why it must not)."""
    if not (R.HAS_DIGIT.search(text) and R.DATE_WORDS.search(text)):
        return _no(raw, why)
    data = _dateparser(zone.key).get_date_data(text)
    if data.date_obj is None:
        return _no(raw, why)
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
    if weekday is not None and precision in ("minute", "day") and value.weekday() != weekday:
        return ParsedDate(raw, reason="weekday does not match the date")
    if value > fetched + FUTURE_TOLERANCE:
        return ParsedDate(raw, reason="in the future")
    return ParsedDate(raw, value, precision, False, "dateparser")
