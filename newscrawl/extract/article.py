"""Page → Article record. Pure: a parsel Selector, the page URL and the source's data in, a
record out; no Scrapy objects, no I/O.

Every field is looked up in the same order (design.md §3): the source's selectors, its CMS
profile's, the page's machine-readable metadata, then the generic layer that works on a site
nobody configured.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from newscrawl.extract.byline import Attribution, parse_byline, split_trailing_byline
from newscrawl.extract.dates import VN_TZ, format_date, parse_date
from newscrawl.extract.metadata import PageMetadata, read_metadata
from newscrawl.extract.normalize import drop_chrome, normalize_article
from newscrawl.extract.text import clean_text, node_text, paragraphs
from newscrawl.extract.urls import canonical_url
from newscrawl.record import Article, Image, article_id
from newscrawl.sources import GENERIC_PROFILE, Selectors, Source, load_profiles

# A container whose direct <p> children hold less text than this is not an article body.
_MIN_BODY_CHARS = 200
_IMAGE_URL_ATTRS = ("data-src", "data-original", "data-lazy-src", "src")
_SELECTOR_NAMES = re.compile(r"([.#])([A-Za-z0-9_-]+)")
# Compiled lxml queries without "smart" strings: parsel would wrap each of the page's
# thousands of attribute values in a Selector.
_CSS = HTMLTranslator()
_ALL_CLASSES = etree.XPath("//@class", smart_strings=False)
_ALL_IDS = etree.XPath("//@id", smart_strings=False)
_STRING = etree.XPath("string()", smart_strings=False)


class NotAnArticle(ValueError):
    """The page yields no article; `reason` is a short code for stats and logs."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


@cache
def _required_names(css: str) -> tuple[frozenset[str], frozenset[str]]:
    """Class and id names a selector needs; a page without them cannot match it."""
    if "," in css:
        return frozenset(), frozenset()
    plain = re.sub(r"\[[^\]]*\]|::?[a-z-]+\([^)]*\)", "", css)
    names = _SELECTOR_NAMES.findall(plain)
    return (
        frozenset(n for kind, n in names if kind == "."),
        frozenset(n for kind, n in names if kind == "#"),
    )


# cssselect tests a class or attribute on every element of the tree (`*[@class and …]`),
# which libxml2 evaluates slowly; walking the attribute axis and stepping back to the element
# (`*/@class[…]/..`) selects the same nodes at a fraction of the cost (bench/extract.py).
_STEP = re.compile(r"(descendant(?:-or-self)?)::(\w+|\*)\[([^\[\]]*)\](?=/|$| \|)")
_CLASS_TEST = re.compile(
    r"\(?@class and contains\(@class, '([\w-]+)'\) and "
    r"contains\(concat\(' ', normalize-space\(@class\), ' '\), ' \1 '\)\)?"
)
_ATTRIBUTE_TEST = re.compile(r"@([\w-]+) = ('[^']*')|@([\w-]+) and contains\(@\3, ('[^']*')\)")


def _attribute_axis_step(step: re.Match[str]) -> str:
    axis, tag, predicate = step.groups()
    classes = _CLASS_TEST.findall(predicate)
    if classes and _CLASS_TEST.sub("", predicate).replace(" and ", "") == "":
        tests = " and ".join(
            f"contains(., '{c}') and contains(concat(' ', normalize-space(.), ' '), ' {c} ')"
            for c in classes
        )
        return f"{axis}::{tag}/@class[{tests}]/.."
    attribute = _ATTRIBUTE_TEST.fullmatch(predicate)
    if attribute and attribute[1]:
        return f"{axis}::{tag}/@{attribute[1]}[. = {attribute[2]}]/.."
    if attribute:
        return f"{axis}::{tag}/@{attribute[3]}[contains(., {attribute[4]})]/.."
    return step[0]


@cache
def _query(css: str) -> etree.XPath:
    """A CSS selector (with parsel's ::attr/::text) compiled once into an lxml XPath.

    parsel's Selector.css() translates and compiles the expression on every call and wraps
    every result; with the dozens of selectors a page goes through, that costs more than
    parsing the page."""
    xpath = _STEP.sub(_attribute_axis_step, _CSS.css_to_xpath(css))
    return etree.XPath(xpath, smart_strings=False)


Node = etree._Element | str


