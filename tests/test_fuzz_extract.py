"""`newscrawl extract` on bad input (issue 6): real pages mutated at byte, encoding and markup
level, and pages generated from scratch, must never crash the command nor give a record that a
crawl would not write.

The mutated corpus is deterministic: page N is made by `random.Random(f"{seed}:{N}")` from one
of the seed pages (the real pages of ../shared/fixtures, the golden pages, every page the
replica sites serve), so a failure names the page and the mutations that made it, and a rerun
makes the same page. A longer run, on another corpus:

    NEWSCRAWL_FUZZ_PAGES=200000 NEWSCRAWL_FUZZ_SEED=1 .venv/bin/pytest tests/test_fuzz_extract.py

(NEWSCRAWL_FUZZ_PAGES also scales the examples of the generated-page test, which is then no
longer derandomized.)
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import random
import re
import traceback
import unicodedata
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.cli import main
from newscrawl.pipelines.validate import REQUIRED
from newscrawl.record import schema_errors
from newscrawl.sources import load_profiles
from replica.server import render_site
from replica.site import SITE_IDS, load_site
from tests.conftest import GOLDEN, SHARED

PAGES = int(os.environ.get("NEWSCRAWL_FUZZ_PAGES", "10000"))
SEED = os.environ.get("NEWSCRAWL_FUZZ_SEED", "0")
# Pages per `newscrawl extract` call: the command's own loop over pages is under test too, and
# one call per page would spend the time budget on argument parsing and output capture.
BATCH = 250
# Sources whose selectors are forced on every page of a batch (None: chosen by the page's URL),
# one per CMS profile, so each profile's selectors meet every kind of broken markup.
SOURCES = (None, None, "qbtv", "baohatinh", "baothanhhoa", "baoquangtri")


# --- seeds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    weight: int  # article pages are picked more often: only they reach every record field


# What a replica serves that `newscrawl extract` could be given: pages, feeds, sitemaps (.gz too).
PAGE_TYPES = frozenset({"text/html", "application/rss+xml", "application/xml", "application/gzip"})


@cache
def seeds() -> tuple[Seed, ...]:
    found: list[Seed] = []
    shared = SHARED / "fixtures" / "pages"
    for path in sorted(shared.glob("*.html")) if shared.is_dir() else ():
        found.append(Seed(path.name, path.read_bytes(), 4 if "article" in path.name else 1))
    for path in sorted(GOLDEN.glob("pages/*.html.gz")):
        found.append(Seed(path.name, gzip.decompress(path.read_bytes()), 4))
    for site_id in SITE_IDS:
        site = load_site(site_id)
        articles = {site.path_of(a) for a in site.articles}
        for path, resource in render_site(site, "http://127.0.0.1:8801").items():
            if resource.content_type.split(";")[0] in PAGE_TYPES:
                weight = 3 if path in articles else 1
                found.append(Seed(f"{site_id}{path}", resource.body, weight))
    return tuple(found)


# --- mutations -----------------------------------------------------------------------------
# Each takes the random source and the page's bytes and returns new bytes. Markup-level ones
# work on the text decoded with surrogateescape, so bytes that are no UTF-8 survive them.

Mutation = Callable[[random.Random, bytes], bytes]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _escaped_or_lone_surrogates(error: UnicodeEncodeError) -> tuple[bytes, int]:
    """surrogateescape's bytes back where _text made them; any other lone surrogate (from a
    JSON-LD string) written as the three bytes UTF-8 forbids, as broken encoders do."""
    out = b"".join(
        bytes([ord(c) - 0xDC00])
        if 0xDC80 <= ord(c) <= 0xDCFF
        else c.encode("utf-8", "surrogatepass")
        for c in error.object[error.start : error.end]
    )
    return out, error.end


codecs.register_error("newscrawl-fuzz", _escaped_or_lone_surrogates)


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "newscrawl-fuzz")


def _text_spot(rng: random.Random, text: str) -> int:
    """A place inside the article's text where it has one (just inside a <p>, <h1>, <title> or
    a content attribute), else anywhere."""
    start = rng.randrange(len(text) + 1)
    for opener in rng.sample(["<p", "<h1", "<title", 'content="', "<td", "<figcaption"], 3):
        at = text.find(opener, start)
        if at < 0:
            at = text.find(opener)
        if at >= 0:
            end = text.find(">", at) if opener[0] == "<" else at + len(opener) - 1
            return end + 1 if end >= 0 else at
    return start


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16) if out else 0):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]


def insert_controls(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    for _ in range(rng.randint(1, 12)):
        at = _text_spot(rng, text)
        text = text[:at] + "".join(rng.choices(CONTROLS, k=rng.randint(1, 3))) + text[at:]
    return _bytes(text)


INVALID_UTF8 = [
    b"\xed\xa0\x80",  # a UTF-16 surrogate encoded as if it were a character
    b"\xed\xbf\xbf",
    b"\xc0\x80",  # overlong NUL
    b"\xc1\xbf",
    b"\x80",  # lone continuation byte
    b"\xbf\xbf",
    b"\xe1\xba",  # "ạ" cut after two of its three bytes
    b"\xf4\x90\x80\x80",  # past U+10FFFF
    b"\xff\xfe",
    b"\xfe\xff\x00",
]


def insert_invalid_utf8(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    for _ in range(rng.randint(1, 8)):
        at = _text_spot(rng, text)
        text = text[:at] + _text(rng.choice(INVALID_UTF8)) + text[at:]
    return _bytes(text)


ENTITIES = [
    "&#0;", "&#1;", "&#x7f;", "&#128;", "&#133;", "&#150;", "&#157;", "&#159;", "&#xD800;",
    "&#xDFFF;", "&#x110000;", "&#xFFFE;", "&#xFFFF;", "&#99999999999;", "&#x;", "&#;", "&amp",
    "&nbsp", "&#8203;", "&#xFEFF;", "&#x202E;", "&#x2028;", "&#x85;", "&#x0301;", "&#768;",
]  # fmt: skip


def insert_entities(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    for _ in range(rng.randint(1, 10)):
        at = _text_spot(rng, text)
        text = text[:at] + rng.choice(ENTITIES) + text[at:]
    return _bytes(text)


def to_nfd(rng: random.Random, data: bytes) -> bytes:
    return _bytes(unicodedata.normalize(rng.choice(["NFD", "NFKD"]), _text(data)))


_SHAPE_MARKS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn: cp1258 composes them


def _cp1258_spelling(error: UnicodeEncodeError) -> tuple[str, int]:
    """Vietnamese the way Windows writes it in cp1258: a letter with its circumflex, breve or
    horn is one byte, the tone mark a combining character after it; "?" for what cp1258 lacks."""
    spelled = []
    for char in error.object[error.start : error.end]:
        base, *marks = unicodedata.normalize("NFD", char)
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _SHAPE_MARKS))
        tones = "".join(m for m in marks if m not in _SHAPE_MARKS)
        try:
            (shaped + tones).encode("cp1258")
        except UnicodeEncodeError:
            spelled.append("?")
        else:
            spelled.append(shaped + tones)
    return "".join(spelled), error.end


codecs.register_error("newscrawl-fuzz-cp1258", _cp1258_spelling)

ENCODINGS = ["cp1258", "windows-1252", "latin-1", "utf-16", "utf-16-le", "utf-32", "utf-8"]
CHARSETS = [
    *ENCODINGS, "iso-8859-1", "us-ascii", "gb2312", "shift_jis", "koi8-r", "tcvn", "viscii",
    "utf-7", "x-user-defined", "bogus-charset", "", "rot13", "base64", "hex", "zlib", "uu",
    "idna", "punycode", "unicode_escape", "raw_unicode_escape", "utf-8-sig", "utf-16-be",
    '"utf-8', "utf-8; charset=cp1258",
]  # fmt: skip
BOMS = [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]
_CHARSET_DECLARATION = re.compile(rb"charset=[\"']?[\w-]*", re.IGNORECASE)


def _declare(rng: random.Random, text: str, charset: str) -> str:
    """The page with its charset declarations replaced, or a new <meta charset> in front."""
    if rng.random() < 0.5 and "charset=" in text.lower():
        return re.sub(r"charset=[\"']?[\w-]*", f"charset={charset}", text, flags=re.IGNORECASE)
    return f'<meta charset="{charset}">' + text


def reencode(rng: random.Random, data: bytes) -> bytes:
    """The page in another encoding, declared rightly, wrongly, twice or not at all, with or
    without a (conflicting) byte-order mark."""
    text = _text(data).encode("utf-8", "replace").decode("utf-8")
    if rng.random() < 0.3:
        text = unicodedata.normalize("NFD", text)
    encoding = rng.choice(ENCODINGS)
    declared = rng.choice([encoding, encoding, rng.choice(CHARSETS), None])
    if declared is not None:
        text = _declare(rng, text, declared)
    errors = rng.choice(["replace", "xmlcharrefreplace", "ignore"])
    out = text.encode(encoding, "newscrawl-fuzz-cp1258" if encoding == "cp1258" else errors)
    return (rng.choice(BOMS) + out) if rng.random() < 0.2 else out


def redeclare(rng: random.Random, data: bytes) -> bytes:
    """Bytes unchanged, charset declaration changed: a page that lies about its encoding, in
    a <meta> or in an XML declaration (XHTML pages, feeds), which also changes how libxml2
    parses the page."""
    charset = rng.choice(CHARSETS).encode()
    match rng.randrange(3):
        case 0 if _CHARSET_DECLARATION.search(data):
            return _CHARSET_DECLARATION.sub(b"charset=" + charset, data)
        case 1:
            return b'<?xml version="1.0" encoding="' + charset + b'"?>' + data
    return b'<meta http-equiv="Content-Type" content="text/html; charset=' + charset + b'">' + data


def add_bom(rng: random.Random, data: bytes) -> bytes:
    return rng.choice(BOMS) + data


def duplicate_element(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    start = text.find("<", rng.randrange(len(text) + 1))
    tag = re.match(r"<(\w+)", text[start:]) if start >= 0 else None
    if tag is None:
        return data
    end = text.find(f"</{tag[1]}>", start)
    end = end + len(tag[1]) + 3 if end >= 0 else min(len(text), start + rng.randint(1, 5000))
    span = text[start:end]
    at = rng.choice([end, start, rng.randrange(len(text) + 1)])
    return _bytes(text[:at] + span * rng.randint(1, 3) + text[at:])


def remove_span(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    start = text.find("<", rng.randrange(len(text) + 1))
    if start < 0:
        return data
    end = text.find(">", start + rng.randint(1, 3000))
    return _bytes(text[:start] + (text[end + 1 :] if end >= 0 else ""))


def unclose_tags(rng: random.Random, data: bytes) -> bytes:
    """Closing tags dropped (unbalanced markup) or, for a few, the `>` of a tag."""
    text = _text(data)
    for _ in range(rng.randint(1, 40)):
        start = text.find("</", rng.randrange(len(text) + 1))
        end = text.find(">", start)
        if start < 0 or end < 0:
            break
        text = (
            text[:start] + text[end + 1 :] if rng.random() < 0.8 else text[:end] + text[end + 1 :]
        )
    return _bytes(text)


def shuffle_tags(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    start = rng.randrange(len(text) + 1)
    window = text[start : start + rng.randint(100, 5000)]
    tokens = re.split(r"(<[^<>]*>)", window)
    rng.shuffle(tokens)
    return _bytes(text[:start] + "".join(tokens) + text[start + len(window) :])


NESTING = ["<div>", "<b>", "<font>", "<span><i>", "<table><tr><td>", "<ul><li>", "<p>", "<a>"]


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    at = _text_spot(rng, text)
    opener = rng.choice(NESTING)
    depth = rng.choice([300, 1000, 3000, 10000])
    closer = "".join(f"</{t}>" for t in reversed(re.findall(r"<(\w+)>", opener))) * depth
    return _bytes(text[:at] + opener * depth + (closer if rng.random() < 0.5 else "") + text[at:])


def huge_attribute(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    at = text.find(">", rng.randrange(len(text) + 1))
    if at < 0:
        return data
    name = rng.choice(["class", "id", "style", "src", "data-src", "href", "content", "datetime"])
    value = rng.choice(["td-post-content ", "x", "a b ", "Đồng Hới ", "%", "/"])
    size = rng.choice([10_000, 100_000, 1_000_000])
    return _bytes(f'{text[:at]} {name}="{value * (size // len(value))}"{text[at:]}')


def giant_text(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    at = _text_spot(rng, text)
    unit = rng.choice(["Đồng Hới ", "x", " ", "\u0301", "<br>", "26/06/2020 ", "Theo TTXVN "])
    size = rng.choice([10_000, 100_000, 500_000])
    return _bytes(text[:at] + unit * (size // len(unit)) + text[at:])


ABSURD_DATES = [
    "0000-00-00T00:00:00+07:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
    "99999-12-31T10:00:00+07:00", "2024-10-29T10:30:00+99:00", "2024-10-29T10:30:00-24:00",
    "2024-02-30T10:00:00+07:00", "2024-13-45T25:61:61+07:00", "31/12/9999 23:59 (GMT-12)",
    "01/01/0001 00:00 (GMT+14)", "29/02/2023", "Thứ Hai, 00/00/0000", "0", "", "   ",
    "2024-10-29T10:30:00.9999999999+07:00", "2024-10-29T10:30:00Z", "1e999", "1730172600",
    "-2024-10-29", "2024-10-29T10:30:00+07:00[Asia/Ho_Chi_Minh]", "tháng 13 năm 2024",
]  # fmt: skip
_DATE_LIKE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:[+-]\d{2}:?\d{2}|Z)?)?|\d{1,2}/\d{1,2}/\d{4}"
)


def absurd_dates(rng: random.Random, data: bytes) -> bytes:
    """Dates the page states replaced by impossible or out-of-range ones, and one added as
    article:published_time."""
    text = _DATE_LIKE.sub(lambda _: rng.choice(ABSURD_DATES), _text(data))
    meta = f'<meta property="article:published_time" content="{rng.choice(ABSURD_DATES)}">'
    return _bytes(meta + text)


def empty_title(rng: random.Random, data: bytes) -> bytes:
    """Headlines emptied (<title>, <h1>, og:title), or made of spaces and controls."""
    filler = rng.choice(["", " ", "\x00", "\u200b", "&nbsp;", "\x01\x02", "<br>", "&#0;"])
    text = re.sub(
        r"(<(title|h1)\b[^>]*>).*?(</\2>)",
        lambda m: m[1] + filler + m[3],
        _text(data),
        flags=re.IGNORECASE | re.DOTALL,
    )
    return _bytes(re.sub(r'(property="og:title" content=")[^"]*', r"\g<1>" + filler, text))


# --- JSON-LD: wrong types, broken syntax, nesting ------------------------------------------

JSON_VALUES: list[object] = [
    None, True, 0, -1, 2024, 1730172600, 1e308, -0.0, "", " ", "Đồng Hới", "Minh Phong",
    "NewsArticle", "\x00\x01\x7f\x9f", "\ud800", "a\udfffb", "\u202e\u200b", "e\u0301",
    *ABSURD_DATES[:8], [], {}, ["Minh Phong", {"@type": "Person", "name": ["x", 1]}],
    [{"@type": "Person", "name": "Trà My"}, {"@type": ["Organization"], "name": "QBTV"}],
    {"@value": 5}, {"@value": "Đồng Hới"}, {"@value": None}, {"name": {"@value": []}},
    [[{"name": "Hà Nội"}]], {"@type": 7, "name": "x"},
]  # fmt: skip
JSON_KEYS = [
    "@type", "@graph", "@context", "headline", "description", "datePublished", "dateModified",
    "author", "articleSection", "keywords", "itemListElement", "name", "item", "mainEntity",
]  # fmt: skip
TYPES: list[object] = [
    "NewsArticle", "Article", "BreadcrumbList", ["NewsArticle", "Thing"], 5, None, [{"a": 1}],
    ["Article", 7], {"@id": "x"}, [], "", ["BreadcrumbList", None],
]  # fmt: skip


def _json_object(rng: random.Random, depth: int) -> object:
    obj: dict[str, object] = {"@type": rng.choice(TYPES)}
    for key in rng.sample(JSON_KEYS, rng.randint(1, 8)):
        if key in ("@graph", "itemListElement", "mainEntity") and depth < 4:
            obj[key] = [_json_object(rng, depth + 1) for _ in range(rng.randint(0, 3))]
            if rng.random() < 0.2:
                obj[key] = obj[key][0] if obj[key] else {}
        else:
            obj[key] = rng.choice(JSON_VALUES)
    return obj


def _json_ld_text(rng: random.Random) -> str:
    value = _json_object(rng, 0) if rng.random() < 0.7 else [_json_object(rng, 0) for _ in "abc"]
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    match rng.randrange(6):
        case 0:
            text = text[: rng.randrange(len(text) + 1)]  # cut short
        case 1:
            text = text.replace("}", ",}", 1)  # trailing comma
        case 2:
            text = "[" * 100_000 + text + "]" * 100_000  # nested past the parser's recursion
        case 3:
            text = text.replace('"', "'", 2) + "\n</script>"
    return text


def broken_json_ld(rng: random.Random, data: bytes) -> bytes:
    text = _text(data)
    script = f'<script type="application/ld+json">{_json_ld_text(rng)}</script>'
    head = text.find("</head>")
    at = head if head >= 0 and rng.random() < 0.7 else rng.randrange(len(text) + 1)
    return _bytes(text[:at] + script + text[at:])


WEIRD_URLS = [
    "", " ", "#", "/", "//", "/relative/bai-viet-1.html", "bai.html", "?p=1", "javascript:void(0)",
    "mailto:a@b.vn", "data:text/html,<h1>x</h1>", "http://[oops/a.jpg", "http://[::1/", "http://a:99999/",
    "http://a:port/", "https://xn--/", "http://a..b/", "http://đồnghới.vn/bài viết", "http://\x00/",
    "https://qbtv.vn/\x01\x7f", "http:///x", "https:", "file:///etc/passwd", "ftp://x.vn/a",
    "https://" + "a" * 300 + ".vn/", "https://x.vn/" + "a" * 100_000, "https://x.vn/%zz%", "\ud800",
    "https://user:pass@x.vn:443/a?utm_source=x#frag", "HTTPS://QBTV.VN/AMP/", "http://127.0.0.1:0/",
]  # fmt: skip


def weird_urls(rng: random.Random, data: bytes) -> bytes:
    """Canonical links, og:url and image addresses that are relative, unparsable, huge or not
    http at all."""
    text = _text(data)
    url = rng.choice(WEIRD_URLS)
    match rng.randrange(3):
        case 0:
            tag = f'<link rel="canonical" href="{url}">'
        case 1:
            tag = f'<meta property="og:url" content="{url}">'
        case _:
            attribute = rng.choice(["src", "data-src", "data-original", "srcset"])
            tag = f'<img {attribute}="{url}"><figcaption>Ảnh minh họa</figcaption>'
            return _bytes(text[: (at := _text_spot(rng, text))] + tag + text[at:])
    return _bytes(tag + text)


def splice(rng: random.Random, data: bytes) -> bytes:
    """A piece of another seed pasted in: markup of one CMS inside another's."""
    other = rng.choice(seeds()).data
    start = rng.randrange(len(other) + 1)
    piece = other[start : start + rng.randint(1, 20_000)]
    at = rng.randrange(len(data) + 1)
    return data[:at] + piece + data[at:]


