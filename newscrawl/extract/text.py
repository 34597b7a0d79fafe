"""Text of HTML nodes: whitespace-normalized, all descendant text, split into paragraphs."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator

from lxml import etree

# Zero-width characters and the BOM creep into CMS text from copy-paste and break equality.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# C0 controls and DEL (those that are not whitespace, which is collapsed) are no text: they come
# from a page decoded with the wrong charset or from JSON-LD escapes ("\u0001"), as do lone
# surrogates ("\ud800"), which no UTF-8 output can even hold. C1 controls are left to
# normalize.py: they may be half of mojibake that its repair needs whole.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]")

BLOCK_TAGS = frozenset(
    [
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div",
        "dl", "dt", "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
        "tbody", "tfoot", "thead", "tr", "ul",
    ]
)  # fmt: skip
# Table cells stay on their row's line, separated, so a figure keeps its label.
_CELL_TAGS = frozenset(["td", "th"])
_CELL_SEPARATOR = " | "
# Paragraph-level tags whose text is prose even when every word of it is a link.
_PROSE_TAGS = frozenset(["p", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"])
# Elements that never hold article text, on any site.
_SKIP_TAGS = frozenset(
    [
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
        "video", "audio", "head", "form", "button", "input", "select", "option", "textarea",
    ]
)  # fmt: skip


# Anything clean_text would change, other than Unicode normalization; text without it (most
# text, on a second pass) is returned as is, at the cost of one search.
# Characters clean_text removes or replaces: entity starts, invisible and control characters and
# every whitespace character but the plain space. Text without them, no double space and no
# space at either end is already clean, as is most text on its second pass.
_NEEDS_CLEANING = re.compile(
    "[&\u200b\u200c\u200d\u2060\ufeff\u00ad\x00-\x1f\x7f\x85\xa0\u1680"
    "\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ud800-\udfff]"
)


def clean_text(text: str | None) -> str:
    """NFC, entities decoded, invisible and control characters dropped, whitespace collapsed."""
    if not text:
        return ""
    if _NEEDS_CLEANING.search(text) or "  " in text or text[0] == " " or text[-1] == " ":
        if "&" in text:
            text = html.unescape(text)
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)
        if _CONTROL.search(text):
            text = _CONTROL.sub("", text)
        text = " ".join(text.split())
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def node_text(node: etree._Element) -> str:
    """All descendant text of a node (never only its own text nodes: links keep their words)."""
    if isinstance(node, str):  # attribute values arrive as strings
        return clean_text(node)
    return clean_text("".join(_iter_text(node)))


def _iter_text(node: etree._Element) -> Iterator[str]:
    if node.tag in _SKIP_TAGS or not isinstance(node.tag, str):
        return
    if node.tag == "br":
        yield " "
        return
    if node.text:
        yield node.text
    for child in node:
        yield from _iter_text(child)
        if child.tail:
            yield child.tail


class _ParagraphCollector:
    """Walks a cleaned article container and cuts its text at block boundaries and <br>s.

    Hand-written because the body must keep inline link and bold text, split where the page
    breaks lines, and skip caption nodes that the caller identified by the site's selectors;
    lxml's text_content() and parsel's ::text give either one blob or lost link text.
    """

    def __init__(self, skip: set[etree._Element]):
        self.skip = skip
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._link_chars = 0
        self._in_link = 0

    def flush(self, block_tag: str) -> None:
        text = clean_text("".join(self._parts))
        link_only = self._link_chars >= len(text.replace(" ", "")) > 0
        # A div or list item made only of links is a "related news" or menu block.
        if text and not (link_only and block_tag not in _PROSE_TAGS):
            self.paragraphs.append(text)
        self._parts = []
        self._link_chars = 0

    def walk(self, node: etree._Element, block_tag: str) -> None:
        if node.text:
            self._add(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if child in self.skip or tag in _SKIP_TAGS or not tag:
                pass
            elif tag == "br":
                self.flush(block_tag)
            elif tag in BLOCK_TAGS:
                self.flush(block_tag)
                self.walk(child, tag)
                self.flush(tag)
            elif tag in _CELL_TAGS:
                if "".join(self._parts).strip():
                    self._parts.append(_CELL_SEPARATOR)
                self.walk(child, block_tag)
            else:
                self._in_link += tag == "a"
                self.walk(child, block_tag)
                self._in_link -= tag == "a"
            if child.tail:
                self._add(child.tail)

    def _add(self, text: str) -> None:
        self._parts.append(text)
        if self._in_link:
            self._link_chars += len("".join(text.split()))


def paragraphs(container: etree._Element, skip: Iterable[etree._Element] = ()) -> list[str]:
    """The container's text as paragraphs, in page order, without the `skip` subtrees."""
    collector = _ParagraphCollector(set(skip))
    collector.walk(container, container.tag if isinstance(container.tag, str) else "div")
    collector.flush(container.tag if isinstance(container.tag, str) else "div")
    return collector.paragraphs