class _Page:
    """A page with its selector layers. Selectors whose class or id names the page lacks are
    skipped without running: on a large page each CSS query is a full tree scan, and the
    generic layer alone holds dozens."""

    def __init__(self, root: etree._Element, layers: Sequence[Selectors]):
        self.root = root
        self.layers = list(layers)
        self.generic = load_profiles()[GENERIC_PROFILE].selectors
        self.classes = frozenset(" ".join(_ALL_CLASSES(root)).split())
        self.ids = frozenset(_ALL_IDS(root))

    def can_match(self, css: str) -> bool:
        classes, ids = _required_names(css)
        return classes <= self.classes and ids <= self.ids

    def selectors(self, key: str, *, generic: bool) -> Iterator[str]:
        for layer in [*self.layers, self.generic] if generic else self.layers:
            yield from layer.get(key, ())

    def matches(
        self, key: str, *, generic: bool, within: etree._Element | None = None
    ) -> Iterator[list[Node]]:
        """Nodes (or attribute strings) matched by each selector of `key`, one list per selector."""
        scope = self.root if within is None else within
        for css in self.selectors(key, generic=generic):
            if self.can_match(css):
                found = _query(css)(scope)
                if found:
                    yield found

    def all_matches(self, key: str, within: etree._Element) -> list[etree._Element]:
        """Every node matched by any selector of `key` (all layers), in page order: one union
        query instead of one tree scan per selector."""
        union = ", ".join(css for css in self.selectors(key, generic=True) if self.can_match(css))
        return _query(union)(within) if union else []

    def first_text(self, key: str, *, generic: bool) -> str | None:
        for found in self.matches(key, generic=generic):
            text = node_text(found[0])
            if text:
                return text
        return None


def extract_article(
    sel: Selector, url: str, source: Source | None = None, *, crawled_at: str | None = None
) -> Article:
    """The article record of one page. Raises NotAnArticle when the page holds none."""
    page = _Page(sel.root, source.selector_layers() if source else ())
    meta = read_metadata(sel)

    title = page.first_text("title", generic=False) or meta.headline
    title = title or page.first_text("title", generic=True)
    if not title:
        raise NotAnArticle("no_title", "no headline in selectors, metadata or <h1>")
    lead = _lead(page, meta)

    container = _body_container(page)
    if container is None:
        raise NotAnArticle("no_body", "no element holds the article text")
    captions = _caption_nodes(page, container)
    removed = [n for n in page.all_matches("remove", container) if n is not container]
    byline_nodes = [
        n for found in page.matches("byline", generic=False, within=container) for n in found
    ]
    images = _images(container, captions, set(removed), url)
    caption_texts = {i.caption.casefold() for i in images if i.caption}

    texts = paragraphs(container, skip=[*removed, *captions, *byline_nodes])
    texts = [t for t in drop_chrome(texts) if t.casefold() not in caption_texts]
    if texts and clean_text(texts[0]).casefold() in {title.casefold(), (lead or "").casefold()}:
        texts = texts[1:]
    texts, attribution = split_trailing_byline(texts)
    attribution = _merge(
        [b for b in (parse_byline(node_text(n)) for n in byline_nodes) if b] + [attribution]
    )
    if not texts:
        raise NotAnArticle("no_body", "the body container holds no text")

    canonical = canonical_url(url, meta.canonical_url)
    article = Article(
        id=article_id(canonical),
        url=canonical,
        source=source.id if source else "generic",
        source_domain=source.domain if source else _domain(canonical),
        title=title,
        author=list(attribution.authors) or _authors(page, meta),
        date=_date(page, "date", meta.published),
        date_modified=_date(page, "date_modified", meta.modified),
        credit=attribution.credit,
        lead=lead,
        body="\n\n".join(texts),
        images=images,
        category=page.first_text("category", generic=False)
        or meta.section
        or page.first_text("category", generic=True),
        tags=_tags(page, meta),
        crawled_at=crawled_at,
    )
    return normalize_article(article)


def _domain(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url).split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def _lead(page: _Page, meta: PageMetadata) -> str | None:
    # JSON-LD description before the generic layer: it is the full sapo where a page has one,
    # while og:description is often cut short or the first words of the body.
    return (
        page.first_text("lead", generic=False)
        or meta.description
        or page.first_text("lead", generic=True)
    )


def _body_container(page: _Page) -> etree._Element | None:
    for found in page.matches("body", generic=True):
        if len(_STRING(found[0])) >= _MIN_BODY_CHARS:
            return found[0]
    return _densest_paragraph_parent(page.root)


