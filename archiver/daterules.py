"""The grammar of Vietnamese news dates: precompiled patterns and word tables used by archiver.dates.

Everything here is compiled at import. Input reaching these patterns has already been NFC-normalized,
lower-cased and had its whitespace collapsed, so the patterns only deal with lower-case NFC text.
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

# Days back for the named relative days.
RELATIVE_DAYS: dict[str, int] = {
    "hôm nay": 0, "bữa nay": 0, "today": 0,
    "hôm qua": 1, "ngày hôm qua": 1, "bữa qua": 1, "yesterday": 1,
    "hôm kia": 2, "ngày hôm kia": 2,
}


def _alt(words) -> str:
    """Regex alternation, longest first so that "mười hai" wins over "mười"."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_UNIT = _alt(UNITS)
_NUMBER = rf"\d+|{_alt(NUMBER_WORDS)}"
_MONTH_WORD = _alt(MONTH_WORDS)
_EN_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

# ISO 8601 as found in meta tags and JSON-LD, matched on the raw text before any other work.
ISO = re.compile(
    r"\s*(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?\s*"
)

# "(GMT+7)", "GMT+07:00", "UTC +7", "(giờ Việt Nam)". GMT+7 means seven hours AHEAD of UTC: not POSIX.
OFFSET = re.compile(
    r"(?:gmt|utc)\s*(?:(?P<sign>[+-])\s*(?P<oh>\d{1,2})(?::?(?P<om>\d{2}))?)?"
    r"|(?P<vn>giờ\s*(?:việt\s*nam|vn|hà\s*nội))"
)

WEEKDAY = re.compile(
    r"(?:thứ\s*(?P<vi>hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|t(?P<short>[2-7])|(?P<cn>chủ\s*nhật|cn)"
    r"|(?P<en>mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?)(?!\w)"
)

# Separators between date parts become spaces (plain str.replace: faster than a regex here).
SEPARATORS = (",", ";", "|", "(", ")", "[", "]", "•", "·", " - ", " – ", " — ", "- ", "– ")

# Labels carry no date information. LABEL_HINT is a cheap test before the full pattern.
LABEL_HINT = re.compile("đăng|cập|xuất|phát|thời|publ|upd|post|date|creat|modif")
LABELS = re.compile(
    r"(?<!\w)(?:ngày\s*|lần\s*)?(?:đăng\s*tải|đăng|cập\s*nhật(?:\s*lần\s*cuối)?|xuất\s*bản|phát\s*hành"
    r"|thời\s*gian(?:\s*đăng)?|published|updated|last\s*updated|posted|date|created|modified)"
    r"(?:\s*(?:lúc|ngày|vào|on|at))?(?!\w)\s*:?"
)

# Words that sit between date parts ("07:12 ngày 24/03/2024", "hôm qua lúc 08:16", "mùng 5").
NOISE = re.compile(r"(?<!\w)(?:ngày|lúc|vào|at|on|mùng|mồng|hồi|khoảng)(?!\w)")

_PARTS = rf"(?:(?:{_NUMBER})\s*(?:{_UNIT})(?![^\W\d_])\s*)+"
# A count before "trước"/"ago" or after "cách đây": "2 giờ" alone is a time of day, not a relative date.
RELATIVE = re.compile(
    rf"(?:cách\s*đây|khoảng)?\s*(?P<parts>{_PARTS})\s*(?:trước|ago)|cách\s*đây\s*(?P<parts2>{_PARTS})"
)
RELATIVE_HINT = re.compile("trước|ago|cách|rồi|ngoái|last|vừa|mới|now|giờ")
RELATIVE_PART = re.compile(rf"({_NUMBER})\s*({_UNIT})(?![^\W\d_])")
# "tuần trước" (last week), "năm ngoái" (last year): one unit back, no number.
RELATIVE_LAST = re.compile(r"(?P<unit>tuần|tháng|năm)\s*(?:trước|rồi|ngoái)|last\s*(?P<en>week|month|year)")
JUST_NOW = re.compile(r"vừa\s*xong|vừa\s*(?:mới\s*)?đăng|mới\s*đây|just\s*now|now|bây\s*giờ")

