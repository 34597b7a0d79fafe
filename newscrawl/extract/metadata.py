"""Machine-readable metadata of a page: JSON-LD, OpenGraph/article meta tags, canonical link."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from parsel import Selector

from newscrawl.extract.text import clean_text

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


def _meta(sel: Selector, attr: str, name: str) -> list[str]:
    return sel.xpath(f"//meta[@{attr}=$name]/@content", name=name).getall()


def _json_ld_objects(sel: Selector) -> list[dict]:
    objects: list[dict] = []
    for script in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(script)
        except ValueError:
            # Broken JSON-LD is common (trailing commas, raw newlines); the page's other
            # metadata and selectors still apply, so it is skipped rather than repaired.
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


def _types(obj: dict) -> set[str]:
    value = obj.get("@type", ())
    return {value} if isinstance(value, str) else set(value)


def _person_names(value: object) -> list[str]:
    """Names of persons in a JSON-LD author value; organizations are not authors of a text."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and "Organization" not in str(item.get("@type", "")):
            names.append(str(item.get("name") or ""))
    return [n for n in map(clean_text, names) if n]


def _keywords(value: object) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    return [k for k in (clean_text(str(i)) for i in items) if k]


def read_metadata(sel: Selector) -> PageMetadata:
    meta = PageMetadata()
    meta.canonical_url = sel.xpath("//link[@rel='canonical']/@href").get() or next(
        iter(_meta(sel, "property", "og:url")), None
    )
    breadcrumb: list[str] = []
    for obj in _json_ld_objects(sel):
        types = _types(obj)
        if types & _ARTICLE_TYPES:
            meta.headline = meta.headline or clean_text(obj.get("headline")) or None
            meta.description = meta.description or clean_text(obj.get("description")) or None
            meta.published += [str(obj["datePublished"])] if obj.get("datePublished") else []
            meta.modified += [str(obj["dateModified"])] if obj.get("dateModified") else []
            meta.authors = meta.authors or _person_names(obj.get("author"))
            sections = _keywords(obj.get("articleSection"))
            meta.section = meta.section or (sections[-1] if sections else None)
            meta.keywords = meta.keywords or _keywords(obj.get("keywords"))
        elif "BreadcrumbList" in types and not breadcrumb:
            breadcrumb = _breadcrumb_names(obj)
    meta.published += _meta(sel, "property", "article:published_time")
    meta.published += _meta(sel, "itemprop", "datePublished")
    meta.modified += _meta(sel, "property", "article:modified_time")
    meta.modified += _meta(sel, "property", "og:updated_time")
    if not meta.authors:
        # article:author is a profile URL on many sites; only a name is an author.
        names = [a for a in _meta(sel, "property", "article:author") if "://" not in a]
        meta.authors = [n for n in map(clean_text, names) if n]
    section = clean_text(next(iter(_meta(sel, "property", "article:section")), None))
    meta.section = section or meta.section or (breadcrumb[-1] if len(breadcrumb) > 1 else None)
    meta.keywords = [clean_text(t) for t in _meta(sel, "property", "article:tag")] or meta.keywords
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
        name = entry.get("name") or (item.get("name") if isinstance(item, dict) else None)
        if name:
            names.append(clean_text(str(name)))
    return names