def _densest_paragraph_parent(root: etree._Element) -> etree._Element | None:
    """The element whose direct <p> children hold the most text: where no selector knows the
    layout, the article is the longest run of paragraphs (the classic text-density rule)."""
    scores: dict[etree._Element, int] = {}
    for p in root.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(node_text(p))
    if not scores:
        return None
    best, score = max(scores.items(), key=lambda item: item[1])
    if score < _MIN_BODY_CHARS:
        return None
    return best


def _caption_nodes(page: _Page, container: etree._Element) -> list[etree._Element]:
    nodes = page.all_matches("captions", container)
    # A caption inside another caption node (figcaption > p.caption) is the same caption.
    node_set = set(nodes)
    inner = {n for n in nodes for a in n.iterancestors() if a in node_set}
    return [n for n in nodes if n not in inner]


def _images(
    container: etree._Element,
    captions: list[etree._Element],
    removed: set[etree._Element],
    page_url: str,
) -> list[Image]:
    order = {node: i for i, node in enumerate(container.iter())}
    shown = [
        img for img in container.iter("img") if not any(a in removed for a in img.iterancestors())
    ]
    shown_set = set(shown)
    caption_of: dict[etree._Element, str] = {}
    for caption in captions:
        # A caption belongs to the nearest uncaptioned image sharing a close ancestor with it
        # (figure, .wp-caption, a picture table, or the body itself when image and caption are
        # siblings): the closest one before it, else the first one after it.
        for depth, ancestor in enumerate(caption.iterancestors()):
            near = [i for i in ancestor.iter("img") if i in shown_set and i not in caption_of]
            if near or depth >= 4 or ancestor is container:
                before = [i for i in near if order[i] < order[caption]]
                after = [i for i in near if order[i] > order[caption]]
                if before or after:
                    caption_of[before[-1] if before else after[0]] = node_text(caption)
                break
    images: list[Image] = []
    seen: set[str] = set()
    for img in shown:
        src = next(
            (
                img.get(a)
                for a in _IMAGE_URL_ATTRS
                if img.get(a, "").strip() and not img.get(a, "").startswith("data:")
            ),
            None,
        )
        if not src:
            continue
        absolute = urljoin(page_url, src.strip())
        if absolute in seen or not absolute.startswith(("http://", "https://")):
            continue
        seen.add(absolute)
        images.append(Image(url=absolute, caption=caption_of.get(img) or None))
    return images


def _merge(attributions: list[Attribution]) -> Attribution:
    authors: list[str] = []
    for a in attributions:
        authors.extend(n for n in a.authors if n not in authors)
    credit = next((a.credit for a in attributions if a.credit), None)
    return Attribution(authors=tuple(authors), credit=credit)


def _author_names(texts: list[str]) -> list[str]:
    names: list[str] = []
    for text in texts:
        attribution = parse_byline(text)
        names.extend(attribution.authors if attribution else ())
    return list(dict.fromkeys(n for n in names if n))


def _authors(page: _Page, meta: PageMetadata) -> list[str]:
    for found in page.matches("author", generic=False):
        names = _author_names([node_text(n) for n in found])
        if names:
            return names
    if meta.authors:
        return _author_names(meta.authors)
    for found in page.matches("author", generic=True):
        names = _author_names([node_text(found[0])])
        if names:
            return names
    return []


def _date(page: _Page, key: str, metadata_values: list[str]) -> str | None:
    def candidates() -> Iterator[str]:
        for found in page.matches(key, generic=False):
            yield from (node_text(n) for n in found[:1])
        yield from metadata_values
        for found in page.matches(key, generic=True):
            yield from (node_text(n) for n in found[:1])

    for text in candidates():
        parsed = parse_date(text)
        if parsed is not None:
            # One offset for every record, whatever offset the page wrote the instant in (Yoast
            # writes UTC): consumers can compare and sort the strings as they are.
            return format_date(parsed.astimezone(VN_TZ))
    return None


def _tags(page: _Page, meta: PageMetadata) -> list[str]:
    for generic in (False, True):
        for found in page.matches("tags", generic=generic):
            tags = [t for t in (node_text(n) for n in found) if t]
            if tags:
                return list(dict.fromkeys(tags))
        if not generic and meta.keywords:
            return list(dict.fromkeys(meta.keywords))
    return []