def replace_whole(rng: random.Random, data: bytes) -> bytes:
    """Files that hold no page at all."""
    return rng.choice(
        [b"", b" ", b"\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b"\x00" * 100, b"<", b"<html>",
         b"<?xml version='1.0'?>", b"\x1f\x8b", b"\x1f\x8b\x08", b"PK\x03\x04", b"%PDF-1.4",
         bytes(range(256)), data[:1]]
    )  # fmt: skip


MUTATIONS: list[tuple[Mutation, int]] = [
    (truncate, 6), (flip_bytes, 5), (insert_controls, 5), (insert_invalid_utf8, 4),
    (insert_entities, 4), (to_nfd, 3), (reencode, 6), (redeclare, 3), (add_bom, 2),
    (duplicate_element, 4), (remove_span, 4), (unclose_tags, 4), (shuffle_tags, 3),
    (deep_nesting, 2), (huge_attribute, 1), (giant_text, 1), (absurd_dates, 5),
    (empty_title, 3), (broken_json_ld, 6), (weird_urls, 5), (splice, 3), (replace_whole, 1),
]  # fmt: skip


def gzip_wrap(rng: random.Random, data: bytes) -> bytes:
    """The page stored as .html.gz, intact or corrupt: cut, a byte flipped, trailing garbage,
    gzipped twice."""
    packed = gzip.compress(data, compresslevel=1, mtime=0)
    match rng.randrange(5):
        case 0:
            return packed[: rng.randrange(len(packed) + 1)]
        case 1:
            return flip_bytes(rng, packed)
        case 2:
            return packed + rng.choice([b"\x00", b"garbage", packed[:10]])
        case 3:
            return gzip.compress(packed, mtime=0)
    return packed


