"""Pure text normalization for Vietnamese pages (no Scrapy dependency).

Real pages mix NFD and NFC (even in titles), JSON-LD strings hold HTML entities, and editors type the
Icelandic "Ð" (U+00D0) for the Vietnamese "Đ" (U+0110): everything the archive stores goes through
clean_text so that equal text compares equal and full-text search finds it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Invisible characters: zero-width space/joiners, word joiner, BOM, soft hyphen, direction marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
# The eth look-alikes. Mapped after NFC, which leaves them alone (they have no decomposition).
_ETH = {0x00D0: "\u0110", 0x00F0: "\u0111"}
# Other control characters (not tab/newline, which count as whitespace) never belong in text.
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# One table, one pass: each character maps on its own, so the order of the three does not matter.
_TRANSLATE = {**_INVISIBLE, **_ETH, **_CONTROL}
# str.translate with a dict costs ~0.1 µs a character: only pay it when one of those characters is there.
_NEEDS_TRANSLATE = re.compile("[" + re.escape("".join(map(chr, sorted(_TRANSLATE)))) + "]")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+\d*);")


def clean_text(text: str | None) -> str | None:
    """NFC, entities unescaped, zero-width removed, "Ð" -> "Đ", whitespace collapsed; None if empty."""
    if text is None:
        return None
    text = html.unescape(text)
    if "&" in text and _ENTITY.search(text):  # JSON-LD written by a CMS that escaped twice: "&amp;#x110;"
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    if _NEEDS_TRANSLATE.search(text):
        text = text.translate(_TRANSLATE)
    return collapse_spaces(text) or None


def collapse_spaces(text: str) -> str:
    """Runs of whitespace as one space, stripped, as `re.sub(r"\\s+", " ", text).strip()` gives (for str,
    \\s is str.isspace) without the regex's cost of one replacement per space."""
    # Text collapsed already (clean_text of what element_text read) is returned after a cheap check:
    # every whitespace character but the space is unprintable.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def fold(text: str | None) -> str:
    """Lower-case, diacritics removed, "đ" -> "d": what a search typed without accents matches."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("\u00f0", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


# --- bylines -----------------------------------------------------------------------------------------

# Role prefixes before the name: "Theo", "Bài và ảnh:", "Bài, ảnh:", "Tin, ảnh:", "Tác giả:", "PV:", ...
_BYLINE_PREFIX = re.compile(
    r"^(?:"
    r"(?:bài|tin|ảnh|video|clip|đồ\s*họa|thực\s*hiện|nội\s*dung|trình\s*bày)"
    r"(?:\s*(?:và|&|,|/|-|\+)\s*(?:bài|tin|ảnh|video|clip|đồ\s*họa))*\s*:"
    r"|(?:tác\s*giả|người\s*viết|phóng\s*viên|pv|ctv|by|theo)(?:\s*:|\s(?=\S))"
    r")\s*",
    re.IGNORECASE,
)
# Trailing notes: "(tổng hợp)", "(TH)", "(theo Reuters)", "- tổng hợp", and the news agency the reporter
# works for, "(TTXVN)" or "(TTXVN/Vietnam+)": a source note, like "(theo Reuters)", not part of the name.
_BYLINE_SUFFIX = re.compile(
    r"\s*(?:\(\s*(?:tổng\s*hợp|th|t/h|t\.h|lược\s*dịch|dịch|biên\s*dịch|theo\s+[^)]*|ttxvn(?:\s*/[^)]*)?|vna)\s*\)"
    r"|[-–]\s*(?:tổng\s*hợp|th|t/h))\s*$",
    re.IGNORECASE,
)
# A date or time glued after the name: "Đỗ Trung • 07:12 ngày 24/03/2024".
_BYLINE_DATE = re.compile(r"\s*[•·|–-]\s*[^•·|]*\d{1,2}[:/h]\d{1,2}.*$")


# News outlets and agencies, folded (see `fold`): "Theo VnExpress" names a source, not an author.
OUTLETS = frozenset((
    "vnexpress", "tuoi tre", "tuoitre", "tuoi tre online", "ttxvn", "vna", "thong tan xa viet nam", "reuters",
    "afp", "ap", "ap news", "associated press", "vietnamnet", "dan tri", "dantri", "thanh nien", "vtv", "vov",
    "vtc", "vtc news", "zing", "zing news", "znews", "bbc", "cnn", "cnbc", "bloomberg", "xinhua", "tan hoa xa",
    "kyodo", "yonhap", "nikkei", "nikkei asia", "the guardian", "guardian", "new york times", "nytimes",
    "the new york times", "washington post", "wsj", "wall street journal", "financial times", "ft", "nhk",
    "the verge", "techcrunch", "engadget", "nhan dan", "lao dong", "tien phong", "cafef", "cafebiz", "vietnamplus",
    "vietnam+", "baomoi", "kenh14", "24h", "soha", "vietstock", "ndh", "vneconomy", "nguoi lao dong", "nld",
    "phap luat", "plo", "sggp", "sai gon giai phong", "thanh nien online", "vov.vn", "sputnik", "tass", "ria novosti",
    "al jazeera", "dpa", "efe", "ansa", "abc news", "nbc news", "cbs news", "fox news", "sky news", "politico",
    "axios", "the hill", "forbes", "fortune", "business insider", "newsweek", "usa today",
    "the economist", "economist", "scmp", "south china morning post", "straits times", "the straits times",
    "bangkok post", "global times", "china daily", "yahoo news", "yahoo", "gsmarena", "the next web", "wired",
    "ars technica", "9to5mac", "macrumors", "appleinsider", "tom's hardware", "pcmag", "cnet", "zdnet",
))
_OUTLET_SHAPE = re.compile(r"\.(vn|com|net|org|info)\b|^(báo|tạp chí|đài|kênh|thông tấn xã|trang)\s", re.I)


def is_outlet(name: str | None) -> bool:
    """A news outlet or agency ("VnExpress", "Tuổi Trẻ", "Reuters", "zingnews.vn", "Báo Lao Động")."""
    if not name:
        return False
    name = name.strip().strip("().").strip()
    return fold(name) in OUTLETS or bool(_OUTLET_SHAPE.search(name))


def _source_note(inner: str) -> bool:
    """The text inside brackets names sources: "Vietnamnet/Reuters", "theo online-tech-tips", "AFP"."""
    parts = [p for p in re.split(r"\s*[/,;&]\s*|\s+và\s+", inner.strip()) if p]
    return bool(parts) and all(is_outlet(p) for p in parts)


_BRACKETS = re.compile(r"\s*\(([^()]*)\)\s*$")
_THEO = re.compile(r"^\s*theo\s+(.+?)\s*\.?$", re.IGNORECASE)


def source_note(text: str | None) -> bool:
    """A line that only names the story's sources: "(Vietnamnet/Reuters)", "Theo VnExpress", "(theo AFP)"."""
    text = clean_text(text) or ""
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if len(text) > 60:  # a sentence starting "Theo ..." ("according to ...") is text of the story
        return False
    m = _THEO.match(text)
    inner = m.group(1) if m else text
    # "theo online-tech-tips": a site's handle (one lower-case token), not a person's name
    handle = m is not None and " " not in inner and not any(c.isupper() for c in inner)
    return bool(inner) and (_source_note(inner) or handle)


