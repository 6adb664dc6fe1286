"""Read an editor-made article body into paragraphs, images with captions, and a byline.

Vietnamese newsroom CMSs (and the seed site) write bodies the same way: an image
is its own (usually centred) block, its caption is the centred, often italic,
paragraph right after it, with or without "Ảnh:"; the byline is the last short
right-aligned or bold paragraph. `read_body` walks the container's blocks in
reading order and sorts them into those roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from archiver.items import Image
from archiver.selectors import Node, element_text, root_of, select

# A figcaption outside any figure is the caption of a gallery wrapper's images
# (Tiền Phong's div.layout-image-2: <figure><img></figure> x2, then <figcaption>).
TEXT_BLOCKS = {"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "figcaption"}
WRAPPERS = {"div", "section", "article", "ul", "ol", "center", "font", "span", "main", "dl"}
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
        else:
            last_image = None
            body.paragraphs.append(b.text)
    if lead_first and body.paragraphs:
        body.lead = body.paragraphs.pop(0)
    return body


def _blocks(el, excluded: set, base_url: str, only=None):
    for child in el:
        if only is not None and child is not only:
            continue
        tag = child.tag if isinstance(child.tag, str) else None
        if tag is None or tag in SKIP or child in excluded:
            continue
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


def _has_blocks(el) -> bool:
    return any(c is not el for c in el.iter(*TEXT_BLOCKS, *WRAPPERS, "img"))


def _image(img, base_url: str, caption: str | None = None) -> Block:
    src = img.get("data-src") or img.get("data-original") or img.get("src") or ""
    return Block("image", img, src=urljoin(base_url, src.strip()), caption=caption or None)


def _figure_caption(el, tag: str) -> str | None:
    cap = next(el.iter("figcaption"), None) if tag == "figure" else None
    return element_text(cap) if cap is not None else element_text(el) or None


def is_caption(b: Block, declared: bool) -> bool:
    if declared or b.el.tag == "figcaption" or CAPTION_START.match(b.text):
        return True
    style = (b.el.get("style") or "").replace(" ", "").lower()
    centred = "text-align:center" in style or b.el.get("align") == "center"
    klass = (b.el.get("class") or "").lower()
    italic = _wholly(b.el, ("em", "i"))
    return centred or italic or any(k in klass for k in ("caption", "desc", "note"))


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