def mutated_page(number: int) -> tuple[bytes, list[str]]:
    """Page `number` of the corpus and how it was made (seed, then mutations in order)."""
    rng = random.Random(f"{SEED}:{number}")
    all_seeds = seeds()
    seed = rng.choices(all_seeds, weights=[s.weight for s in all_seeds])[0]
    data, recipe = seed.data, [seed.name]
    functions, weights = zip(*MUTATIONS, strict=True)
    for mutation in rng.choices(functions, weights=weights, k=rng.choice([1, 1, 2, 2, 3, 4])):
        data = mutation(rng, data)
        recipe.append(mutation.__name__)
    if rng.random() < 0.1:
        data = gzip_wrap(rng, data)
        recipe.append(gzip_wrap.__name__)
    return data, recipe


# --- running the command and checking what it prints ----------------------------------------


def run_extract(pages: list[Path], *options: str) -> tuple[int, list[str], str]:
    """`newscrawl extract PAGES [OPTIONS]` in this process: exit code, stdout lines, stderr.

    Stdout is strict UTF-8 like a terminal's or a pipe's, so a string that cannot be written
    (a lone surrogate) fails here as it would for a user."""
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", write_through=True)
    with redirect_stdout(stdout), redirect_stderr(err):
        code = main(["extract", *map(str, pages), *options])
    lines = out.getvalue().decode("utf-8").split("\n")
    assert lines[-1] == "", "stdout does not end with a newline"
    return code, lines[:-1], err.getvalue()


