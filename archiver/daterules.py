"""The grammar of Vietnamese news dates: precompiled patterns and word tables used by archiver.dates.

Everything here is compiled at import. ISO and HOT_AGO read the raw text; MONO, MONO_DAY and
RELATIVE_LABELED read it NFC-normalized and lower-cased; the general grammar (OFFSET .. TIME) reads it
also cleaned (entities, odd spaces), with separators turned into spaces and whitespace collapsed.
"""

from __future__ import annotations

import re

# Weekday words -> datetime.weekday() (Monday = 0). "Thứ hai" is Monday: Vietnamese counts Sunday as day 1.
WEEKDAYS: dict[str, int] = {
    "hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5, "bẩy": 5,
    "2": 0, "3": 1, "4": 2, "5": 3, "6": 4, "7": 5,
    "chủ nhật": 6, "chủnhật": 6, "cn": 6,
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}

# The weekday as MONO captures it, spelled the usual ways (others go through archiver.dates._weekday_key).
WEEKDAY_SPELLINGS: dict[str, int] = {
    "thứ hai": 0, "thứ ba": 1, "thứ tư": 2, "thứ năm": 3, "thứ sáu": 4, "thứ bảy": 5, "thứ bẩy": 5,
    "chủ nhật": 6, "cn": 6,
    **{f"thứ {d}": int(d) - 2 for d in "234567"},
    **{f"t{d}": int(d) - 2 for d in "234567"},
}

# Month names after "tháng" ("tháng Mười" = October). Giêng/chạp are lunar names, also used loosely.
MONTH_WORDS: dict[str, int] = {
    "một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12,
}

# English month names, keyed by their first three letters.
_EN_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
EN_MONTHS: dict[str, int] = {m: i for i, m in enumerate(_EN_ABBR, 1)}

# Counting words used in relative dates ("một ngày trước" = "1 ngày trước").
NUMBER_WORDS: dict[str, int] = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
    "mười": 10, "an": 1, "a": 1, "one": 1, "two": 2, "three": 3,
}

# Relative units -> the precision they name.
UNITS: dict[str, str] = {
    "giây": "second", "s": "second", "sec": "second", "secs": "second",
    "second": "second", "seconds": "second",
    "phút": "minute", "p": "minute", "ph": "minute", "min": "minute", "mins": "minute",
    "minute": "minute", "minutes": "minute", "'": "minute",
    "giờ": "hour", "tiếng": "hour", "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "ngày": "day", "day": "day", "days": "day",
    "tuần": "week", "week": "week", "weeks": "week",
    "tháng": "month", "month": "month", "months": "month",
    "năm": "year", "year": "year", "years": "year",
}

# Days back for the named relative days, keyed without spaces: the patterns accept "hôm\s*nay", so
# "hômnay" and "hôm  nay" look up the same key (see day_key).
RELATIVE_DAYS: dict[str, int] = {
    "hômnay": 0, "bữanay": 0, "today": 0,
    "hômqua": 1, "ngàyhômqua": 1, "bữaqua": 1, "yesterday": 1,
    "hômkia": 2, "ngàyhômkia": 2,
}


def day_key(text: str) -> str:
    """The RELATIVE_DAYS key of a matched relative day: "ngày  hôm qua" -> "ngàyhômqua"."""
    return "".join(text.split())


# Whole texts that are a relative date without a number, and how far back they point.
PHRASES: dict[str, tuple[str, int]] = {
    "vừa xong": ("minute", 0), "vừa đăng": ("minute", 0), "vừa mới đăng": ("minute", 0),
    "mới đây": ("minute", 0), "just now": ("minute", 0), "now": ("minute", 0), "bây giờ": ("minute", 0),
    "hôm nay": ("day", 0), "today": ("day", 0), "hôm qua": ("day", 1), "yesterday": ("day", 1),
    "hôm kia": ("day", 2),
    "tuần trước": ("week", 1), "tuần rồi": ("week", 1), "last week": ("week", 1),
    "tháng trước": ("month", 1), "tháng rồi": ("month", 1), "last month": ("month", 1),
    "năm ngoái": ("year", 1), "năm trước": ("year", 1), "năm rồi": ("year", 1), "last year": ("year", 1),
}


# An optional group is written "(?:X|)" (X, or nothing) rather than "(?:X)?": the same matches, tried in the
# same order, but sre runs a "?" on a group through its general repeat machinery (a repeat context set up on
# every attempt) and an alternative with an empty branch as a plain branch: MONO does a fifth less work.
# (A "?" on a single character or class, as in "\.?", is cheap already and stays.)


