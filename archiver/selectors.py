"""Selectors as data: a selector string (CSS or XPath) plus named post-processors.

A profile writes each field as an ordered list of rules; a rule is either a
selector string or `{ select = "...", post = ["name", ...] }`. The first rule
that yields non-empty text wins. Selector strings:

- CSS (`h1.title`, `meta[property='og:title']::attr(content)`),
- XPath when they start with `/`, `./`, `(` or `@`, or are a path (`a/@href`, `@href`).

An element's text is all its text joined as a reader sees it: `<br>` is a space,
scripts and styles are not text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from parsel import Selector, SelectorList
from parsel.csstranslator import css2xpath

_XPATH_START = ("/", "./", "(", "@", "string(", "normalize-space(")
_XPATH_PATH = re.compile(r"^[\w*.:-]+/")
_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}  # as parsel registers them
_SKIP = {"script", "style", "noscript", "template"}


def _strip_parens(s: str) -> str:
    return s.strip().removeprefix("(").removesuffix(")").strip()


def _date_part(s: str) -> str:
    return s.split("|")[0].strip()


def _views_part(s: str) -> str:
    parts = s.split("|")
    return parts[1].strip() if len(parts) > 1 else ""


def _strip_prefix_label(s: str) -> str:
    # "Lượt xem: 1.234", "Tác giả: Minh Phương" -> the part after the label
    return s.split(":", 1)[1].strip() if ":" in s[:25] else s


BYLINE_PREFIX = re.compile(r"^(theo|bài và ảnh|bài, ảnh|bài|ảnh|tác giả|nhóm phóng viên)\s*:?\s+", re.I)


def _strip_theo(s: str) -> str:
    # "Theo Minh Anh", "Bài và ảnh: Thu Hà" -> the name
    return BYLINE_PREFIX.sub("", s.strip())


def _before_bullet(s: str) -> str:
    # "Đỗ Trung • 07:12 ngày 24/03/2024" -> the name; "Hà Nội | 12/3/2024" -> "Hà Nội"
    return re.split(r"\s*[•|·]\s*", s, maxsplit=1)[0].strip()


def _after_bullet(s: str) -> str:
    parts = re.split(r"\s*[•|·]\s*", s, maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def _strip_source_tag(s: str) -> str:
    # "(Dân trí) - Sapo...", "TPO - Sapo...", "(Chinhphu.vn) - Sapo..." -> "Sapo..."
    return re.sub(r"^\s*(\([^)]{2,30}\)|[A-ZĐ][\w.+]{1,15})\s*[-–—]\s+", "", s)


POST: dict[str, Callable[[str], str]] = {
    "strip_parens": _strip_parens,
    "date_part": _date_part,
    "views_part": _views_part,
    "after_colon": _strip_prefix_label,
    "strip_theo": _strip_theo,
    "before_bullet": _before_bullet,
    "after_bullet": _after_bullet,
    "strip_source_tag": _strip_source_tag,
    "strip": str.strip,
}


@dataclass(frozen=True)
class Rule:
    select: str
    post: tuple[str, ...] = ()
    last: bool = False  # take the last match instead of the first
    join: str | None = None  # join every match with this (several author links)

    def apply(self, node: Selector) -> str | None:
        values = [v.strip() for v in texts(node, self.select) if v.strip()]
        if not values:
            return None
        if self.join is not None:
            value = self.join.join(dict.fromkeys(values))
        else:
            value = values[-1] if self.last else values[0]
        for name in self.post:
            value = POST[name](value)
        return value or None


def is_xpath(expr: str) -> bool:
    # CSS has no "/" outside attribute values, so "a/@href" and "div/p" are XPath too.
    return expr.startswith(_XPATH_START) or bool(_XPATH_PATH.match(expr))


def select(node: Selector, expr: str) -> SelectorList:
    return node.xpath(expr) if is_xpath(expr) else node.css(expr)


def texts(node: Selector, expr: str) -> list[str]:
    """Text of every match: attribute and text results as they are, elements as their text."""
    results = compiled(expr)(node.root)
    if not isinstance(results, list):  # string(...), count(...): one value
        return [str(results)]
    return [str(r) if isinstance(r, str) else element_text(r) for r in results]


@lru_cache(maxsize=4096)
def compiled(expr: str) -> etree.XPath:
    """The selector compiled once: parsel translates and evaluates on every call, ~20 µs each."""
    return etree.XPath(expr if is_xpath(expr) else css2xpath(expr), namespaces=_NAMESPACES, smart_strings=False)


def element_text(el) -> str:
    """The text a reader sees in an lxml element, without adding spaces between inline nodes."""
    parts: list[str] = []
    _collect(el, parts)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _collect(el, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP:
        return
    if tag == "br":
        parts.append(" ")
    elif el.text and tag:
        parts.append(el.text)
    for child in el:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)


def first(node: Selector, rules: tuple[Rule, ...]) -> str | None:
    for rule in rules:
        if value := rule.apply(node):
            return value
    return None