def _is_date_time(value: object) -> bool:
    # schema_errors() checks the date-time format only where rfc3339-validator is installed.
    try:
        return datetime.fromisoformat(value).tzinfo is not None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def record_problems(line: str) -> list[str]:
    """Why a stdout line is not a record a crawl would write (empty when it is)."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return [f"not JSON: {exc}"]
    if not isinstance(record, dict):
        return ["not a JSON object"]
    problems = [f"schema {error}" for error in schema_errors(record)]
    problems += [f"{f} is empty" for f in REQUIRED if not record.get(f)]
    for name in ("date", "date_modified", "crawled_at"):
        if record.get(name) is not None and not _is_date_time(record[name]):
            problems.append(f"{name} is no ISO 8601 date-time with offset: {record[name]!r}")
    strings = [(name, v) for name, v in record.items() if isinstance(v, str)]
    strings += [(name, v) for name in ("author", "tags") for v in record.get(name) or []]
    strings += [
        (f"images.{key}", image[key])
        for image in record.get("images") or []
        for key in ("url", "caption")
        if isinstance(image, dict) and isinstance(image.get(key), str)
    ]
    for name, value in strings:
        if not unicodedata.is_normalized("NFC", value):
            problems.append(f"{name} is not NFC: {value[:80]!r}")
        allowed = "\n" if name == "body" else ""
        controls = {c for c in value if unicodedata.category(c) == "Cc" and c not in allowed}
        if controls:
            problems.append(f"{name} holds control characters: {sorted(controls)} {value[:80]!r}")
        paragraphs = value.split("\n\n") if name == "body" else [value]
        if any(p != " ".join(p.split()) for p in paragraphs):
            problems.append(f"{name} is not whitespace-normalized: {value[:80]!r}")
    return problems


def _options(source: str | None, url: str | None = None) -> list[str]:
    return [*(["--source", source] if source else []), *(["--url", url] if url else [])]


def page_failures(page: Path, source: str | None, url: str | None = None) -> list[str]:
    """What goes wrong when `newscrawl extract` runs on this one page (empty when nothing)."""
    try:
        code, lines, stderr = run_extract([page], *_options(source, url))
    except Exception:  # the property under test: any exception at all is a crash
        return ["crashed: " + "".join(traceback.format_exc(limit=-3))]
    failures = [p for line in lines for p in record_problems(line)]
    if url is not None and code == 2 and not lines and "--url" in stderr:
        return failures  # a usage error, said as one
    if (code, len(lines)) not in ((0, 1), (1, 0)):
        failures.append(f"exit code {code} with {len(lines)} records")
    if not lines and str(page) not in stderr:
        failures.append("no record and no reason on stderr")
    return failures


def check_batch(pages: list[Path], source: str | None) -> tuple[int, list[Path]]:
    """Records written for the batch, and the pages that need a look on their own (all of
    them when the command crashed or wrote a bad line)."""
    try:
        code, lines, stderr = run_extract(pages, *_options(source))
    except Exception:
        return 0, pages
    if any(record_problems(line) for line in lines) or code not in (0, 1):
        return len(lines), pages
    failed = [p for p in pages if f"{p}: " in stderr]
    if code != (1 if failed else 0) or len(lines) + len(failed) != len(pages):
        return len(lines), pages
    return len(lines), []


def test_mutated_real_pages_never_crash_extract_nor_give_a_bad_record(tmp_path):
    records = 0
    suspects: list[tuple[Path, str | None, list[str]]] = []
    for first in range(0, PAGES, BATCH):
        source = SOURCES[first // BATCH % len(SOURCES)]
        batch, recipes = [], {}
        for number in range(first, min(first + BATCH, PAGES)):
            data, recipe = mutated_page(number)
            page = tmp_path / f"page-{number:07d}.html"
            page.write_bytes(data)
            batch.append(page)
            recipes[page] = recipe
        written, suspicious = check_batch(batch, source)
        records += written
        suspects += [(p, source, recipes[p]) for p in suspicious]
        for page in set(batch) - set(suspicious):
            page.unlink()
    failures = {}
    for page, source, recipe in suspects:
        for failure in page_failures(page, source):
            # One example per kind of failure: a crash by its error (the traceback's last line),
            # a bad record by what is wrong with which field.
            crash = failure.startswith("crashed")
            kind = failure.strip().splitlines()[-1][:200] if crash else failure.split(": ")[0]
            failures.setdefault(kind, (page, source, recipe, failure[-2000:]))
    assert not failures, "\n".join(
        f"{kind}\n    newscrawl extract {page}{f' --source {source}' if source else ''}"
        f"  (made from {' + '.join(recipe)})\n{detail}\n"
        for kind, (page, source, recipe, detail) in failures.items()
    )
    # A corpus mangled past reading would prove nothing: a good share must still be articles.
    assert records >= PAGES // 5, f"only {records} of {PAGES} mutated pages gave a record"


# --- pages generated from scratch ------------------------------------------------------------


def _selector_names() -> list[str]:
    """Class and id names the profiles' selectors look for, so that generated markup takes
    every CMS's path through extraction, not only the generic one."""
    names = set()
    for profile in load_profiles().values():
        names.update(profile.markers)
        for selectors in profile.selectors.values():
            for css in selectors:
                names.update(re.findall(r"[.#]([A-Za-z][\w-]*)", css))
    return sorted(names)