# The date token. Alternatives are tried left to right at each position, so longer shapes come first.
DATE = re.compile(
    r"(?<![\d.:/-])(?:"
    r"(?P<ymd>(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2}))"
    r"|(?P<dmy>(?P<d2>\d{1,2})(?P<s2>[-/.])(?P<m2>\d{1,2})(?P=s2)(?P<y2>\d{4}|\d{2}(?!\d)))"
    rf"|(?P<vi>(?P<d3>\d{{1,2}})\s*(?:tháng|thg|th)\s*(?P<m3>\d{{1,2}}|{_MONTH_WORD})\s*(?:năm\s*|[,/]\s*)?"
    r"(?P<y3>\d{4}))"
    rf"|(?P<en>(?P<d4>\d{{1,2}})(?:st|nd|rd|th)?\s*(?P<n4>{_EN_MONTH})\.?\s*(?P<y4>\d{{4}}))"
    rf"|(?P<en2>(?P<n5>{_EN_MONTH})\.?\s*(?P<d5>\d{{1,2}})(?:st|nd|rd|th)?\s*(?P<y5>\d{{4}}))"
    rf"|(?P<my>(?:tháng|thg|th)\s*(?P<m6>\d{{1,2}}|{_MONTH_WORD})\s*(?:năm\s*|[/.-]\s*)?(?P<y6>\d{{4}})"
    r"|(?P<m7>\d{1,2})[/.-](?P<y7>\d{4}))"
    r"|(?P<y>(?:năm\s*)?(?P<y8>\d{4}))"
    rf"|(?P<dm>(?P<d9>\d{{1,2}})(?:[/-](?P<m9>\d{{1,2}})|\s*(?:tháng|thg)\s*(?P<m10>\d{{1,2}}|{_MONTH_WORD})))"
    r"|(?P<rd>(?:ngày\s*)?(?:hôm\s*nay|hôm\s*qua|hôm\s*kia|bữa\s*nay|bữa\s*qua)|today|yesterday)"
    r")(?![\d/-]|\.\d)"
)

# What may remain next to the date: a time of day, with AM/PM (SA/CH) and an ISO offset.
TIME = re.compile(
    r"t?(?P<H>\d{1,2})\s*(?:"
    r":\s*(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"|(?:h|g|giờ)\s*(?:(?P<M2>\d{1,2})\s*(?:p|ph|phút|')?)?"
    r")\s*(?P<ap>am|pm|a\.m\.?|p\.m\.?|sa|ch|sáng|chiều|tối|trưa|đêm)?"
    r"\s*(?P<off>z|[+-]\d{2}(?::?\d{2})?)?"
)

# "24/10/2019 | 927", "927 lượt xem | 24/10/2019": the part that is a view count.
VIEWS_PART = re.compile(
    r"\s*(?:(?:lượt\s*xem|lượt\s*đọc|views?|lx)\s*:?\s*)?(?:\d{1,3}(?:[.,\s]\d{3})+|\d+)"
    r"(?:[.,]\d+\s*(?:k|m|n|tr|triệu|nghìn|ngàn)|\s*(?:k|m|n|tr|triệu|nghìn|ngàn))?"
    r"\s*(?:lượt\s*xem|lượt\s*đọc|lượt|views?)?\s*",
    re.IGNORECASE,
)

# The commonest shapes, matched on the raw text in one regex each (case-insensitive, NFC). They give the
# same answers as the general grammar below (the tests run both); they exist because one regex costs far
# less than the dozen steps of the general path. Anything else falls through to the general path.
def _hot_time(n: int) -> str:
    return (
        rf"(?P<h{n}>\d{{1,2}}):(?P<i{n}>\d{{2}})(?::(?P<s{n}>\d{{2}})(?:[.,]\d+)?)?"
        rf"(?:\s*(?P<a{n}>am|pm|sa|ch))?"
    )


HOT = re.compile(
    r"\s*(?:(?:ngày\s*)?(?:đăng|cập\s*nhật|xuất\s*bản)(?:\s*(?:lúc|ngày))?\s*:?\s*)?"
    r"(?:(?P<wd>thứ\s*(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s*nhật)\s*[,-]?\s*)?"
    rf"(?:{_hot_time(1)}\s*[,|-]?\s*)?"
    r"(?:ngày\s*)?(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
    rf"(?:\s*[,|-]?\s*(?:lúc\s*)?{_hot_time(2)})?"
    r"(?:\s*\(?(?:gmt|utc)\s*\+\s*0?7(?::?00)?\)?)?"
    r"(?:\s*\|\s*(?:\d{1,3}(?:[.,]\d{3})+|\d+)(?:\s*lượt\s*xem)?)?\s*",
    re.IGNORECASE,
)
HOT_AGO = re.compile(r"\s*(\d+)\s*(giây|phút|p|giờ|tiếng|h|ngày|tuần|tháng|năm)\s*trước\s*", re.IGNORECASE)

# Words dateparser could read that the grammar may have missed; without one, dateparser is not asked.
DATE_WORDS = re.compile(
    r"(?<!\w)(?:tháng|thg|năm|ngày|giờ|phút|giây|tuần|hôm|trước|sau|qua|nay|mai|tới|sáng|chiều|tối|trưa|đêm"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|am|pm|gmt|utc|today|yesterday|ago)"
)
ODD_CHARS = re.compile("[\u00a0\u202f\u2009\u3000\u00d0\u00f0\u200b-\u200f\u2060\ufeff\u00ad]")
HAS_DIGIT = re.compile(r"\d")
HAS_LETTER = re.compile(r"[^\W\d_]")
INTS = re.compile(r"\d+")