@dataclass(frozen=True)
class Byline:
    raw: str | None  # as found on the page
    name: str | None  # what a reader takes for the author(s); None if nothing is left


def parse_byline(text: str | None) -> Byline:
    """The byline's name with its role prefix ("Theo", "Bài và ảnh:") and notes ("(tổng hợp)") removed."""
    cleaned = clean_text(text)
    if not cleaned:
        return Byline(text, None)
    name = _BYLINE_DATE.sub("", cleaned)
    if source_note(name):  # "Theo VnExpress", "(Reuters)": the story's source, not its author
        return Byline(text, None)
    for _ in range(2):  # "Bài và ảnh: Theo Hồ Hương (tổng hợp)" has both a role and a source
        name = _BYLINE_SUFFIX.sub("", _BYLINE_PREFIX.sub("", name))
        if (m := _BRACKETS.search(name)) and _source_note(m.group(1)):  # "K. Miên (Vietnamnet/Reuters)"
            name = name[: m.start()]
    name = name.strip(" .,;:-–—•·")
    if is_outlet(name):
        return Byline(text, None)
    return Byline(text, name or None)


def clean_byline(text: str | None) -> str | None:
    """ "Theo Hồ Hương" -> "Hồ Hương", "Hà Thu (tổng hợp)" -> "Hà Thu"; None if no name is left."""
    return parse_byline(text).name