SELECTOR_NAMES = _selector_names()


@cache
def _sentences() -> list[str]:
    return [p for site_id in SITE_IDS for a in load_site(site_id).articles for p in a.paragraphs]


BYLINES = [
    "Minh Phong", "Nguồn: QBTV.vn", "Theo TTXVN", "Bài và ảnh: Trà My", "Tin, ảnh: CHÂU AN",
    "Thu Hà - Thiên Vỹ", "(TTXVN/Vietnam+)", "Ảnh: Công Sáng", "PV", "BÌNH LUẬN", "Loading...",
    "0", "81", "Theo Sở Y tế, số ca mắc đã giảm", "N.Hà", "()", "(", "Nguồn:", "Theo",
]  # fmt: skip
TAGS = [
    "div", "p", "span", "a", "b", "em", "i", "h1", "h2", "article", "section", "header",
    "footer", "nav", "aside", "figure", "figcaption", "table", "tr", "td", "ul", "li", "time",
    "blockquote", "script", "style", "form", "font", "center", "strong",
]  # fmt: skip
META_KEYS = [
    "article:published_time", "article:modified_time", "og:updated_time", "datePublished",
    "og:url", "og:title", "og:description", "description", "article:author", "article:section",
    "article:tag", "keywords", "news_keywords",
]  # fmt: skip

