"""Read an editor-made article body into paragraphs, images with captions, and a byline.

Vietnamese newsroom CMSs (and the seed site) write bodies the same way: an image
is its own (usually centred) block, its caption is the centred, often italic,
paragraph right after it, with or without "Ảnh:"; the byline is the last short
right-aligned or bold paragraph. `read_body` walks the container's blocks in
reading order and sorts them into those roles.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree
from lxml.html import Element

from archiver.items import Image
from archiver.selectors import Node, element_text, root_of, select

# A figcaption outside any figure is the caption of a gallery wrapper's images
# (Tiền Phong's div.layout-image-2: <figure><img></figure> x2, then <figcaption>).
TEXT_BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "figcaption"}
WRAPPERS = {"div", "section", "article", "ul", "ol", "center", "font", "span", "main", "dl",
            "tbody", "thead", "tfoot", "tr", "td", "th"}
BLOCK_WRAPPERS = WRAPPERS - {"span", "font"}
# Elements that flow inside a line of text: a run of them with loose text is one paragraph.
INLINE = {"a", "b", "strong", "i", "em", "u", "span", "font", "sup", "sub", "small", "big", "label", "abbr",
          "cite", "q", "mark", "time", "code", "s", "strike"}
PHRASE = INLINE - {"span", "font"}
SKIP = {"script", "style", "noscript", "iframe", "form", "button", "input", "select", "ins", "aside",
        "video", "audio", "object", "embed", "svg", "template", "nav", "footer"}
CAPTION_START = re.compile(r"^\(?\s*(Ảnh|Ảnh minh họa|Ảnh minh hoạ|Nguồn ảnh|Photo)\b", re.I)
BYLINE_MAX = 80  # characters: longer right-aligned text is a paragraph, not a name


@dataclass
class Block:
    kind: str  # "text" or "image"
    el: object  # lxml element
    text: str = ""
    src: str | None = None
    caption: str | None = None  # for images carrying their own (figure/table) caption


@dataclass
class Body:
    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    byline: str | None = None


def read_body(container: Node, base_url: str, *, exclude: tuple[str, ...] = (),
              caption: tuple[str, ...] = (), lead_first: bool = False,
              before: tuple[Node, ...] = ()) -> Body:
    """Read a body container (a Selector or its lxml element); `before` are blocks outside it
    that come first (a lead image figure)."""
    # Sets of the elements themselves: they stay alive, so lxml hands back the same objects
    # later (a set of id()s would match recycled ids of other, short-lived element proxies).
    excluded = {m for expr in exclude for m in select(container, expr)}
    captions = {m for expr in caption for m in select(container, expr)}
    blocks = [b for node in before for b in iter_blocks(root_of(node), excluded, base_url, itself=True)]
    blocks += iter_blocks(root_of(container), excluded, base_url)
    return assemble(blocks, captions, lead_first=lead_first)


def iter_blocks(el, excluded: set, base_url: str, *, itself: bool = False) -> list[Block]:
    """The element's blocks in reading order (non-empty text, and images); `itself`: el is one block."""
    if itself:
        source = _blocks(el.getparent(), excluded, base_url, only=el)
    else:
        source = _blocks(el, excluded, base_url)
    return [b for b in source if b.kind == "image" or b.text]


def assemble(blocks: list[Block], captions: set = frozenset(), *, lead_first: bool = False,
             byline: bool = True) -> Body:
    """Sort blocks into paragraphs, images with their captions, and the trailing byline."""
    body = Body()
    if byline:
        blocks = _take_byline(blocks, body)
    last_image: Image | None = None
    for b in blocks:
        if b.kind == "image":
            last_image = Image(src=b.src, caption=b.caption)
            body.images.append(last_image)
        elif last_image is not None and last_image.caption is None and is_caption(b, b.el in captions):
            last_image.caption = b.text
        elif _link_line(b):  # "Năm ngoái ...": another article's headline set in the text (a related link)
            last_image = None
        else:
            last_image = None
            body.paragraphs.append(b.text)
    if lead_first and body.paragraphs:
        body.lead = body.paragraphs.pop(0)
    return body


def _blocks(el, excluded: set, base_url: str, only=None):
    """The blocks of `el`'s children. Text standing in `el` itself (between <br>s, around inline
    elements: old CMSs write whole bodies so) is read as runs: each run of text and inline
    elements up to a <br> or a block is one text block."""
    mixed = only is None and _has_loose_text(el)
    run: list = [el.text] if mixed and el.text else []
    for child in el:
        if only is not None and child is not only:
            continue
        tag = child.tag if isinstance(child.tag, str) else None
        if mixed and (tag == "br" or tag in INLINE and not _has_blocks(child)):
            if tag == "br":
                yield from _run_block(run)
                run = []
            elif child not in excluded:
                run.append(child)
            if child.tail:
                run.append(child.tail)
            continue
        yield from _run_block(run)
        run = []
        if not (tag is None or tag in SKIP or child in excluded):
            yield from _child_blocks(child, tag, excluded, base_url)
        if mixed and child.tail:
            run.append(child.tail)
    yield from _run_block(run)


