"""Machine-readable metadata of a page: JSON-LD, OpenGraph/article meta tags, canonical link."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from newscrawl.extract.text import clean_text

# Compiled once; name tests first, so libxml2 tests attributes only on <script>/<link>.
_JSON_LD = etree.XPath("//script[@type='application/ld+json']/text()", smart_strings=False)
_CANONICAL = etree.XPath("//link[@rel='canonical']/@href", smart_strings=False)
_ARTICLE_TYPES = {
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "BlogPosting",
    "AnalysisNewsArticle",
}


@dataclass
class PageMetadata:
    canonical_url: str | None = None
    headline: str | None = None
    description: str | None = None
    published: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    section: str | None = None
    keywords: list[str] = field(default_factory=list)


def _meta_tags(sel: Selector) -> dict[str, list[str]]:
    """Every <meta> content keyed by its property, name or itemprop, in one pass."""
    tags: dict[str, list[str]] = {}
    for meta in sel.root.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content:
            tags.setdefault(key, []).append(content)
    return tags


def _json_ld_objects(sel: Selector) -> list[dict]:
    objects: list[dict] = []
    for script in _JSON_LD(sel.root):
        try:
            data = json.loads(script)
        except (ValueError, RecursionError):
            # Broken JSON-LD is common (trailing commas, raw newlines; arrays nested deeper than
            # the parser recurses); the page's other metadata and selectors still apply, so it
            # is skipped rather than repaired.
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return objects


def _text(value: object) -> str | None:
    """A JSON-LD text value: a string, or a {"@value": …} object; anything else is not text."""
    if isinstance(value, dict):
        value = value.get("@value")
    return clean_text(value) or None if isinstance(value, str) else None


def _types(obj: dict) -> set[str]:
    """The object's type names; a @type that is no string nor list of strings names none."""
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def _person_names(value: object) -> list[str]:
    """Names of persons in a JSON-LD author value; organizations are not authors of a text."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and "Organization" not in str(item.get("@type", "")):
            names.append(_text(item.get("name")) or "")
    return [n for n in map(clean_text, names) if n]


def _keywords(value: object) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return [k for k in (clean_text(i) for i in items if isinstance(i, str)) if k]


def read_metadata(sel: Selector) -> PageMetadata:
    meta = PageMetadata()
    tags = _meta_tags(sel)
    meta.canonical_url = next(iter(_CANONICAL(sel.root)), None) or next(
        iter(tags.get("og:url", ())), None
    )
    breadcrumb: list[str] = []
    for obj in _json_ld_objects(sel):
        types = _types(obj)
        if types & _ARTICLE_TYPES:
            meta.headline = meta.headline or _text(obj.get("headline"))
            meta.description = meta.description or _text(obj.get("description"))
            meta.published += [d for d in [_text(obj.get("datePublished"))] if d]
            meta.modified += [d for d in [_text(obj.get("dateModified"))] if d]
            meta.authors = meta.authors or _person_names(obj.get("author"))
            sections = _keywords(obj.get("articleSection"))
            meta.section = meta.section or (sections[-1] if sections else None)
            meta.keywords = meta.keywords or _keywords(obj.get("keywords"))
        elif "BreadcrumbList" in types and not breadcrumb:
            breadcrumb = _breadcrumb_names(obj)
    meta.published += tags.get("article:published_time", []) + tags.get("datePublished", [])
    meta.modified += tags.get("article:modified_time", []) + tags.get("og:updated_time", [])
    if not meta.authors:
        # article:author is a profile URL on many sites; only a name is an author.
        names = [a for a in tags.get("article:author", ()) if "://" not in a]
        meta.authors = [n for n in map(clean_text, names) if n]
    section = clean_text(next(iter(tags.get("article:section", ())), None))
    meta.section = section or meta.section or (breadcrumb[-1] if len(breadcrumb) > 1 else None)
    meta.keywords = (
        [clean_text(t) for t in tags.get("article:tag", ())]
        or meta.keywords
        or _keywords(next(iter(tags.get("news_keywords", tags.get("keywords", ()))), None))
    )
    return meta


def _breadcrumb_names(obj: dict) -> list[str]:
    names = []
    items = obj.get("itemListElement") or []
    for entry in items if isinstance(items, list) else []:
        # Some CMSs nest each ListItem in its own one-element list.
        entry = entry[0] if isinstance(entry, list) and entry else entry
        if not isinstance(entry, dict):
            continue
        item = entry.get("item")
        name = _text(entry.get("name")) or (
            _text(item.get("name")) if isinstance(item, dict) else None
        )
        if name:
            names.append(name)
    return names