# Text: the article's own sentences and bylines, and any character but a surrogate (controls,
# combining marks, bidi overrides, private use), so whatever reaches a record is tried.
words = st.one_of(
    st.sampled_from(BYLINES),
    st.deferred(lambda: st.sampled_from(_sentences())),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
    st.text(
        st.sampled_from("aăâđeêioôơuưyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậ .,:-()/\u0301\u0323"), max_size=40
    ),
)
# Any instant from year 1 to 9999 in offsets from -12:00 to +14:00 (the extremes do not fit in
# Vietnam time), impossible dates, and Vietnamese-style dates with numbers of any size.
dates = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=st.sampled_from([timezone(timedelta(hours=h)) for h in (7, 0, -12, 14)]),
    ).map(datetime.isoformat),
    st.sampled_from(ABSURD_DATES),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:00{}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.sampled_from(["+07:00", "Z", "", "-12:00", "+14:00", "+99:00", "+0700"]),
    ),
    st.builds("Thứ Sáu, {}/{}/{} {}:{} (GMT+7)".format, *[st.integers(0, 99999)] * 5),
)
site_urls = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "HTTPS", "ftp"]),
    st.sampled_from(["qbtv.vn", "m.baohatinh.vn", "127.0.0.1:8801", "x.vn", "đồnghới.vn"]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)
# (the huge ones are left to the mutations: a failing example is shown in full)
urls = st.one_of(st.sampled_from([u for u in WEIRD_URLS if len(u) < 500]), site_urls)