def _child_blocks(child, tag: str, excluded: set, base_url: str):
    # iter() filters tags in C; el.xpath() would compile its expression on every call.
    imgs = list(child.iter("img")) if tag != "img" else [child]
    if tag in ("figure", "table") and imgs:
        yield _image(imgs[0], base_url, caption=_figure_caption(child, tag))
    elif tag == "img" or (imgs and len(element_text(child)) < 3):
        for img in imgs:
            yield _image(img, base_url)
    elif tag in TEXT_BLOCKS or (tag in WRAPPERS and not _has_blocks(child)):
        if imgs:  # an image with words around it: the image, then the words as text
            yield from (_image(img, base_url) for img in imgs)
        yield Block("text", child, element_text(child))
    elif tag in WRAPPERS or tag == "table":
        yield from _blocks(child, excluded, base_url)


def _has_loose_text(el) -> bool:
    """Text directly in `el` or between its children, or in a phrase element (<b>, <i>, <a>...) among
    them: text a reader sees as lines of its own, not inside a paragraph or wrapper."""
    return _LOOSE(el)


# One XPath call, no element proxies: it runs on every wrapper of every body.
_LOOSE = etree.XPath("boolean(text()[normalize-space()] or *[" + " or ".join(f"self::{t}" for t in sorted(PHRASE))
                     + "][normalize-space()])")


def _run_block(run: list):
    """A run of strings and inline elements as one text block, on a detached <p> that holds copies
    of them (the caption and byline tests read its markup: <i>, <b>, style)."""
    if not run or not "".join(x if isinstance(x, str) else element_text(x) for x in run).strip():
        return
    p = Element("p")
    for x in run:
        if isinstance(x, str):
            if len(p):
                p[-1].tail = (p[-1].tail or "") + x
            else:
                p.text = (p.text or "") + x
        else:
            copied = copy.deepcopy(x)
            copied.tail = None
            p.append(copied)
    yield Block("text", p, element_text(p))


def _has_blocks(el) -> bool:
    """Holds a paragraph, a block wrapper or an image (a <span> or <font> is not a block: a centred
    <div> of one coloured <span> is one caption)."""
    return any(c is not el for c in el.iter(*TEXT_BLOCKS, *BLOCK_WRAPPERS, "img"))


def _image(img, base_url: str, caption: str | None = None) -> Block:
    src = img.get("data-src") or img.get("data-original") or img.get("src") or ""
    return Block("image", img, src=urljoin(base_url, src.strip()), caption=caption or None)


def _figure_caption(el, tag: str) -> str | None:
    cap = next(el.iter("figcaption"), None) if tag == "figure" else None
    return element_text(cap) if cap is not None else element_text(el) or None


def is_caption(b: Block, declared: bool) -> bool:
    """A block after an image is its caption when it is declared so, a figcaption, starts with
    "Ảnh:", or is set apart the way editors set captions: centred, italic, coloured, or classed
    like one. A line that is wholly a link, or a related box, is another article, not a caption."""
    if declared or b.el.tag == "figcaption":
        return True
    klass = (b.el.get("class") or "").lower()
    if "relat" in klass or _link_line(b):
        return False
    if CAPTION_START.match(b.text):
        return True
    centred = _styled(b.el, "text-align:center") or b.el.get("align") == "center"
    italic = _wholly(b.el, ("em", "i"))
    coloured = _styled(b.el, "color:") or _wholly(b.el, ("font",))
    return centred or italic or coloured or any(k in klass for k in ("caption", "desc", "note"))


def _link_line(b: Block) -> bool:
    """A line that is wholly one link of a few words or more: a headline pointing elsewhere."""
    return b.el.find(".//a[@href]") is not None and len(b.text.split()) >= 4 and _wholly(b.el, ("a",))


def _styled(el, rule: str) -> bool:
    """The element, or a descendant holding all its text, has the inline style `rule`."""
    if rule in (el.get("style") or "").replace(" ", "").lower():
        return True
    for child in el.iter("span", "font", "em", "i", "p"):
        if child is not el and rule in (child.get("style") or "").replace(" ", "").lower():
            return element_text(child) == element_text(el)
    return False


def _wholly(el, tags: tuple[str, ...]) -> bool:
    """True when all the element's text sits inside one of `tags`."""
    inner = "".join(element_text(x) for x in el.iter(*tags))
    return bool(inner) and inner.strip() == element_text(el)


def _take_byline(blocks: list[Block], body: Body) -> list[Block]:
    """The last text block is the byline when it is short and right-aligned or bold."""
    texts = [k for k, b in enumerate(blocks) if b.kind == "text"]
    if not texts:
        return blocks
    k = texts[-1]
    b = blocks[k]
    style = (b.el.get("style") or "").replace(" ", "").lower()
    right = "text-align:right" in style or b.el.get("align") == "right"
    if len(b.text) <= BYLINE_MAX and (right or (_wholly(b.el, ("strong", "b")) and len(b.text) <= 40)):
        body.byline = b.text
        return blocks[:k] + blocks[k + 1:]
    return blocks
