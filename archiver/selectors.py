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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from cssselect.xpath import XPathExpr, is_non_whitespace
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from archiver.text import collapse_spaces

_XPATH_START = ("/", "./", "(", "@", "string(", "normalize-space(")
_XPATH_PATH = re.compile(r"^[\w*.:-]+/")
_NAMESPACES = {"re": "http://exslt.org/regular-expressions"}  # as parsel registers them
_SKIP = {"script", "style", "noscript", "template"}

Node = Selector | etree._Element  # a parsel Selector, or the lxml element (or result) inside one


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

    def apply(self, node: Node) -> str | None:
        if self.join is not None:
            value = self.join.join(dict.fromkeys(_nonempty(iter_texts(node, self.select))))
        elif self.last:
            values = list(_nonempty(iter_texts(node, self.select)))
            value = values[-1] if values else ""
        else:
            value = first_text(node, self.select)
        if not value:
            return None
        for name in self.post:
            value = POST[name](value)
        return value or None


def is_xpath(expr: str) -> bool:
    # CSS has no "/" outside attribute values, so "a/@href" and "div/p" are XPath too.
    return expr.startswith(_XPATH_START) or bool(_XPATH_PATH.match(expr))


def root_of(node: Node) -> etree._Element:
    """The lxml element of a parsel Selector; an lxml element as it is."""
    return node.root if isinstance(node, Selector) else node


def select(node: Node, expr: str) -> list:
    """The matches of `expr` under `node`, as lxml nodes (no parsel Selector around each)."""
    results = compiled(expr)(root_of(node))
    return results if isinstance(results, list) else [results]


def iter_texts(node: Node, expr: str) -> Iterator[str]:
    """Text of every match: attribute and text results as they are, elements as their text."""
    return _as_texts(compiled(expr)(root_of(node)))


def first_match(node: Node, expr: str) -> object:
    """The first of `expr`'s matches in document order (an element, a string...), or None."""
    results = compiled_first(expr)(root_of(node))
    if not isinstance(results, list):
        return results
    return results[0] if results else None


def first_text(node: Node, expr: str) -> str:
    """The first non-empty text of `expr`'s matches, stripped; "" if none has any.

    Looked for among the first matches (`compiled_first`), which are the first ones of the
    whole page in the same order: only when none of them has text is the page searched.
    """
    fast = compiled_first(expr)
    if text := next(_nonempty(_as_texts(fast(root_of(node)))), ""):
        return text
    return "" if fast is compiled(expr) else next(_nonempty(iter_texts(node, expr)), "")


def _as_texts(results) -> Iterator[str]:
    """Attribute and text results as they are, elements as their text; read one at a time, so
    that a caller that wants the first text pays for no other."""
    if not isinstance(results, list):  # string(...), count(...): one value
        yield str(results)
        return
    for r in results:
        yield str(r) if isinstance(r, str) else element_text(r)


def _nonempty(texts: Iterable[str]) -> Iterator[str]:
    return (t for t in map(str.strip, texts) if t)


class _Translator(HTMLTranslator):
    """parsel's CSS translator (with ::text and ::attr()), with a cheaper class test.

    cssselect writes `.x` as `@class and contains(@class, 'x') and contains(concat(' ',
    normalize-space(@class), ' '), ' x ')`. The leading `@class and` says nothing the `contains`
    after it does not (no attribute: no 'x' in it) and is a third of what libxml2 spends on every
    element of the tag: a page-wide `div.x` costs ~30% less without it.
    """

    def xpath_attrib_includes(self, xpath: XPathExpr, name: str, value: str | None) -> XPathExpr:
        if not (value and is_non_whitespace(value)):
            return super().xpath_attrib_includes(xpath, name, value)
        token = self.xpath_literal(f" {value} ")
        xpath.add_condition(f"contains({name}, {self.xpath_literal(value)}) "
                            f"and contains(concat(' ', normalize-space({name}), ' '), {token})")
        return xpath


_TRANSLATOR = _Translator()


@lru_cache(maxsize=4096)
def compiled(expr: str) -> etree.XPath:
    """The selector compiled once: parsel translates and evaluates on every call, ~20 µs each."""
    return _compile(expr if is_xpath(expr) else _TRANSLATOR.css_to_xpath(expr))


@lru_cache(maxsize=4096)
def compiled_first(expr: str) -> etree.XPath:
    """The selector compiled to give its first matches only, where `_first_path` can say so;
    else `compiled(expr)` itself. Profile rules and containers want only the first match, and
    a page-wide `div.x` costs libxml2 a test of every div: this stops at the first that passes.
    """
    path = None if is_xpath(expr) else _first_path(_TRANSLATOR.css_to_xpath(expr))
    return _compile(path) if path else compiled(expr)