def _json_containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(JSON_KEYS), words), inner, max_size=5),
        st.fixed_dictionaries({"@type": st.sampled_from(TYPES)}, optional={"@graph": inner}),
    )


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), words, dates, urls),
    _json_containers,
    max_leaves=12,
)
_sentence_paragraphs = st.deferred(lambda: st.sampled_from(_sentences())).map("<p>{}</p>".format)
classes = st.lists(st.sampled_from(SELECTOR_NAMES), max_size=3).map(" ".join)
attributes = st.one_of(
    st.builds('class="{}"'.format, classes),
    st.builds('id="{}"'.format, st.sampled_from(SELECTOR_NAMES)),
    st.builds('datetime="{}"'.format, dates),
    st.builds('href="{}"'.format, urls),
    st.just('style="text-align:center"'),
)
leaves = st.one_of(
    words,
    dates,
    st.builds(
        "<img {}>".format, st.builds('{}="{}"'.format, st.sampled_from(["src", "data-src"]), urls)
    ),
    st.just("<br>"),
)


def _element(tag: str, attributes: list[str], children: list[str], closed: bool) -> str:
    return f"<{tag} {' '.join(attributes)}>{''.join(children)}{f'</{tag}>' if closed else ''}"


def _containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        _element,
        st.sampled_from(TAGS),
        st.lists(attributes, max_size=2),
        st.lists(inner, max_size=6),
        st.booleans(),
    )


elements = st.recursive(leaves, _containers, max_leaves=15)
heads = st.lists(
    st.one_of(
        st.builds("<title>{}</title>".format, words),
        st.builds(
            '<meta property="{}" content="{}">'.format,
            st.sampled_from(META_KEYS),
            st.one_of(words, dates, urls),
        ),
        st.builds('<link rel="canonical" href="{}">'.format, urls),
        st.builds(
            '<script type="application/ld+json">{}</script>'.format,
            st.one_of(json_values.map(json.dumps), words),
        ),
    ),
    max_size=6,
)


# An article's shape, so that most generated pages reach every record field: a headline, a
# dated head, a body of sentences (any of them may be markup or odd text) closed by bylines.
pages = st.builds(
    "<html><head>{}{}{}</head><body>{}<h1>{}</h1><div {}>{}{}</div>{}</body></html>".format,
    heads.map("".join),
    st.builds('<link rel="canonical" href="{}">'.format, site_urls),
    st.builds('<meta property="article:published_time" content="{}">'.format, dates),
    elements,
    words,
    attributes,
    st.lists(st.one_of(_sentence_paragraphs, elements), min_size=2, max_size=8).map("".join),
    st.lists(st.sampled_from(BYLINES).map("<p>{}</p>".format), max_size=2).map("".join),
    elements,
)


