"""Page → Article record. Pure: a parsel Selector, the page URL and the source's data in, a
record out; no Scrapy objects, no I/O.

Every field is looked up in the same order (design.md §3): the source's selectors, its CMS
profile's, the page's machine-readable metadata, then the generic layer that works on a site
nobody configured.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from w3lib.url import safe_url_string

from newscrawl.extract.byline import Attribution, parse_byline, split_trailing_byline
from newscrawl.extract.credit import normalize_credit
from newscrawl.extract.dates import VN_TZ, format_date, parse_date
from newscrawl.extract.metadata import PageMetadata, read_metadata
from newscrawl.extract.normalize import drop_chrome, normalize_article
from newscrawl.extract.text import clean_text, node_text, paragraphs
from newscrawl.extract.urls import canonical_url
from newscrawl.record import Article, Image, article_id
from newscrawl.sources import GENERIC_PROFILE, Source, detect_profile, load_profiles

# A container whose direct <p> children hold less text than this is not an article body.
_MIN_BODY_CHARS = 200
_IMAGE_URL_ATTRS = ("data-src", "data-original", "data-lazy-src", "src")
# An http(s) address once percent-encoded: a space, control or non-ASCII character left is in
# a host no browser would look up (`http://127.0.0\x0e1/`), so that is no image's address.
_REQUESTABLE_URL = re.compile(r"https?://[\x21-\x7e]+")
_SELECTOR_NAMES = re.compile(r"([.#])([A-Za-z0-9_-]+)")
# Compiled lxml queries without "smart" strings: parsel would wrap each of the page's
# thousands of attribute values in a Selector.
_CSS = HTMLTranslator()
_ALL_CLASSES = etree.XPath("//@class", smart_strings=False)
_ALL_IDS = etree.XPath("//@id", smart_strings=False)
_STRING = etree.XPath("string()", smart_strings=False)
_TEXT_BLOCKS = etree.XPath("//p | //*[not(self::p)][count(br) >= 2]")
# Shorter blocks are labels, buttons and teasers, not paragraphs of an article.
_MIN_PARAGRAPH_CHARS = 25
_TITLE_SEPARATOR = re.compile(r"\s+[-|–—:]\s+")
# Elements that show a headline in the page body: not the head, links, options or scripts.
_SHOWN_TEXT = etree.XPath(
    "//body//*[not(self::a or self::option or self::script or self::style or self::title)]"
    "[text()[normalize-space()]]"
)
_OWN_TEXT = etree.XPath("text()", smart_strings=False)


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
    # Attribute values keep a link to their element (smart strings), for _in_chrome.
    return etree.XPath(xpath, smart_strings="::attr" in css)


Node = etree._Element | str


class _Page:
    """A page with its selector layers. Selectors whose class or id names the page lacks are
    skipped without running: on a large page each CSS query is a full tree scan, and the
    generic layer alone holds dozens."""

    def __init__(self, root: etree._Element, source: Source | None):
        self.root = root
        self.generic = load_profiles()[GENERIC_PROFILE].selectors
        self.classes = frozenset(" ".join(_ALL_CLASSES(root)).split())
        self.ids = frozenset(_ALL_IDS(root))
        if source is not None:
            self.layers = list(source.selector_layers())
        else:
            # A site nobody configured may still run a known CMS: read it with that profile.
            profile = detect_profile(self.classes | self.ids)
            self.layers = [profile.selectors] if profile else []

    def can_match(self, css: str) -> bool:
        classes, ids = _required_names(css)
        return classes <= self.classes and ids <= self.ids

    def selectors(self, key: str, *, generic: bool) -> Iterator[str]:
        """The selectors of `key` in the page's own layers (source, profile), or in the generic
        layer: metadata is consulted between the two."""
        for layer in [self.generic] if generic else self.layers:
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
        every = [*self.selectors(key, generic=False), *self.selectors(key, generic=True)]
        union = ", ".join(css for css in every if self.can_match(css))
        return _query(union)(within) if union else []

    def first_text(self, key: str, *, generic: bool) -> str | None:
        for found in self.matches(key, generic=generic):
            text = node_text(found[0])
            if text:
                return text
        return None


# A character reference to a UTF-16 surrogate, &#xD800; to &#xDFFF; (&#55296; to &#57343;).
_SURROGATE_REFERENCE = re.compile(
    r"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}"
    r"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));"
)


def parse_page(html: str) -> Selector:
    """The page's markup parsed for extract_article.

    After an XML declaration, libxml2 (2.14) turns a reference to a surrogate into bytes that
    are no UTF-8, and lxml raises on reading that node's text or attributes; HTML reads such a
    reference as U+FFFD, so it is written as one before parsing."""
    if "&#" in html:
        html = _SURROGATE_REFERENCE.sub("\ufffd", html)
    return Selector(text=html)


def extract_article(
    sel: Selector, url: str, source: Source | None = None, *, crawled_at: str | None = None
) -> Article:
    """The article record of one page. Raises NotAnArticle when the page holds none."""
    try:
        return _extract(sel, url, source, crawled_at)
    except RecursionError:
        # Thousands of unclosed inline tags nest deeper than Python recurses; such a page is
        # broken markup, not an article we can read.
        raise NotAnArticle("too_deep", "the page's markup nests too deep to read") from None


def _extract(sel: Selector, url: str, source: Source | None, crawled_at: str | None) -> Article:
    page = _Page(sel.root, source)
    meta = read_metadata(sel)

    title = page.first_text("title", generic=False) or meta.headline
    title = title or page.first_text("title", generic=True) or _title_shown_on_page(page.root)
    if not title:
        raise NotAnArticle("no_title", "no headline in selectors, metadata, <h1> or <title>")
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
    caption_texts = {clean_text(node_text(c)).casefold() for c in captions}

    texts = paragraphs(container, skip=[*removed, *captions, *byline_nodes])
    texts = _without_repeated_captions(drop_chrome(texts), caption_texts)
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
        credit=normalize_credit(attribution.credit),
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


def _without_repeated_captions(texts: list[str], captions: set[str]) -> list[str]:
    """Drop paragraphs that repeat a caption, also when the repeat was cut by <br> into two
    or three lines (the QBTV sample shows both)."""
    kept: list[str] = []
    i = 0
    while i < len(texts):
        span = next((n for n in (1, 2, 3) if " ".join(texts[i : i + n]).casefold() in captions), 0)
        if span:
            i += span
        else:
            kept.append(texts[i])
            i += 1
    return kept


def _domain(url: str) -> str:
    host = re.sub(r"^[a-z]+://", "", url).split("/", 1)[0].split(":", 1)[0]
    return host.removeprefix("www.")


def _title_shown_on_page(root: etree._Element) -> str | None:
    """The document <title>, or its part before or after a site-name separator, where an
    element of the page shows that same text: the headline of layouts that mark it with no
    <h1> and no metadata (table-built government portals). A <title> the page does not repeat
    is a site or section name, not a headline.

    The site's name, the other part of the <title>, is often shown too: in the banner above the
    headline, in the footer below the text. So the part taken is the last one shown before the
    article's first paragraph, not the first one shown."""
    title_node = root.find(".//title")
    head_title = clean_text(_STRING(title_node)) if title_node is not None else ""
    if not head_title:
        return None
    parts = sorted({head_title, *_TITLE_SEPARATOR.split(head_title)}, key=len, reverse=True)
    wanted = {part.casefold(): part for part in parts if len(part.split()) >= 3}
    shown = None
    for node in _SHOWN_TEXT(root):
        text = clean_text(_STRING(node))
        if text.casefold() in wanted:
            shown = wanted[text.casefold()]
        elif shown and _is_paragraph(node):
            break  # the article's text: its headline was shown above
    return shown