def _compile(xpath: str) -> etree.XPath:
    # lxml registers the regular expression functions on every call (~10% of a small query's
    # cost): only where `re:` is used.
    regexp = "re:" in xpath
    return etree.XPath(xpath, namespaces=_NAMESPACES if regexp else None, regexp=regexp, smart_strings=False)


# Steps that stay inside their context element: child, descendant, self and attribute axes.
_DOWNWARD_STEP = re.compile(r"(?:descendant|descendant-or-self|child|self|attribute)::|@|text\(\)|[\w*-]+(?:\[|$)")
_DESCENDANT_STEP = ("descendant::", "descendant-or-self::")


def _first_path(xpath: str) -> str | None:
    """A CSS selector's XPath `first[cond]/rest`, as `first[(cond) and (rest)][1]/rest`; None if
    it has another shape (a union, a `>` or `+` after the first element, ...).

    libxml2 stops testing `first` elements at the first that passes a single predicate followed
    by `[1]` (with two predicates it tests all of them). The result holds the matches of `rest`
    from the first element F (in document order) that has any, and those are the first matches
    of the whole path, in order: `rest` goes down only, so an element after F's subtree has its
    matches after all of F's; and an element inside F finds nothing F does not (`rest` starts
    with a descendant step and counts no positions) or only later matches (F's attribute comes
    before F's subtree). A `>` after `first` fails that: F's children may come after those of
    an element inside F.
    """
    top = _top_level(xpath)
    if not xpath.startswith("descendant-or-self::") or any(c == "|" for _, c in top):
        return None
    cuts = [i for i, c in top if c == "/"]
    first, rest = (xpath[:cuts[0]], xpath[cuts[0] + 1:]) if cuts else (xpath, "")
    if rest and not _goes_down(rest, len(cuts)):
        return None
    brackets = [(i, c) for i, c in top if c in "[(" and i < len(first)]
    if len(brackets) > 1 or (brackets and (brackets[0][1] != "[" or not first.endswith("]"))):
        return None  # two predicates, or a function call
    head, cond = (first[:brackets[0][0]], first[brackets[0][0] + 1:-1]) if brackets else (first, "")
    test = " and ".join(f"({t})" for t in (cond, rest) if t)
    path = f"{head}[{test}][1]" if test else f"{head}[1]"
    return f"{path}/{rest}" if rest else path


def _goes_down(rest: str, steps: int) -> bool:
    """`rest` is the element's attribute, or starts with a descendant step and stays in the
    subtree; and counts no positions."""
    parts = rest.split("/")
    if len(parts) != steps:  # a "/" in a literal or predicate: not worth reading further
        return False
    attribute = steps == 1 and rest.startswith(("@", "attribute::"))
    return ((attribute or parts[0].startswith(_DESCENDANT_STEP)) and all(_DOWNWARD_STEP.match(p) for p in parts)
            and "position()" not in rest and "last()" not in rest)


def _top_level(xpath: str) -> list[tuple[int, str]]:
    """Index and character of what `xpath` has outside string literals, brackets and parentheses
    (an opening bracket or parenthesis counts as outside)."""
    out: list[tuple[int, str]] = []
    depth, quote = 0, ""
    for i, c in enumerate(xpath):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "[(":
            if depth == 0:
                out.append((i, c))
            depth += 1
        elif c in "])":
            depth -= 1
        elif depth == 0:
            out.append((i, c))
    return out


def element_text(el) -> str:
    """The text a reader sees in an lxml element, without adding spaces between inline nodes."""
    if len(el) == 0:  # a leaf (most links, dates, headlines): its own text, without the walk
        tag = el.tag
        readable = isinstance(tag, str) and tag not in _SKIP and tag != "br"
        return collapse_spaces(el.text or "") if readable else ""
    parts: list[str] = []
    _collect(el, parts)
    return collapse_spaces("".join(parts))


def _collect(el, parts: list[str]) -> None:
    # Each .tag, .text and .tail read builds a new string in lxml: read each once.
    tag = el.tag
    if not isinstance(tag, str):  # a comment or processing instruction: only its tail is text
        tag = ""
    if tag in _SKIP:
        return
    if tag == "br":
        parts.append(" ")
    elif tag and (text := el.text):
        parts.append(text)
    for child in el:
        _collect(child, parts)
        if tail := child.tail:
            parts.append(tail)


def first(node: Node, rules: tuple[Rule, ...]) -> str | None:
    for rule in rules:
        if value := rule.apply(node):
            return value
    return None