@settings(
    max_examples=max(PAGES // 40, 1),
    derandomize=PAGES <= 10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    html=pages,
    mutations=st.lists(st.sampled_from([m for m, _ in MUTATIONS]), max_size=2),
    rng=st.randoms(use_true_random=False),
    source=st.sampled_from(SOURCES),
    url=st.one_of(st.none(), urls),
)
def test_generated_pages_never_crash_extract_nor_give_a_bad_record(
    tmp_path_factory, html, mutations, rng, source, url
):
    data = _bytes(html)
    for mutation in mutations:
        data = mutation(rng, data)
    page = tmp_path_factory.getbasetemp() / "generated.html"
    page.write_bytes(data)
    assert page_failures(page, source, url) == []


# --- what the fuzzing found: each bug's minimal page, through the command ---------------------

P1 = (
    "Sáng 29/10, lũ trên các sông ở Quảng Bình tiếp tục lên, nhiều khu dân cư ở huyện Lệ Thủy"
    " và Quảng Ninh bị ngập sâu."
)
P2 = (
    "Chính quyền địa phương đã di dời hơn 1.200 hộ dân đến nơi an toàn, bố trí lực lượng trực"
    " suốt đêm tại các điểm xung yếu."
)
CANONICAL = "https://example-tinh.vn/tin/bai-1.html"
PUBLISHED = '<meta property="article:published_time" content="2024-10-29T10:30:00+07:00">'


def article(head: str = PUBLISHED, body: str = "") -> str:
    return (
        f'<html><head><link rel="canonical" href="{CANONICAL}">{head}</head><body>'
        f"<h1>Tiêu đề bài</h1><div class='noi-dung'><p>{P1}</p>{body}<p>{P2}</p></div>"
        "</body></html>"
    )


def json_ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def extract_page(tmp_path: Path, html: str | bytes, *options: str) -> tuple[int, list[dict], str]:
    page = tmp_path / "page.html"
    page.write_bytes(_bytes(html) if isinstance(html, str) else html)
    code, lines, stderr = run_extract([page], *options)
    assert [p for line in lines for p in record_problems(line)] == []
    return code, [json.loads(line) for line in lines], stderr


def test_json_ld_types_that_are_not_names_are_ignored(tmp_path):
    # Crashed with TypeError: "@type": 5 is not iterable, a dict in the list is unhashable.
    head = PUBLISHED + json_ld('{"@type": 5}') + json_ld('[{"@type": [{}]}]')
    head += json_ld('{"@type": ["NewsArticle", 7], "headline": "Tiêu đề từ JSON-LD"}')
    code, [record], _ = extract_page(tmp_path, article(head))
    assert code == 0 and record["title"] == "Tiêu đề từ JSON-LD"


def test_json_ld_nested_deeper_than_the_parser_recurses_is_skipped(tmp_path):
    # Crashed with RecursionError in read_metadata, before extraction (whose own guard would
    # have called the whole page unreadable).
    code, [record], _ = extract_page(tmp_path, article(PUBLISHED + json_ld("[" * 100_000)))
    assert code == 0 and record["title"] == "Tiêu đề bài"


def test_a_date_vietnam_time_cannot_hold_is_no_date(tmp_path):
    # Crashed with OverflowError: 31/12/9999 23:00 at -05:00 is year 10000 in Vietnam.
    ld = '{"@type": "NewsArticle", "datePublished": "9999-12-31T23:00:00-05:00",'
    ld += ' "dateModified": "0001-01-01T00:00:00+09:00"}'
    code, [record], _ = extract_page(tmp_path, article(json_ld(ld) + PUBLISHED))
    assert code == 0
    assert (record["date"], record["date_modified"]) == ("2024-10-29T10:30:00+07:00", None)


def test_image_addresses_are_written_as_browsers_request_them(tmp_path):
    # An open IPv6 bracket crashed urljoin with ValueError; a newline, a control character, a
    # file name in NFD or a host no browser would look up went into the record as written.
    images = (
        '<img src="http://[oops/a.jpg">'
        '<img src=" https://example-tinh.vn/anh/a\n1.jpg ">'
        '<img src="https://example-tinh.vn/anh/b\x01.jpg">'
        '<img src="/anh/lu\u0303.jpg">'
        '<img src="http://127.0.0\x0e1/c.jpg">'
        '<img src="http://ảnh\u3000lũ/d.jpg">'
        '<img src="https://đồnghới.vn/e.jpg">'
    )
    code, [record], _ = extract_page(tmp_path, article(body=images))
    assert code == 0
    assert [i["url"] for i in record["images"]] == [
        "https://example-tinh.vn/anh/a1.jpg",
        "https://example-tinh.vn/anh/b%01.jpg",
        "https://example-tinh.vn/anh/lu%CC%83.jpg",
        "https://xn--nghi-zua2286byba.vn/e.jpg",
    ]


def test_control_characters_and_lone_surrogates_are_not_text(tmp_path):
    # JSON-LD escapes put C0 controls and a lone surrogate into the title and lead: the
    # surrogate crashed the UTF-8 output with UnicodeEncodeError, the controls reached the
    # record, as did controls written in the page. A C1 control is a cp1252 byte read as
    # Latin-1 ("\x96" is "–"), or half of mojibake that is still repaired ("Ä\x90" is "Đ").
    ld = '{"@type": "NewsArticle", "headline": "Tiêu\\u0001 đề\\ud800 bài",'
    ld += ' "description": "\\u00c4\\u0090ồng Hới \\u0096 Lệ Thủy\\u0007"}'
    body = "<p>Nước lũ\x02 dâng cao \x96 sáng\x7f nay ở Ä\x90ồng Hới, cả tỉnh Quảng Bình.</p>"
    code, [record], _ = extract_page(tmp_path, article(PUBLISHED + json_ld(ld), body))
    assert code == 0
    assert (record["title"], record["lead"]) == ("Tiêu đề bài", "Đồng Hới – Lệ Thủy")
    assert "Nước lũ dâng cao – sáng nay ở Đồng Hới, cả tỉnh Quảng Bình." in record["body"]


def test_a_charset_no_browser_reads_is_ignored(tmp_path):
    # rot13 and base64 are no text encodings, idna and undefined cannot decode: w3lib raised
    # LookupError or UnicodeError. unicode_escape read "\ud800" written in the text as a lone
    # surrogate, on which the parser crashed.
    text = "<p>Chuỗi \\ud800 trong bài là chữ viết, không phải một ký tự thoát nào.</p>"
    for charset in ("rot13", "base64", "idna", "undefined", "unicode_escape"):
        html = f'<meta charset="{charset}">' + article(body=text)
        code, [record], _ = extract_page(tmp_path, html)
        assert code == 0 and "Chuỗi \\ud800 trong bài" in record["body"], charset


def test_an_address_that_is_not_a_url_is_never_used(tmp_path):
    # An og:url or --url with an open IPv6 bracket crashed the source lookup with ValueError.
    html = article().replace(CANONICAL, "http://[oops")
    code, records, stderr = extract_page(tmp_path, html)
    assert (code, records) == (1, []) and "does not match '^https?://'" in stderr
    code, [record], _ = extract_page(tmp_path, html, "--url", CANONICAL)
    assert code == 0 and record["url"] == CANONICAL
    code, records, stderr = extract_page(tmp_path, html, "--url", "http://[oops")
    assert (code, records) == (2, []) and "no http(s) address" in stderr


def test_a_reference_to_a_surrogate_after_an_xml_declaration_is_a_replacement_character(
    tmp_path,
):
    # After <?xml …?>, libxml2 stored &#xD800; as bytes that are no UTF-8: reading the node
    # crashed with UnicodeDecodeError. References next to the surrogates are characters.
    body = '<p title="&#xDFFF;">Mưa lớn &#55296;kéo dài &#55295;&#57344;ở Hà Tĩnh&#x00d800;.</p>'
    html = '<?xml version="1.0" encoding="utf-8"?>' + article(body=body)
    code, [record], _ = extract_page(tmp_path, html)
    assert code == 0
    assert "Mưa lớn \ufffdkéo dài \ud7ff\ue000ở Hà Tĩnh\ufffd." in record["body"].split("\n\n")
