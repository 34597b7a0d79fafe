"""Normalization shared by extraction and the normalize pipeline: Unicode, whitespace, entities,
mojibake and theme chrome. Every function here is idempotent."""

from __future__ import annotations

import re
from dataclasses import fields, replace

import ftfy
from ftfy.badness import is_bad

from newscrawl.extract.text import clean_text
from newscrawl.record import Article, Image

# Lines that themes print in or after the article body and that are never article text.
_CHROME_LINES = frozenset(
    s.casefold()
    for s in (
        "Loading...",
        "Loading…",
        "Đang tải...",
        "Please enter your comment!",
        "Please enter your name here",
        "Please enter your email address here",
        "You have entered an incorrect email address!",
        "Tin liên quan",
        "Bài liên quan",
        "Tin cùng chuyên mục",
        "Tin khác",
        "Xem thêm",
        "Chia sẻ",
        "Share",
        "Tweet",
        "In bài",
        "Gửi bài",
        "Bình luận",
        "Ý kiến bạn đọc",
        "Leave a reply",
        "TIN MỚI",
    )
)
# Headings that open a comment form: nothing after them is article text.
_CUT_LINES = frozenset(s.casefold() for s in ("Bình luận", "Leave a reply", "Ý kiến bạn đọc"))
_COUNTER = re.compile(r"^\d[\d.,]*$")
_OPTIONAL = frozenset({"lead", "credit", "category", "date_modified"})


# UTF-8 read as cp1252 or Latin-1 leaves a lead byte (Â Ã Ä Å Æ á â …) followed by a
# continuation byte shown as a Latin-1 symbol or a cp1252 punctuation mark: "Ä‘" for "đ",
# "áº¿" for "ế". Correct Vietnamese text never has such pairs, so this one cheap search
# decides whether ftfy's slower badness check and repair run at all.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00c6\u00e1-\u00e5\u00c3][\u0080-\u00bf\u2013\u2014\u2018-\u201e"
    "\u2020-\u2022\u2026\u2030\u2039\u203a\u0152\u0153\u0160\u0161\u0178\u017d"
    "\u017e\u02c6\u02dc\u20ac\u2122]"
)


def repair_mojibake(text: str) -> str:
    if _MOJIBAKE_HINT.search(text) and is_bad(text):
        return ftfy.fix_encoding(text)
    return text


_C1_CONTROL = re.compile("[\x80-\x9f]")


def _c1_as_cp1252(text: str) -> str:
    """A C1 control left once mojibake is repaired (it may be half of some, "Ä\x90" for "Đ")
    is a cp1252 byte read as Latin-1 ("\x96" for "–"): it is read as cp1252, as browsers read
    "&#150;", and the five bytes cp1252 leaves undefined are dropped. No C1 control is text."""
    if not _C1_CONTROL.search(text):
        return text
    return _C1_CONTROL.sub(lambda c: c[0].encode("latin-1").decode("cp1252", "ignore"), text)


def _repair_text(text: str) -> str:
    return _c1_as_cp1252(repair_mojibake(text))


def fix_text(text: str | None) -> str:
    """clean_text, plus mojibake repair (UTF-8 read as cp1252) where the text is broken."""
    text = clean_text(text)
    repaired = _repair_text(text)
    return text if repaired is text else clean_text(repaired)


def drop_chrome(paragraphs: list[str]) -> list[str]:
    """The paragraphs without theme chrome: loaders, comment forms, related-box heads, and the
    view and comment counters that themes print above the text (a number further down is
    the article's own: a table cell, a score)."""
    kept = []
    for paragraph in paragraphs:
        key = paragraph.casefold()
        if key in _CUT_LINES:
            break
        if key not in _CHROME_LINES and (kept or not _COUNTER.match(paragraph)):
            kept.append(paragraph)
    return kept


def normalize_article(article: Article) -> Article:
    """Every string field NFC, entity-free, whitespace-normalized, mojibake-free; body chrome
    removed. Paragraph breaks in the body survive."""
    changes: dict[str, object] = {}
    for f in fields(article):
        value = getattr(article, f.name)
        if f.name == "body":
            value = _repair_text(value)
            paragraphs = [clean_text(p) for p in value.split("\n\n")]
            changes["body"] = "\n\n".join(p for p in drop_chrome(paragraphs) if p)
        elif f.name == "images":
            changes["images"] = [
                Image(url=i.url, caption=fix_text(i.caption) or None) for i in value
            ]
        elif isinstance(value, str):
            changes[f.name] = fix_text(value) or (None if f.name in _OPTIONAL else "")
        elif isinstance(value, list):
            changes[f.name] = [v for v in map(fix_text, value) if v]
    return replace(article, **changes)