def _is_paragraph(node: etree._Element) -> bool:
    """A paragraph of text: a <p> of a sentence or more, or a node of a body's length of its
    own text (a layout table's cell holds the whole page: only its own text counts)."""
    own = len(clean_text("".join(_OWN_TEXT(node))))
    return own >= _MIN_BODY_CHARS or (node.tag == "p" and own >= _MIN_PARAGRAPH_CHARS)


def _lead(page: _Page, meta: PageMetadata) -> str | None:
    # JSON-LD description before the generic layer: it is the full sapo where a page has one,
    # while og:description is often cut short or the first words of the body.
    return (
        page.first_text("lead", generic=False)
        or meta.description
        or page.first_text("lead", generic=True)
    )


def _body_container(page: _Page) -> etree._Element | None:
    for generic in (False, True):
        for found in page.matches("body", generic=generic):
            if len(_STRING(found[0])) >= _MIN_BODY_CHARS:
                return found[0]
    return _densest_text(page.root)


def _densest_text(root: etree._Element) -> etree._Element | None:
    """Where no selector knows the layout: the element holding the longest run of paragraphs.

    Each paragraph (a <p>, or an element whose text is cut by <br>s) scores its length for its
    parent; the best-scored parent wins, then gives way to an ancestor that holds markedly more
    paragraph text (a body split by ad slots or wrapped paragraph by paragraph)."""
    direct: dict[etree._Element, int] = {}
    under: dict[etree._Element, int] = {}
    for block in _TEXT_BLOCKS(root):
        length = len(_STRING(block))
        if length < _MIN_PARAGRAPH_CHARS:
            continue
        holder = block.getparent() if block.tag == "p" else block
        if holder is None:
            continue
        direct[holder] = direct.get(holder, 0) + length
        for ancestor in (holder, *holder.iterancestors()):
            under[ancestor] = under.get(ancestor, 0) + length
    if not direct:
        return None
    best = max(direct, key=direct.__getitem__)
    for parent in list(best.iterancestors())[:3]:
        if under[parent] < 1.3 * under[best]:
            break
        best = parent
    return best if under[best] >= _MIN_BODY_CHARS else None