def _alt(words) -> str:
    """Regex alternation, longest first so that "mười hai" wins over "mười"."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_UNIT = _alt(UNITS)
_NUMBER = rf"\d+|{_alt(NUMBER_WORDS)}"
_MONTH_WORD = _alt(MONTH_WORDS)
_EN_MONTH = (
    r"(?:jan(?:uary|)|feb(?:ruary|)|mar(?:ch|)|apr(?:il|)|may|june?|july?|aug(?:ust|)"
    r"|sep(?:t(?:ember|)|)|oct(?:ober|)|nov(?:ember|)|dec(?:ember|))"
)

# ISO 8601 as found in meta tags and JSON-LD, matched on the raw text before any other work.
ISO = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+|)|)\s*(?:([Zz]|[+-]\d{2}(?::?\d{2}|))|)|)\s*"
)

# "(GMT+7)", "GMT+07:00", "UTC +7", "(giờ Việt Nam)". GMT+7 means seven hours AHEAD of UTC: not POSIX.
OFFSET = re.compile(
    r"(?:gmt|utc)\s*(?:(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)?"
    r"|(?P<vn>giờ\s*(?:việt\s*nam|vn|hà\s*nội))"
)

# Every alternative begins with a letter (no group or lookahead first), so that the search skips to the next
# candidate letter: "chủ nhật"/"cn" and the English days are told apart by the matched text.
_EN_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY = re.compile(
    r"(?:thứ\s*(?P<vi>hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|t(?P<short>[2-7])|chủ\s*nhật|cn|"
    + "|".join(rf"{day}(?:day|sday|nesday|rsday|urday)?\.?" for day in _EN_DAYS)
    + r")(?!\w)"
)

# Separators between date parts become spaces (plain str.replace: faster than a regex here).
SEPARATORS = (",", ";", "|", "(", ")", "[", "]", "•", "·")
DASHES = (" - ", " – ", " — ", "- ", "– ")  # after SEPARATORS, in this order

# Labels carry no date information. LABEL_HINT is a cheap test before the full pattern.
LABEL_HINT = re.compile("đăng|cập|xuất|phát|thời|publ|upd|post|date|creat|modif")
LABELS = re.compile(
    r"(?<!\w)(?:ngày\s*|lần\s*)?(?:đăng\s*tải|đăng|cập\s*nhật(?:\s*lần\s*cuối)?|xuất\s*bản|phát\s*hành"
    r"|thời\s*gian(?:\s*đăng)?|published|updated|last\s*updated|posted|date|created|modified)"
    r"(?:\s*(?:lúc|ngày|vào|on|at))?(?!\w)\s*:?"
)

# Words that sit between date parts ("07:12 ngày 24/03/2024", "hôm qua lúc 08:16", "mùng 5").
def _whole_words(words) -> str:
    """Alternatives for whole words, each checked for a word start once matched ("lúc(?<!\\wlúc)") rather
    than before: alternatives that all begin with a letter let the engine skip to the next candidate letter
    instead of trying every position of the text."""
    return "|".join(rf"{w}(?<!\w{w})" for w in words)


NOISE = re.compile(rf"(?:{_whole_words(('ngày', 'lúc', 'vào', 'at', 'on', 'mùng', 'mồng', 'hồi', 'khoảng'))})(?!\w)")

_PARTS = rf"(?:(?:{_NUMBER})\s*(?:{_UNIT})(?![^\W\d_])\s*)+"
# A count before "trước"/"ago" or after "cách đây": "2 giờ" alone is a time of day, not a relative date.
RELATIVE = re.compile(
    rf"(?:cách\s*đây|khoảng|)\s*(?P<parts>{_PARTS})\s*(?:trước|ago)|cách\s*đây\s*(?P<parts2>{_PARTS})"
)
RELATIVE_HINT = re.compile("trước|ago|cách|rồi|ngoái|last|vừa|mới|now|giờ")
RELATIVE_PART = re.compile(rf"({_NUMBER})\s*({_UNIT})(?![^\W\d_])")
# "tuần trước" (last week), "năm ngoái" (last year): one unit back, no number.
RELATIVE_LAST = re.compile(r"(?P<unit>tuần|tháng|năm)\s*(?:trước|rồi|ngoái)|last\s*(?P<en>week|month|year)")
JUST_NOW = re.compile(r"vừa\s*xong|vừa\s*(?:mới\s*)?đăng|mới\s*đây|just\s*now|now|bây\s*giờ")

# The date token. Alternatives are tried left to right at each position, so longer shapes come first. A date
# does not start inside a number (_DATE_START).
_DATE_START = r"(?<![\d.:/-])"
_DATE_SHAPES = (
    r"(?:"
    r"(?P<ymd>(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2}+)(?P=s1)(?P<d1>\d{1,2}+))"
    r"|(?P<dmy>(?P<d2>\d{1,2}+)(?P<s2>[-/.])(?P<m2>\d{1,2}+)(?P=s2)(?P<y2>\d{4}|\d{2}(?!\d)))"
    rf"|(?P<vi>(?P<d3>\d{{1,2}}+)\s*(?:tháng|thg|th)\s*(?P<m3>\d{{1,2}}|{_MONTH_WORD})\s*(?:năm\s*|[,/]\s*|)"
    r"(?P<y3>\d{4}))"
    rf"|(?P<en>(?P<d4>\d{{1,2}}+)(?:st|nd|rd|th|)\s*(?P<n4>{_EN_MONTH})\.?\s*(?P<y4>\d{{4}}))"
    rf"|(?P<en2>(?P<n5>{_EN_MONTH})\.?\s*(?P<d5>\d{{1,2}})(?:st|nd|rd|th|)\s*(?P<y5>\d{{4}}))"
    rf"|(?P<my>(?:tháng|thg|th)\s*(?P<m6>\d{{1,2}}|{_MONTH_WORD})\s*(?:năm\s*|[/.-]\s*|)(?P<y6>\d{{4}})"
    rf"|(?P<m7>\d{{1,2}}+)[/.-](?P<y7>\d{{4}})|(?P<n11>{_EN_MONTH})\.?\s*(?P<y11>\d{{4}}))"
    r"|(?P<y>(?:năm\s*|)(?P<y8>\d{4}))"
    rf"|(?P<dm>(?P<d9>\d{{1,2}}+)(?:/(?P<m9>\d{{1,2}}+)|\s*(?:tháng|thg)\s*(?P<m10>\d{{1,2}}|{_MONTH_WORD})))"
    r"|(?P<rd>(?:ngày\s*|)(?:hôm\s*nay|hôm\s*qua|hôm\s*kia|bữa\s*nay|bữa\s*qua)|today|yesterday)"
    r")(?![\d/-]|\.\d)"
)
DATE = re.compile(
    # The two lookaheads only make the search skip quickly over positions where no date can start (the tests
    # check that they change no match), cheapest test first. Numbers are the costly positions (every shape
    # starting with one is tried): a date starts with a four-digit year (not five digits), or with one or two
    # digits and then a separator or, after spaces, a letter ("24 tháng", "24th", "24 oct").
    r"(?=[\dtnhbyjfmasod])"
    + _DATE_START
    + r"(?=\d(?:\d{3}(?!\d)|\d?+(?:[-/.]|\s*[tjfmasondr]))|th|năm|hôm|bữa|ngày|today|yesterday"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    + _DATE_SHAPES
)

# What may remain next to the date: a time of day, with AM/PM (SA/CH) and an ISO offset.
TIME = re.compile(
    r"(?<![\d.,])t?(?P<H>\d{1,2}+)\s*+(?:"
    r":\s*(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d++|)|)(?![\d.,]\d)"
    r"|(?:h|g|giờ)\s*(?:(?P<M2>\d{1,2}+)\s*(?:p|ph|phút|'|)|)"
    r")\s*(?:(?P<ap>am|pm|a\.m\.?|p\.m\.?|sa|ch|sáng|chiều|tối|trưa|đêm)|)"
    r"\s*(?:(?P<off>z|[+-]\d{2}(?::?\d{2}|))|)"
)

# "24/10/2019 | 927", "927 lượt xem | 24/10/2019": the part that is a view count.
VIEWS_PART = re.compile(
    r"\s*(?:(?:lượt\s*xem|lượt\s*đọc|views?|lx)\s*:?\s*)?(?:\d{1,3}(?:[.,\s]\d{3})+|\d+)"
    r"(?:[.,]\d+\s*(?:k|m|n|tr|triệu|nghìn|ngàn)|\s*(?:k|m|n|tr|triệu|nghìn|ngàn))?"
    r"\s*(?:lượt\s*xem|lượt\s*đọc|lượt|views?)?\s*",
    re.IGNORECASE,
)

# --- the one-regex fast path ---------------------------------------------------------------------------
# The commonest shapes in a single fullmatch on the normalized text (NFC, lower case): label, weekday,
# time before or after, a whole date (dmy, ymd, or "ngày .. tháng .. năm"), offset, the seed's view count.
# One regex costs far less than the dozen steps of the general path below, and gives the same answers
# (the tests run every case through both). Anything it does not match falls through to the general path.
_SEP = r"[\s,;|•·()\[\]–—-]*+"
_LABEL = (
    r"(?:(?:ngày\s*|lần\s*|)(?:đăng\s*tải|đăng|cập\s*nhật|xuất\s*bản|thời\s*gian\s*đăng|thời\s*gian"
    r"|published|updated|posted)(?:\s*(?:lúc|ngày|vào)|)\s*:?)"
)
_WD = r"(?P<wd>thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s*nhật|cn|t[2-7])(?![^\W\d_])"
_FILL = rf"(?:(?=[nlvm])(?:ngày|lúc|vào|mùng|mồng)(?![^\W\d_]){_SEP})*+"
_AMPM = r"am|pm|a\.m\.?|p\.m\.?|sa|ch|sáng|chiều|tối|trưa|đêm"


def _mono_time(n: int) -> str:
    # Possessive (++, {1,2}+) wherever what follows cannot start with what was given back: the same matches,
    # without retrying shorter digit runs.
    return (
        rf"(?P<h{n}>\d{{1,2}}+)(?:"
        rf":(?P<i{n}>\d{{2}})(?::(?P<s{n}>\d{{2}})(?:[.,]\d++|)|)"
        rf"|\s*+(?:h|g|giờ)\s*(?:(?P<j{n}>\d{{1,2}}+)\s*(?:phút|ph|p|'|)|)"
        rf")(?!\d)(?:\s*(?P<a{n}>{_AMPM})(?![^\W\d_])|)"
    )


_MONO_DATE = (
    r"(?:(?P<y1>\d{4})(?P<p1>[-/.])(?P<m1>\d{1,2}+)(?P=p1)(?P<d1>\d{1,2}+)"
    r"|(?P<d2>\d{1,2}+)(?P<p2>[-/.])(?P<m2>\d{1,2}+)(?P=p2)(?P<y2>\d{4}|\d{2})"
    rf"|(?P<d3>\d{{1,2}}+)\s*+(?:tháng|thg)\s*(?P<m3>\d{{1,2}}|{_MONTH_WORD})\s*(?:năm\s*|[,/]\s*|)(?P<y3>\d{{4}})"
    r")(?!\d)"
)
_MONO_OFFSET = (
    r"(?:(?:gmt|utc)\s*(?:(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2})|)|)"
    r"|(?P<vn>giờ\s*(?:việt\s*nam|vn|hà\s*nội)))"
)
_MONO_VIEWS = r"(?:[\s,;•·()\[\]–—-]*\|\s*(?:\d{1,3}(?:[.,]\d{3})+|\d+)(?:\s*lượt\s*xem|))"
# The one-letter lookaheads let the engine skip a whole group of alternatives at a glance. The label and the
# weekday are atomic groups: nothing else in the pattern can take their words, so when the text fails further
# on, trying them shorter (or not at all) cannot help, and on a long text that retrying costs more than a parse.
# Many texts end with the date: "\Z" first spares trying each part that may follow it.
MONO = re.compile(
    rf"{_SEP}(?:(?=[nlđcxtpu])(?>{_LABEL}{_SEP})|)(?:(?=[tc])(?>{_WD}{_SEP})|){_FILL}"
    rf"(?:(?=\d{{1,2}}+\s*+[:hg]){_mono_time(1)}{_SEP}{_FILL}|)"
    rf"{_MONO_DATE}"
    rf"(?:\Z|(?:{_SEP}{_FILL}{_mono_time(2)}|)"
    rf"(?:{_SEP}(?P<off>(?=[gu]){_MONO_OFFSET})|)"
    rf"(?:{_MONO_VIEWS}|)[\s.:)]*)"
)
# "2 giờ trước", "Cập nhật 1 giờ 30 phút trước", "cách đây 3 ngày", "2 hours ago".
RELATIVE_LABELED = re.compile(rf"{_SEP}(?:{_LABEL}{_SEP}|)(?:{RELATIVE.pattern})[\s.]*")
# "hôm qua", "hôm qua lúc 08:16", "08:16 hôm qua".
MONO_DAY = re.compile(
    rf"{_SEP}(?:{_LABEL}{_SEP}|)(?:{_mono_time(1)}{_SEP}|)(?:ngày\s*|)(?P<rd>hôm\s*nay|hôm\s*qua|hôm\s*kia)"
    rf"(?:{_SEP}{_FILL}{_mono_time(2)}|)[\s.]*"
)
# The commonest shapes of all: "24/10/2019", "Thứ năm, 24/10/2019, 08:30 (GMT+7)", "Cập nhật: 08:30 24/10/2019",
# "07:12 ngày 24/03/2024", "24/10/2019 2:15 CH | 927", and the same without the year ("24/10", "08:30 24/10").
# Matched on the raw text (no case folding or normalization: the first letter of a word may be a capital, the
# rest is digits, spaces and lower-case words), possessive throughout (no backtracking), and with half of
# MONO's groups. With a year, a strict part of MONO's language; without, of what the general path reads as a
# day and month (DATE's "dm"): the same answers either way (the tests compare).
def _hot_time() -> str:
    return r"(\d{1,2}+):(\d{2})(?::(\d{2}))?+(?:\s*+([Ss][Aa]|[Cc][Hh]|[Aa][Mm]|[Pp][Mm])(?![^\W\d_]))?+"


HOT_DMY = re.compile(
    # One lookahead for the label and the weekday both (the weekday's first letters are among the label's).
    r"\s*+(?:(?=[NnĐđCcXxTtPpUu])"
    r"(?:(?:[Nn]gày\s++)?+(?:[Đđ]ăng|[Cc]ập\s++nhật|[Xx]uất\s++bản|[Tt]hời\s++gian\s++đăng"
    r"|[Pp]ublished|[Uu]pdated)(?:\s++lúc)?+(?:\s*+:)?+\s++)?+"
    r"(?:(?=[TtCc])((?:[Tt]hứ|THỨ)\s*+(?:[Hh]ai|[Bb]a|[Tt]ư|[Nn]ăm|[Ss]áu|[Bb]ảy|[Bb]ẩy|[2-7])|[Cc]hủ\s*+[Nn]hật|CN|cn"
    r"|[Tt][2-7]),?+\s++)?+)?+"
    rf"(?:{_hot_time()},?+\s++(?:ngày\s++)?+)?+"
    r"(\d{1,2}+)/(\d{1,2}+)(?:/(\d{4}))?+"
    # Most texts end with the date: "\Z" first spares trying each part that may follow it.
    rf"(?:\Z|(?:,?+\s++(?:-\s++)?+{_hot_time()})?+"
    r"(?:,?+\s*+\(?+(GMT|UTC|gmt|utc)(?:([+-])(\d{1,2}+)(?::?+(\d{2}))?+)?+\)?+)?+"
    r"(?:\s*+\|\s*+(?:\d{1,3}+(?:[.,]\d{3})++|\d++))?+\s*+)"
)
HOT_AGO = re.compile(r"\s*(\d+)\s*(giây|phút|p|giờ|tiếng|h|ngày|tuần|tháng|năm)\s*trước\s*", re.IGNORECASE)

# Words dateparser could read that the grammar may have missed; without one, dateparser is not asked.
DATE_WORDS = re.compile(
    _whole_words(
        "tháng thg năm ngày giờ phút giây tuần hôm trước sau qua nay mai tới sáng chiều tối trưa đêm"
        " jan feb mar apr may jun jul aug sep oct nov dec am pm gmt utc today yesterday ago".split()
    )
)
ODD_CHARS = re.compile("[\u00a0\u202f\u2009\u3000\u00d0\u00f0\u200b-\u200f\u2060\ufeff\u00ad]")
# What may surround a date besides a time: words without digits (a dateline, a byline, a label).
NO_DIGITS = re.compile(r"\D*")
# Without a digit, only these words can make a date ("hôm qua", "vừa xong", "tuần trước", "năm ngoái").
DIGITLESS_HINT = re.compile("hôm|bữa|vừa|mới|trước|ngoái|rồi|ago|now|bây|today|yesterday|last|cách")
HAS_DIGIT = re.compile(r"\d")
HAS_LETTER = re.compile(r"[^\W\d_]")
INTS = re.compile(r"\d+")