def _caption_nodes(page: _Page, container: etree._Element) -> list[etree._Element]:
    nodes = page.all_matches("captions", container)
    # A caption inside another caption node (figcaption > p.caption) is the same caption.
    node_set = set(nodes)
    inner = {n for n in nodes for a in n.iterancestors() if a in node_set}
    marked = [n for n in nodes if n not in inner]
    return marked + _unmarked_captions(container, set(marked))


def _unmarked_captions(container: etree._Element, marked: set) -> list[etree._Element]:
    """Captions that no class marks: the short centred or italic paragraph (or table row, in
    table-built image boxes) right after an image (vn-press.md §2 F, §5), as older CMSs and
    hand-edited posts print them."""
    found = []
    for img in container.iter("img"):
        holder = img
        while (
            holder.getparent() is not None
            and holder.getparent() is not container
            and not clean_text(_STRING(holder.getparent()))
        ):
            holder = holder.getparent()
        if any(a in marked for a in holder.iterancestors()):
            continue
        after = holder.getnext()
        if after is None or after.tag not in ("p", "div", "tr") or after in marked:
            continue
        text = clean_text(_STRING(after))
        italic = "".join(_STRING(e) for e in after.iter("em", "i")).strip()
        centred = "center" in (after.get("style", "") + after.get("align", "")).lower()
        if text and len(text.split()) <= 40 and (centred or clean_text(italic) == text):
            found.append(after)
    return found


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
        try:
            # Percent-encoded as a browser requests it (no tab, newline or control character
            # left; NFD or other non-ASCII letters of a file name kept byte for byte).
            absolute = safe_url_string(urljoin(page_url, src.strip()))
        except ValueError:  # an address no URL parser reads ("http://[broken", port 99999)
            continue
        if absolute in seen or not _REQUESTABLE_URL.fullmatch(absolute):
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
            # Generic date classes also date the site header ("today") and related lists.
            yield from (node_text(n) for n in found if not _in_chrome(n))

    for text in candidates():
        parsed = parse_date(text)
        if parsed is None:
            continue
        try:
            # One offset for every record, whatever offset the page wrote the instant in (Yoast
            # writes UTC): consumers can compare and sort the strings as they are.
            return format_date(parsed.astimezone(VN_TZ))
        except OverflowError:
            continue  # 31/12/9999 west of Vietnam, or 01/01/0001 east of it: no date at all
    return None


_CHROME_NAMES = re.compile(r"header|menu|nav|footer|sidebar|top-?bar|widget|relate|banner")


def _in_chrome(node: Node) -> bool:
    """Whether a node sits in the page's frame (header, menu, footer, sidebar, related box)
    rather than in the article."""
    element = node.getparent() if isinstance(node, str) else node
    for ancestor in (element, *element.iterancestors()) if element is not None else ():
        if ancestor.tag in ("nav", "footer", "aside"):
            return True
        names = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if ancestor.tag != "article" and _CHROME_NAMES.search(names.lower()):
            return True
        if ancestor.tag == "article":
            return False
    return False


def _tags(page: _Page, meta: PageMetadata) -> list[str]:
    for generic in (False, True):
        for found in page.matches("tags", generic=generic):
            tags = [t for t in (node_text(n) for n in found) if t]
            if tags:
                return list(dict.fromkeys(tags))
        if not generic and meta.keywords:
            return list(dict.fromkeys(meta.keywords))
    return []
